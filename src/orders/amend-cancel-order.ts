import type { Tenant } from '../config/tenants.js';
import type { Db } from '../store/database.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { PlacedOrder } from '../suppliers/supplier.js';
import type { Events } from '../platform/events.js';
import { InvalidRequest, NotFound, Unprocessable } from './errors.js';
import { REQUEST_FIELD, refusalOf, requestReceived, type TenantRequestKind } from './lifecycle.js';
import type { Amendment, AmendmentRequest, Cancellation, CancellationRequest } from './order.js';
import {
  TenantOrders,
  consumeReservation,
  insertRequest,
  nextRequestId,
  updateOrder,
  type StoredOrder,
} from './order-store.js';
import { reservationMismatch, reservedSlot } from './reserve-appointment.js';
import { supplierFor } from './tenant-suppliers.js';
import { completeKey } from '../store/idempotency.js';

export interface RequestDeps {
  db: Db;
  suppliers: SupplierRegistry;
  events: Events;
}

export const placedOrder = (o: StoredOrder): PlacedOrder => ({
  externalId: o.externalId,
  supplierOrderId: o.supplierOrderId,
  orderType: o.orderType,
  entity: o.entity,
  adapterState: o.adapterState,
  conversationId: o.conversationId,
});

/** The supplier that has the order (a request naming another supplier is refused). */
function supplierOfOrder({ suppliers }: RequestDeps, tenant: Tenant, order: StoredOrder, named: string | undefined) {
  if (named !== undefined && named !== order.supplier)
    throw new InvalidRequest([`supplier: order ${order.id} is with ${order.supplier}, not ${named}`]);
  return supplierFor(suppliers, tenant, order.supplier);
}

/**
 * The common story of an amendment and a cancellation: lock the tenant's order, check the lifecycle allows
 * it, plan it with the supplier's tables, store it for the dispatcher and mark the order pending.
 */
async function receiveRequest<T extends Amendment | Cancellation>(
  { db, events }: RequestDeps,
  tenant: Tenant,
  kind: TenantRequestKind,
  orderId: number,
  conversationId: string,
  build: (order: StoredOrder, id: number, now: string) => { body: T; payload: unknown },
  amendment?: Parameters<typeof requestReceived>[3],
  check?: (order: StoredOrder, trx: Db) => Promise<void>,
  idempotencyKey?: string,
): Promise<T> {
  const result = await db.transaction().execute(async (trx) => {
    const order = await new TenantOrders(trx, tenant.id).getForUpdate(orderId, trx);
    if (!order) throw new NotFound(`service order ${orderId}`);
    const refusal = refusalOf(kind, orderId, order.status);
    if (refusal) throw new Unprocessable(refusal);
    await check?.(order, trx);
    const id = await nextRequestId(trx, tenant.id, kind);
    const now = new Date().toISOString();
    const { body, payload } = build(order, id, now);
    await insertRequest(trx, {
      tenantId: tenant.id,
      kind,
      id,
      orderId: order.id,
      status: 'RECEIVED_BY_GATEWAY',
      body: body as unknown as Record<string, unknown>,
      outbound: payload,
      conversationId,
      createdAt: now,
    });
    const next = requestReceived(kind, order.status, order.lifecycle, amendment);
    const entity = { ...order.entity, status: next.status, [REQUEST_FIELD[kind]]: body, updated: now };
    await updateOrder(
      trx,
      order,
      { status: next.status, entity, lifecycle: next.state },
      { event: `${kind}_RECEIVED`, detail: { [kind === 'AMENDMENT' ? 'amendmentId' : 'cancellationId']: id } },
    );
    if (idempotencyKey) await completeKey(trx, tenant.id, idempotencyKey, 201, body);
    return body;
  });
  events.emit('sends-due');
  return result;
}

/** POST /v1/service-order-amendments. */
export function makeAmendOrder(deps: RequestDeps) {
  return async function amendOrder(
    tenant: Tenant,
    req: AmendmentRequest,
    conversationId: string,
    idempotencyKey?: string,
  ): Promise<Amendment> {
    if (req.supplier !== undefined) supplierFor(deps.suppliers, tenant, req.supplier);
    const slot =
      req.appointmentReservationId === undefined
        ? undefined
        : await reservedSlot(deps.db, tenant.id, req.appointmentReservationId);
    // The supplier's reference for the amendment is added once it has taken it (the dispatcher records it).
    return receiveRequest<Amendment>(
      deps,
      tenant,
      'AMENDMENT',
      req.orderId,
      conversationId,
      (order, id, now) => {
        const { supplier, account } = supplierOfOrder(deps, tenant, order, req.supplier);
        const { payload } = supplier.orders.planAmend(account, placedOrder(order), req, slot, { id });
        const body = { id, status: 'RECEIVED_BY_GATEWAY', ...structuredClone(req), created: now } as Amendment;
        return { body, payload };
      },
      { request: req, appointment: slot && { reference: slot.supplierReference, start: slot.start, end: slot.end } },
      // a reservation is for one order, at its address (as when an order is created)
      async (order, trx) => {
        if (!slot) return;
        const mismatch = reservationMismatch(slot, {
          address: order.entity.address,
          serviceOrderItem: order.entity.serviceOrderItem,
        });
        if (mismatch) throw new Unprocessable(mismatch);
        const usedBy = await consumeReservation(trx, tenant.id, slot.id, order.id);
        if (usedBy)
          throw new Unprocessable(
            `appointmentReservationId: reservation ${slot.id} is already used by order ${usedBy}; reserve another slot`,
          );
      },
      idempotencyKey,
    );
  };
}

/** POST /v1/service-order-cancellations. */
export function makeCancelOrder(deps: RequestDeps) {
  return async function cancelOrder(
    tenant: Tenant,
    req: CancellationRequest,
    conversationId: string,
    idempotencyKey?: string,
  ): Promise<Cancellation> {
    if (req.supplier !== undefined) supplierFor(deps.suppliers, tenant, req.supplier);
    return receiveRequest<Cancellation>(
      deps,
      tenant,
      'CANCELLATION',
      req.orderId,
      conversationId,
      (order, id, now) => {
        const { supplier, account } = supplierOfOrder(deps, tenant, order, req.supplier);
        const { payload } = supplier.orders.planCancel(account, placedOrder(order), req, { id });
        const body = {
          id,
          status: 'RECEIVED_BY_GATEWAY',
          supplier: req.supplier ?? order.supplier,
          orderId: req.orderId,
          reasonCode: req.reasonCode,
          ...(req.text ? { text: req.text } : {}),
          created: now,
        } as unknown as Cancellation;
        return { body, payload };
      },
      undefined,
      undefined,
      idempotencyKey,
    );
  };
}
