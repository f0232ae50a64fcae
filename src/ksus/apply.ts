import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { Metrics } from '../platform/metrics.js';
import type { Events } from '../platform/events.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { UpdateKeys } from '../suppliers/supplier.js';
import { enqueueKcis, type NewKci } from '../kci/outbox.js';
import { reason } from '../kci/envelope.js';
import { applyUpdate, isStale } from '../orders/lifecycle.js';
import type { ActionType, InformationType } from '../orders/vocabulary.js';
import { addHistory, lockOrdersNamed, writeOrders, type StoredOrder } from '../orders/order-store.js';
import { followOrders } from '../services/follow-orders.js';
import { claimPending, firstPendingElsewhere, recordOutcomes, type InboxOutcome, type PendingUpdate } from './inbox.js';
import { recordUnmapped, type UnmappedSighting } from '../store/unmapped-codes.js';
import { CoalescingLoop } from '../platform/coalescing-loop.js';
import type { IngestActivity } from './ingest-activity.js';

export interface ApplierDeps {
  db: Db;
  log: Logger;
  metrics: Metrics;
  suppliers: SupplierRegistry;
  events: Events;
  /** when set, a batch waits (bounded) while a burst of updates is being received: ingest first */
  ingest?: IngestActivity;
}

export interface ApplierTuning {
  /** loops applying batches side by side */
  loops: number;
  /** updates claimed per batch */
  batch: number;
  /** true when nothing else can apply updates meanwhile (one connection, one instance): no need to look for held predecessors */
  exclusive: boolean;
}

type Read = { row: PendingUpdate; keys: UpdateKeys; parsed: unknown };

/**
 * Applies stored supplier updates (KSUs) to their orders, a batch per transaction: claim updates (FOR UPDATE
 * SKIP LOCKED), lock their orders in one sorted statement, then for each update in inbox order: the
 * supplier's interpretation → the order lifecycle; then write orders, history, KCIs (transactional outbox)
 * and inbox statuses with one set-based statement each.
 */
export class KsuProcessor {
  private readonly loop: CoalescingLoop;
  constructor(
    private readonly deps: ApplierDeps,
    private readonly tuning: ApplierTuning,
  ) {
    this.loop = new CoalescingLoop(
      () => this.run(),
      (e) => this.deps.log.error({ err: e }, 'KSU processing failed'),
      tuning.loops,
    );
  }

  /** New updates were stored (or became applicable): apply them soon. */
  kick(): void {
    this.loop.kick();
  }

  /** Stops taking work and waits for the batches in flight to commit. */
  drain(): Promise<void> {
    return this.loop.drain();
  }

  /** Applies pending updates until none is left that this loop can claim; returns how many it handled. */
  async run(): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.loop.stopping) return total;
      await this.deps.ingest?.whenQuiet();
      const { handled, identified, kcis } = await this.applyBatch();
      total += handled;
      if (kcis) this.deps.events.emit('kcis-enqueued');
      if (identified.length) this.deps.events.emit('orders-identified', identified);
      if (handled === 0) return total;
    }
  }

  private read(row: PendingUpdate): Read | InboxOutcome {
    const updates = this.deps.suppliers.get(row.supplier)?.updates;
    if (!updates)
      return { id: row.id, status: 'FAILED', error: `supplier ${row.supplier} is not configured`, orderId: null };
    try {
      const { keys, parsed } = updates.read(row.body);
      // An update that names the order by the connector's own id: the receiver found its externalId.
      return { row, parsed, keys: keys.externalId || !row.externalId ? keys : { ...keys, externalId: row.externalId } };
    } catch (e) {
      return { id: row.id, status: 'FAILED', error: (e as Error).message, orderId: null };
    }
  }

  private async applyBatch(): Promise<{
    handled: number;
    identified: { tenantId: string; id: number }[];
    kcis: number;
  }> {
    const { db, metrics, suppliers } = this.deps;
    return db.transaction().execute(async (trx) => {
      const rows = await claimPending(trx, this.tuning.batch);
      if (!rows.length) return { handled: 0, identified: [], kcis: 0 };
      const outcomes: InboxOutcome[] = [];
      let read: (Read & { deferred?: boolean })[] = [];
      for (const row of rows) {
        const r = this.read(row);
        if ('keys' in r) read.push(r);
        else outcomes.push(r);
      }
      read = inSequence(read);
      // An order's updates are applied in the order they were received: one with an earlier update of the
      // same order still PENDING outside this batch (held by another loop or instance: SKIP LOCKED passed
      // over it) waits, PENDING, and is claimed again once that one is applied.
      const deferred = this.tuning.exclusive ? 0 : await this.deferBehindOthers(trx, read);
      if (deferred) read = read.filter((r) => !r.deferred);
      // Only the orders of the updates applied now are locked (a deferred one's order is someone else's to apply).
      const named = idsOf(read);
      const byExternal = new Map<string, StoredOrder>();
      const bySupplierOrder = new Map<string, StoredOrder>();
      const supplierKey = (supplier: string, id: string) => `${supplier}\u0000${id}`;
      const batchSuppliers = [...new Set(read.map((r) => r.row.supplier))];
      for (const o of await lockOrdersNamed(trx, named.externalIds, named.supplierOrderIds, batchSuppliers)) {
        byExternal.set(o.externalId, o);
        if (o.supplierOrderId) bySupplierOrder.set(supplierKey(o.supplier, o.supplierOrderId), o);
      }
      const touched = new Set<StoredOrder>();
      const history: Parameters<typeof addHistory>[1] = [];
      const kcis: NewKci[] = [];
      const identified: { tenantId: string; id: number }[] = [];
      const moved: Parameters<typeof followOrders>[1] = [];
      const unmapped: UnmappedSighting[] = [];
      for (const { row, keys, parsed } of read) {
        const order =
          (keys.externalId && byExternal.get(keys.externalId)) ||
          (keys.supplierOrderId && bySupplierOrder.get(supplierKey(row.supplier, keys.supplierOrderId))) ||
          undefined;
        if (!order) {
          outcomes.push({ id: row.id, status: 'UNMATCHED', error: null, orderId: null });
          continue;
        }
        if (row.tenantId && order.tenantId !== row.tenantId) {
          outcomes.push({ id: row.id, status: 'REFUSED', error: 'order belongs to another tenant', orderId: null });
          continue;
        }
        const supplier = suppliers.get(row.supplier)!;
        const receivedOn = row.receivedAt;
        // An update about an order whose send could not be confirmed proves the supplier has it: adopted (one
        // reported as failed to send goes back to sent, and the update then moves it on).
        if (order.sendState === 'UNCERTAIN' || order.sendState === 'UNRESOLVED') {
          if (order.status === 'FAILED_TO_SEND') {
            order.status = 'SENT_TO_SUPPLIER';
            order.entity = { ...order.entity, status: 'SENT_TO_SUPPLIER' };
          }
          order.sendState = 'SENT';
          touched.add(order);
          history.push({ tenantId: order.tenantId, orderId: order.id, at: receivedOn, event: 'SEND_FOUND' });
        }
        const stale = isStale(order.lifecycle, keys.eventTime ?? receivedOn);
        const u = supplier.updates!.interpret(parsed, {
          orderType: order.orderType,
          entity: order.entity,
          adapterState: order.adapterState,
          stale,
        });
        const r = applyUpdate(
          { status: order.status, orderType: order.orderType, entity: order.entity, state: order.lifecycle },
          u,
          receivedOn,
        );
        for (const c of u.unmapped) {
          metrics.countUnmapped(row.supplier, c.code);
          unmapped.push({ supplier: row.supplier, code: c.code, at: receivedOn });
        }
        touched.add(order);
        if (r.status !== order.status) {
          const { tenantId, id, supplier, orderType } = order;
          moved.push({
            tenantId,
            id,
            supplier,
            orderType,
            statusBefore: order.status,
            status: r.status,
            entity: r.entity,
          });
        }
        order.entity = { ...r.entity, updated: r.entityChanged ? new Date().toISOString() : order.entity.updated };
        order.status = r.status;
        order.lifecycle = r.state;
        order.adapterState = u.adapterState;
        if (u.facts.supplierOrderId && !order.supplierOrderId) {
          order.supplierOrderId = u.facts.supplierOrderId;
          bySupplierOrder.set(supplierKey(order.supplier, order.supplierOrderId), order);
          identified.push({ tenantId: order.tenantId, id: order.id });
        }
        history.push({
          tenantId: order.tenantId,
          orderId: order.id,
          at: receivedOn,
          event: `KSU ${keys.eventType}`,
          detail: { inboxId: row.id, codes: u.codes, kcis: r.kcis.map((k) => k.type), stale: r.stale },
        });
        for (const kci of r.kcis) {
          const { updateType, type } = kci;
          kcis.push({
            tenantId: order.tenantId,
            orderId: order.id,
            orderType: order.orderType,
            conversationId: order.conversationId,
            supplier: order.supplier,
            content:
              updateType === 'ACTION_REQUIRED'
                ? { updateType, actionRequired: reason(type as ActionType, kci) }
                : { updateType, information: reason(type as InformationType, kci) },
            entity: order.entity,
            issuedOn: keys.eventTime ?? receivedOn,
            receivedOn,
            supplierNotes: kci.supplierNotes,
          });
          metrics.kcisCreated.inc({ tenant: order.tenantId, type: kci.type });
        }
        metrics.ksusApplied.inc({ supplier: row.supplier, result: r.kcis.length ? 'kci' : 'no-kci' });
        outcomes.push({ id: row.id, status: 'APPLIED', error: null, orderId: order.id });
      }
      await writeOrders(trx, [...touched]);
      await followOrders(trx, moved);
      await addHistory(trx, history);
      await enqueueKcis(trx, kcis);
      await recordUnmapped(trx, unmapped);
      await recordOutcomes(trx, outcomes);
      return { handled: rows.length - deferred, identified, kcis: kcis.length };
    });
  }

  /** Marks the updates that an earlier PENDING update of the same order, not in this batch, must precede. */
  private async deferBehindOthers(trx: Db, read: (Read & { deferred?: boolean })[]): Promise<number> {
    const { externalIds, supplierOrderIds } = idsOf(read);
    const { byExternal, bySupplierOrder } = await firstPendingElsewhere(
      trx,
      read.map((r) => r.row.id),
      externalIds,
      supplierOrderIds,
    );
    if (!byExternal.size && !bySupplierOrder.size) return 0;
    let n = 0;
    for (const r of read) {
      const first = Math.min(
        r.keys.externalId ? (byExternal.get(r.keys.externalId) ?? Infinity) : Infinity,
        r.keys.supplierOrderId ? (bySupplierOrder.get(r.keys.supplierOrderId) ?? Infinity) : Infinity,
      );
      if (first < r.row.id) {
        r.deferred = true;
        n += 1;
      }
    }
    return n;
  }
}

/**
 * An order's updates that carry the supplier's sequence number (the Fibre Cafe Supplier Updates API) are applied
 * in that order when they arrive together, whatever order they were received in; others keep inbox order.
 */
export function inSequence<T extends Read>(list: T[]): T[] {
  const groups = new Map<string, number[]>();
  list.forEach((r, i) => {
    if (r.keys.sequence === undefined) return;
    const key = `${r.row.supplier}\u0000${r.keys.externalId ?? `s:${r.keys.supplierOrderId ?? ''}`}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out = [...list];
  for (const slots of groups.values()) {
    const sorted = slots.map((i) => list[i]!).sort((a, b) => a.keys.sequence! - b.keys.sequence!);
    slots.forEach((slot, j) => (out[slot] = sorted[j]!));
  }
  return out;
}

function idsOf(list: Read[]) {
  return {
    externalIds: [...new Set(list.map((p) => p.keys.externalId).filter((x): x is string => Boolean(x)))],
    supplierOrderIds: [...new Set(list.map((p) => p.keys.supplierOrderId).filter((x): x is string => Boolean(x)))],
  };
}
