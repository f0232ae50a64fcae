import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { amendOrder } from '../../orders/amend-cancel-order.js';
import { callingTenant, conversationOf } from './_shared.js';

export function amendmentRoutes(ctx: AppContext): Router {
  return Router().post('/v1/service-order-amendments', async (req, res) => {
    res.status(201).json(await amendOrder(ctx, callingTenant(ctx, req), req.body, conversationOf(req)));
  });
}
