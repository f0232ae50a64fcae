import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { operatorAccess } from '../middleware/operator-auth.js';
import { queryParams } from '../ops-query.js';
import { listUnresolvedSends, makeResolveOrderSend, makeResolveRequestSend } from '../../orders/resolve-send.js';

const KIND = { amendments: 'AMENDMENT', cancellations: 'CANCELLATION' } as const;

/**
 * Sends the supplier could not confirm in time (`GET /ops/sends/unresolved`) and what an operator decides
 * about each: resend, mark failed, or adopt the supplier's order id. Paths and bodies are validated by the
 * OpenAPI validator (openapi/ops-api.yaml).
 */
export function opsSendRoutes(ctx: Pick<AppContext, 'db' | 'config' | 'events'>): Router {
  const r = Router();
  const { guard } = operatorAccess(ctx.config);
  const resolveOrder = makeResolveOrderSend(ctx);
  const resolveRequest = makeResolveRequestSend(ctx);
  r.get('/ops/sends/unresolved', guard, async (req, res) => {
    const q = queryParams(req, { limit: { kind: 'int', min: 1, max: 1000, default: 100 } });
    res.json(await listUnresolvedSends(ctx.db, q.limit));
  });
  r.post('/ops/sends/orders/:tenant/:id/resolve', guard, async (req, res) => {
    const { action, supplierOrderId } = req.body as {
      action: 'RESEND' | 'MARK_FAILED' | 'ADOPT';
      supplierOrderId?: string;
    };
    const o = await resolveOrder(String(req.params.tenant), Number(req.params.id), action, supplierOrderId);
    req.log?.info({ tenant: o.tenantId, order: o.id, action }, 'unresolved send resolved by an operator');
    res.json({
      tenantId: o.tenantId,
      id: o.id,
      externalId: o.externalId,
      status: o.status,
      sendState: o.sendState,
      supplierOrderId: o.supplierOrderId,
    });
  });
  r.post('/ops/sends/requests/:tenant/:kind/:id/resolve', guard, async (req, res) => {
    const { action } = req.body as { action: 'RESEND' | 'MARK_FAILED' | 'ADOPT' };
    const kind = KIND[String(req.params.kind) as keyof typeof KIND];
    const q = await resolveRequest(String(req.params.tenant), kind, Number(req.params.id), action);
    req.log?.info({ tenant: q.tenantId, kind, id: q.id, action }, 'unresolved send resolved by an operator');
    res.json({ tenantId: q.tenantId, kind, id: q.id, orderId: q.orderId, status: q.status, sendState: q.sendState });
  });
  return r;
}
