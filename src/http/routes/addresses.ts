import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { callingTenant } from './_shared.js';

export function addressRoutes(ctx: AppContext): Router {
  return Router().get('/v1/addresses', async (req, res) => {
    res.json(
      await ctx.orders.findAddresses(
        callingTenant(ctx, req),
        req.query as Record<string, string>,
        req.get('X-Conversation-ID'),
      ),
    );
  });
}
