import type { SupplierUpdate, UpdateSignal } from '../suppliers/supplier.js';
import {
  isProvide,
  type Amendment,
  type AmendmentRequest,
  type OrderEntity,
  type OrderStatus,
  type RequestStatus,
} from './order.js';
import type { ActionType, ProblemCode } from './vocabulary.js';
import { applyAmendment, clearAppointment, setAppointment, setCharacteristics } from './entity-updates.js';
import { ONCE, kcisOfUpdate, type KciDraft } from './update-kcis.js';
import { cloneJson, jsonEqual } from '../platform/plain-json.js';

export type { KciDraft };

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
  /** what the order waits for the tenant to do (it is PENDING), and the status it had before */
  awaiting?: { type: ActionType; problemCode?: ProblemCode; statusBefore?: OrderStatus };
  /** the tenant's pending amendment: whether it answers `awaiting`, and the appointment it reserved */
  amendment?: { answers: boolean; appointment?: RequestedAppointment };
  /** keys in `reported` of request outcomes (amended, rejected, cancelled): a new request makes them news again */
  requestOutcomes?: string[];
}

/** The slot a tenant's amendment reserved, as the order will show it once the supplier books it. */
export interface RequestedAppointment {
  reference: string;
  start: string;
  end: string;
}

/** Statuses after which nothing moves the order. */
export const TERMINAL: ReadonlySet<OrderStatus> = new Set(['COMPLETED', 'CANCELLED', 'REJECTED', 'FAILED_TO_SEND']);
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

/** Whether an amendment does what the order waits for: a new appointment after REAPPOINT, a chargeband after a cost issue. */
export function answersAwaited(
  awaiting: LifecycleState['awaiting'],
  req: AmendmentRequest,
  reappointed: boolean,
): boolean {
  if (!awaiting) return false;
  if (awaiting.type === 'REAPPOINT') return reappointed;
  if (awaiting.problemCode === 'COST_ISSUE')
    return (req.serviceCharacteristics ?? []).some((c) => c.name === 'ECC_CHARGEBAND' || c.name === 'TRC_CHARGEBAND');
  return awaiting.type === 'INFORMATION_REQUIRED';
}

/**
 * The tenant sent an amendment or cancellation: the order waits for it, remembering where it was (and, for an
 * amendment, whether it answers what the order waits for and which appointment it reserved).
 */
export function requestReceived(
  kind: TenantRequestKind,
  status: OrderStatus,
  state: LifecycleState,
  amendment?: { request: AmendmentRequest; appointment?: RequestedAppointment },
): { status: OrderStatus; state: LifecycleState } {
  // A second request while one is pending keeps the status from before the first.
  const before = isPendingRequest(status) ? state.statusBeforeRequest : status;
  const next: LifecycleState = { ...state, statusBeforeRequest: before };
  // Its outcome will be news, even if the supplier words it as it worded the last one's.
  if (state.requestOutcomes?.length) {
    const outcomes = new Set(state.requestOutcomes);
    next.reported = (state.reported ?? []).filter((k) => !outcomes.has(k));
    delete next.requestOutcomes;
  }
  if (amendment)
    next.amendment = {
      answers: answersAwaited(state.awaiting, amendment.request, Boolean(amendment.appointment)),
      appointment: amendment.appointment ?? state.amendment?.appointment,
    };
  return { status: PENDING_STATUS[kind], state: next };
}

/** The supplier refused the request (or it could not be sent): the order goes back to where it was. */
export function requestFailed(
  status: OrderStatus,
  state: LifecycleState,
): { status: OrderStatus; state: LifecycleState } {
  const next = isPendingRequest(status) ? (state.statusBeforeRequest ?? 'IN_PROGRESS') : status;
  return { status: next, state: { ...state, statusBeforeRequest: undefined, amendment: undefined } };
}

/**
 * The tenant-visible status of a request after its send, by the send's outcome; an outcome the supplier's update
 * already reported (a fast supplier's KSU applied before the send was recorded) stays.
 */
export function requestStatusAfterSend(outcome: SendOutcome, current?: RequestStatus): RequestStatus {
  if (current === 'COMPLETED' || current === 'REJECTED') return current;
  if (outcome === 'SENT' || outcome === 'UNCERTAIN') return 'PENDING';
  return outcome === 'REJECTED' ? 'REJECTED' : 'FAILED_TO_SEND';
}

/** UNRESOLVED: it may have reached the supplier, which could not tell in time; reported as failed to send. */
export type SendOutcome = 'SENT' | 'UNCERTAIN' | 'REJECTED' | 'FAILED' | 'UNRESOLVED';

/** The order's status once its send is settled; an update that came first (a fast supplier) keeps its later status. */
export function statusAfterSend(current: OrderStatus, outcome: SendOutcome): OrderStatus {
  if (current !== 'RECEIVED_BY_GATEWAY') return current;
  if (outcome === 'REJECTED') return 'REJECTED';
  return outcome === 'FAILED' || outcome === 'UNRESOLVED' ? 'FAILED_TO_SEND' : 'SENT_TO_SUPPLIER';
}

/** An update is stale when it is older than one already applied. */
export const isStale = (state: LifecycleState, eventTime: string) =>
  Boolean(state.lastEventTime && eventTime < state.lastEventTime);

export interface UpdateOutcome {
  status: OrderStatus;
  entity: OrderEntity;
  state: LifecycleState;
  /** the KCIs the update gives, in the order they are sent (none when the tenant learns nothing) */
  kcis: KciDraft[];
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

// Entities and state are plain JSON (they live in jsonb).
const clone = cloneJson;

/** Statuses in which the order waits on the tenant (for its action, or for its request's outcome). */
const isBlocked = (s: OrderStatus) => s === 'PENDING' || isPendingRequest(s);
/** Outcomes of a tenant's request: once reported, only a new request makes them news again. */
const REQUEST_OUTCOMES = new Set(['AMENDED', 'RESUBMIT', 'CANCELLED']);

/** The status a PREVIOUS signal restores: where the order was before the tenant's request, or before it waited. */
function restoredStatus(order: OrderAtUpdate, signal: UpdateSignal): OrderStatus {
  const s = order.state;
  // The amendment did what the order waited for (the tenant re-appointed, raised the band): it is unblocked.
  if (signal.kci?.type === 'AMENDED' && s.amendment?.answers && s.awaiting)
    return s.awaiting.statusBefore ?? 'IN_PROGRESS';
  return s.statusBeforeRequest ?? (isPendingRequest(order.status) ? 'IN_PROGRESS' : order.status);
}

/** A status the update moves the order to: never back along the start of the journey. */
function forwardStatus(now: OrderStatus, target: OrderStatus): OrderStatus {
  const rankTarget = FORWARD_RANK[target];
  const rankNow = FORWARD_RANK[now];
  const regress =
    rankTarget !== undefined && rankNow !== undefined
      ? rankTarget < rankNow
      : target === 'ACKNOWLEDGED' && rankNow === undefined;
  return regress ? now : target;
}

/** The status the order worked in before it waited on the tenant (what answering the wait restores). */
function workingStatus(order: OrderAtUpdate): OrderStatus | undefined {
  const working = isPendingRequest(order.status) ? order.state.statusBeforeRequest : order.status;
  return working === 'PENDING' ? order.state.awaiting?.statusBefore : working;
}

const sameAppointment = (req: RequestedAppointment | undefined, got: SupplierUpdate['facts']['appointment']) =>
  Boolean(
    req &&
    got &&
    ((got.reference && got.reference === req.reference) || (got.start === req.start && got.end === req.end)),
  );

/**
 * One supplier update applied to one order: the new status, entity and lifecycle state, and the KCIs (none if
 * the tenant can see nothing new). Pure and deterministic.
 */
export function applyUpdate(order: OrderAtUpdate, u: SupplierUpdate, receivedOn: string): UpdateOutcome {
  const entity = clone(order.entity);
  const state: LifecycleState = clone(order.state);
  const eventTime = u.eventTime ?? receivedOn;
  const stale = isStale(state, eventTime);
  const closed = stale || TERMINAL.has(order.status);
  const { facts } = u;
  const reported = new Set(state.reported ?? []);
  const milestones = new Set(state.milestones ?? []);

  // What is news: a signal the order has not acted on (suppliers repeat earlier codes and states). RESUMED ends
  // a hold, so it means nothing to an order not held; the appointment the tenant's own amendment reserved is not
  // a reappointment by the supplier.
  const ownAppointment = sameAppointment(state.amendment?.appointment, facts.appointment);
  const signals = u.signals.filter(
    (s) =>
      !reported.has(s.key) &&
      !(s.kci?.type === 'RESUMED' && order.status !== 'HELD') &&
      !(s.kci?.type === 'REAPPOINTED' && ownAppointment),
  );

  // Facts: the supplier's order number, the appointment, asset ids and characteristics, dates.
  if (facts.supplierOrderId) entity.supplierOrderNumber ??= facts.supplierOrderId;
  if (!stale && facts.appointment === null) clearAppointment(entity);
  else if (!stale && facts.appointment) setAppointment(entity, facts.appointment);
  setCharacteristics(entity, order.orderType, facts.characteristics, stale);
  if (facts.serviceId && isProvide(order.orderType)) entity.serviceId = facts.serviceId;
  if (!stale) {
    const expected = signals.map((s) => s.targetDate).find(Boolean) ?? facts.expectedCompletionDate;
    if (expected) entity.targetDate = expected;
    const committed = facts.expectedCompletionDate ?? expected;
    if (signals.some((s) => s.setsCommittedDate) && !entity.committedDate && committed)
      entity.committedDate = committed;
  }

  // Status: the highest-priority signal that sets one; never backwards, never out of a terminal state.
  let status = order.status;
  const statusSignal = closed ? undefined : signals.find((s) => s.status);
  if (statusSignal) {
    status =
      statusSignal.status === 'PREVIOUS'
        ? restoredStatus(order, statusSignal)
        : forwardStatus(order.status, statusSignal.status!);
    if (!isPendingRequest(status)) delete state.statusBeforeRequest;
  }
  entity.status = status;
  if (!stale) state.lastEventTime = eventTime;

  const kcis = kcisOfUpdate({
    signals,
    statusSignal,
    closed,
    ends: TERMINAL.has(status) && !TERMINAL.has(order.status),
    statusAfter: status,
    milestones,
    codes: u.codes,
    newCodes: new Set(u.codes.filter((c) => !reported.has(`code:${c}`))),
    unmapped: u.unmapped,
    codeTexts: u.codeTexts,
    entityChanged: !jsonEqual(entity, order.entity, 'updated'),
    characteristics: facts.characteristics,
    notes: facts.notes,
  });
  const types = new Set(kcis.map((k) => k.type));

  // What the order waits for now: the action a KCI asks for, until the order is no longer waiting on the tenant.
  const action = kcis.find((k) => k.updateType === 'ACTION_REQUIRED' && k.type !== 'RESUBMIT');
  if (status === 'PENDING' && action)
    state.awaiting = {
      type: action.type as ActionType,
      problemCode: action.problemCode,
      statusBefore: workingStatus(order),
    };
  else if (!isBlocked(status)) delete state.awaiting;

  // The tenant's pending amendment or cancellation learns its outcome with the order; an amendment actioned is
  // applied to the order (with the appointment it reserved, unless the update says which one was booked).
  let settled = false;
  const settle = (field: (typeof REQUEST_FIELD)[TenantRequestKind], to: RequestStatus) => {
    const req = entity[field];
    if (req && (req.status === 'PENDING' || req.status === 'RECEIVED_BY_GATEWAY')) {
      entity[field] = { ...req, status: to } as never;
      settled = true;
      return true;
    }
    return false;
  };
  if (types.has('AMENDED') && settle(REQUEST_FIELD.AMENDMENT, 'COMPLETED'))
    applyAmendment(
      entity,
      order.orderType,
      entity.serviceOrderAmendment as Amendment,
      facts.appointment === undefined ? state.amendment?.appointment : undefined,
    );
  if (types.has('CANCELLED')) settle(REQUEST_FIELD.CANCELLATION, 'COMPLETED');
  if (types.has('RESUBMIT') && statusSignal?.status === 'PREVIOUS') {
    settle(order.status === 'PENDING_CANCELLATION' ? REQUEST_FIELD.CANCELLATION : REQUEST_FIELD.AMENDMENT, 'REJECTED');
  }
  if (!isPendingRequest(status)) delete state.amendment;

  for (const k of kcis) if (ONCE.has(k.type)) milestones.add(k.type);
  const outcomes = new Set(state.requestOutcomes ?? []);
  for (const s of signals) {
    reported.add(s.key);
    if (s.kci && REQUEST_OUTCOMES.has(s.kci.type)) outcomes.add(s.key);
  }
  for (const c of u.codes) reported.add(`code:${c}`);
  state.milestones = [...milestones];
  state.reported = [...reported];
  if (outcomes.size) state.requestOutcomes = [...outcomes];
  const entityChanged = settled || !jsonEqual(entity, order.entity, 'updated');
  return { status, entity, state, kcis, entityChanged, stale };
}
