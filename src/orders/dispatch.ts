import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { TenantDirectory } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { SupplierAnswer } from '../suppliers/supplier.js';
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
  claimOrdersToSend,
  claimRequestsToSend,
  markInterruptedSends,
  settleRequest,
  updateOrder,
  type StoredOrder,
  type StoredRequest,
} from './order-store.js';
import { placedOrder } from './amend-cancel-order.js';
import { supplierFor } from './tenant-suppliers.js';
import type { OrderRequest } from './order.js';
import { followOrders } from '../services/follow-orders.js';
import { storeAnswerUpdate } from '../ksus/inbox.js';

/** Orders claimed for sending at a time. */
const ORDER_BATCH = 10;
/** What of a supplier's answer the order's history keeps (the operator's timeline shows it). */
const ANSWER_BODY_LIMIT = 2000;

export interface DispatcherDeps {
  db: Db;
  log: Logger;
  tenants: TenantDirectory;
  suppliers: SupplierRegistry;
  events: Events;
}

/** How a send failed, as the order's history and the tenant's KCI tell it. */
function outcomeOf(e: unknown): { outcome: SendOutcome; message: string; timeout: boolean } {
  const err = e as Error;
  if (e instanceof SupplierError) {
    const outcome = e.uncertain ? 'UNCERTAIN' : e.kind === 'rejected' ? 'REJECTED' : 'FAILED';
    return { outcome, message: passThrough(e), timeout: e.kind === 'timeout' };
  }
  return { outcome: 'FAILED', message: passThrough(err), timeout: false };
}

const historyAnswer = (a: SupplierAnswer | undefined) =>
  a && {
    supplierAnswer: {
      status: a.status,
      body: a.body === undefined ? undefined : JSON.stringify(a.body).slice(0, ANSWER_BODY_LIMIT),
    },
  };

/**
 * Sends stored orders, amendments and cancellations to their suppliers. Each is marked SENDING (committed)
 * before the call; one found SENDING after a crash, or whose call timed out, may have reached the supplier,
 * so it becomes UNCERTAIN and is never re-sent: the supplier's first update (matched by externalId) settles it.
 */
export class Dispatcher {
  private busy = false;
  private again = false;
  private stopped = false;
  private current?: Promise<void>;
  constructor(private readonly deps: DispatcherDeps) {}

  /** Stops taking work and waits for the send in flight (its outcome is recorded before this resolves). */
  async drain(): Promise<void> {
    this.stopped = true;
    await this.current;
  }

  /** Sends left SENDING by a previous process. */
  recover(): Promise<void> {
    return markInterruptedSends(this.deps.db);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.current = this.run()
      .catch((e) => this.deps.log.error({ err: e }, 'dispatch failed'))
      .finally(() => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async run(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const n = (await this.sendOrders()) + (await this.sendRequests());
      if (n === 0) return;
    }
  }

  private target(tenantId: string, supplierId: string) {
    const tenant = this.deps.tenants.get(tenantId);
    return tenant ? supplierFor(this.deps.suppliers, tenant, supplierId) : undefined;
  }

  private async sendOrders(): Promise<number> {
    const rows = await claimOrdersToSend(this.deps.db, ORDER_BATCH);
    for (const order of rows) {
      const target = this.target(order.tenantId, order.supplier);
      if (!target) continue;
      try {
        const receipt = await target.supplier.orders.send(target.account, order.outbound);
        await this.settle(order, 'SENT', receipt.supplierOrderId, receipt.answer, {
          updateType: 'INFORMATIONAL',
          information: reason('UPDATE', { text: `Order sent to ${order.supplier}` }),
        });
        if (receipt.update !== undefined) {
          await storeAnswerUpdate(this.deps.db, order, receipt.update);
          this.deps.events.emit('updates-stored');
        }
      } catch (e) {
        const { outcome, message, timeout } = outcomeOf(e);
        const err = e as SupplierError;
        this.deps.log.warn(
          { tenant: order.tenantId, order: order.id, kind: err.kind, status: err.status, uncertain: err.uncertain },
          `order POST to ${order.supplier} failed`,
        );
        const answer = err.status ? { status: err.status, body: err.message } : undefined;
        if (outcome === 'UNCERTAIN') {
          await this.settle(order, outcome, undefined, answer, {
            updateType: 'INFORMATIONAL',
            information: reason('UPDATE', { text: `Order sent to ${order.supplier}; awaiting its confirmation` }),
          });
        } else if (outcome === 'REJECTED') {
          await this.settle(order, outcome, undefined, answer, {
            updateType: 'ACTION_REQUIRED',
            actionRequired: reason('RESUBMIT', { problemCode: 'INVALID_REQUEST', text: message }),
          });
        } else {
          const code = timeout ? 'SUPPLIER_TIMED_OUT' : 'SUPPLIER_FAULT';
          await this.settle(order, outcome, undefined, answer, {
            updateType: 'ERROR',
            error: { uuid: randomUUID(), code, messages: [message] },
          });
        }
      }
    }
    return rows.length;
  }

  /** Records the outcome of a send with its gateway-originated KCI, in one transaction. */
  private async settle(
    claimed: StoredOrder,
    outcome: SendOutcome,
    supplierOrderId: string | undefined,
    answer: SupplierAnswer | undefined,
    kci: KciContent,
  ): Promise<void> {
    const { db, events } = this.deps;
    await db.transaction().execute(async (trx) => {
      const order = (await new TenantOrders(trx, claimed.tenantId).getForUpdate(claimed.id, trx))!;
      const status = statusAfterSend(order.status, outcome);
      const entity = { ...order.entity, status, updated: new Date().toISOString() };
      const learnt = supplierOrderId && !order.supplierOrderId ? supplierOrderId : undefined;
      if (learnt) entity.supplierOrderNumber = learnt;
      await updateOrder(
        trx,
        order,
        { status, entity, sendState: outcome, ...(learnt ? { supplierOrderId: learnt } : {}) },
        { event: `SEND_${outcome}`, detail: historyAnswer(answer) },
      );
      if (status !== order.status)
        await followOrders(trx, [
          { ...order, request: order.request as unknown as OrderRequest, statusBefore: order.status, status, entity },
        ]);
      // A supplier update that came first already told the tenant more (a failure is still reported).
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
    events.emit('orders-identified', [{ tenantId: claimed.tenantId, id: claimed.id }]);
    events.emit('kcis-enqueued');
    events.emit('updates-stored');
  }

  private async sendRequests(): Promise<number> {
    const { db, events } = this.deps;
    const rows = await claimRequestsToSend(db);
    for (const r of rows) {
      const order = await new TenantOrders(db, r.tenantId).get(r.orderId);
      const target = order && this.target(r.tenantId, order.supplier);
      if (!order || !target) continue;
      let outcome: SendOutcome = 'SENT';
      let message = '';
      let answer: SupplierAnswer | undefined;
      let supplierReference: string | undefined;
      let update: unknown;
      try {
        const { orders } = target.supplier;
        const receipt =
          r.kind === 'AMENDMENT'
            ? await orders.sendAmend(target.account, placedOrder(order), r.outbound)
            : await orders.sendCancel(target.account, placedOrder(order), r.outbound);
        answer = receipt.answer;
        supplierReference = receipt.supplierReference;
        update = receipt.update;
      } catch (e) {
        ({ outcome, message } = outcomeOf(e));
      }
      await this.settleRequest(r, outcome, message, answer, supplierReference);
      // An answer that already says the request was carried out (a 201): applied as the supplier's update.
      if (update !== undefined) {
        await storeAnswerUpdate(db, order, update);
        events.emit('updates-stored');
      }
      events.emit('kcis-enqueued');
    }
    return rows.length;
  }

  private async settleRequest(
    r: StoredRequest,
    outcome: SendOutcome,
    message: string,
    answer?: SupplierAnswer,
    supplierReference?: string,
  ) {
    await this.deps.db.transaction().execute(async (trx) => {
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
      await settleRequest(trx, r, outcome, body);
      const failed = outcome === 'REJECTED' || outcome === 'FAILED';
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
      if (!failed) return;
      const content: KciContent =
        outcome === 'REJECTED'
          ? {
              updateType: 'ACTION_REQUIRED',
              actionRequired: reason('RESUBMIT', { problemCode: 'INVALID_REQUEST', text: message }),
            }
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
    });
  }
}
