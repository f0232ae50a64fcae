import type { AppContext } from '../context.js';
import type { Tenant } from '../config/tenants.js';
import { buildReservation, classifySlot } from '../suppliers/bb1/appointments.js';
import type { components } from '../generated/tenant-api.js';
import { nextValue } from '../store/counters.js';
import { ApiError } from '../http/errors.js';
import { requireSupplier } from './lookups.js';
import { supplierCall } from './supplier-errors.js';

type ReservationRequest = components['schemas']['AppointmentReservationRequest'];
export type Reservation = components['schemas']['AppointmentReservation'] & { siteVisitReason?: string };

/** POST /v1/appointments: reserve with BB1, keep the reservation under a per-tenant numeric id. */
export async function reserveAppointment(
  ctx: AppContext,
  tenant: Tenant,
  req: ReservationRequest,
): Promise<Reservation> {
  requireSupplier(req.supplier);
  const { payload, svr } = await supplierCall(async () => buildReservation(ctx.bb1.mappings, req));
  const res = await supplierCall(() => ctx.bb1.reserve(tenant, payload));
  const ref = res.data?.BESAppointmentId ?? res.data?.id;
  if (typeof ref !== 'string' && typeof ref !== 'number')
    throw new ApiError(502, 'SUPPLIER_FAULT', [
      'BTWHOLESALEBB1 answered the reservation without an appointment reference',
    ]);
  const validFor = (res.data?.validFor ?? {}) as { startDateTime?: string; endDateTime?: string };
  const start = new Date(validFor.startDateTime ?? req.timeslot.timeslotStartDateTime).toISOString();
  const end = new Date(validFor.endDateTime ?? req.timeslot.timeslotEndDateTime).toISOString();
  const expiry =
    typeof res.data?.expiryDateTime === 'string'
      ? new Date(res.data.expiryDateTime).toISOString()
      : new Date(Date.now() + 24 * 3600 * 1000).toISOString();
  const id = await nextValue(ctx.db, tenant.id, 'appointment');
  const reservation: Reservation = {
    id,
    supplier: req.supplier,
    supplierReference: String(ref),
    expiryDateTime: expiry,
    address: req.address,
    serviceSpecification: req.serviceSpecification,
    purpose: req.purpose ?? 'PROVIDE',
    timeslot: { timeslotStartDateTime: start, timeslotEndDateTime: end, ...classifySlot(start, end) },
  };
  if (req.serviceCharacteristics) reservation.serviceCharacteristics = req.serviceCharacteristics;
  await ctx.db
    .insertInto('appointments')
    .values({
      tenant_id: tenant.id,
      id,
      supplier: req.supplier,
      supplier_reference: String(ref),
      body: JSON.stringify({ ...reservation, siteVisitReason: svr }),
      expires_at: expiry,
      created_at: new Date().toISOString(),
    })
    .execute();
  return reservation;
}

/** A tenant's own reservation (another tenant's id is simply not found). */
export async function findReservation(
  ctx: AppContext,
  tenantId: string,
  id: number,
  field = 'appointmentReservationId',
): Promise<Reservation & { siteVisitReason: string }> {
  const row = await ctx.db
    .selectFrom('appointments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw ApiError.unprocessable(`${field}: reservation ${id} not found`);
  if (row.expires_at && new Date(row.expires_at).getTime() < Date.now())
    throw ApiError.unprocessable(
      `${field}: reservation ${id} expired at ${new Date(row.expires_at).toISOString()}; reserve again`,
    );
  return row.body as Reservation & { siteVisitReason: string };
}
