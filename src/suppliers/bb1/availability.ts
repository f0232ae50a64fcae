import type { Bb1Mappings } from './mappings/indexed.js';
import { identifiers } from './outbound/common.js';
import { Problems } from './outbound/translation-error.js';
import type { AddressIdentifier, Json } from './outbound/types.js';

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : v && typeof v === 'object' ? [v as Obj] : []);

/**
 * Tenant address → POQ request (seed 001). Address-based on the Gold NAD key and district; line-based when the
 * address carries a DirectoryNumber or AccessLineId identifier (seed 001: "a telephone number for an Openreach
 * line (Directory Number) or access line ID"), the place's @referredType from availability.yaml lineChecks.
 */
export function buildPoqRequest(m: Bb1Mappings, address: AddressIdentifier, cugId: string): Json {
  const p = new Problems();
  const ids = identifiers(address);
  const checks = m.tables.availability.lineChecks as Record<string, string | undefined>;
  const line = Object.keys(checks).find((t) => ids.has(t));
  let place: Json;
  if (line) {
    const id = ids.get(line)!;
    if (line === 'DirectoryNumber' && !/^0\d{9,10}$/.test(id.replace(/\s+/g, '')))
      p.add(`address: the DirectoryNumber "${id}" is not a UK number starting 0, e.g. 01632960123`);
    place = { id: id.replace(/\s+/g, ''), role: 'install address', '@referredType': checks[line] };
  } else {
    if (!ids.get('NAD'))
      p.add(
        'address: a NAD identifier (or a DirectoryNumber or AccessLineId for a line check) is required by BTWHOLESALEBB1',
      );
    if (!ids.get('DistrictCode')) p.add('address: a DistrictCode identifier is required by BTWHOLESALEBB1');
    place = {
      id: ids.get('NAD'),
      districtId: ids.get('DistrictCode'),
      role: 'install address',
      '@referredType': 'btNADLocationReference',
    };
  }
  p.throwIfAny();
  return {
    '@type': 'btProductOfferingQualification',
    instantSyncQualification: true,
    productOfferingQualificationItem: [
      {
        id: '1',
        action: 'add',
        product: {
          '@type': 'Product',
          productOffering: { id: 'BroadbandOne', '@referredType': 'btProductOfferingFamily' },
          place: [place],
        },
        '@type': 'btProductOfferingQualificationItem',
      },
    ],
    provideAlternative: true,
    provideOnlyAvailable: true,
    provideUnavailabilityReason: false,
    relatedParty: [{ id: cugId, role: 'BtCug', '@type': 'BTRelatedParty', '@referredType': 'Customer' }],
  };
}

const nameValues = (map: Map<string, string>) => [...map].map(([name, value]) => ({ name, value }));

/** What an offering's reason code means (reason-codes.yaml, seed 001), as line characteristics. */
function reasonFacts(m: Bb1Mappings, code: string, into: Map<string, string>): boolean {
  const row = m.tables['reason-codes'].reasonCodes.find((r) => r.code === code);
  if (row) {
    into.set('REASON_TEXT', row.definition);
    if (row.note) into.set('REASON_NOTE', row.note);
  }
  return Boolean(row?.pendingCease);
}

/** The PlaceFacts an order needs, from the tenant's availability answer (each offering's guaranteed speed, the new line's installation type). */
export function placeFactsOf(answer: Json): { minimumSpeeds: Record<string, string>; installationType?: string } {
  const minimumSpeeds: Record<string, string> = {};
  for (const spec of arr(answer.serviceSpecifications))
    for (const lp of arr(spec.lineProfiles)) {
      const v = arr(lp.lineCharacteristics).find((c) => c.name === 'MINIMUM_SPEED')?.value;
      if (typeof v === 'string' && v) minimumSpeeds[String(lp.value)] = v;
    }
  const line = ((answer.siteInformation as Obj | undefined)?.line ?? {}) as Obj;
  return {
    minimumSpeeds,
    ...(typeof line.installationType === 'string' ? { installationType: line.installationType } : {}),
  };
}

/** POQ response → the normalised availability element for BTWHOLESALEBB1 (seed 002 "Service Availability"). */
export function translatePoqResponse(m: Bb1Mappings, poq: unknown, supplier = 'BTWHOLESALEBB1'): Json {
  const a = m.tables.availability;
  const specs = new Map<string, { id: string; name: string; profiles: string[]; figures: Json[] }>();
  const lineChars = new Map<string, string>();
  const siteChars = new Map<string, string>();
  let installationType: string | undefined;
  let newLine = false;
  let lineType: string | undefined;
  let pendingCease = false;
  const existingLines: Json[] = [];
  for (const item of arr((poq as Obj)?.productOfferingQualificationItem)) {
    const product = (item.product ?? {}) as Obj;
    const chars = new Map(
      arr(product.productCharacteristic).map((c) => [String(c.name), c.value == null ? '' : String(c.value)]),
    );
    for (const [bb1Name, name] of Object.entries(a.siteCharacteristics)) {
      const v = chars.get(bb1Name);
      if (v) siteChars.set(name, v);
    }
    for (const res of arr(product.realizingResource)) {
      const copper = copperLine(m, res);
      if (copper) {
        if (!existingLines.some((l) => l.lineId === copper.lineId)) existingLines.push(copper);
        continue;
      }
      const fibre = fibreLine(m, res);
      if (fibre && !existingLines.some((l) => (l.ont as Obj)?.ontReference === (fibre.ont as Obj).ontReference))
        existingLines.push(fibre);
    }
    const offering = (product.productOffering ?? {}) as Obj;
    const lp = typeof offering.id === 'string' ? m.lineProfileByVariant(offering.id) : undefined;
    const tech = m.technologyByAccess(chars.get('AccessTechnology') ?? String(offering.name ?? ''));
    if (!lp || !tech) continue; // a product the tables do not know (or ADSL): not orderable here
    const spec = specs.get(tech.id) ?? { ...tech.serviceSpecification, profiles: [], figures: [] };
    if (!spec.profiles.includes(lp.lineProfile)) {
      spec.profiles.push(lp.lineProfile);
      const own = new Map<string, string>();
      for (const [bb1Name, name] of Object.entries(a.offeringCharacteristics)) {
        const v = chars.get(bb1Name);
        if (v) own.set(name, v);
      }
      const reason = chars.get('REASONCODE');
      if (reason && reasonFacts(m, reason, own)) pendingCease = true;
      spec.figures.push({ value: lp.lineProfile, name: lp.variant, lineCharacteristics: nameValues(own) });
    }
    specs.set(tech.id, spec);
    for (const [bb1Name, name] of Object.entries(a.lineCharacteristics)) {
      const v = chars.get(bb1Name);
      if (v === undefined || v === '') continue;
      const prior = lineChars.get(name);
      // speeds: keep the best across the profiles offered (each offering's own are in lineProfiles)
      if (prior === undefined || (/_MBPS$/.test(name) && Number(v) > Number(prior))) lineChars.set(name, v);
    }
    if (a.newLineFlags.some((f) => chars.get(f) === 'Y')) {
      newLine = true;
      lineType ??= tech.lineType;
    }
    const process = chars.get('FTTPINSTALLPROCESS');
    if (process && a.installProcess[process] && chars.get('FTTPNEWONTAVAILABLE') === 'Y')
      installationType = a.installProcess[process];
  }
  if (
    pendingCease ||
    existingLines.some((l) => arr(l.lineCharacteristics).some((c) => c.name === 'PENDING_CEASE' && c.value === 'Y'))
  )
    siteChars.set('PENDING_CEASE', 'Y');
  const out: Json = {
    supplier,
    serviceSpecifications: [...specs.values()].map((s) => ({
      id: s.id,
      name: s.name,
      serviceCharacteristics: [{ name: 'LINE_PROFILE', values: [...s.profiles].sort() }],
      lineProfiles: [...s.figures].sort((x, y) => String(x.value).localeCompare(String(y.value))),
    })),
  };
  const site: Json = {};
  if (siteChars.size) site.siteCharacteristics = nameValues(siteChars);
  if (newLine) {
    const line: Json = { type: 'NEW' };
    if (lineType) line.lineType = lineType;
    if (installationType) line.installationType = installationType;
    line.lineCharacteristics = nameValues(lineChars);
    site.line = line;
  }
  if (existingLines.length) site.existingLines = existingLines;
  if (Object.keys(site).length) out.siteInformation = site;
  if (specs.size === 0)
    out.unavailabilityReasons = [
      { code: a.unavailableReason, text: 'No BT Wholesale Broadband One product is available at this address' },
    ];
  return out;
}

/** A copper line resource (availability.yaml copperLines) → an existing line with its LINE_ID. */
function copperLine(m: Bb1Mappings, res: Obj): Json | undefined {
  const c = m.tables.availability.copperLines;
  if (res['@type'] !== c.resourceType) return undefined;
  const v = (res.value ?? {}) as Obj;
  const id = v[c.lineId];
  if (typeof id !== 'string' || !id) return undefined;
  const line: Json = { lineId: id, lineType: 'COPPER' };
  const status = c.statuses[String(v[c.status])];
  if (status) line.status = status;
  const stopped = v[c.stoppedDate];
  if (typeof stopped === 'string' && !Number.isNaN(Date.parse(stopped)))
    line.stoppedDate = new Date(stopped).toISOString();
  const chars = new Map<string, string>();
  for (const [bb1Name, name] of Object.entries(c.lineCharacteristics)) {
    const x = v[bb1Name];
    if (x !== undefined && x !== null && x !== '') chars.set(name, String(x));
  }
  if (chars.size) line.lineCharacteristics = nameValues(chars);
  return line;
}

/** The ONT resource of seed 001 (ONT Data) → an existing fibre line with its ONT and ports. */
function fibreLine(m: Bb1Mappings, res: Obj): Json | undefined {
  const a = m.tables.availability;
  const v = (res.value ?? {}) as Obj;
  const ref = v.ONTREFNUMBER;
  if (typeof ref !== 'string' || !ref) return undefined;
  const ports = arr((v.PORTLIST as Obj | undefined)?.ONTPORT).map((pt) => {
    const port: Json = { portNumber: Number(pt.ONTPORTNUMBER) };
    if (pt.ONTPORTTYPE) port.description = String(pt.ONTPORTTYPE);
    const st = a.ontPortStatus[String(pt.ONTPORTSTATUS)];
    if (st) port.status = st;
    return port;
  });
  const ont: Json = { ontReference: ref };
  for (const [k, key] of [
    ['ONTFLOOR', 'floor'],
    ['ONTROOM', 'room'],
    ['ONTPOSITION', 'position'],
  ] as const)
    if (v[k]) ont[key] = String(v[k]);
  ont.ports = ports;
  const active = ports.some((pt) => pt.status === 'ACTIVE');
  return { lineType: 'FIBRE', status: active ? 'ACTIVE' : 'STOPPED', ont };
}

/**
 * The temporary ROBT address record for an Openreach (NAD) address with no ROBT (seed 000: "POST Create temporary
 * ROBT address record, if no matchingId found"). Seed 000 names the call and not its body; this body — a RoBT site
 * record pointing at the Openreach key and district (reference bt-bb1.md §1 row 2: "a RoBT site record, for example
 * copied from the Openreach record") — is the connector's reading, to confirm at onboarding.
 */
export function buildTemporaryRobt(nad: string, districtCode: string): Json {
  return {
    addressSource: 'ROBT',
    districtCode,
    alternateIds: [{ type: 'OpenreachAddressId', id: nad }],
    '@type': 'BtGeographicAddress',
  };
}

/** BB1 geographic addresses → tenant addresses with NAD + DistrictCode + ROBT (+ UPRN) identifiers. */
export function translateAddresses(raw: unknown): Json[] {
  const list = arr(raw);
  const byUprn = new Map<string, Obj[]>();
  for (const a of list) {
    const key = String(a.uprn ?? a.id);
    byUprn.set(key, [...(byUprn.get(key) ?? []), a]);
  }
  const out: Json[] = [];
  for (const [uprn, records] of byUprn) {
    const or =
      records.find((r) => String(r.id ?? '').startsWith('A')) ??
      records.find((r) => String(r.addressSource ?? '').toLowerCase() === 'openreach');
    const robt = records.find((r) => String(r.id ?? '').startsWith('R'));
    const main = or ?? robt ?? records[0]!;
    const additional: Json[] = [];
    if (main.districtCode) additional.push({ id: String(main.districtCode), type: 'DistrictCode' });
    if (robt && robt !== main) additional.push({ id: String(robt.id), type: 'ROBT' });
    if (uprn && /^\d+$/.test(uprn)) additional.push({ id: uprn, type: 'UPRN' });
    const sub = arr(main.geographicSubAddress)[0];
    const addr: Json = {
      identifier: { id: String(main.id), type: or ? 'NAD' : 'ROBT', additionalIdentifiers: additional },
    };
    for (const [from, to] of [
      ['buildingName', 'name'],
      ['streetNr', 'streetNumber'],
      ['streetName', 'streetName'],
      ['locality', 'locality'],
      ['city', 'city'],
      ['postcode', 'postcode'],
      ['qualifier', 'qualifier'],
    ] as const) {
      if (main[from]) addr[to] = String(main[from]);
    }
    if (!addr.name && sub?.buildingName) addr.name = String(sub.buildingName);
    if (sub && (sub.subBuilding || sub.buildingName))
      addr.subAddress = {
        ...(sub.buildingName ? { name: String(sub.buildingName) } : {}),
        ...(sub.subBuilding ? { unitNumber: String(sub.subBuilding) } : {}),
      };
    addr.country = 'UK';
    addr.source = or ? 'OPENREACH' : 'ROBT';
    out.push(addr);
  }
  return out;
}
