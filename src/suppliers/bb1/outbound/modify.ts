import type { Bb1Mappings, Technology } from '../mappings/indexed.js';
import { Problems } from './translation-error.js';
import { checkValue, serviceChar, type Characteristic } from './characteristics.js';
import {
  T_ITEM,
  T_ORDER,
  T_PRODUCT,
  bb1Date,
  bb1Time,
  char,
  managedInstall,
  orderParties,
  orderableEcode,
  places,
  siteContact,
} from './common.js';
import type { Bb1Account, Json, OrderRequest, ReservedSlot } from './types.js';
import { ROOT_ITEM_ID, type PlaceFacts } from './provide.js';

type Actioned = Map<string, { NONE?: string; ADD?: string; DELETE?: string }>;

/** Groups MODIFY/CEASE characteristics by name and action (seed 002 "Asset Information"), checking each value. */
export function actioned(m: Bb1Mappings, list: Characteristic[], p: Problems): Actioned {
  const out: Actioned = new Map();
  for (const c of list) {
    if (!c.action) {
      p.add(`${serviceChar(c.name)}: action is required on MODIFY and CEASE orders (NONE, ADD or DELETE)`);
      continue;
    }
    const entry = out.get(c.name) ?? {};
    if (entry[c.action] !== undefined) p.add(`${serviceChar(c.name)}: action ${c.action} given more than once`);
    const v = checkValue(m, c.name, c.value, undefined, p);
    if (v !== undefined) entry[c.action] = v;
    out.set(c.name, entry);
  }
  return out;
}

/** Root attributes a modify may change, in the order BB1's examples list them. */
const ROOT_ATTRIBUTES = ['MINIMUM_SPEED', 'END_USER_TYPE', 'CONTRACT_TERM'] as const;

export interface ModifyPlan {
  payload: Json;
  technology: Technology;
  ecode: string;
}

/**
 * MODIFY → BB1 productOrder (seed 000 "Modify"): care level change (root noChange, delete + add child),
 * regrade (changeOffer), technology change (changeTechnology + Migration), static IP, root attributes.
 */
export function buildModify(
  m: Bb1Mappings,
  req: OrderRequest,
  account: Bb1Account,
  externalId: string,
  slot: ReservedSlot | undefined,
  facts: PlaceFacts = {},
): ModifyPlan {
  const p = new Problems();
  if (!req.serviceCharacteristics) {
    p.add('serviceCharacteristics: required for a MODIFY order');
    p.throwIfAny();
  }
  const a = actioned(m, req.serviceCharacteristics!, p);
  const assetId = a.get('SERVICE_ASSET_ID')?.NONE;
  if (!assetId)
    p.add(`${serviceChar('SERVICE_ASSET_ID')}: required with action NONE (the asset id from the provide order's KCIs)`);
  const lpChange = a.get('LINE_PROFILE');
  const currentLp = lpChange?.NONE ?? lpChange?.DELETE;
  if (!currentLp)
    p.add(
      `${serviceChar('LINE_PROFILE')}: the active line profile is required with action NONE (or DELETE when regrading)`,
    );
  if (lpChange?.ADD && !lpChange.DELETE)
    p.add(`${serviceChar('LINE_PROFILE')}: a new profile (ADD) needs the active one with action DELETE`);
  p.throwIfAny();
  const current = m.lineProfile(currentLp!)!;
  const target = lpChange?.ADD ? m.lineProfile(lpChange.ADD)! : current;
  const techChange = target.technology !== current.technology;
  const tech = target.technology as Technology;
  const techRow = m.technology(tech)!;

  const targetEcode = orderableEcode(target, lpChange?.ADD ? 'an order for it' : 'a modify of it', p);
  const care = a.get('CARE_LEVEL');
  // Only the new care level must be one BB1 sells for the technology: the one deleted is whatever the service
  // has (seed 002's worked example moves an FTTP service from CARE_LEVEL 1, Basic, to 2).
  {
    const v = care?.ADD;
    if (v && !m.careLevel(v)!.technologies.includes(tech))
      p.add(
        `${serviceChar('CARE_LEVEL')}: ${v} is not allowed for ${tech}; allowed: ${m.tables['care-levels'].careLevels
          .filter((c) => c.technologies.includes(tech))
          .map((c) => c.careLevel)
          .join(', ')}`,
      );
  }
  if (care?.DELETE && !a.get('CARE_LEVEL_ASSET_ID')?.DELETE)
    p.add(`${serviceChar('CARE_LEVEL_ASSET_ID')}: required with action DELETE to replace care level ${care.DELETE}`);
  if (care?.ADD && !care.DELETE)
    p.add(`${serviceChar('CARE_LEVEL')}: a new care level (ADD) needs the current one with action DELETE`);
  const staticIp = a.get('STATIC_IP_REQUESTED')?.ADD;
  if (staticIp && !a.get('DYNAMIC_IP_ASSET_ID')?.DELETE && !a.get('STATIC_IP_ASSET_ID')?.DELETE) {
    p.add(
      `${serviceChar('DYNAMIC_IP_ASSET_ID')}: required with action DELETE (or STATIC_IP_ASSET_ID DELETE) to change the IP product`,
    );
  }
  if (techChange && !slot && techRow.lineType === 'FIBRE')
    p.add('appointmentReservationId: a technology change to FTTP needs an engineer appointment (a new ONT)');
  const placeList = techChange ? places(req.address, p) : [];
  p.throwIfAny();

  const rootChars: Json[] = [];
  const j = m.tables.journeys;
  const oa = m.tables['order-attributes'];
  if (techChange) {
    rootChars.push(
      char(oa.attributes.accessTechnology, techRow.accessTechnology),
      char(oa.attributes.journeyType, j.technologyChange.journeyType),
    );
    const reason = j.technologyChange.migrationReasons[tech];
    if (reason) rootChars.push(char(j.technologyChange.migrationReasonAttribute, reason));
    if (tech === 'FTTP') rootChars.push(char(j.ontTypeAttribute, j.ontType.newOnt));
    rootChars.push(char(oa.attributes.installType, slot ? oa.installType.managed : oa.installType.self));
  }
  // A new product has its own minimum guaranteed speed (seed 000's regrade): the tenant's, else the offering's
  // from the availability answer for the address the order names.
  const speed = lpChange?.ADD && !a.get('MINIMUM_SPEED')?.ADD ? facts.minimumSpeeds?.[target.lineProfile] : undefined;
  if (speed) rootChars.push(char(oa.characteristics.MINIMUM_SPEED, speed));
  for (const name of ROOT_ATTRIBUTES) {
    const v = a.get(name)?.ADD;
    if (v) rootChars.push(char(oa.characteristics[name], v));
  }
  const tw = a.get('TRAFFIC_WEIGHTING')?.ADD;
  if (tw) rootChars.push(char(oa.characteristics.TRAFFIC_WEIGHTING, tw));
  if (techChange && a.get('CONTRACT_TERM')?.ADD)
    rootChars.push(char(oa.attributes.contractTermUnit, oa.defaults.contractTermUnit));

  const rootChanges = lpChange?.ADD !== undefined || rootChars.length > 0;
  const product: Json = { id: assetId, productOffering: { id: targetEcode } };
  if (rootChars.length) product.productCharacteristic = rootChars.map((c) => ({ ...c, '@type': 'BTCharacteristic' }));
  if (lpChange?.ADD)
    product.productRelationship = [
      { relationshipType: techChange ? 'changeTechnology' : 'changeOffer', product: { id: assetId } },
    ];
  if (techChange) {
    product.place = placeList;
    if (req.primaryContact) product.relatedParty = [siteContact(req.primaryContact)];
  }
  product['@type'] = T_PRODUCT;

  const children: Json[] = [];
  let n = 1;
  const childId = () => `${ROOT_ITEM_ID}.${n++}`;
  if (care?.DELETE)
    children.push({
      id: childId(),
      action: 'delete',
      product: {
        id: a.get('CARE_LEVEL_ASSET_ID')!.DELETE,
        productOffering: { id: m.careLevel(care.DELETE)!.ecode },
        '@type': T_PRODUCT,
      },
      '@type': T_ITEM,
    });
  if (care?.ADD)
    children.push({
      id: childId(),
      action: 'add',
      product: { productOffering: { id: m.careLevel(care.ADD)!.ecode }, '@type': T_PRODUCT },
      '@type': T_ITEM,
    });
  const ip = m.tables['ip-products'];
  const dynDel = a.get('DYNAMIC_IP_ASSET_ID')?.DELETE;
  const statDel = a.get('STATIC_IP_ASSET_ID')?.DELETE;
  if (dynDel)
    children.push({
      id: childId(),
      action: 'delete',
      product: { id: dynDel, productOffering: { id: ip.dynamic.ecode }, '@type': T_PRODUCT },
      '@type': T_ITEM,
    });
  if (statDel)
    children.push({
      id: childId(),
      action: 'delete',
      product: { id: statDel, productOffering: { id: ip.static.ecode }, '@type': T_PRODUCT },
      '@type': T_ITEM,
    });
  if (staticIp) {
    children.push({
      id: childId(),
      action: 'add',
      product: {
        productOffering: { id: ip.static.ecode },
        productCharacteristic: [{ ...char(ip.static.countAttribute, staticIp), '@type': 'BTCharacteristic' }],
        '@type': T_PRODUCT,
      },
      '@type': T_ITEM,
    });
  } else if (statDel) {
    children.push({
      id: childId(),
      action: 'add',
      product: { productOffering: { id: ip.dynamic.ecode }, '@type': T_PRODUCT },
      '@type': T_ITEM,
    });
  }
  if (slot) {
    const svr = a.get('SITE_VISIT_REASON')?.ADD ?? slot.siteVisitReason ?? m.tables['site-visit-reasons'].default;
    const ecc = a.get('ECC_CHARGEBAND')?.ADD ?? m.tables['charge-bands'].ecc.default;
    children.push(
      managedInstall(
        m,
        childId(),
        tech,
        svr,
        ecc,
        tech === 'FTTP' ? undefined : a.get('TRC_CHARGEBAND')?.ADD,
        undefined,
      ),
    );
  }
  if (!rootChanges && children.length === 0) {
    p.add(
      'serviceCharacteristics: nothing to change; ADD a new LINE_PROFILE, CARE_LEVEL, STATIC_IP_REQUESTED or attribute',
    );
    p.throwIfAny();
  }

  const root: Json = { id: ROOT_ITEM_ID, action: rootChanges ? 'modify' : 'noChange', product };
  if (slot)
    root.appointment = {
      id: slot.supplierReference,
      appointmentStart: bb1Time(slot.start),
      BESAppointmentId: slot.supplierReference,
    };
  if (children.length) root.productOrderItem = children;
  root['@type'] = T_ITEM;
  const payload: Json = { externalId };
  if (slot) payload.requestedCompletionDate = `${slot.start.slice(0, 10)}T00:00:00Z`;
  else if (req.requestedCompletionDate) payload.requestedCompletionDate = bb1Date(req.requestedCompletionDate);
  payload.productOrderItem = [root];
  payload.relatedParty = orderParties(account, req);
  payload['@type'] = T_ORDER;
  return { payload, technology: tech, ecode: targetEcode };
}
