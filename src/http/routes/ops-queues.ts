import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { ApiError } from '../errors.js';
import { operatorAccess } from '../middleware/operator-auth.js';
import { queryParams, TENANT_ID } from '../ops-query.js';
import { readQueues } from '../../store/read/queues.js';
import { listUnmapped } from '../../store/unmapped-codes.js';
import { redeliverTenant } from '../../kci/outbox.js';
import { readAttempts, readTenantHealth } from '../../store/read/kci-attempts.js';

/**
 * GET /ops/queues, GET /ops/unmapped-codes, GET /ops/tenants (webhook health), GET /ops/kcis/{id}/attempts and
 * POST /ops/tenants/{tenantId}/kcis/redeliver, for operators.
 */
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
  r.get('/ops/tenants', guard, async (req, res) => {
    const q = queryParams(req, { hours: { kind: 'int', min: 1, max: 720, default: 24 } });
    const tenants = ctx.tenants.all().map((t) => ({ id: t.id, kciUrl: t.kci.url }));
    res.json(await readTenantHealth(ctx.db, tenants, q.hours));
  });
  r.get('/ops/kcis/:id/attempts', guard, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      throw ApiError.invalid('path.id: must be a KCI uuid');
    const attempts = await readAttempts(ctx.db, id);
    if (!attempts) throw ApiError.notFound(`KCI ${id}`);
    res.json(attempts);
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
