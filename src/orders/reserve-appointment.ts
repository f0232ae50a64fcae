import type { Tenant } from '../config/tenants.js';
import type { Db } from '../store/database.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import { nextValue } from '../store/counters.js';
import { classifySlot } from './timeslots.js';
import { Unprocessable } from './errors.js';
import type { AddressIdentifier, Reservation, ReservationRequest, ReservedSlot } from './order.js';
import { getReservation, insertReservation, type StoredReservation } from './order-store.js';
import { supplierFor } from './tenant-suppliers.js';

/** How long a reservation holds when the supplier does not say. */
const DEFAULT_HOLD_MS = 24 * 3600 * 1000;

/** POST /v1/appointments: reserve with the supplier, keep the reservation under a per-tenant numeric id. */
export function makeReserveAppointment({ db, suppliers }: { db: Db; suppliers: SupplierRegistry }) {
  return async function reserveAppointment(
    tenant: Tenant,
    req: ReservationRequest,
    conversationId?: string,
  ): Promise<Reservation> {
    const { supplier, account } = supplierFor(suppliers, tenant, req.supplier);
    // The id is taken first, so that a supplier that takes the gateway's id is passed it (a refusal leaves a gap).
    const id = await nextValue(db, tenant.id, 'appointment');
    const r = await supplier.lookups.reserve(account, req, { tenantId: tenant.id, id, conversationId });
    const reservation: Reservation = {
      id,
      supplier: supplier.id,
      supplierReference: r.supplierReference,
      expiryDateTime: r.expiryDateTime ?? new Date(Date.now() + DEFAULT_HOLD_MS).toISOString(),
      address: req.address,
      serviceSpecification: req.serviceSpecification,
      purpose: req.purpose ?? 'PROVIDE',
      timeslot: { timeslotStartDateTime: r.start, timeslotEndDateTime: r.end, ...classifySlot(r.start, r.end) },
    };
    if (req.serviceCharacteristics) reservation.serviceCharacteristics = req.serviceCharacteristics;
    await insertReservation(db, tenant.id, { ...reservation, siteVisitReason: r.siteVisitReason });
    return reservation;
  };
}

/** A tenant's own, unexpired reservation, as an order or amendment needs it. */
export async function reservedSlot(
  db: Db,
  tenantId: string,
  id: number,
  field = 'appointmentReservationId',
): Promise<ReservedSlot> {
  const found = await getReservation(db, tenantId, id);
  if (!found) throw new Unprocessable(`${field}: reservation ${id} not found`);
  if (found.expiresAt && new Date(found.expiresAt).getTime() < Date.now())
    throw new Unprocessable(`${field}: reservation ${id} expired at ${found.expiresAt}; reserve again`);
  const r: StoredReservation = found.reservation;
  return {
    id: r.id,
    supplierReference: r.supplierReference,
    start: r.timeslot.timeslotStartDateTime,
    end: r.timeslot.timeslotEndDateTime,
    siteVisitReason: r.siteVisitReason,
    timeslot: r.timeslot,
    address: r.address,
    serviceSpecification: r.serviceSpecification,
  };
}

/**
 * Why a reservation does not fit an order, if it does not: the order must be at the address the slot was reserved
 * for (no identifier of one type differs, and at least one is shared) and for the same service specification.
 */
export function reservationMismatch(
  slot: ReservedSlot,
  order: { address?: AddressIdentifier; serviceOrderItem?: { serviceSpecification: { id: string } } },
  field = 'appointmentReservationId',
): string | undefined {
  const ids = (a: AddressIdentifier | undefined) =>
    new Map(a ? [[a.type, a.id], ...(a.additionalIdentifiers ?? []).map((x) => [x.type, x.id] as const)] : []);
  if (slot.address && order.address) {
    const r = ids(slot.address);
    const o = ids(order.address);
    const differs = [...o].find(([type, id]) => r.has(type) && r.get(type) !== id);
    const shared = [...o].some(([type, id]) => r.get(type) === id);
    if (differs || !shared)
      return `${field}: reservation ${slot.id} was made for another address (${differs ? `${differs[0]} ${r.get(differs[0])}, not ${differs[1]}` : 'no identifier in common'}); reserve a slot for this address`;
  }
  const want = order.serviceOrderItem?.serviceSpecification.id;
  const had = slot.serviceSpecification?.id;
  if (want && had && want.toUpperCase() !== had.toUpperCase())
    return `${field}: reservation ${slot.id} was made for ${had}, not ${want}; reserve a slot for ${want}`;
  return undefined;
}
