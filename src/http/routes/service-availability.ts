import { Router } from 'express';
import type { AppContext } from '../../context.js';
import type { AddressIdentifier } from '../../orders/order.js';
import { ApiError, toApiError } from '../errors.js';
import { callingTenant, jsonQuery } from './_shared.js';

export function availabilityRoutes(ctx: AppContext): Router {
  return Router().get('/v1/service-availability', async (req, res) => {
    const suppliers =
      req.query.suppliers === undefined ? undefined : ([] as string[]).concat(req.query.suppliers as string[]);
    const elements = await ctx.orders.checkAvailability(
      callingTenant(ctx, req),
      {
        address: jsonQuery<AddressIdentifier>(req.query.address, 'address')!,
        suppliers,
      },
      req.get('X-Conversation-ID'),
    );
    // A supplier that failed while others answered: its element carries the error it would have answered alone.
    res.json(
      elements.map((e) => {
        if (!('failure' in e)) return e;
        const err = toApiError(e.failure) ?? new ApiError(502, 'SUPPLIER_FAULT', [`${e.supplier} failed to answer`]);
        if (err.status >= 500 && !toApiError(e.failure))
          req.log?.error({ err: e.failure, supplier: e.supplier, errorUuid: err.uuid }, 'availability failed');
        else req.log?.info({ supplier: e.supplier, errorUuid: err.uuid, code: err.code }, 'availability failed');
        return { supplier: e.supplier, error: err.body() };
      }),
    );
  });
}
