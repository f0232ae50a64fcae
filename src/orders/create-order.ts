import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import type { Tenant } from '../config/tenants.js';
import { buildProvide } from '../suppliers/bb1/outbound/provide.js';
import { buildModify } from '../suppliers/bb1/outbound/modify.js';
import { buildCease } from '../suppliers/bb1/outbound/cease.js';
import type { OrderRequest, ReservedSlot } from '../suppliers/bb1/outbound/types.js';
import { TenantOrders } from '../store/orders.js';
import { findReservation } from './reserve-appointment.js';
import { requireSupplier } from './lookups.js';
import { toApiError } from './supplier-errors.js';
import { ApiError } from '../http/errors.js';

/** Unique across tenants, orders and database resets: tenant, order id and a random suffix. */
export const externalIdFor = (tenantId: string, orderId: number, suffix: string) => `${tenantId}-${orderId}-${suffix}`;
/** The tenant id an externalId of ours starts with (undefined for anything not in externalIdFor's shape). */
export const tenantOfExternalId = (externalId: string) => externalId.match(/^(\w{1,20})-\d+-[0-9a-f]{8}$/)?.[1];

export function buildOrderPayload(
  ctx: AppContext,
  tenant: Tenant,
  req: OrderRequest,
  externalId: string,
  slot: ReservedSlot | undefined,
) {
  const m = ctx.bb1.mappings;
  if (req.orderType === 'MODIFY') return buildModify(m, req, tenant.bb1, externalId, slot);
  if (req.orderType === 'CEASE') return buildCease(m, req, tenant.bb1, externalId);
  return buildProvide(m, req, tenant.bb1, externalId, slot);
}

function initialEntity(
  req: OrderRequest,
  id: number,
  now: string,
  reservation: (ReservedSlot & { timeslot?: unknown }) | undefined,
): Record<string, unknown> {
  const e: Record<string, unknown> = {
    id,
    orderType: req.orderType,
    supplier: req.supplier,
    status: 'RECEIVED_BY_GATEWAY',
  };
  for (const k of [
    'address',
    'serviceOrderItem',
    'serviceId',
    'serviceCharacteristics',
    'primaryContact',
    'secondaryContact',
    'appointmentReservationId',
    'requestedCompletionDate',
    'engineerTasks',
    'hazards',
    'onSiteRestrictions',
    'notes',
    'ceaseReason',
  ] as const) {
    if (req[k] !== undefined) e[k] = structuredClone(req[k]);
  }
  if (reservation) {
    e.appointmentSupplierReference = reservation.supplierReference;
    if (reservation.timeslot) e.appointmentTimeslot = reservation.timeslot;
  }
  e.created = now;
  e.updated = now;
  return e;
}

/**
 * POST /v1/service-orders: validate and translate now (400 naming the field), store the order with
 * its BB1 payload (RECEIVED_BY_GATEWAY), answer 201; the dispatcher sends it to BB1.
 */
export async function createOrder(ctx: AppContext, tenant: Tenant, req: OrderRequest, conversationId: string) {
  requireSupplier(req.supplier);
  if (['MODIFY', 'CEASE'].includes(req.orderType) && !req.serviceId)
    throw ApiError.invalid(
      `serviceId: required for a ${req.orderType} order (the SERVICE_ID from the provide order's KCIs)`,
    );
  let slot: (ReservedSlot & { timeslot?: unknown }) | undefined;
  if (req.appointmentReservationId !== undefined) {
    const r = await findReservation(ctx, tenant.id, req.appointmentReservationId);
    slot = {
      id: r.id,
      supplierReference: r.supplierReference,
      start: r.timeslot.timeslotStartDateTime,
      end: r.timeslot.timeslotEndDateTime,
      siteVisitReason: r.siteVisitReason,
      timeslot: r.timeslot,
    };
  }
  const suffix = randomBytes(4).toString('hex');
  let plan: ReturnType<typeof buildOrderPayload>;
  try {
    plan = buildOrderPayload(ctx, tenant, req, externalIdFor(tenant.id, 0, suffix), slot);
  } catch (e) {
    throw toApiError(e);
  }
  const order = await ctx.db.transaction().execute(async (trx) => {
    const orders = new TenantOrders(trx, tenant.id);
    const created = await orders.create({
      externalId: (id) => externalIdFor(tenant.id, id, suffix),
      supplier: req.supplier,
      orderType: req.orderType,
      conversationId,
      request: req as unknown as Record<string, unknown>,
      entity: (id, now) => initialEntity(req, id, now, slot),
      supplierState: { technology: plan.technology, ecode: plan.ecode },
    });
    const payload = { ...plan.payload, externalId: created.externalId };
    await trx
      .updateTable('orders')
      .set({ outbound: JSON.stringify(payload) })
      .where('tenant_id', '=', tenant.id)
      .where('id', '=', created.id)
      .execute();
    return created;
  });
  ctx.kick.dispatch();
  return order.entity;
}
