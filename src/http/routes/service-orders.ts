import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { callingTenant, conversationOf } from './_shared.js';

export function serviceOrderRoutes(ctx: AppContext): Router {
  const r = Router();
  r.post('/v1/service-orders', async (req, res) => {
    res
      .status(201)
      .json(await ctx.orders.create(callingTenant(ctx, req), req.body, conversationOf(req), res.locals.idempotencyKey));
  });
  r.get('/v1/service-orders/:id', async (req, res) => {
    res.json(await ctx.orders.get(callingTenant(ctx, req).id, Number(req.params.id)));
  });
  return r;
}
