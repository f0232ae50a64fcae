import type { Bb1Mappings } from '../mappings/indexed.js';
import type { SignalRule } from '../mappings/schema.js';
import type { OrderEntity } from '../../../orders/order.js';
import type { SupplierUpdate, UpdateContext, UpdateSignal } from '../../supplier.js';
import { normaliseKey, type KsuItem, type ParsedKsu } from './parse-ksu.js';

/** What the BB1 adapter keeps about an order between KSUs (its own state; the lifecycle's is apart). */
export interface Bb1AdapterState {
  /** what the provide or modify was planned as */
  technology?: string;
  ecode?: string;
  /** the order's items as BB1 last reported them: their latest internalIds are needed to amend */
  items?: Record<
    string,
    { id: string; internalId?: string; ecode: string; parentId?: string; state?: string; subStatus?: string }
  >;
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

const signalOf = (rule: SignalRule, source: string, bb1Text?: string): UpdateSignal => ({
  kci: rule.kci,
  status: rule.status as UpdateSignal['status'],
  priority: rule.priority,
  text: bb1Text ?? rule.text,
  setsCommittedDate: rule.setsCommittedDate,
  targetDate: rule.targetDateInText ? dateFromText(bb1Text) : undefined,
  source,
  row: rule,
});

/**
 * What one KSU says about one order, in the connector's words: the signals its codes, item states and
 * appointment fire (by the ksu-codes, ksu-item-states and appointment-statuses tables), the facts it carries
 * (BB1 order id, asset ids, appointment, dates, notes) and the adapter's item state. Pure.
 */
export function interpretKsu(m: Bb1Mappings, ksu: ParsedKsu, order: UpdateContext): SupplierUpdate {
  const t = m.tables['ksu-item-states'];
  const { stale } = order;
  const signals: UpdateSignal[] = [];
  const unmapped: { code: string; text?: string }[] = [];

  // Codes: every subCode and every code inside a concatenated message.
  for (const c of ksu.codes) {
    const rule = m.codeRule(c.code);
    if (rule) signals.push(signalOf(rule, `ksu-codes ${rule.code ?? rule.range?.join('-')}`, c.text));
    else unmapped.push({ code: c.code, text: c.text });
  }
  const items = ksu.items;
  const root = rootItem(m, items);
  const isCancelEvent = ksu.eventType.startsWith('Cancel');
  const orderStateRow = (rows: typeof t.orderStates) =>
    rows.find((r) => normaliseKey(r.state) === normaliseKey(ksu.orderState));
  if (isCancelEvent) {
    const row = orderStateRow(t.cancelStates);
    if (row) signals.push(signalOf(row, `ksu-item-states cancelStates ${row.state}`));
  } else if (ksu.eventType === 'ProductOrderCreateEvent') {
    const row = orderStateRow(t.orderStates);
    if (row) signals.push(signalOf(row, `ksu-item-states orderStates ${row.state}`));
    else
      signals.push({
        kci: { updateType: 'INFORMATIONAL', type: 'ACKNOWLEDGED' },
        status: 'ACKNOWLEDGED',
        priority: 9,
        text: 'Order created by BT Wholesale',
        source: 'ProductOrderCreateEvent',
      });
  } else if (ksu.orderState) {
    const row = orderStateRow(t.orderStates);
    if (row) signals.push(signalOf(row, `ksu-item-states orderStates ${row.state}`));
  }
  for (const it of items) {
    for (const row of t.items) {
      if (row.item === 'root' && it !== root) continue;
      if (row.state && normaliseKey(row.state) !== normaliseKey(it.state)) continue;
      if (row.subStatus && normaliseKey(row.subStatus) !== normaliseKey(it.subStatus)) continue;
      if (!signals.some((s) => s.row === row))
        signals.push(
          signalOf(row, `ksu-item-states items ${row.item} ${row.state ?? ''}${row.subStatus ?? ''}`.trim()),
        );
    }
  }

  // Appointment on the root item.
  let appointment: SupplierUpdate['facts']['appointment'];
  const appt = root?.appointment;
  if (appt) {
    const entity: OrderEntity = order.entity;
    const knownSlot = entity.appointmentTimeslot;
    const validSlot = Boolean(appt.start && appt.end && appt.end > appt.start);
    const changed =
      (appt.reference && appt.reference !== entity.appointmentSupplierReference) ||
      (validSlot && (appt.start !== knownSlot?.timeslotStartDateTime || appt.end !== knownSlot?.timeslotEndDateTime));
    const table = m.tables['appointment-statuses'];
    const row = table.appointmentStatuses.find((r) => normaliseKey(r.appointmentStatus) === normaliseKey(appt.status));
    if (row && (!row.onlyIfChanged || changed))
      signals.push(signalOf(row, `appointment-statuses ${row.appointmentStatus}`));
    if (!table.clearedStatuses.some((c) => normaliseKey(c) === normaliseKey(appt.status))) {
      appointment = { reference: appt.reference, ...(validSlot ? { start: appt.start, end: appt.end } : {}) };
    }
  }
  signals.sort((a, b) => b.priority - a.priority);

  // Known items (latest internalIds, needed to amend): a late KSU does not overwrite what a newer one said.
  const state = JSON.parse(JSON.stringify(order.adapterState ?? {})) as Bb1AdapterState;
  state.items ??= {};
  for (const it of items) {
    if (!it.ecode) continue;
    const prior = state.items[it.id];
    if (stale && prior) continue;
    state.items[it.id] = {
      id: it.id,
      internalId: it.internalId ?? prior?.internalId,
      ecode: it.ecode,
      parentId: it.parentId,
      state: it.state,
      subStatus: it.subStatus,
    };
  }

  const chars = assetCharacteristics(m, items);
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
    adapterState: state,
  };
}
