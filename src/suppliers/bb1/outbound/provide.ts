import type { Bb1Mappings, Technology } from '../mappings/indexed.js';
import { Problems } from './translation-error.js';
import { provideCharacteristics, requireChars, serviceChar } from './characteristics.js';
import {
  T_ITEM,
  T_NOTE,
  T_ORDER,
  T_PRODUCT,
  bb1Date,
  bb1Time,
  char,
  identifiers,
  managedInstall,
  orderParties,
  orderableEcode,
  places,
  siteContact,
} from './common.js';
import type { Bb1Account, Json, OrderRequest, ReservedSlot } from './types.js';

export const ROOT_ITEM_ID = '100';

/**
 * What BB1 said about the place before the order (the adapter asks before planning a provide): each offering's
 * minimum guaranteed speed by LINE_PROFILE (POQ productMinimumGuaranteedSpeed, seed 001), the new line's
 * installation type (from FTTPINSTALLPROCESS: STANDARD, or EXTENDED_STANDARD for a two-stage "KCI2 Assure") and a temporary ROBT record created for an address
 * with a NAD but no ROBT (seed 000 "POST Create temporary ROBT address record").
 */
export interface PlaceFacts {
  minimumSpeeds?: Record<string, string>;
  /** the new line's installationType (availability.yaml installProcess) */
  installationType?: string;
  robt?: string;
}

/** What the translation learnt that the connector keeps with the order. */
export interface ProvidePlan {
  payload: Json;
  technology: Technology;
  ecode: string;
  appointed: boolean;
}

/**
 * Provide (NEW, START, TAKEOVER, TRANSFER) → BB1 productOrder (seed 000 "Provide"). Pure: the same
 * inputs always give the same payload.
 */
export function buildProvide(
  m: Bb1Mappings,
  req: OrderRequest,
  account: Bb1Account,
  externalId: string,
  slot: ReservedSlot | undefined,
  facts: PlaceFacts = {},
): ProvidePlan {
  const p = new Problems();
  const item = req.serviceOrderItem;
  if (!req.address) p.add('address: required for a provide order');
  if (!item) p.add('serviceOrderItem: required for a provide order');
  if (!req.primaryContact) p.add('primaryContact: required for a provide order');
  p.throwIfAny();
  const specTech = m.technology(item!.serviceSpecification.id.toUpperCase())?.id as Technology | undefined;
  if (!specTech)
    p.add(
      `serviceOrderItem.serviceSpecification.id: "${item!.serviceSpecification.id}" is not offered by BTWHOLESALEBB1; allowed: ${m.tables.technologies.technologies.map((t) => t.id).join(', ')}`,
    );
  const chars = provideCharacteristics(m, item!.serviceCharacteristics, specTech, p);
  requireChars(
    item!.serviceCharacteristics,
    ['LINE_PROFILE', 'END_USER_TYPE', 'CONTRACT_TERM'],
    'on every provide order',
    p,
  );
  const tech = specTech!;
  const techRow = m.technology(tech);
  const journey = m.tables.journeys.journeys.find((j) => j.orderType === req.orderType);
  if (!journey) p.add(`orderType: ${req.orderType} is not a provide journey; allowed: NEW, START, TAKEOVER, TRANSFER`);
  // A migration from another provider's copper line to fibre (seed 000: "provider to provider migration (with or
  // without change of access technology)"): the copper line is named, a new ONT is installed.
  const fromCopper =
    journey?.fromCopper && techRow?.lineType === 'FIBRE' && chars.has('LINE_ID') && !chars.has('ONT_REFERENCE');
  const reused = fromCopper ? journey!.fromCopper! : journey && techRow ? journey.requires[techRow.lineType] : [];
  if (journey && techRow) requireChars(item!.serviceCharacteristics, reused, `for a ${req.orderType} ${tech} order`, p);
  if (fromCopper && !slot)
    p.add(
      `appointmentReservationId: a ${req.orderType} from a copper line (LINE_ID) to ${tech} needs an engineer appointment (a new ONT)`,
    );
  if (chars.has('TRC_CHARGEBAND') && !slot)
    p.add(`${serviceChar('TRC_CHARGEBAND')}: applies only with an engineer appointment (appointmentReservationId)`);
  if (chars.has('ECC_CHARGEBAND') && !slot)
    p.add(`${serviceChar('ECC_CHARGEBAND')}: applies only with an engineer appointment (appointmentReservationId)`);
  if (
    slot?.siteVisitReason &&
    chars.has('SITE_VISIT_REASON') &&
    slot.siteVisitReason !== chars.get('SITE_VISIT_REASON')
  ) {
    p.add(
      `${serviceChar('SITE_VISIT_REASON')}: "${chars.get('SITE_VISIT_REASON')}" differs from the reservation's "${slot.siteVisitReason}"; reserve with the same SITE_VISIT_REASON`,
    );
  }
  if (techRow?.newProvide === false)
    p.add(
      `serviceOrderItem.serviceSpecification.id: BTWHOLESALEBB1 sells no new ${tech} service (existing ones can be modified, migrated or ceased); allowed: ${m.tables.technologies.technologies
        .filter((t) => t.newProvide !== false)
        .map((t) => t.id)
        .join(', ')}`,
    );
  const placeList = places(withRobt(req.address, facts.robt), p);
  const lpRow = chars.has('LINE_PROFILE') ? m.lineProfile(chars.get('LINE_PROFILE')!) : undefined;
  const ecode = lpRow ? orderableEcode(lpRow, 'an order for it', p) : '';
  // The minimum guaranteed speed goes on every order (seed 000 section 2): the tenant's MINIMUM_SPEED, else the
  // offering's own figure from the availability answer.
  const minimumSpeed = chars.get('MINIMUM_SPEED') ?? (lpRow ? facts.minimumSpeeds?.[lpRow.lineProfile] : undefined);
  if (lpRow && !minimumSpeed && facts.minimumSpeeds)
    p.add(
      `${serviceChar('MINIMUM_SPEED')}: required: BTWHOLESALEBB1's availability answer for this address gives no minimum guaranteed speed for LINE_PROFILE ${lpRow.lineProfile} (it offers ${Object.keys(facts.minimumSpeeds).join(', ') || 'none'})`,
    );
  p.throwIfAny();

  const j = m.tables.journeys;
  const oa = m.tables['order-attributes'];
  const attr = oa.characteristics;
  const rootChars: Json[] = [
    char(oa.attributes.installType, slot ? oa.installType.managed : oa.installType.self),
    char(oa.attributes.accessTechnology, techRow!.accessTechnology),
    char(oa.attributes.journeyType, journey!.journeyType),
  ];
  if (tech === 'FTTP')
    rootChars.push(char(j.ontTypeAttribute, chars.has('ONT_REFERENCE') ? j.ontType.existingOnt : j.ontType.newOnt));
  if (fromCopper) {
    const reason = j.technologyChange.migrationReasons[tech];
    if (reason) rootChars.push(char(j.technologyChange.migrationReasonAttribute, reason));
  }
  if (journey!.lineState && (techRow!.lineType === 'COPPER' || fromCopper))
    rootChars.push(char(j.lineStateAttribute, journey!.lineState));
  for (const name of reused) rootChars.push(char(j.reuseAttributes[name]!, chars.get(name)!));
  if (req.orderType === 'NEW' && chars.has('ONT_REFERENCE')) {
    rootChars.push(char(j.reuseAttributes.ONT_REFERENCE!, chars.get('ONT_REFERENCE')!));
    if (chars.has('ONT_PORT')) rootChars.push(char(j.reuseAttributes.ONT_PORT!, chars.get('ONT_PORT')!));
  }
  if (minimumSpeed) rootChars.push(char(attr.MINIMUM_SPEED, minimumSpeed));
  rootChars.push(char(attr.END_USER_TYPE, chars.get('END_USER_TYPE')!));
  rootChars.push(char(attr.TRAFFIC_WEIGHTING, chars.get('TRAFFIC_WEIGHTING') ?? oa.defaults.TRAFFIC_WEIGHTING));
  rootChars.push(char(attr.CONTRACT_TERM, chars.get('CONTRACT_TERM')!));
  rootChars.push(char(oa.attributes.contractTermUnit, oa.defaults.contractTermUnit));
  rootChars.push(char(attr.RETAILER_ID, chars.get('RETAILER_ID') ?? account.retailerId));
  if (chars.has('DN_PORT_NUMBER'))
    rootChars.push(
      char(attr.DN_PORT_NUMBER, chars.get('DN_PORT_NUMBER')!),
      char(oa.attributes.portingRequired, oa.defaults.portingRequired),
    );
  if (chars.has('DN_PORT_DATETIME'))
    rootChars.push(char(attr.DN_PORT_DATETIME, bb1Time(chars.get('DN_PORT_DATETIME')!)));

  const children: Json[] = [];
  const care = m.careLevel(chars.get('CARE_LEVEL') ?? techRow!.defaultCareLevel)!;
  children.push({
    id: `${ROOT_ITEM_ID}.1`,
    action: 'add',
    product: { productOffering: { id: care.ecode }, '@type': T_PRODUCT },
    '@type': T_ITEM,
  });
  const ip = m.tables['ip-products'];
  if (chars.has('STATIC_IP_REQUESTED')) {
    children.push({
      id: `${ROOT_ITEM_ID}.2`,
      action: 'add',
      product: {
        productOffering: { id: ip.static.ecode },
        productCharacteristic: [char(ip.static.countAttribute, chars.get('STATIC_IP_REQUESTED')!)],
        '@type': T_PRODUCT,
      },
      '@type': T_ITEM,
    });
  } else {
    children.push({
      id: `${ROOT_ITEM_ID}.2`,
      action: 'add',
      product: { productOffering: { id: ip.dynamic.ecode }, '@type': T_PRODUCT },
      '@type': T_ITEM,
    });
  }
  if (slot) {
    const svr = chars.get('SITE_VISIT_REASON') ?? slot.siteVisitReason ?? m.tables['site-visit-reasons'].default;
    const ecc = chars.get('ECC_CHARGEBAND') ?? m.tables['charge-bands'].ecc.default;
    const trc = tech === 'FTTP' ? undefined : chars.get('TRC_CHARGEBAND');
    const installTypes = m.tables['site-visit-reasons'].fttpInstallTypes as Record<string, string | undefined>;
    const installType = facts.installationType ? installTypes[facts.installationType] : undefined;
    children.push(managedInstall(m, `${ROOT_ITEM_ID}.3`, tech, svr, ecc, trc, installType));
  }

  const root: Json = {
    id: ROOT_ITEM_ID,
    action: 'add',
    product: {
      productOffering: { id: ecode },
      place: placeList,
      productCharacteristic: rootChars,
      relatedParty: [siteContact(req.primaryContact!)],
      '@type': T_PRODUCT,
    },
  };
  if (slot)
    root.appointment = {
      id: slot.supplierReference,
      BESAppointmentId: slot.supplierReference,
      appointmentStart: bb1Time(slot.start),
    };
  root.billingAccount = { id: account.billingAccountId };
  root.additionalNotes = [
    {
      text: [req.notes, req.onSiteRestrictions, ...(req.engineerTasks ?? [])].filter(Boolean).join('; '),
      type: 'Engineering',
      '@type': T_NOTE,
    },
    { text: req.hazards ?? '', type: 'HazardNote', '@type': T_NOTE },
  ];
  root.productOrderItem = children;
  root['@type'] = T_ITEM;

  const payload: Json = { externalId };
  const completion = slot
    ? bb1Time(slot.start.slice(0, 10) + 'T00:00:00Z')
    : req.requestedCompletionDate
      ? bb1Date(req.requestedCompletionDate)
      : undefined;
  if (completion) payload.requestedCompletionDate = completion;
  payload.productOrderItem = [root];
  payload.relatedParty = orderParties(account, req);
  payload['@type'] = T_ORDER;
  return { payload, technology: tech, ecode, appointed: Boolean(slot) };
}

/** The address with the temporary ROBT record the adapter created for it, when it had none. */
function withRobt(address: OrderRequest['address'], robt: string | undefined): OrderRequest['address'] {
  if (!address || !robt || identifiers(address).has('ROBT')) return address;
  return { ...address, additionalIdentifiers: [...(address.additionalIdentifiers ?? []), { id: robt, type: 'ROBT' }] };
}
