import type { Bb1Mappings, LineProfileRow } from '../mappings/indexed.js';
import type { AddressIdentifier, Bb1Account, Contact, Json } from './types.js';
import type { Problems } from './translation-error.js';

export const T_ORDER = 'BTProductOrder';
export const T_ITEM = 'BTProductOrderItem';
export const T_PRODUCT = 'BTProductRefOrValue';
export const T_PARTY = 'BTRelatedParty';
export const T_PLACE = 'btRelatedPlaceRefOrValue';
export const T_NOTE = 'BTNote';

export const char = (name: string, value: string): Json => ({ name, value });

/** Every identifier of an address, by type (the primary one and the additional ones). */
export function identifiers(address: AddressIdentifier | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!address) return out;
  out.set(address.type, address.id);
  for (const a of address.additionalIdentifiers ?? []) if (!out.has(a.type)) out.set(a.type, a.id);
  return out;
}

/** BB1 places: SiteAddress = ROBT, OpenreachAddress = NAD with its district code (seed 000 section 1). */
export function places(address: AddressIdentifier | undefined, p: Problems, needRobt = true): Json[] {
  const ids = identifiers(address);
  const nad = ids.get('NAD');
  const district = ids.get('DistrictCode');
  const robt = ids.get('ROBT');
  if (!nad) p.add('address: a NAD identifier is required by BTWHOLESALEBB1 (send it in additionalIdentifiers)');
  if (!district) p.add('address: a DistrictCode identifier is required by BTWHOLESALEBB1');
  if (needRobt && !robt) p.add('address: a ROBT identifier is required by BTWHOLESALEBB1 when ordering');
  return [
    { id: robt ?? '', role: 'SiteAddress', '@type': T_PLACE },
    { id: nad ?? '', role: 'OpenreachAddress', address: { districtCode: district ?? '' }, '@type': T_PLACE },
  ];
}

export function splitName(name: string): { givenName: string; familyName: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length === 1) return { givenName: parts[0]!, familyName: parts[0]! };
  return { givenName: parts.slice(0, -1).join(' '), familyName: parts[parts.length - 1]! };
}

function media(c: Contact, contactType: string): Json[] {
  const out: Json[] = [];
  if (c.email) out.push({ mediumType: 'email', characteristic: { contactType, emailAddress: c.email } });
  if (c.phoneNumber) out.push({ mediumType: 'telephone', characteristic: { contactType, phoneNumber: c.phoneNumber } });
  return out;
}

/** Item-level site contact (seed 000 section 3). */
export function siteContact(c: Contact): Json {
  return {
    id: '-1',
    role: 'PrimarySiteContact',
    ...splitName(c.name),
    contactMedium: media(c, 'PrimaryWork'),
    '@type': T_PARTY,
    '@referredType': 'Individual',
  };
}

/**
 * Order-level parties (seed 000 section 5): the CUG, the end customer the service is sold to (when the tenant
 * names one), then the order contacts by email. The order's primary contact is `orderContact` when the tenant
 * sends one (seed 000: site and order contacts differ), else the primary (site) contact.
 */
export function orderParties(
  account: Bb1Account,
  req: { primaryContact?: Contact; secondaryContact?: Contact; orderContact?: Contact; endCustomerReference?: string },
): Json[] {
  const parties: Json[] = [{ id: account.cugId, role: 'BtCug', '@type': T_PARTY, '@referredType': 'Customer' }];
  if (req.endCustomerReference)
    parties.push({ id: req.endCustomerReference, role: 'EndCustomer', '@type': T_PARTY, '@referredType': 'Customer' });
  const emailParty = (c: Contact, id: string, role: string): Json => ({
    id,
    role,
    contactMedium: c.email
      ? [{ mediumType: 'email', characteristic: { contactType: 'PrimaryWork', emailAddress: c.email } }]
      : media(c, 'PrimaryWork'),
    '@type': T_PARTY,
    '@referredType': 'Individual',
  });
  const primary = req.orderContact ?? req.primaryContact;
  if (primary) parties.push(emailParty(primary, '-1', 'PrimaryOrderContact'));
  if (req.secondaryContact) parties.push(emailParty(req.secondaryContact, '-2', 'SecondaryOrderContact'));
  return parties;
}

/** A LINE_PROFILE row as something to order: it needs its ecode (line-profiles.yaml). */
export function orderableEcode(lp: LineProfileRow, what: string, p: Problems): string {
  if (!lp.ecode)
    p.add(
      `serviceCharacteristics LINE_PROFILE: ${lp.lineProfile} (${lp.variant}) has no ecode in the tables, so BTWHOLESALEBB1 cannot be sent ${what}`,
    );
  return lp.ecode ?? '';
}

/** A date (YYYY-MM-DD) as BB1's midnight UTC date-time. */
export const bb1Date = (date: string) => `${date}T00:00:00Z`;

/** BB1 writes times without milliseconds: 2022-11-29T08:00:00Z. */
export const bb1Time = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function managedInstall(
  m: Bb1Mappings,
  id: string,
  tech: string,
  svr: string,
  ecc: string,
  trc: string | undefined,
  fttpInstallType: string | undefined,
): Json {
  const s = m.tables['site-visit-reasons'];
  const row = s.siteVisitReasons.find((r) => r.siteVisitReason === svr)!;
  const cb = m.tables['charge-bands'];
  const chars: Json[] = [char(cb.ecc.attribute, ecc)];
  if (trc !== undefined) chars.push(char(cb.trc.attribute, trc));
  chars.push(char(s.attribute, row.bb1Value));
  if (tech === 'FTTP') chars.push(char(s.fttpInstallTypeAttribute, fttpInstallType ?? s.defaultFttpInstallType));
  return {
    id,
    action: 'add',
    product: { productOffering: { id: row.ecode }, productCharacteristic: chars, '@type': T_PRODUCT },
    '@type': T_ITEM,
  };
}
