import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { ApiError } from '../errors.js';
import { operatorAccess } from '../middleware/operator-auth.js';
import { queryParams, TENANT_ID } from '../ops-query.js';
import { listOutbox, redeliver } from '../../kci/outbox.js';
import { listInbox, requeueForReprocessing } from '../../ksus/inbox.js';

/** Operator calls (list/redeliver KCIs, inspect KSUs, reload tables), guarded by OPERATOR_TOKEN. */
export function opsRoutes(ctx: AppContext): Router {
  const r = Router();
  const { guard } = operatorAccess(ctx.config);
  r.get('/ops/kcis', guard, async (req, res) => {
    const q = queryParams(req, {
      status: { kind: 'enum', values: ['PENDING', 'DELIVERED', 'DEAD'] },
      tenant: { kind: 'string', pattern: TENANT_ID, maxLength: 20, means: 'a tenant id' },
      limit: { kind: 'int', min: 1, max: 1000, default: 100 },
    });
    res.json(await listOutbox(ctx.db, { status: q.status, tenantId: q.tenant, limit: q.limit }));
  });
  r.post('/ops/kcis/:id/redeliver', guard, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw ApiError.invalid('id: must be a KCI uuid');
    const entry = await redeliver(ctx.db, id);
    if (!entry) throw ApiError.notFound(`KCI ${id}`);
    ctx.events.emit('kcis-enqueued');
    res.status(202).json(entry);
  });
  r.get('/ops/ksus', guard, async (req, res) => {
    const p = queryParams(req, {
      status: { kind: 'enum', values: ['PENDING', 'APPLIED', 'UNMATCHED', 'UNPARSEABLE', 'REFUSED', 'FAILED'] },
      limit: { kind: 'int', min: 1, max: 1000, default: 100 },
    });
    res.json(await listInbox(ctx.db, p));
  });
  r.post('/ops/ksus/:id/reprocess', guard, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[1-9]\d{0,17}$/.test(id)) throw ApiError.invalid('id: must be a KSU inbox id (a positive integer)');
    const r = await requeueForReprocessing(ctx.db, Number(id));
    if (!r) throw ApiError.notFound(`KSU ${id}`);
    if ('status' in r)
      throw new ApiError(409, 'INVALID_REQUEST', [
        `KSU ${id} is ${r.status}; only UNMATCHED or FAILED KSUs can be reprocessed`,
      ]);
    req.log?.info({ ksu: Number(id) }, 'KSU queued for reprocessing by an operator');
    ctx.events.emit('updates-stored');
    res.status(202).json(r.entry);
  });
  r.post('/ops/mappings/reload', guard, (_req, res) => {
    try {
      const reloaded = ctx.suppliers.reloadMappings();
      ctx.log.info({ suppliers: reloaded.map((x) => x.supplier) }, 'mapping tables reloaded');
      res.json({ reloaded: true, tables: reloaded.reduce((n, x) => n + x.tables, 0) });
    } catch (e) {
      throw new ApiError(422, 'INVALID_REQUEST', [
        'mapping tables are invalid; the previous tables are still in use',
        ...((e as { problems?: string[] }).problems ?? [(e as Error).message]),
      ]);
    }
  });
  return r;
}
