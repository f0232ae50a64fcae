import type { KciSignal, SupplierNote, SupplierUpdate } from '../suppliers/supplier.js';
import { isProvide, type OrderEntity, type OrderStatus, type RequestStatus } from './order.js';
import type { ProblemCode } from './vocabulary.js';

/**
 * The order lifecycle: the one place for order statuses, what may follow what, the milestones already
 * reported and the tenant's pending amendment or cancellation. Supplier-neutral and pure: the KSU applier,
 * the dispatcher and the amend/cancel use cases all decide through these functions.
 */

/** What the connector keeps about an order's lifecycle (stored in `orders.lifecycle`, apart from the adapter's state). */
export interface LifecycleState {
  /** the supplier time of the newest update applied: an older one never moves the order backwards */
  lastEventTime?: string;
  /** milestone KCIs already sent (each is sent once) */
  milestones?: string[];
  /** what was already reported: `code:<code>` and `sig:<type>:<codes>` */
  reported?: string[];
  /** the status before the tenant's pending amendment or cancellation, restored when it fails */
  statusBeforeRequest?: OrderStatus;
}

/** Statuses after which nothing moves the order. */
export const TERMINAL: ReadonlySet<OrderStatus> = new Set(['COMPLETED', 'CANCELLED', 'REJECTED', 'FAILED_TO_SEND']);
/** Milestones reported at most once per order. */
const ONCE = new Set(['ACKNOWLEDGED', 'COMMITTED', 'COMPLETED', 'CANCELLED', 'TERMINATED']);
/** The start of the journey, in order: an update may not take the order back along it. */
const FORWARD_RANK: Partial<Record<OrderStatus, number>> = {
  RECEIVED_BY_GATEWAY: 0,
  SENT_TO_SUPPLIER: 1,
  ACKNOWLEDGED: 2,
};

export const AMENDABLE: readonly OrderStatus[] = [
  'ACKNOWLEDGED',
  'IN_PROGRESS',
  'PENDING',
  'HELD',
  'PENDING_AMENDMENT',
];
export const CANCELLABLE: readonly OrderStatus[] = [...AMENDABLE, 'SENT_TO_SUPPLIER'];

const isPendingRequest = (s: OrderStatus) => s === 'PENDING_AMENDMENT' || s === 'PENDING_CANCELLATION';

export type TenantRequestKind = 'AMENDMENT' | 'CANCELLATION';
export const REQUEST_FIELD = { AMENDMENT: 'serviceOrderAmendment', CANCELLATION: 'serviceOrderCancellation' } as const;
const PENDING_STATUS: Record<TenantRequestKind, OrderStatus> = {
  AMENDMENT: 'PENDING_AMENDMENT',
  CANCELLATION: 'PENDING_CANCELLATION',
};

/** Whether the tenant may send this request now; the message names the statuses that allow it. */
export function refusalOf(kind: TenantRequestKind, orderId: number, status: OrderStatus): string | undefined {
  const allowed = kind === 'AMENDMENT' ? AMENDABLE : CANCELLABLE;
  if (allowed.includes(status)) return undefined;
  const what = kind === 'AMENDMENT' ? 'amendments' : 'cancellations';
  return `orderId: order ${orderId} is ${status}; ${what} are accepted while it is ${allowed.join(', ')}`;
}

/** The tenant sent an amendment or cancellation: the order waits for it, remembering where it was. */
export function requestReceived(
  kind: TenantRequestKind,
  status: OrderStatus,
  state: LifecycleState,
): { status: OrderStatus; state: LifecycleState } {
  // A second request while one is pending keeps the status from before the first.
  const before = isPendingRequest(status) ? state.statusBeforeRequest : status;
  return { status: PENDING_STATUS[kind], state: { ...state, statusBeforeRequest: before } };
}

/** The supplier refused the request (or it could not be sent): the order goes back to where it was. */
export function requestFailed(
  status: OrderStatus,
  state: LifecycleState,
): { status: OrderStatus; state: LifecycleState } {
  const next = isPendingRequest(status) ? (state.statusBeforeRequest ?? 'IN_PROGRESS') : status;
  return { status: next, state: { ...state, statusBeforeRequest: undefined } };
}

/** The tenant-visible status of a request after its send, by the send's outcome. */
export function requestStatusAfterSend(outcome: SendOutcome): RequestStatus {
  if (outcome === 'SENT' || outcome === 'UNCERTAIN') return 'PENDING';
  return outcome === 'REJECTED' ? 'REJECTED' : 'FAILED_TO_SEND';
}

export type SendOutcome = 'SENT' | 'UNCERTAIN' | 'REJECTED' | 'FAILED';

/** The order's status once its send is settled; an update that came first (a fast supplier) keeps its later status. */
export function statusAfterSend(current: OrderStatus, outcome: SendOutcome): OrderStatus {
  if (current !== 'RECEIVED_BY_GATEWAY') return current;
  return outcome === 'REJECTED' ? 'REJECTED' : outcome === 'FAILED' ? 'FAILED_TO_SEND' : 'SENT_TO_SUPPLIER';
}

/** An update is stale when it is older than one already applied. */
export const isStale = (state: LifecycleState, eventTime: string) =>
  Boolean(state.lastEventTime && eventTime < state.lastEventTime);

export interface KciDraft {
  updateType: 'INFORMATIONAL' | 'ACTION_REQUIRED';
  type: KciSignal['type'];
  problemCode?: ProblemCode;
  text?: string;
  supplierCodes: string[];
  supplierNotes: SupplierNote[];
}

export interface UpdateOutcome {
  status: OrderStatus;
  entity: OrderEntity;
  state: LifecycleState;
  kci?: KciDraft;
  /** whether anything the tenant sees in the order entity changed */
  entityChanged: boolean;
  stale: boolean;
}

export interface OrderAtUpdate {
  status: OrderStatus;
  orderType: string;
  entity: OrderEntity;
  state: LifecycleState;
}

// Entities and state are plain JSON (they live in jsonb): a JSON round trip is the cheapest deep copy.
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function setCharacteristics(entity: OrderEntity, orderType: string, chars: [string, string][]): void {
  if (!chars.length) return;
  const holder = isProvide(orderType)
    ? (entity.serviceOrderItem ??= { serviceSpecification: { id: 'FTTP' }, serviceCharacteristics: [] })
    : entity;
  const list = (holder.serviceCharacteristics ?? []).slice();
  for (const [name, value] of chars) {
    const i = list.findIndex((c) => c.name === name && !c.action);
    if (i >= 0) list[i] = { name, value };
    else list.push({ name, value });
  }
  holder.serviceCharacteristics = list;
}

/**
 * One supplier update applied to one order: the new status, entity and lifecycle state, and the KCI (if the
 * tenant can see anything new). Pure and deterministic.
 */
export function applyUpdate(order: OrderAtUpdate, u: SupplierUpdate, receivedOn: string): UpdateOutcome {
  const entity = clone(order.entity);
  const before = JSON.stringify({ ...order.entity, updated: undefined });
  const state: LifecycleState = clone(order.state);
  const eventTime = u.eventTime ?? receivedOn;
  const stale = isStale(state, eventTime);
  const { facts } = u;
  const primary = u.signals[0];

  // Facts: the supplier's order number, the appointment, asset ids and characteristics, dates.
  if (facts.supplierOrderId) entity.supplierOrderNumber ??= facts.supplierOrderId;
  if (!stale && facts.appointment) {
    const a = facts.appointment;
    if (a.reference) entity.appointmentSupplierReference = a.reference;
    if (a.start && a.end) {
      entity.appointmentTimeslot = {
        ...(entity.appointmentTimeslot ?? {}),
        timeslotStartDateTime: a.start,
        timeslotEndDateTime: a.end,
      } as OrderEntity['appointmentTimeslot'];
    }
  }
  setCharacteristics(entity, order.orderType, facts.characteristics);
  if (facts.serviceId && isProvide(order.orderType)) entity.serviceId = facts.serviceId;
  if (!stale) {
    const expected = u.signals.map((s) => s.targetDate).find(Boolean) ?? facts.expectedCompletionDate;
    if (expected) entity.targetDate = expected;
    const committed = facts.expectedCompletionDate ?? expected;
    if (u.signals.some((s) => s.setsCommittedDate) && !entity.committedDate && committed)
      entity.committedDate = committed;
  }

  // Status: the highest-priority signal that sets one; never backwards, never out of a terminal state.
  let status = order.status;
  const statusSignal = u.signals.find((s) => s.status);
  if (statusSignal && !stale && !TERMINAL.has(order.status)) {
    let target = statusSignal.status!;
    if (target === 'PREVIOUS')
      target = state.statusBeforeRequest ?? (isPendingRequest(order.status) ? 'IN_PROGRESS' : order.status);
    const rankTarget = FORWARD_RANK[target];
    const rankNow = FORWARD_RANK[order.status];
    const regress =
      rankTarget !== undefined && rankNow !== undefined
        ? rankTarget < rankNow
        : target === 'ACKNOWLEDGED' && rankNow === undefined;
    if (!regress) status = target;
    if (!isPendingRequest(status)) delete state.statusBeforeRequest;
  }
  entity.status = status;
  if (!stale) state.lastEventTime = eventTime;

  // Which KCI, if any.
  const codes = u.codes;
  const entityChanged = JSON.stringify({ ...entity, updated: undefined }) !== before;
  const reported = new Set(state.reported ?? []);
  const milestones = new Set(state.milestones ?? []);
  const newCodes = codes.filter((c) => !reported.has(`code:${c}`));
  let signal: KciSignal | undefined = primary?.kci;
  let text = primary?.text;
  if (signal && ONCE.has(signal.type) && milestones.has(signal.type)) signal = undefined;
  // A late update, or one for an order already closed, cannot announce a milestone or ask for action.
  const closed = stale || TERMINAL.has(order.status);
  if (signal && closed && (ONCE.has(signal.type) || signal.updateType === 'ACTION_REQUIRED' || primary?.status))
    signal = undefined;
  if (signal && !ONCE.has(signal.type) && reported.has(`sig:${signal.type}:${codes.join(',')}`) && !entityChanged)
    signal = undefined;
  const textsOf = (list: { code: string; text?: string }[]) =>
    list
      .map((c) => c.text)
      .filter(Boolean)
      .join(' / ') || undefined;
  if (!signal) {
    if (u.unmapped.some((c) => newCodes.includes(c.code))) {
      signal = { updateType: 'INFORMATIONAL', type: 'UPDATE' };
      text = textsOf(u.unmapped);
    } else if (entityChanged) {
      signal = { updateType: 'INFORMATIONAL', type: 'ADDITIONAL' };
      text = facts.characteristics.length ? `Updated: ${facts.characteristics.map(([k]) => k).join(', ')}` : undefined;
    } else if (newCodes.length) {
      signal = { updateType: 'INFORMATIONAL', type: 'UPDATE' };
      text = textsOf(u.codeTexts.filter((c) => newCodes.includes(c.code)));
    }
  }

  // The tenant's pending amendment or cancellation request learns its outcome with the order.
  let settled = false;
  const settle = (field: (typeof REQUEST_FIELD)[TenantRequestKind], to: RequestStatus) => {
    const req = entity[field];
    if (req && (req.status === 'PENDING' || req.status === 'RECEIVED_BY_GATEWAY')) {
      entity[field] = { ...req, status: to } as never;
      settled = true;
    }
  };
  if (signal?.type === 'AMENDED') settle(REQUEST_FIELD.AMENDMENT, 'COMPLETED');
  if (signal?.type === 'CANCELLED') settle(REQUEST_FIELD.CANCELLATION, 'COMPLETED');
  if (signal?.type === 'RESUBMIT' && statusSignal?.status === 'PREVIOUS') {
    settle(order.status === 'PENDING_CANCELLATION' ? REQUEST_FIELD.CANCELLATION : REQUEST_FIELD.AMENDMENT, 'REJECTED');
  }

  let kci: KciDraft | undefined;
  if (signal) {
    kci = {
      updateType: signal.updateType,
      type: signal.type,
      problemCode: signal.problemCode,
      text,
      supplierCodes: codes,
      supplierNotes: facts.notes,
    };
    if (!kci.problemCode && (signal.type === 'DELAY' || signal.updateType === 'ACTION_REQUIRED'))
      kci.problemCode = 'OTHER';
    if (ONCE.has(signal.type)) milestones.add(signal.type);
    reported.add(`sig:${signal.type}:${codes.join(',')}`);
  }
  for (const c of codes) reported.add(`code:${c}`);
  state.milestones = [...milestones];
  state.reported = [...reported];
  return { status, entity, state, kci, entityChanged: entityChanged || settled, stale };
}
