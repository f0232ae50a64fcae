import type { Bb1Mappings, Technology } from '../mappings/indexed.js';
import { Problems } from './translation-error.js';
import { checkValue, serviceChar } from './characteristics.js';
import { T_ITEM, T_NOTE, T_ORDER, T_PRODUCT, bb1Date, bb1Time, char, orderParties, siteContact } from './common.js';
import { AMENDABLE_CHARACTERISTICS } from '../mappings/schema.js';
import type { AmendmentRequest, Bb1Account, CancellationRequest, Json, ReservedSlot } from './types.js';

/** What KSUs told us of the order's items: ids and their latest internalIds (they change on every revision). */
export interface KnownItem {
  id: string;
  internalId?: string;
  ecode: string;
  parentId?: string;
}

/** The items an amendment is written on: the root (access) item and the managed install (chargebands live there). */
export function amendTargets(m: Bb1Mappings, items: KnownItem[]): { root?: KnownItem; install?: KnownItem } {
  return {
    root: items.find((i) => !i.parentId && m.lineProfileByEcode(i.ecode)),
    install: items.find((i) => m.tables['site-visit-reasons'].siteVisitReasons.some((s) => s.ecode === i.ecode)),
  };
}

/** The tenant's words for what goes into BB1's notes (seed 000: "Notes will be added to those already provided"). */
const NOTE_FIELDS = ['notes', 'hazards', 'onSiteRestrictions', 'engineerTasks'] as const;

/**
 * Amend → PATCH body carrying the items' latest internalIds (seed 000 "Amend"): appointment and completion
 * date, notes, contacts, ECC/TRC chargebands on the managed install. Everything the tenant sends reaches BB1, or
 * the request is refused naming what BB1 cannot do: the tenant API's partial update rules say an empty value
 * deletes, but BB1 only adds notes to an order, so a note cannot be taken back.
 */
export function buildAmend(
  m: Bb1Mappings,
  req: AmendmentRequest,
  account: Bb1Account,
  technology: Technology,
  items: KnownItem[],
  slot: ReservedSlot | undefined,
): Json {
  const p = new Problems();
  const { root, install } = amendTargets(m, items);
  if (!root?.internalId)
    p.add(
      'orderId: BTWHOLESALEBB1 has not yet acknowledged the order items, so it cannot be amended yet; retry after the ACKNOWLEDGED KCI',
    );
  const bands = new Map<string, string>();
  for (const c of req.serviceCharacteristics ?? []) {
    if (!(AMENDABLE_CHARACTERISTICS as readonly string[]).includes(c.name)) {
      p.add(
        `${serviceChar(c.name)}: cannot be amended on BTWHOLESALEBB1; allowed: ${AMENDABLE_CHARACTERISTICS.join(', ')}`,
      );
      continue;
    }
    const v = checkValue(m, c.name, c.value, technology, p);
    if (v !== undefined) bands.set(c.name, v);
  }
  if (bands.size && !install?.internalId)
    p.add('serviceCharacteristics: the order has no managed install, so ECC/TRC chargebands cannot be amended');
  for (const f of NOTE_FIELDS) {
    const v = req[f];
    if (v !== undefined && (Array.isArray(v) ? v.length === 0 : v.trim() === ''))
      p.add(
        `${f}: an empty value would remove it, but BTWHOLESALEBB1 only adds notes to an order and cannot remove one given before; send the text that applies now`,
      );
  }
  const anything =
    slot ||
    req.requestedCompletionDate ||
    req.primaryContact ||
    req.secondaryContact ||
    req.serviceCharacteristics?.length ||
    NOTE_FIELDS.some((f) => req[f] !== undefined);
  if (!anything)
    p.add(
      'body: nothing to amend; send at least one of appointmentReservationId, requestedCompletionDate, contacts, notes, hazards or chargebands',
    );
  p.throwIfAny();

  const rootItem: Json = {
    id: root!.id,
    internalId: root!.internalId,
    action: 'add',
    product: { productOffering: { id: root!.ecode }, '@type': T_PRODUCT },
  };
  if (req.primaryContact) (rootItem.product as Json).relatedParty = [siteContact(req.primaryContact)];
  if (slot)
    rootItem.appointment = {
      id: slot.supplierReference,
      appointmentStart: bb1Time(slot.start),
      BESAppointmentId: slot.supplierReference,
    };
  // The engineering note and the hazard note as in the order (provide's additionalNotes); seed 000's amend
  // shows one note as an object, so one note stays an object and two go as a list.
  const notes: Json[] = [];
  const engineering = [req.notes, req.onSiteRestrictions, ...(req.engineerTasks ?? [])].filter(Boolean).join('; ');
  if (engineering) notes.push({ text: engineering, type: 'Engineering', '@type': T_NOTE });
  if (req.hazards) notes.push({ text: req.hazards, type: 'HazardNote', '@type': T_NOTE });
  if (notes.length) rootItem.note = notes.length === 1 ? notes[0] : notes;
  if (bands.size) {
    const cb = m.tables['charge-bands'];
    const chars: Json[] = [];
    if (bands.has('ECC_CHARGEBAND')) chars.push(char(cb.ecc.attribute, bands.get('ECC_CHARGEBAND')!));
    if (bands.has('TRC_CHARGEBAND')) chars.push(char(cb.trc.attribute, bands.get('TRC_CHARGEBAND')!));
    rootItem.productOrderItem = [
      {
        id: install!.id,
        internalId: install!.internalId,
        action: 'add',
        product: { productOffering: { id: install!.ecode }, productCharacteristic: chars, '@type': T_PRODUCT },
        '@type': T_ITEM,
      },
    ];
  }
  rootItem['@type'] = T_ITEM;
  const payload: Json = {};
  if (req.requestedCompletionDate) payload.requestedCompletionDate = bb1Date(req.requestedCompletionDate);
  else if (slot) payload.requestedCompletionDate = `${slot.start.slice(0, 10)}T00:00:00Z`;
  payload.productOrderItem = [rootItem];
  // The order contacts as in the order (seed 000 section 5): the CUG, then the contacts that change.
  payload.relatedParty = orderParties(account, req);
  payload['@type'] = T_ORDER;
  return payload;
}

/** Cancel → cancelOrder task with one of BB1's valid reasons (seed 000 "Cancel"). */
export function buildCancel(m: Bb1Mappings, req: CancellationRequest, bb1OrderId: string | null): Json {
  const p = new Problems();
  const row = m.tables['cancellation-reasons'].cancellationReasons.find((r) => r.reasonCode === req.reasonCode);
  if (!row)
    p.add(
      `reasonCode: "${req.reasonCode}" is not allowed; allowed: ${m.tables['cancellation-reasons'].cancellationReasons.map((r) => r.reasonCode).join(', ')}`,
    );
  if (!bb1OrderId)
    p.add(
      'orderId: BTWHOLESALEBB1 has not yet acknowledged the order, so it cannot be cancelled yet; retry after the ACKNOWLEDGED KCI',
    );
  p.throwIfAny();
  return { cancellationReason: row!.bb1Reason, productOrder: { id: bb1OrderId }, '@type': 'CancelProductOrder_Create' };
}
