import { randomBytes } from 'node:crypto';
import type { Tenant } from '../config/tenants.js';
import type { Db } from '../store/database.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { Events } from '../platform/events.js';
import { InvalidRequest, Unprocessable } from './errors.js';
import { externalIdFor, isProvide, type OrderEntity, type OrderRequest, type ReservedSlot } from './order.js';
import { getService, putServices } from '../services/service-store.js';
import { requestForService } from '../services/complete-request.js';
import { TenantOrders, consumeReservation } from './order-store.js';
import { AMENDED_FIELDS } from './entity-updates.js';
import { reservationMismatch, reservedSlot } from './reserve-appointment.js';
import { supplierFor } from './tenant-suppliers.js';
import { completeKey } from '../store/idempotency.js';

const ENTITY_FIELDS = [
  'address',
  'serviceOrderItem',
  'serviceId',
  'serviceCharacteristics',
  ...AMENDED_FIELDS,
  'orderContact',
  'endCustomerReference',
  'ceaseReason',
] as const;

/** The order as the tenant first sees it: what it asked for, and the appointment it reserved. */
function initialEntity(req: OrderRequest, id: number, now: string, slot: ReservedSlot | undefined): OrderEntity {
  const e: Record<string, unknown> = {
    id,
    orderType: req.orderType,
    supplier: req.supplier,
    status: 'RECEIVED_BY_GATEWAY',
  };
  for (const k of ENTITY_FIELDS) if (req[k] !== undefined) e[k] = structuredClone(req[k]);
  if (slot) {
    e.appointmentSupplierReference = slot.supplierReference;
    if (slot.timeslot) e.appointmentTimeslot = slot.timeslot;
  }
  e.created = now;
  e.updated = now;
  return e as unknown as OrderEntity;
}

export interface CreateOrderDeps {
  db: Db;
  suppliers: SupplierRegistry;
  events: Events;
}

/**
 * POST /v1/service-orders: check, complete a modify or cease from the service record, plan with the supplier's tables (every problem named at once), store the
 * order with the payload to send (RECEIVED_BY_GATEWAY) and answer; the dispatcher sends it.
 */
export function makeCreateOrder({ db, suppliers, events }: CreateOrderDeps) {
  return async function createOrder(
    tenant: Tenant,
    req: OrderRequest,
    conversationId: string,
    idempotencyKey?: string,
  ): Promise<OrderEntity> {
    const { supplier, account } = supplierFor(suppliers, tenant, req.supplier);
    if (['MODIFY', 'CEASE'].includes(req.orderType) && !req.serviceId)
      throw new InvalidRequest([
        `serviceId: required for a ${req.orderType} order (the SERVICE_ID from the provide order's KCIs)`,
      ]);
    const slot =
      req.appointmentReservationId === undefined
        ? undefined
        : await reservedSlot(db, tenant.id, req.appointmentReservationId);
    const mismatch = slot && reservationMismatch(slot, req);
    if (mismatch) throw new Unprocessable(mismatch);
    // What the supplier must be asked before the order is planned (outside the transaction: it is I/O).
    const facts = await supplier.orders.prepare?.(account, req);
    const suffix = randomBytes(4).toString('hex');
    // The order id is taken in the same transaction as the order is stored: a request the tables refuse
    // rolls back and leaves no gap in the tenant's numbering.
    const order = await db.transaction().execute(async (trx) => {
      const orders = new TenantOrders(trx, tenant.id);
      const id = await orders.nextId();
      const externalId = externalIdFor(tenant.id, id, suffix);
      // A modify or cease is about a service: completed from its record when asked for by intent, checked
      // against it otherwise; the record shows the change in flight until the order ends.
      const service = isProvide(req.orderType) ? undefined : await getService(trx, tenant.id, req.serviceId!, true);
      const request = isProvide(req.orderType) ? req : requestForService(supplier, account, service, req);
      const plan = supplier.orders.plan(account, request, { externalId, slot, facts, conversationId });
      const usedBy = slot && (await consumeReservation(trx, tenant.id, slot.id, id));
      if (usedBy)
        throw new Unprocessable(
          `appointmentReservationId: reservation ${slot!.id} is already used by order ${usedBy}; reserve another slot`,
        );
      const now = new Date().toISOString();
      const stored = await orders.insert({
        id,
        externalId,
        supplier: supplier.id,
        orderType: req.orderType,
        conversationId,
        request: request as unknown as Record<string, unknown>,
        entity: initialEntity(request, id, now, slot),
        adapterState: plan.adapterState,
        outbound: plan.payload,
        now,
      });
      if (service)
        await putServices(trx, [
          {
            ...service,
            status: 'CHANGING',
            changingOrderId: id,
            orders: [...service.orders, { orderId: id, orderType: req.orderType, status: stored.status }],
            updated: now,
          },
        ]);
      // The tenant's Idempotency-Key is answered with the order, whatever happens to this process after the commit.
      if (idempotencyKey) await completeKey(trx, tenant.id, idempotencyKey, 201, stored.entity);
      return stored;
    });
    events.emit('sends-due');
    return order.entity;
  };
}
