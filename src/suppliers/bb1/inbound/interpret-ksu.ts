import type { Bb1Mappings } from '../mappings/indexed.js';
import type { SignalRule } from '../mappings/schema.js';
import type { SupplierUpdate, UpdateContext, UpdateSignal } from '../../supplier.js';
import { amendTargets } from '../outbound/amend-cancel.js';
import { normaliseKey, type KsuItem, type ParsedKsu } from './parse-ksu.js';
import { cloneJson } from '../../../platform/plain-json.js';

/** What the BB1 adapter keeps about an order between KSUs (its own state; the lifecycle's is apart). */
export interface Bb1AdapterState {
  /** what the provide or modify was planned as */
  technology?: string;
  ecode?: string;
  /** the order's items as BB1 last reported them: their latest internalIds are needed to amend */
  items?: Record<string, KnownItemState>;
}

export interface KnownItemState {
  id: string;
  internalId?: string;
  ecode: string;
  parentId?: string;
  state?: string;
  subStatus?: string;
}

/** The root (access) item: the top-level item whose ecode is a line profile, else the first top-level item. */
export function rootItem(m: Bb1Mappings, items: KsuItem[]): KsuItem | undefined {
  const top = items.filter((i) => !i.parentId);
  return top.find((i) => i.ecode && m.lineProfileByEcode(i.ecode)) ?? top[0];
}

/** Asset ids and other characteristics BB1 reports on the items (seed 002 "Order updates"). */
export function assetCharacteristics(m: Bb1Mappings, items: KsuItem[]): Map<string, string> {
  const a = m.tables['asset-ids'];
  const out = new Map<string, string>();
  const root = rootItem(m, items);
  for (const it of items) {
    if (normaliseKey(it.action) === 'delete' || ['cancelled', 'failed'].includes(normaliseKey(it.state))) continue;
    if (it === root) {
      if (it.serviceId) out.set(a.serviceId, it.serviceId);
      if (it.productId) out.set(a.rootAssetId, it.productId);
    } else if (it.ecode && it.productId) {
      if (m.careLevelByEcode(it.ecode)) out.set(a.careLevelAssetId, it.productId);
      const name = a.byEcode[it.ecode];
      if (name) out.set(name, it.productId);
    }
    for (const c of it.characteristics) {
      const name = a.productCharacteristics[c.name];
      if (name) out.set(name, c.value);
    }
  }
  return out;
}

/** BB1 writes dates in its texts as DD-MM-YYYY ("…expected to complete by 24-11-2022"): the end of that day. */
function dateFromText(text: string | undefined): string | undefined {
  const m = text?.match(/\b(\d{2})-(\d{2})-(\d{4})\b/);
  return m ? `${m[3]}-${m[2]}-${m[1]}T23:59:59.000Z` : undefined;
}

function signalOf(
  rule: SignalRule,
  source: string,
  key: string,
  bb1: { text?: string; code?: string } = {},
  tableText = rule.text,
): UpdateSignal {
  const targetDate = rule.targetDateInText ? dateFromText(bb1.text) : undefined;
  return {
    kci: rule.kci,
    status: rule.status as UpdateSignal['status'],
    priority: rule.priority,
    // A code with a date in its text (a moved target date) is news again when the date moves.
    key: targetDate ? `${key}@${targetDate}` : key,
    text: bb1.text ?? tableText,
    ownText: bb1.text !== undefined,
    code: bb1.code,
    setsCommittedDate: rule.setsCommittedDate,
    targetDate,
    source,
    row: rule,
  };
}

type Row = { item?: 'root' | 'any'; ecode?: string; state?: string; subStatus?: string };
const matchesRow = (row: Row, it: { ecode?: string; state?: string; subStatus?: string }) =>
  (!row.ecode || row.ecode === it.ecode) &&
  (!row.state || normaliseKey(row.state) === normaliseKey(it.state)) &&
  (!row.subStatus || normaliseKey(row.subStatus) === normaliseKey(it.subStatus));

/** The order's items after this KSU: a late KSU does not overwrite what a newer one said. */
function itemsAfter(ksu: ParsedKsu, prior: Record<string, KnownItemState>, stale: boolean) {
  const next = { ...prior };
  for (const it of ksu.items) {
    if (!it.ecode) continue;
    const was = prior[it.id];
    if (stale && was) continue;
    next[it.id] = {
      id: it.id,
      internalId: it.internalId ?? was?.internalId,
      ecode: it.ecode,
      parentId: it.parentId,
      state: it.state,
      subStatus: it.subStatus,
    };
  }
  return next;
}

/**
 * What one KSU says about one order, in the connector's words: the signals its codes, item states and
 * appointment fire (by the ksu-codes, ksu-item-states and appointment-statuses tables), the facts it carries
 * (BB1 order id, asset ids, appointment, dates, notes) and the adapter's item state. Pure.
 *
 * BB1 sends snapshots: every KSU repeats the items' states, and often earlier codes. An item row fires when the
 * item enters the state it names (not when a later KSU repeats it); each signal carries a key by which the
 * lifecycle recognises a code or an appointment it has already acted on.
 */
export function interpretKsu(m: Bb1Mappings, ksu: ParsedKsu, order: UpdateContext): SupplierUpdate {
  const t = m.tables['ksu-item-states'];
  const { stale } = order;
  const signals: UpdateSignal[] = [];
  const unmapped: { code: string; text?: string }[] = [];
  const prior: Bb1AdapterState = cloneJson((order.adapterState ?? {}) as Bb1AdapterState);
  const priorItems = prior.items ?? {};
  const items = ksu.items;
  const nextItems = itemsAfter(ksu, priorItems, stale);
  const when = ksu.eventTime ?? ksu.eventId ?? '';

  // Codes: every subCode and every code inside a concatenated message, each with its own text; a code with no
  // row of its own by its severity ("Warning : 2001 : …").
  for (const c of ksu.codes) {
    const rule = m.codeRule(c.code);
    const bb1 = { text: c.text, code: c.code };
    if (rule) {
      signals.push(signalOf(rule, `ksu-codes ${rule.code ?? rule.range?.join('-')}`, `code:${c.code}`, bb1));
      continue;
    }
    unmapped.push({ code: c.code, text: c.text });
    const bySeverity = m.severityRule(c.severity, ksu.eventType);
    if (bySeverity)
      signals.push(signalOf(bySeverity, `ksu-codes severities ${bySeverity.severity}`, `code:${c.code}`, bb1));
  }

  const root = rootItem(m, items);
  const isCancelEvent = ksu.eventType.startsWith('Cancel');
  const isCreateEvent = ksu.eventType === 'ProductOrderCreateEvent';
  const orderStateRow = (rows: typeof t.orderStates) =>
    rows.find((r) => normaliseKey(r.state) === normaliseKey(ksu.orderState));
  if (isCancelEvent) {
    const row = orderStateRow(t.cancelStates);
    if (row) signals.push(signalOf(row, `ksu-item-states cancelStates ${row.state}`, `cancel:${row.state}@${when}`));
  } else if (ksu.orderState) {
    const row = orderStateRow(t.orderStates);
    if (row) signals.push(signalOf(row, `ksu-item-states orderStates ${row.state}`, `order:${row.state}`));
  }

  // Items entering a state a row names (an `any` row fires once per KSU).
  const amendable = Boolean(amendTargets(m, Object.values(nextItems)).install?.internalId);
  for (const it of items) {
    for (const row of t.items) {
      if (row.item === 'root' && it !== root) continue;
      if (!matchesRow(row, it) || signals.some((s) => s.row === row)) continue;
      const was = priorItems[it.id];
      if (was && (stale || matchesRow(row, was))) continue;
      // An action the tenant could not take (amend a chargeband with no managed install) is not asked for.
      const text = row.amends && !amendable ? row.unamendableText : row.text;
      const what = `${row.item}${row.ecode ? ` ${row.ecode}` : ''} ${row.state ?? ''}${row.subStatus ?? ''}`;
      const key = `item:${it.id}:${it.state ?? ''}/${it.subStatus ?? ''}@${when}`;
      signals.push(signalOf(row, `ksu-item-states items ${what}`, key, {}, text));
    }
  }
  // Items leaving a state (the end of a delay): they had it in the KSU before, none has it now.
  if (!stale) {
    for (const row of t.endedSubStatuses) {
      const key = normaliseKey(row.subStatus);
      const left = items.some((it) => normaliseKey(priorItems[it.id]?.subStatus) === key);
      if (left && !items.some((it) => normaliseKey(it.subStatus) === key))
        signals.push(
          signalOf(row, `ksu-item-states endedSubStatuses ${row.subStatus}`, `ended:${row.subStatus}@${when}`),
        );
    }
  }

  // Appointment on the root item.
  let appointment: SupplierUpdate['facts']['appointment'];
  const appt = root?.appointment;
  if (appt) {
    const table = m.tables['appointment-statuses'];
    const known = order.entity.appointmentTimeslot;
    const validSlot = Boolean(appt.start && appt.end && appt.end > appt.start);
    const cleared = table.clearedStatuses.some((c) => normaliseKey(c) === normaliseKey(appt.status));
    const changed = cleared
      ? Boolean(order.entity.appointmentSupplierReference || known)
      : Boolean(
          (appt.reference && appt.reference !== order.entity.appointmentSupplierReference) ||
          (validSlot && (appt.start !== known?.timeslotStartDateTime || appt.end !== known?.timeslotEndDateTime)),
        );
    const row = table.appointmentStatuses.find((r) => normaliseKey(r.appointmentStatus) === normaliseKey(appt.status));
    if (row && (!row.onlyIfChanged || changed) && !stale) {
      const slot = validSlot ? `${appt.start}/${appt.end}` : '';
      signals.push(
        signalOf(
          row,
          `appointment-statuses ${row.appointmentStatus}`,
          `appointment:${row.appointmentStatus}:${appt.reference ?? ''}:${slot}`,
        ),
      );
    }
    appointment = cleared
      ? null
      : { reference: appt.reference, ...(validSlot ? { start: appt.start, end: appt.end } : {}) };
  }

  // A create event says the order exists at BT Wholesale, unless a row of its own says its creation failed.
  if (isCreateEvent && !signals.some((s) => s.status))
    signals.push(signalOf(t.createAccepted, 'ksu-item-states createAccepted', 'created'));
  signals.sort((a, b) => b.priority - a.priority);

  // An order BB1 failed to create has no assets, whatever ids its create event lists.
  const created = !(isCreateEvent && signals.some((sig) => sig.status === 'REJECTED'));
  const chars = created ? assetCharacteristics(m, items) : new Map<string, string>();
  // The root item's date, else the latest on any live item (a care-level modify dates only the care item).
  const itemDate =
    root?.expectedCompletionDate ??
    items
      .filter((i) => normaliseKey(i.action) !== 'delete')
      .map((i) => i.expectedCompletionDate)
      .filter((d): d is string => Boolean(d))
      .sort()
      .pop();
  return {
    eventTime: ksu.eventTime,
    signals,
    codes: [...new Set([...ksu.subCodes, ...ksu.codes.map((c) => c.code)])],
    unmapped,
    codeTexts: ksu.codes.map((c) => ({ code: c.code, text: c.text })),
    facts: {
      supplierOrderId: ksu.bb1OrderId && !isCancelEvent ? ksu.bb1OrderId : undefined,
      characteristics: [...chars],
      serviceId: chars.get(m.tables['asset-ids'].serviceId),
      appointment,
      expectedCompletionDate: itemDate,
      notes: ksu.notes,
    },
    adapterState: { ...prior, items: nextItems } satisfies Bb1AdapterState,
  };
}
