import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { ApiError } from '../errors.js';
import { operatorAccess } from '../middleware/operator-auth.js';
import { queryParams, TENANT_ID } from '../ops-query.js';
import { readQueues } from '../../store/read/queues.js';
import { listUnmapped } from '../../store/unmapped-codes.js';
import { redeliverTenant } from '../../kci/outbox.js';

/** GET /ops/queues, GET /ops/unmapped-codes and POST /ops/tenants/{tenantId}/kcis/redeliver, for operators. */
export function opsQueueRoutes(ctx: Pick<AppContext, 'db' | 'config' | 'tenants' | 'events'>): Router {
  const r = Router();
  const { guard } = operatorAccess(ctx.config);
  r.get('/ops/queues', guard, async (req, res) => {
    queryParams(req, {});
    res.json(await readQueues(ctx.db));
  });
  r.get('/ops/unmapped-codes', guard, async (req, res) => {
    const q = queryParams(req, {
      supplier: { kind: 'string', pattern: /^[A-Z0-9_]{1,40}$/, maxLength: 40, means: 'a supplier id' },
      limit: { kind: 'int', min: 1, max: 1000, default: 200 },
    });
    res.json(await listUnmapped(ctx.db, q));
  });
  r.post('/ops/tenants/:tenantId/kcis/redeliver', guard, async (req, res) => {
    const tenantId = String(req.params.tenantId);
    if (!TENANT_ID.test(tenantId)) throw ApiError.invalid('path.tenantId: must be a tenant id');
    if (!ctx.tenants.get(tenantId)) throw ApiError.notFound(`tenant ${tenantId}`);
    const redelivered = await redeliverTenant(ctx.db, tenantId);
    req.log?.info({ tenant: tenantId, kcis: redelivered }, "a tenant's DEAD KCIs queued again by an operator");
    ctx.events.emit('kcis-enqueued');
    res.status(202).json({ tenantId, redelivered });
  });
  return r;
}
