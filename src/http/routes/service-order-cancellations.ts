import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { callingTenant, conversationOf } from './_shared.js';

export function cancellationRoutes(ctx: AppContext): Router {
  return Router().post('/v1/service-order-cancellations', async (req, res) => {
    res
      .status(201)
      .json(await ctx.orders.cancel(callingTenant(ctx, req), req.body, conversationOf(req), res.locals.idempotencyKey));
  });
}
