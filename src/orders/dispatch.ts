import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { DispatchConfig } from '../config/env.js';
import type { TenantDirectory } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { FoundOrder, Supplier, SupplierAnswer } from '../suppliers/supplier.js';
import { SupplierError, passThrough } from '../suppliers/errors.js';
import type { Events } from '../platform/events.js';
import { enqueueKci } from '../kci/outbox.js';
import { reason, type KciContent } from '../kci/envelope.js';
import {
  REQUEST_FIELD,
  requestFailed,
  requestStatusAfterSend,
  statusAfterSend,
  type SendOutcome,
} from './lifecycle.js';
import {
  TenantOrders,
  claimOrderSends,
  claimRequestSends,
  markInterruptedSends,
  nextSendDue,
  requestStillClaimed,
  rescheduleRequest,
  settleRequest,
  stillClaimed,
  tenantsWithDueSends,
  updateOrder,
  type SendClaim,
  type StoredOrder,
  type StoredRequest,
} from './order-store.js';
import { placedOrder } from './amend-cancel-order.js';
import { supplierFor } from './tenant-suppliers.js';
import type { OrderRequest } from './order.js';
import { followOrders } from '../services/follow-orders.js';
import { storeAnswerUpdate } from '../ksus/inbox.js';

/** What of a supplier's answer the order's history keeps (the operator's timeline shows it). */
const ANSWER_BODY_LIMIT = 2000;
/** Backoff jitter: ±20 %, so that orders refused together are not tried again together. */
const JITTER = 0.2;

export interface DispatcherDeps {
  db: Db;
  log: Logger;
  tenants: TenantDirectory;
  suppliers: SupplierRegistry;
  events: Events;
}

export type DispatchTuning = DispatchConfig & {
  /** one process alone on its database (embedded): sends left SENDING at start-up were cut short */
  exclusive: boolean;
};

export const DEFAULT_DISPATCH: DispatchTuning = {
  windowS: 900,
  retryBaseMs: 1000,
  retryMaxMs: 60000,
  leaseS: 120,
  concurrency: 32,
  perTenant: 4,
  exclusive: false,
};

/** How a send failed, in the terms the dispatcher decides by. */
type Failure =
  | { kind: 'uncertain'; message: string; timeout: boolean; answer?: SupplierAnswer }
  | { kind: 'transient'; message: string; retryAfterMs?: number; answer?: SupplierAnswer }
  | { kind: 'rejected'; message: string; answer?: SupplierAnswer }
  | { kind: 'failed'; message: string; timeout: boolean; answer?: SupplierAnswer };

function failureOf(e: unknown): Failure {
  if (!(e instanceof SupplierError)) return { kind: 'failed', message: passThrough(e as Error), timeout: false };
  const message = passThrough(e);
  const answer = e.status ? { status: e.status, body: e.message } : undefined;
  if (e.uncertain) return { kind: 'uncertain', message, timeout: e.kind === 'timeout', answer };
  if (e.transient) return { kind: 'transient', message, retryAfterMs: e.retryAfterMs, answer };
  if (e.kind === 'rejected') return { kind: 'rejected', message, answer };
  return { kind: 'failed', message, timeout: e.kind === 'timeout', answer };
}

const historyAnswer = (a: SupplierAnswer | undefined) =>
  a && {
    supplierAnswer: {
      status: a.status,
      body: a.body === undefined ? undefined : JSON.stringify(a.body).slice(0, ANSWER_BODY_LIMIT),
    },
  };

const timedOut = (supplier: string, message: string): KciContent => ({
  updateType: 'ERROR',
  error: {
    uuid: randomUUID(),
    code: 'SUPPLIER_TIMED_OUT',
    messages: [`${supplier} could not confirm in time whether it received the request; last: ${message}`],
  },
});

type Target = { supplier: Supplier; account: unknown };
type OrderClaim = StoredOrder & SendClaim;
type RequestClaim = StoredRequest & SendClaim;
/** What asking the supplier about a send gave: it has it, it has not, or it could not tell. */
type Lookup = { found: FoundOrder } | { found: undefined } | { unknown: string };

/**
 * Sends stored orders, amendments and cancellations to their suppliers, side by side across orders and tenants
 * (at most `perTenant` calls of one tenant and `concurrency` in all; one at a time per order, its requests in
 * the order received), so a slow supplier call delays only its own order.
 *
 * Each send is claimed (SENDING, with a lease, committed) before its call. A transient refusal (429, 503, a
 * refused connection) is tried again with backoff, honouring Retry-After; a permanent one is reported once. A
 * send that may have reached the supplier (a timeout, a reset, a 500/502/504, a process that died mid-call) is
 * never sent blindly again: the supplier is asked whether it has it (`orders.find`), and it is adopted, or sent
 * again with the same externalId. Until a deadline (`windowS` after the first claim): then its tenant gets an
 * ERROR KCI (SUPPLIER_TIMED_OUT, FAILED_TO_SEND) and operators find it UNRESOLVED, to resend, fail or adopt.
 */
export class Dispatcher {
  private readonly tuning: DispatchTuning;
  private scanning = false;
  private again = false;
  private stopped = false;
  private running = 0;
  private readonly byTenant = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private wakeAt?: number;
  private wakeTimer?: NodeJS.Timeout;

  constructor(
    private readonly deps: DispatcherDeps,
    tuning: Partial<DispatchTuning> = {},
  ) {
    this.tuning = { ...DEFAULT_DISPATCH, ...tuning };
  }

  /** Stops taking work and waits for the calls in flight (their outcomes are recorded before this resolves). */
  async drain(): Promise<void> {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Sends left SENDING by a previous process: on an embedded database none can still be running. */
  async recover(): Promise<void> {
    if (this.tuning.exclusive) await markInterruptedSends(this.deps.db);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = true;
    this.track(
      this.scan()
        .catch((e) => this.deps.log.error({ err: e }, 'dispatch failed'))
        .finally(() => {
          this.scanning = false;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        }),
    );
  }

  /** Dispatches everything due now and waits until it is settled (tests and tools). */
  async run(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      this.kick();
      while (this.inFlight.size) await Promise.all([...this.inFlight]);
      if (!(await tenantsWithDueSends(this.deps.db)).length) return;
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private free(tenantId: string): number {
    const { concurrency, perTenant } = this.tuning;
    return Math.min(concurrency - this.running, perTenant - (this.byTenant.get(tenantId) ?? 0));
  }

  private async scan(): Promise<void> {
    const { db } = this.deps;
    const leaseMs = this.tuning.leaseS * 1000;
    const windowMs = this.tuning.windowS * 1000;
    for (const tenantId of await tenantsWithDueSends(db)) {
      if (this.stopped) return;
      let slots = this.free(tenantId);
      if (slots <= 0) continue;
      for (const c of await claimOrderSends(db, tenantId, slots, leaseMs, windowMs))
        this.start(tenantId, () => this.sendOrder(c));
      slots = this.free(tenantId);
      if (slots <= 0) continue;
      for (const c of await claimRequestSends(db, tenantId, slots, leaseMs, windowMs))
        this.start(tenantId, () => this.sendRequest(c));
    }
    await this.wakeForNextDue();
  }

  /** Wakes when the next retry falls due (the service's poll would also find it, but later). */
  private async wakeForNextDue(): Promise<void> {
    const next = await nextSendDue(this.deps.db);
    // Due already: it waits for a slot, and a finishing send kicks the dispatcher again.
    if (!next || this.stopped || Date.parse(next) <= Date.now()) return;
    const at = Date.parse(next);
    if (this.wakeAt !== undefined && this.wakeAt <= at && this.wakeAt > Date.now()) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeAt = undefined;
      this.kick();
    }, at - Date.now());
    this.wakeTimer.unref();
  }

  private start(tenantId: string, work: () => Promise<void>): void {
    this.running += 1;
    this.byTenant.set(tenantId, (this.byTenant.get(tenantId) ?? 0) + 1);
    this.track(
      work()
        .catch((e) => this.deps.log.error({ err: e, tenant: tenantId }, 'dispatch of one send failed'))
        .finally(() => {
          this.running -= 1;
          const n = (this.byTenant.get(tenantId) ?? 1) - 1;
          if (n) this.byTenant.set(tenantId, n);
          else this.byTenant.delete(tenantId);
          this.kick();
        }),
    );
  }

  private target(tenantId: string, supplierId: string): Target | undefined {
    const tenant = this.deps.tenants.get(tenantId);
    if (!tenant) return undefined;
    try {
      return supplierFor(this.deps.suppliers, tenant, supplierId);
    } catch {
      return undefined;
    }
  }

  /** The next attempt's time: doubling backoff with jitter, never before the supplier's Retry-After. */
  private nextAttempt(attempt: number, retryAfterMs?: number): number {
    const { retryBaseMs, retryMaxMs } = this.tuning;
    const backoff = Math.min(retryBaseMs * 2 ** Math.max(0, attempt - 1), retryMaxMs);
    const jittered = backoff * (1 + (Math.random() * 2 - 1) * JITTER);
    return Date.now() + Math.max(jittered, retryAfterMs ?? 0);
  }

  /** Asks the supplier whether it holds the order; a failure to ask is "cannot tell" (never "not there"). */
  private async lookFor(target: Target, order: StoredOrder): Promise<Lookup> {
    const find = target.supplier.orders.find;
    if (!find) return { unknown: `${order.supplier} cannot be asked whether it has an order` };
    try {
      return {
        found: await find.call(target.supplier.orders, target.account, {
          externalId: order.externalId,
          supplierOrderId: order.supplierOrderId,
        }),
      };
    } catch (e) {
      return { unknown: passThrough(e as Error) };
    }
  }

  // ---- Orders -----------------------------------------------------------------------------------------------

  private async sendOrder(c: OrderClaim): Promise<void> {
    const target = this.target(c.tenantId, c.supplier);
    if (!target) {
      // The tenant or its supplier account is gone from the tenants file: nothing can be sent for now.
      return this.rescheduleOrder(c, 'PENDING', this.nextAttempt(c.attempt), 'tenant or supplier not configured');
    }
    let resent = false;
    if (c.was !== 'PENDING') {
      // It may have reached the supplier (a timeout, a reset, a process that died mid-call): ask first.
      const lookup = await this.lookFor(target, c);
      if ('unknown' in lookup) return this.orderStillUncertain(c, lookup.unknown);
      if (lookup.found)
        return this.orderSent(c, lookup.found.supplierOrderId, undefined, 'FOUND', {
          text: `Order sent to ${c.supplier}`,
        });
      resent = true; // not there: sent again, with the same externalId
    }
    try {
      const receipt = await target.supplier.orders.send(target.account, c.outbound);
      await this.orderSent(c, receipt.supplierOrderId, receipt.answer, resent ? 'RESENT' : 'SENT', {
        text: `Order sent to ${c.supplier}`,
      });
      await this.answerSaysMore(c, receipt.update);
    } catch (e) {
      const f = failureOf(e);
      this.deps.log.warn(
        { tenant: c.tenantId, order: c.id, failure: f.kind, status: f.answer?.status },
        `order POST to ${c.supplier} failed`,
      );
      if (f.kind === 'uncertain') return this.orderStillUncertain(c, f.message, f.answer);
      if (f.kind === 'transient') {
        const next = this.nextAttempt(c.attempt, f.retryAfterMs);
        if (next <= Date.parse(c.deadline)) return this.rescheduleOrder(c, 'PENDING', next, f.message, f.answer);
        return this.orderFailed(c, 'FAILED', f.answer, {
          updateType: 'ERROR',
          error: { uuid: randomUUID(), code: 'SUPPLIER_FAULT', messages: [f.message] },
        });
      }
      if (f.kind === 'rejected')
        return this.orderFailed(c, 'REJECTED', f.answer, {
          updateType: 'ACTION_REQUIRED',
          actionRequired: reason('RESUBMIT', { problemCode: 'INVALID_REQUEST', text: f.message }),
        });
      return this.orderFailed(c, 'FAILED', f.answer, {
        updateType: 'ERROR',
        error: { uuid: randomUUID(), code: f.timeout ? 'SUPPLIER_TIMED_OUT' : 'SUPPLIER_FAULT', messages: [f.message] },
      });
    }
  }

  /** Still unknown whether the supplier has it: asked again after a backoff, or, past the deadline, reported. */
  private async orderStillUncertain(c: OrderClaim, message: string, answer?: SupplierAnswer): Promise<void> {
    const next = this.nextAttempt(c.attempt);
    if (next <= Date.parse(c.deadline)) return this.rescheduleOrder(c, 'UNCERTAIN', next, message, answer);
    await this.orderFailed(c, 'UNRESOLVED', answer, timedOut(c.supplier, message), message);
  }

  /** Runs `write` on the claimed order if the claim still holds (a settle never overwrites a newer claim's). */
  private async withClaim(c: OrderClaim, write: (trx: Db, order: StoredOrder) => Promise<void>): Promise<boolean> {
    const done = await this.deps.db.transaction().execute(async (trx) => {
      if (!(await stillClaimed(trx, c, c.attempt))) return false;
      const order = (await new TenantOrders(trx, c.tenantId).getForUpdate(c.id, trx))!;
      await write(trx, order);
      return true;
    });
    if (!done)
      this.deps.log.warn({ tenant: c.tenantId, order: c.id }, 'send settled elsewhere meanwhile; outcome not recorded');
    return done;
  }

  private async rescheduleOrder(
    c: OrderClaim,
    state: 'PENDING' | 'UNCERTAIN',
    at: number,
    message: string,
    answer?: SupplierAnswer,
  ): Promise<void> {
    await this.withClaim(c, (trx, order) =>
      updateOrder(
        trx,
        order,
        { sendState: state, sendNextAt: new Date(at).toISOString(), sendError: message },
        {
          event: state === 'PENDING' ? 'SEND_RETRY_LATER' : 'SEND_UNCERTAIN',
          detail: { ...historyAnswer(answer), error: message, nextAttemptAt: new Date(at).toISOString() },
        },
      ),
    );
  }

  /** The supplier has the order (its answer, or its query found it): SENT, with the gateway's KCI. */
  private async orderSent(
    c: OrderClaim,
    supplierOrderId: string | undefined,
    answer: SupplierAnswer | undefined,
    how: 'SENT' | 'RESENT' | 'FOUND',
    kci: { text: string },
  ): Promise<void> {
    await this.settleOrder(c, 'SENT', supplierOrderId, answer, `SEND_${how}`, {
      updateType: 'INFORMATIONAL',
      information: reason('UPDATE', kci),
    });
  }

  private async orderFailed(
    c: OrderClaim,
    outcome: 'REJECTED' | 'FAILED' | 'UNRESOLVED',
    answer: SupplierAnswer | undefined,
    kci: KciContent,
    error?: string,
  ): Promise<void> {
    await this.settleOrder(c, outcome, undefined, answer, `SEND_${outcome}`, kci, error);
  }

  /** Records the outcome of a send with its gateway-originated KCI, in one transaction. */
  private async settleOrder(
    c: OrderClaim,
    outcome: SendOutcome,
    supplierOrderId: string | undefined,
    answer: SupplierAnswer | undefined,
    event: string,
    kci: KciContent,
    error?: string,
  ): Promise<void> {
    const done = await this.withClaim(c, async (trx, order) => {
      // A supplier update that came while we could not tell proves the supplier has the order.
      if (outcome === 'UNRESOLVED' && (order.supplierOrderId || order.status !== 'RECEIVED_BY_GATEWAY')) {
        outcome = 'SENT';
        event = 'SEND_FOUND';
      }
      const status = statusAfterSend(order.status, outcome);
      const entity = { ...order.entity, status, updated: new Date().toISOString() };
      const learnt = supplierOrderId && !order.supplierOrderId ? supplierOrderId : undefined;
      if (learnt) entity.supplierOrderNumber = learnt;
      await updateOrder(
        trx,
        order,
        {
          status,
          entity,
          sendState: outcome,
          sendNextAt: null,
          sendError: outcome === 'SENT' ? null : (error ?? null),
          ...(learnt ? { supplierOrderId: learnt } : {}),
        },
        { event, detail: historyAnswer(answer) },
      );
      if (status !== order.status)
        await followOrders(trx, [
          { ...order, request: order.request as unknown as OrderRequest, statusBefore: order.status, status, entity },
        ]);
      // A supplier update that came first already told the tenant more (a failure is still reported).
      if (order.status !== 'RECEIVED_BY_GATEWAY' && outcome === 'SENT') return;
      if (order.status !== 'RECEIVED_BY_GATEWAY' && kci.updateType !== 'ERROR') return;
      await enqueueKci(trx, {
        tenantId: order.tenantId,
        orderId: order.id,
        orderType: order.orderType,
        conversationId: order.conversationId,
        supplier: order.supplier,
        content: kci,
        entity,
      });
    });
    if (!done) return;
    const { events } = this.deps;
    events.emit('orders-identified', [{ tenantId: c.tenantId, id: c.id }]);
    events.emit('kcis-enqueued');
    events.emit('updates-stored');
    // The order's amendments and cancellations may now be sent.
    if (outcome === 'SENT') this.kick();
  }

  // ---- Amendments and cancellations ----------------------------------------------------------------------------

  private async sendRequest(r: RequestClaim): Promise<void> {
    const { db } = this.deps;
    const order = await new TenantOrders(db, r.tenantId).get(r.orderId);
    const target = order && this.target(r.tenantId, order.supplier);
    if (!order || !target)
      return this.rescheduleRequest(r, 'PENDING', this.nextAttempt(r.attempt), 'tenant or supplier not configured');
    const { orders } = target.supplier;
    if (r.was !== 'PENDING') {
      const lookup = await this.lookFor(target, order);
      if ('unknown' in lookup) return this.requestStillUncertain(r, order, lookup.unknown);
      if (!lookup.found)
        return this.requestStillUncertain(r, order, `${order.supplier} does not show order ${order.externalId}`);
      if (orders.shows?.(lookup.found, r.kind, r.outbound)) return this.settleRequest(r, 'SENT', '');
      if (!orders.shows)
        return this.requestStillUncertain(r, order, `${order.supplier} cannot show whether it took the request`);
    }
    let answer: SupplierAnswer | undefined;
    let supplierReference: string | undefined;
    let update: unknown;
    try {
      const receipt =
        r.kind === 'AMENDMENT'
          ? await orders.sendAmend(target.account, placedOrder(order), r.outbound)
          : await orders.sendCancel(target.account, placedOrder(order), r.outbound);
      answer = receipt.answer;
      supplierReference = receipt.supplierReference;
      update = receipt.update;
    } catch (e) {
      const f = failureOf(e);
      if (f.kind === 'uncertain') return this.requestStillUncertain(r, order, f.message);
      if (f.kind === 'transient') {
        const next = this.nextAttempt(r.attempt, f.retryAfterMs);
        if (next <= Date.parse(r.deadline)) return this.rescheduleRequest(r, 'PENDING', next, f.message);
        return this.settleRequest(r, 'FAILED', f.message, f.answer);
      }
      return this.settleRequest(r, f.kind === 'rejected' ? 'REJECTED' : 'FAILED', f.message, f.answer);
    }
    await this.settleRequest(r, 'SENT', '', answer, supplierReference);
    await this.answerSaysMore(order, update);
  }

  /**
   * An answer that already says what happened (a Fibre Cafe 201: the order acknowledged, an amendment
   * actioned): stored in the inbox as the supplier's update and applied like one posted later.
   */
  private async answerSaysMore(
    order: { tenantId: string; supplier: string; externalId: string },
    update: unknown,
  ): Promise<void> {
    if (update === undefined) return;
    await storeAnswerUpdate(this.deps.db, order, update);
    this.deps.events.emit('updates-stored');
  }

  private async requestStillUncertain(r: RequestClaim, order: StoredOrder, message: string): Promise<void> {
    const next = this.nextAttempt(r.attempt);
    if (next <= Date.parse(r.deadline)) return this.rescheduleRequest(r, 'UNCERTAIN', next, message);
    await this.settleRequest(r, 'UNRESOLVED', message, undefined, undefined, order.supplier);
  }

  private async rescheduleRequest(
    r: RequestClaim,
    state: 'PENDING' | 'UNCERTAIN',
    at: number,
    message: string,
  ): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      if (!(await requestStillClaimed(trx, r, r.attempt))) return;
      await rescheduleRequest(trx, r, state, new Date(at).toISOString(), message);
    });
  }

  private async settleRequest(
    r: RequestClaim,
    outcome: SendOutcome,
    message: string,
    answer?: SupplierAnswer,
    supplierReference?: string,
    supplier?: string,
  ): Promise<void> {
    const settled = await this.deps.db.transaction().execute(async (trx) => {
      if (!(await requestStillClaimed(trx, r, r.attempt))) return false;
      const order = (await new TenantOrders(trx, r.tenantId).getForUpdate(r.orderId, trx))!;
      // The order shows this request unless the tenant has sent another since.
      const shown = order.entity[REQUEST_FIELD[r.kind]];
      const current = shown?.id === r.id ? shown : undefined;
      // The tenant quotes the supplier's own reference for the request, once the supplier has given one.
      const body = {
        ...r.body,
        ...(supplierReference ? { supplierReference } : {}),
        status: requestStatusAfterSend(outcome, current?.status),
      };
      await settleRequest(trx, r, outcome, body, { nextAt: null, error: outcome === 'SENT' ? null : message });
      const failed = outcome === 'REJECTED' || outcome === 'FAILED' || outcome === 'UNRESOLVED';
      const next = failed
        ? requestFailed(order.status, order.lifecycle)
        : { status: order.status, state: order.lifecycle };
      const entity = {
        ...order.entity,
        status: next.status,
        ...(current || !shown ? { [REQUEST_FIELD[r.kind]]: { ...current, ...body } } : {}),
        updated: new Date().toISOString(),
      };
      await updateOrder(
        trx,
        order,
        { status: next.status, entity, lifecycle: next.state },
        { event: `${r.kind}_${outcome}`, detail: historyAnswer(answer) },
      );
      if (!failed) return true;
      const content: KciContent =
        outcome === 'REJECTED'
          ? {
              updateType: 'ACTION_REQUIRED',
              actionRequired: reason('RESUBMIT', { problemCode: 'INVALID_REQUEST', text: message }),
            }
          : outcome === 'UNRESOLVED'
            ? timedOut(supplier ?? order.supplier, message)
            : { updateType: 'ERROR', error: { uuid: randomUUID(), code: 'SUPPLIER_FAULT', messages: [message] } };
      await enqueueKci(trx, {
        tenantId: r.tenantId,
        orderId: r.orderId,
        orderType: order.orderType,
        conversationId: r.conversationId,
        supplier: order.supplier,
        content,
        entity,
      });
      return true;
    });
    if (settled) this.deps.events.emit('kcis-enqueued');
  }
}
