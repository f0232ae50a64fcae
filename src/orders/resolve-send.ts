import type { Db } from '../store/database.js';
import type { Events } from '../platform/events.js';
import { enqueueKci } from '../kci/outbox.js';
import { reason } from '../kci/envelope.js';
import { NotFound, Conflict, Unprocessable } from './errors.js';
import { REQUEST_FIELD, requestReceived, type TenantRequestKind } from './lifecycle.js';
import {
  TenantOrders,
  getRequestForUpdate,
  settleRequest,
  unresolvedOrders,
  unresolvedRequests,
  updateOrder,
  type StoredOrder,
  type StoredRequest,
} from './order-store.js';
import type { OrderRequest } from './order.js';
import { followOrders } from '../services/follow-orders.js';

/** What an operator decides about a send the supplier could not confirm. */
export type ResolveAction = 'RESEND' | 'MARK_FAILED' | 'ADOPT';

export interface UnresolvedSends {
  orders: {
    tenantId: string;
    id: number;
    externalId: string;
    supplier: string;
    orderType: string;
    status: string;
    supplierOrderId: string | null;
    lastError: string | null;
    updatedAt: string;
  }[];
  requests: {
    tenantId: string;
    kind: TenantRequestKind;
    id: number;
    orderId: number;
    status: string;
    lastError: string | null;
    createdAt: string;
  }[];
}

/** Orders, amendments and cancellations whose send the supplier could not confirm in time (their tenants were told). */
export async function listUnresolvedSends(db: Db, limit: number): Promise<UnresolvedSends> {
  const [orders, requests] = await Promise.all([unresolvedOrders(db, limit), unresolvedRequests(db, limit)]);
  return {
    orders: orders.map((o) => ({
      tenantId: o.tenantId,
      id: o.id,
      externalId: o.externalId,
      supplier: o.supplier,
      orderType: o.orderType,
      status: o.status,
      supplierOrderId: o.supplierOrderId,
      lastError: o.sendError ?? null,
      updatedAt: o.updatedAt,
    })),
    requests: requests.map((r) => ({
      tenantId: r.tenantId,
      kind: r.kind,
      id: r.id,
      orderId: r.orderId,
      status: r.status,
      lastError: r.sendError ?? null,
      createdAt: r.createdAt!,
    })),
  };
}

/** Whether another order of the supplier already has this supplier order id. */
async function supplierIdTaken(db: Db, order: StoredOrder, supplierOrderId: string): Promise<boolean> {
  const other = await db
    .selectFrom('orders')
    .select(['tenant_id', 'id'])
    .where('supplier', '=', order.supplier)
    .where('supplier_order_id', '=', supplierOrderId)
    .executeTakeFirst();
  return Boolean(other && !(other.tenant_id === order.tenantId && other.id === order.id));
}

/**
 * An operator resolves an UNRESOLVED order (its tenant has had an ERROR KCI): RESEND (the supplier does not have
 * it: sent again with the same externalId), MARK_FAILED (it stays failed; nothing more is tried) or ADOPT (the
 * supplier has it, under `supplierOrderId`: it is sent after all, and its tenant is told so).
 */
export function makeResolveOrderSend({ db, events }: { db: Db; events: Events }) {
  return async function resolveOrderSend(
    tenantId: string,
    id: number,
    action: ResolveAction,
    supplierOrderId?: string,
  ): Promise<StoredOrder> {
    const result = await db.transaction().execute(async (trx) => {
      const order = await new TenantOrders(trx, tenantId).getForUpdate(id, trx);
      if (!order) throw new NotFound(`order ${tenantId}/${id}`);
      if (order.sendState !== 'UNRESOLVED')
        throw new Conflict(`order ${tenantId}/${id} is ${order.sendState}; only an UNRESOLVED send can be resolved`);
      const now = new Date().toISOString();
      if (action === 'MARK_FAILED') {
        await updateOrder(trx, order, { sendState: 'FAILED', sendNextAt: null }, { event: 'SEND_MARKED_FAILED' });
        return order;
      }
      if (action === 'RESEND') {
        // Back to where it was received; the send's outcome tells the tenant (a KCI) as for any order.
        const entity = { ...order.entity, status: 'RECEIVED_BY_GATEWAY' as const, updated: now };
        await updateOrder(
          trx,
          order,
          {
            status: 'RECEIVED_BY_GATEWAY',
            entity,
            sendState: 'PENDING',
            sendNextAt: null,
            sendDeadline: null,
            sendError: null,
          },
          { event: 'SEND_RESEND_BY_OPERATOR' },
        );
        return order;
      }
      if (!supplierOrderId) throw new Unprocessable('supplierOrderId: required to adopt an order');
      if (await supplierIdTaken(trx, order, supplierOrderId))
        throw new Conflict(`supplierOrderId: ${supplierOrderId} is already another order's`);
      const status = order.status === 'FAILED_TO_SEND' ? 'SENT_TO_SUPPLIER' : order.status;
      const entity = { ...order.entity, status, supplierOrderNumber: supplierOrderId, updated: now };
      await updateOrder(
        trx,
        order,
        { status, entity, sendState: 'SENT', sendNextAt: null, sendError: null, supplierOrderId },
        { event: 'SEND_ADOPTED_BY_OPERATOR', detail: { supplierOrderId } },
      );
      if (status !== order.status)
        await followOrders(trx, [
          { ...order, request: order.request as unknown as OrderRequest, statusBefore: order.status, status, entity },
        ]);
      await enqueueKci(trx, {
        tenantId,
        orderId: id,
        orderType: order.orderType,
        conversationId: order.conversationId,
        supplier: order.supplier,
        content: {
          updateType: 'INFORMATIONAL',
          information: reason('UPDATE', { text: `${order.supplier} has the order after all (${supplierOrderId})` }),
        },
        entity,
      });
      return order;
    });
    if (action === 'RESEND') events.emit('sends-due');
    if (action === 'ADOPT') {
      events.emit('orders-identified', [{ tenantId, id }]);
      events.emit('kcis-enqueued');
    }
    return (await new TenantOrders(db, tenantId).get(result.id))!;
  };
}

/**
 * The same for an amendment or cancellation: RESEND (sent again), MARK_FAILED (stays failed) or ADOPT (the
 * supplier took it: the order waits for its outcome again, as when it was first sent).
 */
export function makeResolveRequestSend({ db, events }: { db: Db; events: Events }) {
  return async function resolveRequestSend(
    tenantId: string,
    kind: TenantRequestKind,
    id: number,
    action: ResolveAction,
  ): Promise<StoredRequest> {
    await db.transaction().execute(async (trx) => {
      const r = await getRequestForUpdate(trx, tenantId, kind, id);
      if (!r) throw new NotFound(`${kind.toLowerCase()} ${tenantId}/${id}`);
      if (r.sendState !== 'UNRESOLVED')
        throw new Conflict(
          `${kind.toLowerCase()} ${tenantId}/${id} is ${r.sendState}; only an UNRESOLVED send can be resolved`,
        );
      if (action === 'MARK_FAILED') {
        await settleRequest(trx, r, 'FAILED', r.body, { nextAt: null });
        return;
      }
      const order = (await new TenantOrders(trx, tenantId).getForUpdate(r.orderId, trx))!;
      const next = requestReceived(kind, order.status, order.lifecycle);
      const body = { ...r.body, status: action === 'RESEND' ? 'RECEIVED_BY_GATEWAY' : 'PENDING' };
      await settleRequest(trx, r, action === 'RESEND' ? 'PENDING' : 'SENT', body, {
        nextAt: null,
        deadline: null,
        error: null,
      });
      const entity = {
        ...order.entity,
        status: next.status,
        [REQUEST_FIELD[kind]]: body,
        updated: new Date().toISOString(),
      };
      await updateOrder(
        trx,
        order,
        { status: next.status, entity, lifecycle: next.state },
        { event: `${kind}_${action === 'RESEND' ? 'RESEND' : 'ADOPTED'}_BY_OPERATOR`, detail: { id } },
      );
    });
    if (action === 'RESEND') events.emit('sends-due');
    return (await db.transaction().execute((trx) => getRequestForUpdate(trx, tenantId, kind, id)))!;
  };
}
