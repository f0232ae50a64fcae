import type { Bb1Mappings, Technology } from './mappings/indexed.js';
import { classifySlot } from '../../orders/timeslots.js';

export { classifySlot };
import { identifiers } from './outbound/common.js';
import { Problems } from './outbound/translation-error.js';
import type { AddressIdentifier, Json } from './outbound/types.js';

export function siteVisitReasonOf(
  m: Bb1Mappings,
  chars: { name: string; value: string }[] | undefined,
  p: Problems,
): string {
  const t = m.tables['site-visit-reasons'];
  const given = chars?.find((c) => c.name === 'SITE_VISIT_REASON')?.value;
  if (!given) return t.default;
  const row = t.siteVisitReasons.find((r) => r.siteVisitReason.toLowerCase() === given.toLowerCase());
  if (!row) {
    p.add(
      `serviceCharacteristics SITE_VISIT_REASON: "${given}" is not allowed; allowed: ${t.siteVisitReasons.map((r) => r.siteVisitReason).join(', ')}`,
    );
    return t.default;
  }
  return row.siteVisitReason;
}

export function technologyOf(m: Bb1Mappings, specId: string, p: Problems): Technology {
  const tech = m.technology(specId.toUpperCase());
  if (!tech)
    p.add(
      `serviceSpecification.id: "${specId}" is not offered by BTWHOLESALEBB1; allowed: ${m.tables.technologies.technologies.map((t) => t.id).join(', ')}`,
    );
  return (tech?.id ?? 'FTTP') as Technology;
}

/** The relatedEntity block shared by slot search and reservation (docs/reference/bt-bb1.md §1 rows 5-6). */
function orderInformation(
  m: Bb1Mappings,
  address: AddressIdentifier,
  tech: Technology,
  svr: string,
  purpose: string | undefined,
  p: Problems,
): Json {
  const ids = identifiers(address);
  if (!ids.get('NAD')) p.add('address: a NAD identifier is required by BTWHOLESALEBB1');
  const svrRow = m.tables['site-visit-reasons'].siteVisitReasons.find((r) => r.siteVisitReason === svr)!;
  return {
    id: '1',
    role: 'OrderInformation',
    '@type': 'BTProductAppointmentSpecification',
    '@referredType': 'BTProductAppointmentSpecification',
    '@baseType': 'RelatedEntity',
    appointmentType:
      m.tables['site-visit-reasons'].appointmentTypes[(purpose ?? 'PROVIDE') as 'PROVIDE' | 'MODIFY' | 'REPAIR'],
    siteVisitReason: svrRow.bb1Value,
    product: {
      productSpecification: { id: 'BB1' },
      characteristic: [{ name: 'AccessTechnology', value: m.technology(tech)!.appointmentTechnology }],
      place: [{ id: ids.get('NAD') ?? '', role: 'InstallationAddress', '@referredType': 'OpenreachAddress' }],
    },
  };
}

export function buildSlotSearch(
  m: Bb1Mappings,
  q: {
    address: AddressIdentifier;
    serviceSpecification: { id: string };
    serviceCharacteristics?: { name: string; value: string }[];
    appointmentFromDate?: string;
    appointmentPurpose?: string;
  },
  today: string,
): { payload: Json; svr: string } {
  const p = new Problems();
  const tech = technologyOf(m, q.serviceSpecification.id, p);
  const svr = siteVisitReasonOf(m, q.serviceCharacteristics, p);
  const rel = orderInformation(m, q.address, tech, svr, q.appointmentPurpose, p);
  p.throwIfAny();
  const from = q.appointmentFromDate ?? today;
  return {
    payload: { relatedEntity: [rel], requestedTimeSlot: [{ validFor: { startDateTime: `${from}T00:00:00Z` } }] },
    svr,
  };
}

export function buildReservation(
  m: Bb1Mappings,
  r: {
    address: AddressIdentifier;
    serviceSpecification: { id: string };
    serviceCharacteristics?: { name: string; value: string }[];
    purpose?: string;
    timeslot: { timeslotStartDateTime: string; timeslotEndDateTime: string };
  },
): { payload: Json; svr: string } {
  const p = new Problems();
  const tech = technologyOf(m, r.serviceSpecification.id, p);
  const svr = siteVisitReasonOf(m, r.serviceCharacteristics, p);
  const rel = orderInformation(m, r.address, tech, svr, r.purpose, p);
  if (Date.parse(r.timeslot.timeslotEndDateTime) <= Date.parse(r.timeslot.timeslotStartDateTime))
    p.add('timeslot.timeslotEndDateTime: must be after timeslotStartDateTime');
  p.throwIfAny();
  const iso = (s: string) => new Date(s).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    payload: {
      relatedEntity: [rel],
      validFor: {
        startDateTime: iso(r.timeslot.timeslotStartDateTime),
        endDateTime: iso(r.timeslot.timeslotEndDateTime),
      },
    },
    svr,
  };
}

/** BB1 `availableTimeSlot[].validFor` → tenant timeslots, classified. */
export function translateSlots(raw: unknown, standardOnly = false): Json[] {
  const list = Array.isArray((raw as { availableTimeSlot?: unknown })?.availableTimeSlot)
    ? (raw as { availableTimeSlot: { validFor?: { startDateTime?: string; endDateTime?: string } }[] })
        .availableTimeSlot
    : [];
  return list.flatMap((s) => {
    const start = s.validFor?.startDateTime;
    const end = s.validFor?.endDateTime;
    if (!start || !end || Number.isNaN(Date.parse(start)) || Number.isNaN(Date.parse(end))) return [];
    const c = classifySlot(start, end);
    if (standardOnly && !c.standard) return [];
    return [
      { timeslotStartDateTime: new Date(start).toISOString(), timeslotEndDateTime: new Date(end).toISOString(), ...c },
    ];
  });
}
