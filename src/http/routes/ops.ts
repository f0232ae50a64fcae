import { Router, type RequestHandler } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { ApiError } from '../errors.js';
import { bearerToken } from '../middleware/bearer-auth.js';
import { listOutbox, redeliver } from '../../kci/outbox.js';

type InboxRow = {
  id: number | string;
  event_id: string | null;
  event_type: string | null;
  tenant_id: string | null;
  status: string;
  error: string | null;
  received_at: Date | string;
  raw: string;
};
const inboxEntry = (k: InboxRow) => ({
  id: Number(k.id),
  eventId: k.event_id,
  eventType: k.event_type,
  tenantId: k.tenant_id,
  status: k.status,
  error: k.error,
  receivedAt: new Date(k.received_at).toISOString(),
  raw: k.raw,
});

/** Operator calls (list/redeliver KCIs, inspect KSUs, reload tables), guarded by OPERATOR_TOKEN. */
export function opsRoutes(ctx: AppContext): Router {
  const r = Router();
  const guard: RequestHandler = (req, _res, next) => {
    const expected = ctx.config.operatorToken;
    const got = bearerToken(req);
    if (
      !expected ||
      !got ||
      got.length !== expected.length ||
      !timingSafeEqual(Buffer.from(got), Buffer.from(expected))
    ) {
      return next(ApiError.unauthorised('Authorization: the operator token is required'));
    }
    next();
  };
  r.get('/ops/kcis', guard, async (req, res) => {
    const limit = Math.min(1000, Number(req.query.limit ?? 100) || 100);
    res.json(
      await listOutbox(ctx.db, {
        status: req.query.status as string | undefined,
        tenantId: req.query.tenant as string | undefined,
        limit,
      }),
    );
  });
  r.post('/ops/kcis/:id/redeliver', guard, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw ApiError.invalid('id: must be a KCI uuid');
    const entry = await redeliver(ctx.db, id);
    if (!entry) throw ApiError.notFound(`KCI ${id}`);
    ctx.kick.kcis();
    res.status(202).json(entry);
  });
  r.get('/ops/ksus', guard, async (req, res) => {
    let q = ctx.db
      .selectFrom('ksu_inbox')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.min(1000, Number(req.query.limit ?? 100) || 100));
    if (req.query.status) q = q.where('status', '=', String(req.query.status));
    res.json((await q.execute()).map(inboxEntry));
  });
  r.post('/ops/ksus/:id/reprocess', guard, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[1-9]\d{0,17}$/.test(id)) throw ApiError.invalid('id: must be a KSU inbox id (a positive integer)');
    const row = await ctx.db
      .updateTable('ksu_inbox')
      .set({ status: 'PENDING', error: null })
      .where('id', '=', Number(id))
      .where('status', 'in', ['UNMATCHED', 'FAILED'])
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const existing = await ctx.db
        .selectFrom('ksu_inbox')
        .select(['status'])
        .where('id', '=', Number(id))
        .executeTakeFirst();
      if (!existing) throw ApiError.notFound(`KSU ${id}`);
      throw new ApiError(409, 'INVALID_REQUEST', [
        `KSU ${id} is ${existing.status}; only UNMATCHED or FAILED KSUs can be reprocessed`,
      ]);
    }
    req.log?.info({ ksu: Number(id) }, 'KSU queued for reprocessing by an operator');
    ctx.kick.ksus();
    res.status(202).json(inboxEntry(row));
  });
  r.post('/ops/mappings/reload', guard, (_req, res) => {
    try {
      ctx.mappings.reload();
      res.json({ reloaded: true, tables: Object.keys(ctx.mappings.current.tables).length });
    } catch (e) {
      throw new ApiError(422, 'INVALID_REQUEST', [
        'mapping tables are invalid; the previous tables are still in use',
        ...((e as { problems?: string[] }).problems ?? [(e as Error).message]),
      ]);
    }
  });
  return r;
}
