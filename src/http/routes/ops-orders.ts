import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { ApiError } from '../errors.js';
import { operatorAccess } from '../middleware/operator-auth.js';
import { queryParams, TENANT_ID } from '../ops-query.js';
import { BadCursor, findOrders } from '../../store/read/find-orders.js';
import { readOrderStory } from '../../store/read/order-story.js';
import { buildTimeline } from '../../ops/order-timeline.js';
import { ORDER_STATUSES } from '../../orders/vocabulary.js';

const ID = /^[1-9]\d{0,9}$/;

/** GET /ops/orders (find) and GET /ops/orders/{tenant}/{id}/timeline (its story), for operators. */
export function opsOrderRoutes(ctx: Pick<AppContext, 'db' | 'config' | 'suppliers'>): Router {
  const r = Router();
  const { guard } = operatorAccess(ctx.config);
  r.get('/ops/orders', guard, async (req, res) => {
    const text = (means: string) => ({ kind: 'string', maxLength: 100, pattern: /^\S.*$/s, means }) as const;
    const q = queryParams(req, {
      tenant: { kind: 'string', pattern: TENANT_ID, maxLength: 20, means: 'a tenant id' },
      id: { kind: 'int', min: 1, max: 2147483647 },
      externalId: text('an externalId'),
      supplierOrderId: text("the supplier's order id"),
      serviceId: text('a SERVICE_ID'),
      status: { kind: 'enum', values: ORDER_STATUSES },
      stuckMinutes: { kind: 'int', min: 1, max: 525600 },
      limit: { kind: 'int', min: 1, max: 200, default: 50 },
      cursor: { kind: 'string', maxLength: 400, pattern: /^[A-Za-z0-9_-]+$/, means: 'the nextCursor of a page' },
    });
    try {
      res.json(await findOrders(ctx.db, q));
    } catch (e) {
      if (e instanceof BadCursor) throw ApiError.invalid('query.cursor: is not the nextCursor of a page');
      throw e;
    }
  });
  r.get('/ops/orders/:tenant/:id/timeline', guard, async (req, res) => {
    const tenant = String(req.params.tenant);
    const id = String(req.params.id);
    const problems = [
      ...(TENANT_ID.test(tenant) ? [] : ['path.tenant: must be a tenant id']),
      ...(ID.test(id) && Number(id) <= 2147483647 ? [] : ['path.id: must be an order id (a positive integer)']),
    ];
    if (problems.length) throw ApiError.invalid(...problems);
    const story = await readOrderStory(ctx.db, tenant, Number(id));
    if (!story) throw ApiError.notFound(`order ${tenant}/${id}`);
    res.json(buildTimeline(story, ctx.suppliers));
  });
  return r;
}
