import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { Bb1Error } from '../suppliers/bb1/client.js';
import { enqueueKci } from '../kci/outbox.js';
import { reason } from '../kci/envelope.js';
import { updateOrder, toOrder } from '../store/orders.js';
import { requeueUnmatched } from '../ksus/inbox.js';
import type { Bb1OrderState } from '../suppliers/bb1/inbound/translate-ksu.js';
import { PASSTHROUGH } from './supplier-errors.js';

/**
 * Sends stored orders, amendments and cancellations to BB1. Each is marked SENDING (committed) before
 * the call; one found SENDING after a crash, or whose call timed out, may have reached BB1, so it
 * becomes UNCERTAIN and is never re-sent: the ProductOrderCreateEvent KSU (matched by externalId)
 * settles it.
 */
export class Dispatcher {
  private busy = false;
  private again = false;
  private stopped = false;
  private current?: Promise<void>;
  constructor(private readonly ctx: AppContext) {}

  /** Stops taking work and waits for the send in flight (its outcome is recorded before this resolves). */
  async drain(): Promise<void> {
    this.stopped = true;
    await this.current;
  }

  /** Orders left SENDING by a previous process. */
  async recover(): Promise<void> {
    await this.ctx.db
      .updateTable('orders')
      .set({ send_state: 'UNCERTAIN' })
      .where('send_state', '=', 'SENDING')
      .execute();
    await this.ctx.db
      .updateTable('order_requests')
      .set({ send_state: 'UNCERTAIN' })
      .where('send_state', '=', 'SENDING')
      .execute();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.current = this.run()
      .catch((e) => this.ctx.log.error({ err: e }, 'dispatch failed'))
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

  private async sendOrders(): Promise<number> {
    const { db, log } = this.ctx;
    const rows = await db
      .updateTable('orders')
      .set({ send_state: 'SENDING' })
      .where(({ eb, selectFrom }) =>
        eb(
          'external_id',
          'in',
          selectFrom('orders').select('external_id').where('send_state', '=', 'PENDING').limit(10),
        ),
      )
      .returningAll()
      .execute();
    for (const row of rows) {
      const order = toOrder(row as never);
      const tenant = this.ctx.tenants.get(order.tenantId);
      if (!tenant) continue;
      try {
        const res = await this.ctx.bb1.order(tenant, order.outbound);
        const bb1Id = typeof res.data?.id === 'string' ? res.data.id : undefined;
        await this.settle(order.tenantId, order.id, 'SENT', 'SENT_TO_SUPPLIER', bb1Id, {
          type: 'UPDATE',
          text: 'Order sent to BTWHOLESALEBB1',
        });
      } catch (e) {
        const err = e as Bb1Error;
        log.warn(
          { tenant: order.tenantId, order: order.id, kind: err.kind, status: err.status, uncertain: err.uncertain },
          'order POST to BB1 failed',
        );
        if (err instanceof Bb1Error && err.uncertain) {
          await this.settle(order.tenantId, order.id, 'UNCERTAIN', 'SENT_TO_SUPPLIER', undefined, {
            type: 'UPDATE',
            text: 'Order sent to BTWHOLESALEBB1; awaiting its confirmation',
          });
        } else if (err instanceof Bb1Error && err.kind === 'rejected') {
          await this.settle(order.tenantId, order.id, 'REJECTED', 'REJECTED', undefined, {
            action: 'RESUBMIT',
            problemCode: 'INVALID_REQUEST',
            text: `${PASSTHROUGH}${err.message}`,
          });
        } else {
          const code = err instanceof Bb1Error && err.kind === 'timeout' ? 'SUPPLIER_TIMED_OUT' : 'SUPPLIER_FAULT';
          await this.settle(order.tenantId, order.id, 'FAILED', 'FAILED_TO_SEND', undefined, {
            error: { uuid: randomUUID(), code, messages: [`${PASSTHROUGH}${(e as Error).message}`] },
          });
        }
      }
    }
    return rows.length;
  }

  /** Records the outcome of a send with its gateway-originated KCI, in one transaction. */
  private async settle(
    tenantId: string,
    orderId: number,
    sendState: string,
    status: string,
    bb1Id: string | undefined,
    kci: {
      type?: string;
      action?: string;
      problemCode?: string;
      text?: string;
      error?: { uuid: string; code: string; messages: string[] };
    },
  ): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('orders')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', orderId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const order = toOrder(row as never);
      // A KSU may already have moved the order on (fast BB1): keep the later status.
      const newStatus = order.status === 'RECEIVED_BY_GATEWAY' ? status : order.status;
      const entity: Record<string, unknown> = { ...order.entity, status: newStatus, updated: new Date().toISOString() };
      const state = order.supplierState as Bb1OrderState;
      if (bb1Id && !order.supplierOrderId) {
        entity.supplierOrderNumber = bb1Id;
        state.bb1OrderId = bb1Id;
      }
      await updateOrder(
        trx,
        order,
        {
          status: newStatus,
          entity,
          sendState,
          supplierState: state as Record<string, unknown>,
          ...(bb1Id && !order.supplierOrderId ? { supplierOrderId: bb1Id } : {}),
        },
        { event: `SEND_${sendState}` },
      );
      if (order.status !== 'RECEIVED_BY_GATEWAY' && !kci.error) return; // the supplier's own KCI already told the tenant more
      const content = kci.error
        ? { updateType: 'ERROR' as const, error: kci.error }
        : kci.action
          ? { updateType: 'ACTION_REQUIRED' as const, actionRequired: reason(kci.action, kci) }
          : { updateType: 'INFORMATIONAL' as const, information: reason(kci.type!, kci) };
      await enqueueKci(trx, {
        tenantId,
        orderId,
        orderType: order.orderType,
        conversationId: order.conversationId,
        supplier: order.supplier,
        content,
        entity,
      });
    });
    await requeueUnmatched(this.ctx.db);
    this.ctx.kick.kcis();
    this.ctx.kick.ksus();
  }

  private async sendRequests(): Promise<number> {
    const { db } = this.ctx;
    const rows = await db
      .updateTable('order_requests')
      .set({ send_state: 'SENDING' })
      .where('send_state', '=', 'PENDING')
      .returningAll()
      .execute();
    for (const r of rows) {
      const tenant = this.ctx.tenants.get(r.tenant_id);
      if (!tenant) continue;
      let outcome: 'SENT' | 'REJECTED' | 'FAILED' | 'UNCERTAIN' = 'SENT';
      let message = '';
      try {
        const order = await db
          .selectFrom('orders')
          .select(['supplier_order_id'])
          .where('tenant_id', '=', r.tenant_id)
          .where('id', '=', r.order_id)
          .executeTakeFirstOrThrow();
        if (r.kind === 'AMENDMENT') await this.ctx.bb1.amend(tenant, order.supplier_order_id ?? '', r.outbound);
        else await this.ctx.bb1.cancel(tenant, r.outbound);
      } catch (e) {
        const err = e as Bb1Error;
        message = `${PASSTHROUGH}${err.message}`;
        outcome =
          err instanceof Bb1Error && err.uncertain
            ? 'UNCERTAIN'
            : err instanceof Bb1Error && err.kind === 'rejected'
              ? 'REJECTED'
              : 'FAILED';
      }
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('orders')
          .selectAll()
          .where('tenant_id', '=', r.tenant_id)
          .where('id', '=', r.order_id)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const order = toOrder(row as never);
        const body = { ...(r.body as Record<string, unknown>) };
        const field = r.kind === 'AMENDMENT' ? 'serviceOrderAmendment' : 'serviceOrderCancellation';
        body.status =
          outcome === 'SENT' || outcome === 'UNCERTAIN'
            ? 'PENDING'
            : outcome === 'REJECTED'
              ? 'REJECTED'
              : 'FAILED_TO_SEND';
        await trx
          .updateTable('order_requests')
          .set({ send_state: outcome, status: String(body.status), body: JSON.stringify(body) })
          .where('tenant_id', '=', r.tenant_id)
          .where('kind', '=', r.kind)
          .where('id', '=', r.id)
          .execute();
        const state = order.supplierState as Bb1OrderState;
        const failed = outcome === 'REJECTED' || outcome === 'FAILED';
        const status =
          failed && order.status.startsWith('PENDING_') ? (state.statusBeforeRequest ?? 'IN_PROGRESS') : order.status;
        const entity = { ...order.entity, status, [field]: body, updated: new Date().toISOString() };
        await updateOrder(
          trx,
          order,
          {
            status,
            entity,
            supplierState: (failed ? { ...state, statusBeforeRequest: undefined } : state) as Record<string, unknown>,
          },
          { event: `${r.kind}_${outcome}` },
        );
        if (failed) {
          const content =
            outcome === 'REJECTED'
              ? {
                  updateType: 'ACTION_REQUIRED' as const,
                  actionRequired: reason('RESUBMIT', { problemCode: 'INVALID_REQUEST', text: message }),
                }
              : {
                  updateType: 'ERROR' as const,
                  error: { uuid: randomUUID(), code: 'SUPPLIER_FAULT', messages: [message] },
                };
          await enqueueKci(trx, {
            tenantId: r.tenant_id,
            orderId: r.order_id,
            orderType: order.orderType,
            conversationId: r.conversation_id,
            supplier: order.supplier,
            content,
            entity,
          });
        }
      });
      this.ctx.kick.kcis();
    }
    return rows.length;
  }
}
