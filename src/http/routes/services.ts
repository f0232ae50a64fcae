import { Router } from 'express';
import type { AppContext } from '../../context.js';
import type { ServiceStatus } from '../../services/service.js';
import { callingTenant } from './_shared.js';

export function serviceRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get('/v1/services', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    res.json(
      await ctx.orders.listServices(callingTenant(ctx, req).id, {
        status: q.status as ServiceStatus | undefined,
        supplier: q.supplier as string | undefined,
        after: q.after as string | undefined,
        limit: q.limit === undefined ? undefined : Number(q.limit),
      }),
    );
  });
  r.get('/v1/services/:serviceId', async (req, res) => {
    res.json(await ctx.orders.getService(callingTenant(ctx, req).id, String(req.params.serviceId)));
  });
  return r;
}
