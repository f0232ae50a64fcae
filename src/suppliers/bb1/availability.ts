import type { Bb1Mappings } from './mappings/indexed.js';
import { identifiers } from './outbound/common.js';
import { Problems } from './outbound/translation-error.js';
import type { AddressIdentifier, Json } from './outbound/types.js';

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : v && typeof v === 'object' ? [v as Obj] : []);

/** Tenant address → POQ request (seed 001): address-based check on the Gold NAD key and district. */
export function buildPoqRequest(address: AddressIdentifier, cugId: string): Json {
  const p = new Problems();
  const ids = identifiers(address);
  if (!ids.get('NAD')) p.add('address: a NAD identifier is required by BTWHOLESALEBB1');
  if (!ids.get('DistrictCode')) p.add('address: a DistrictCode identifier is required by BTWHOLESALEBB1');
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
          place: [
            {
              id: ids.get('NAD'),
              districtId: ids.get('DistrictCode'),
              role: 'install address',
              '@referredType': 'btNADLocationReference',
            },
          ],
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

/** POQ response → the normalised availability element for BTWHOLESALEBB1 (seed 002 "Service Availability"). */
export function translatePoqResponse(m: Bb1Mappings, poq: unknown, supplier = 'BTWHOLESALEBB1'): Json {
  const a = m.tables.availability;
  const specs = new Map<string, { id: string; name: string; profiles: string[] }>();
  const lineChars = new Map<string, string>();
  let installationType: string | undefined;
  let newLine = false;
  let lineType: string | undefined;
  const existingLines: Json[] = [];
  for (const item of arr((poq as Obj)?.productOfferingQualificationItem)) {
    const product = (item.product ?? {}) as Obj;
    const chars = new Map(
      arr(product.productCharacteristic).map((c) => [String(c.name), c.value == null ? '' : String(c.value)]),
    );
    const offering = (product.productOffering ?? {}) as Obj;
    const lp = typeof offering.id === 'string' ? m.lineProfileByVariant(offering.id) : undefined;
    const tech = m.technologyByAccess(chars.get('AccessTechnology') ?? String(offering.name ?? ''));
    if (!lp || !tech) continue; // a product the tables do not know (or FTTC/ADSL): not orderable here
    const spec = specs.get(tech.id) ?? { ...tech.serviceSpecification, profiles: [] };
    if (!spec.profiles.includes(lp.lineProfile)) spec.profiles.push(lp.lineProfile);
    specs.set(tech.id, spec);
    for (const [bb1Name, name] of Object.entries(a.lineCharacteristics)) {
      const v = chars.get(bb1Name);
      if (v === undefined || v === '') continue;
      const prior = lineChars.get(name);
      // speeds: keep the best across the profiles offered
      if (prior === undefined || (/_MBPS$/.test(name) && Number(v) > Number(prior))) lineChars.set(name, v);
    }
    if (a.newLineFlags.some((f) => chars.get(f) === 'Y')) {
      newLine = true;
      lineType ??= tech.lineType;
    }
    const process = chars.get('FTTPINSTALLPROCESS');
    if (process && a.installProcess[process] && chars.get('FTTPNEWONTAVAILABLE') === 'Y')
      installationType = a.installProcess[process];
    for (const res of arr(product.realizingResource)) {
      const v = (res.value ?? {}) as Obj;
      const ref = v.ONTREFNUMBER;
      if (typeof ref !== 'string' || !ref || existingLines.some((l) => (l.ont as Obj)?.ontReference === ref)) continue;
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
      existingLines.push({ lineType: 'FIBRE', status: active ? 'ACTIVE' : 'STOPPED', ont });
    }
  }
  const out: Json = {
    supplier,
    serviceSpecifications: [...specs.values()].map((s) => ({
      id: s.id,
      name: s.name,
      serviceCharacteristics: [{ name: 'LINE_PROFILE', values: s.profiles.sort() }],
    })),
  };
  const site: Json = {};
  if (newLine) {
    const line: Json = { type: 'NEW' };
    if (lineType) line.lineType = lineType;
    if (installationType) line.installationType = installationType;
    line.lineCharacteristics = [...lineChars].map(([name, value]) => ({ name, value }));
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
