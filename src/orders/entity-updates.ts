import { isProvide, type Amendment, type OrderEntity } from './order.js';
import { classifySlot } from './timeslots.js';

/** An appointment as the order entity shows it: the supplier's reference and the slot. */
export interface AppointmentFacts {
  reference?: string;
  start?: string;
  end?: string;
}

/**
 * Characteristics the supplier (or an amendment) gives the order: each replaces the one of the same name, unless
 * `onlyNew` (a late update adds what the order lacks and never overwrites what a newer one said).
 */
export function setCharacteristics(
  entity: OrderEntity,
  orderType: string,
  chars: [string, string][],
  onlyNew = false,
): void {
  if (!chars.length) return;
  const holder = isProvide(orderType)
    ? (entity.serviceOrderItem ??= { serviceSpecification: { id: 'FTTP' }, serviceCharacteristics: [] })
    : entity;
  const list = (holder.serviceCharacteristics ?? []).slice();
  for (const [name, value] of chars) {
    const i = list.findIndex((c) => c.name === name && !c.action);
    if (i >= 0 && onlyNew) continue;
    if (i >= 0) list[i] = { name, value };
    else list.push({ name, value });
  }
  holder.serviceCharacteristics = list;
}

/** The appointment now: its reference, and its slot classified again in UK time when the slot moved. */
export function setAppointment(entity: OrderEntity, a: AppointmentFacts): void {
  if (a.reference) entity.appointmentSupplierReference = a.reference;
  if (a.start && a.end) {
    const known = entity.appointmentTimeslot;
    if (known?.timeslotStartDateTime === a.start && known.timeslotEndDateTime === a.end) return;
    entity.appointmentTimeslot = {
      timeslotStartDateTime: a.start,
      timeslotEndDateTime: a.end,
      ...classifySlot(a.start, a.end),
    } as OrderEntity['appointmentTimeslot'];
  }
}

/** The supplier cancelled the appointment: the order shows none (the tenant's reservation id stays, as it sent it). */
export function clearAppointment(entity: OrderEntity): void {
  delete entity.appointmentSupplierReference;
  delete entity.appointmentTimeslot;
}

/** The order fields an amendment may send (besides characteristics), as the order entity shows them. */
export const AMENDED_FIELDS = [
  'primaryContact',
  'secondaryContact',
  'appointmentReservationId',
  'requestedCompletionDate',
  'engineerTasks',
  'hazards',
  'onSiteRestrictions',
  'notes',
] as const;

/**
 * An amendment the supplier actioned, applied to the order entity by the tenant API's partial update rules: a
 * field sent replaces the old value, an empty value removes it, characteristics replace those of the same name.
 * `appointment` is the slot the amendment reserved, when the supplier's update did not say which one it booked.
 */
export function applyAmendment(
  entity: OrderEntity,
  orderType: string,
  amendment: Amendment,
  appointment: AppointmentFacts | undefined,
): void {
  const e = entity as unknown as Record<string, unknown>;
  for (const f of AMENDED_FIELDS) {
    const v = amendment[f];
    if (v === undefined) continue;
    if ((Array.isArray(v) && v.length === 0) || v === '') delete e[f];
    else e[f] = structuredClone(v);
  }
  setCharacteristics(
    entity,
    orderType,
    (amendment.serviceCharacteristics ?? []).map((c) => [c.name, c.value]),
  );
  if (appointment) setAppointment(entity, appointment);
}
