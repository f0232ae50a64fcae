import type { Bb1Mappings } from '../mappings/indexed.js';
import type { KciSignal, SignalRule } from '../mappings/schema.js';
import { normaliseKey, type KsuItem, type ParsedKsu } from './parse-ksu.js';

/** What the connector keeps about a BB1 order between KSUs. */
export interface Bb1OrderState {
  bb1OrderId?: string;
  items?: Record<
    string,
    { id: string; internalId?: string; ecode: string; parentId?: string; state?: string; subStatus?: string }
  >;
  lastEventTime?: string;
  milestones?: string[];
  reported?: string[];
  statusBeforeRequest?: string;
}

export interface OrderView {
  status: string;
  orderType: string;
  entity: Record<string, unknown>;
  state: Bb1OrderState;
}

export interface KciDraft {
  updateType: 'INFORMATIONAL' | 'ACTION_REQUIRED';
  type: string;
  problemCode?: string;
  text?: string;
  supplierCodes: string[];
  supplierNotes: { note: string; type?: string; created?: string }[];
}

export interface KsuTranslation {
  status: string;
  entity: Record<string, unknown>;
  state: Bb1OrderState;
  kci?: KciDraft;
  unmappedCodes: string[];
  fired: string[];
  /** whether anything the tenant sees in the order entity changed */
  entityChanged: boolean;
  /** the table rows that matched, highest priority first (the first decided the KCI) */
  firedRules: SignalRule[];
  stale: boolean;
}

const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'REJECTED', 'FAILED_TO_SEND']);
const ONCE = new Set(['ACKNOWLEDGED', 'COMMITTED', 'COMPLETED', 'CANCELLED', 'TERMINATED']);
const FORWARD_RANK: Record<string, number> = { RECEIVED_BY_GATEWAY: 0, SENT_TO_SUPPLIER: 1, ACKNOWLEDGED: 2 };

interface Signal {
  rule: SignalRule;
  source: string;
  code?: string;
  bb1Text?: string;
}

// Entities and state are plain JSON (they live in jsonb): a JSON round trip is the cheapest deep copy.
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

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

function setCharacteristics(entity: Record<string, unknown>, orderType: string, chars: Map<string, string>): void {
  if (!chars.size) return;
  const provide = !['MODIFY', 'CEASE'].includes(orderType);
  const holder = provide
    ? ((entity.serviceOrderItem ??= { serviceSpecification: { id: 'FTTP' }, serviceCharacteristics: [] }) as Record<
        string,
        unknown
      >)
    : entity;
  const list = (
    (holder.serviceCharacteristics as { name: string; value: string; action?: string }[] | undefined) ?? []
  ).slice();
  for (const [name, value] of chars) {
    const i = list.findIndex((c) => c.name === name && !c.action);
    if (i >= 0) list[i] = { name, value };
    else list.push({ name, value });
  }
  holder.serviceCharacteristics = list;
}

function dateFromText(text: string | undefined): string | undefined {
  const m = text?.match(/\b(\d{2})-(\d{2})-(\d{4})\b/);
  return m ? `${m[3]}-${m[2]}-${m[1]}T23:59:59.000Z` : undefined;
}

/**
 * One KSU applied to one order: the new status, entity and BB1 state, and the KCI (if the tenant
 * can see anything new). Pure and deterministic, driven by the ksu-* and asset-ids tables.
 */
export function translateKsu(m: Bb1Mappings, ksu: ParsedKsu, order: OrderView, receivedOn: string): KsuTranslation {
  const t = m.tables['ksu-item-states'];
  const entity = clone(order.entity);
  const before = JSON.stringify({ ...order.entity, updated: undefined });
  const state: Bb1OrderState = clone(order.state);
  const eventTime = ksu.eventTime ?? receivedOn;
  const stale = Boolean(state.lastEventTime && eventTime < state.lastEventTime);
  const signals: Signal[] = [];
  const unmapped: string[] = [];
  const fired: string[] = [];

  // Codes: every subCode and every code inside a concatenated message.
  for (const c of ksu.codes) {
    const rule = m.codeRule(c.code);
    if (rule) {
      signals.push({ rule, source: `ksu-codes ${rule.code ?? rule.range?.join('-')}`, code: c.code, bb1Text: c.text });
    } else unmapped.push(c.code);
  }
  const items = ksu.items;
  const root = rootItem(m, items);
  const isCancelEvent = ksu.eventType.startsWith('Cancel');
  if (isCancelEvent) {
    const row = t.cancelStates.find((r) => normaliseKey(r.state) === normaliseKey(ksu.orderState));
    if (row) signals.push({ rule: row, source: `ksu-item-states cancelStates ${row.state}` });
  } else if (ksu.eventType === 'ProductOrderCreateEvent') {
    const row = t.orderStates.find((r) => normaliseKey(r.state) === normaliseKey(ksu.orderState));
    if (row) signals.push({ rule: row, source: `ksu-item-states orderStates ${row.state}` });
    else
      signals.push({
        rule: {
          kci: { updateType: 'INFORMATIONAL', type: 'ACKNOWLEDGED' },
          status: 'ACKNOWLEDGED',
          priority: 9,
          text: 'Order created by BT Wholesale',
        },
        source: 'ProductOrderCreateEvent',
      });
  } else if (ksu.orderState) {
    const row = t.orderStates.find((r) => normaliseKey(r.state) === normaliseKey(ksu.orderState));
    if (row) signals.push({ rule: row, source: `ksu-item-states orderStates ${row.state}` });
  }
  for (const it of items) {
    for (const row of t.items) {
      if (row.item === 'root' && it !== root) continue;
      if (row.state && normaliseKey(row.state) !== normaliseKey(it.state)) continue;
      if (row.subStatus && normaliseKey(row.subStatus) !== normaliseKey(it.subStatus)) continue;
      if (!signals.some((s) => s.rule === row))
        signals.push({
          rule: row,
          source: `ksu-item-states items ${row.item} ${row.state ?? ''}${row.subStatus ?? ''}`.trim(),
        });
    }
  }

  // Appointment on the root item.
  const appt = root?.appointment;
  if (appt) {
    const knownRef = entity.appointmentSupplierReference as string | undefined;
    const knownSlot = entity.appointmentTimeslot as
      { timeslotStartDateTime?: string; timeslotEndDateTime?: string } | undefined;
    const validSlot = appt.start && appt.end && appt.end > appt.start;
    const changed =
      (appt.reference && appt.reference !== knownRef) ||
      (validSlot && (appt.start !== knownSlot?.timeslotStartDateTime || appt.end !== knownSlot?.timeslotEndDateTime));
    const row = m.tables['appointment-statuses'].appointmentStatuses.find(
      (r) => normaliseKey(r.appointmentStatus) === normaliseKey(appt.status),
    );
    if (row && (!row.onlyIfChanged || changed))
      signals.push({ rule: row, source: `appointment-statuses ${row.appointmentStatus}` });
    if (
      !stale &&
      !m.tables['appointment-statuses'].clearedStatuses.some((c) => normaliseKey(c) === normaliseKey(appt.status))
    ) {
      if (appt.reference) entity.appointmentSupplierReference = appt.reference;
      if (validSlot)
        entity.appointmentTimeslot = {
          ...(knownSlot ?? {}),
          timeslotStartDateTime: appt.start,
          timeslotEndDateTime: appt.end,
        };
    }
  }

  signals.sort((a, b) => b.rule.priority - a.rule.priority);
  const primary = signals[0];
  for (const s of signals) fired.push(s.source);

  // Supplier order number, asset ids and characteristics.
  if (ksu.bb1OrderId && !isCancelEvent) {
    state.bb1OrderId ??= ksu.bb1OrderId;
    entity.supplierOrderNumber ??= ksu.bb1OrderId;
  }
  const chars = assetCharacteristics(m, items);
  setCharacteristics(entity, order.orderType, chars);
  const serviceId = chars.get(m.tables['asset-ids'].serviceId);
  if (serviceId && !['MODIFY', 'CEASE'].includes(order.orderType)) entity.serviceId = serviceId;

  // Known items (latest internalIds, needed to amend).
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

  // Dates.
  if (!stale) {
    // The root item's date, else the latest on any live item (a care-level modify dates only the care item).
    const itemDate =
      root?.expectedCompletionDate ??
      items
        .filter((i) => normaliseKey(i.action) !== 'delete')
        .map((i) => i.expectedCompletionDate)
        .filter((d): d is string => Boolean(d))
        .sort()
        .pop();
    const textDate = signals
      .filter((s) => s.rule.targetDateInText)
      .map((s) => dateFromText(s.bb1Text))
      .find(Boolean);
    const expected = textDate ?? itemDate;
    if (expected) entity.targetDate = expected;
    if (signals.some((s) => s.rule.setsCommittedDate) && !entity.committedDate && (itemDate ?? expected)) {
      entity.committedDate = itemDate ?? expected;
    }
  }

  // Status: the highest-priority signal that sets one; never backwards, never out of a terminal state.
  let status = order.status;
  const statusRule = signals.find((s) => s.rule.status);
  if (statusRule && !stale && !TERMINAL.has(order.status)) {
    let target = statusRule.rule.status!;
    if (target === 'PREVIOUS')
      target = state.statusBeforeRequest ?? (order.status.startsWith('PENDING_') ? 'IN_PROGRESS' : order.status);
    const regress =
      target in FORWARD_RANK && order.status in FORWARD_RANK
        ? FORWARD_RANK[target]! < FORWARD_RANK[order.status]!
        : target === 'ACKNOWLEDGED' && !(order.status in FORWARD_RANK);
    if (!regress) status = target;
    if (status !== 'PENDING_AMENDMENT' && status !== 'PENDING_CANCELLATION') delete state.statusBeforeRequest;
  }
  entity.status = status;
  if (!stale || !state.lastEventTime) state.lastEventTime = stale ? state.lastEventTime : eventTime;

  // Which KCI, if any.
  const codes = [...new Set([...ksu.subCodes, ...ksu.codes.map((c) => c.code)])];
  const entityChanged = JSON.stringify({ ...entity, updated: undefined }) !== before;
  const reported = new Set(state.reported ?? []);
  const milestones = new Set(state.milestones ?? []);
  const newCodes = codes.filter((c) => !reported.has(`code:${c}`));
  let signal: KciSignal | undefined = primary?.rule.kci;
  let text = primary ? (primary.bb1Text ?? primary.rule.text) : undefined;
  if (signal && ONCE.has(signal.type) && milestones.has(signal.type)) signal = undefined;
  // A late KSU, or one for an order already closed, cannot announce a milestone or ask for action.
  if (
    signal &&
    (stale || TERMINAL.has(order.status)) &&
    (ONCE.has(signal.type) || signal.updateType === 'ACTION_REQUIRED' || primary?.rule.status)
  )
    signal = undefined;
  if (signal && !ONCE.has(signal.type) && reported.has(`sig:${signal.type}:${codes.join(',')}`) && !entityChanged)
    signal = undefined;
  if (!signal) {
    if (unmapped.some((c) => newCodes.includes(c))) {
      signal = { updateType: 'INFORMATIONAL', type: 'UPDATE' };
      text =
        ksu.codes
          .filter((c) => unmapped.includes(c.code))
          .map((c) => c.text)
          .filter(Boolean)
          .join(' / ') || undefined;
    } else if (entityChanged) {
      signal = { updateType: 'INFORMATIONAL', type: 'ADDITIONAL' };
      text = chars.size ? `Updated: ${[...chars.keys()].join(', ')}` : undefined;
    } else if (newCodes.length) {
      signal = { updateType: 'INFORMATIONAL', type: 'UPDATE' };
      text =
        ksu.codes
          .filter((c) => newCodes.includes(c.code))
          .map((c) => c.text)
          .filter(Boolean)
          .join(' / ') || undefined;
    }
  }
  // The tenant's pending amendment or cancellation request learns its outcome with the order.
  let settled = false;
  const settle = (field: string, to: string) => {
    const req = entity[field] as { status?: string } | undefined;
    if (req && (req.status === 'PENDING' || req.status === 'RECEIVED_BY_GATEWAY')) {
      entity[field] = { ...req, status: to };
      settled = true;
    }
  };
  if (signal?.type === 'AMENDED') settle('serviceOrderAmendment', 'COMPLETED');
  if (signal?.type === 'CANCELLED') settle('serviceOrderCancellation', 'COMPLETED');
  if (signal?.type === 'RESUBMIT' && statusRule?.rule.status === 'PREVIOUS') {
    settle(order.status === 'PENDING_CANCELLATION' ? 'serviceOrderCancellation' : 'serviceOrderAmendment', 'REJECTED');
  }

  let kci: KciDraft | undefined;
  if (signal) {
    kci = {
      updateType: signal.updateType,
      type: signal.type,
      problemCode: signal.problemCode,
      text,
      supplierCodes: codes,
      supplierNotes: ksu.notes,
    };
    if (!kci.problemCode && (signal.type === 'DELAY' || signal.updateType === 'ACTION_REQUIRED'))
      kci.problemCode = 'OTHER';
    if (ONCE.has(signal.type)) milestones.add(signal.type);
    reported.add(`sig:${signal.type}:${codes.join(',')}`);
  }
  for (const c of codes) reported.add(`code:${c}`);
  state.milestones = [...milestones];
  state.reported = [...reported];
  return {
    status,
    entity,
    state,
    kci,
    entityChanged: entityChanged || settled,
    unmappedCodes: unmapped,
    fired,
    firedRules: signals.map((x) => x.rule),
    stale,
  };
}
