import { Router } from 'express';
import type { AppContext } from '../../context.js';
import type { AddressIdentifier } from '../../orders/order.js';
import { callingTenant, jsonQuery } from './_shared.js';

export function availabilityRoutes(ctx: AppContext): Router {
  return Router().get('/v1/service-availability', async (req, res) => {
    const suppliers =
      req.query.suppliers === undefined ? undefined : ([] as string[]).concat(req.query.suppliers as string[]);
    res.json(
      await ctx.orders.checkAvailability(callingTenant(ctx, req), {
        address: jsonQuery<AddressIdentifier>(req.query.address, 'address')!,
        suppliers,
      }),
    );
  });
}
