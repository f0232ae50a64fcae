import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { Events } from '../platform/events.js';
import type { TenantDirectory } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import { passThrough } from '../suppliers/errors.js';
import { markReconciled, quietOpenOrders, type StoredOrder } from '../orders/order-store.js';
import { supplierFor } from '../orders/tenant-suppliers.js';
import { InboxWriter } from './inbox.js';

/** Orders asked about per pass (oldest news first): a pass is short, the next one takes the rest. */
const BATCH = 20;

export interface ReconcilerDeps {
  db: Db;
  log: Logger;
  tenants: TenantDirectory;
  suppliers: SupplierRegistry;
  events: Events;
}

/**
 * Reconciliation: a supplier may never deliver an update (not every supplier publishes a retry policy). An open order
 * (sent, not finished) with no change for `afterS` is refreshed from the supplier's own view of it (the same
 * query that resolves uncertain sends, `orders.find`). The view is stored in the inbox as an update from the
 * supplier, and applied like any other: what the tenant has not been told becomes KCIs through the lifecycle,
 * and a view that says nothing new gives none (the same view is the same eventId, stored once).
 */
export class Reconciler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private readonly inbox: InboxWriter;

  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly tuning: { afterS: number; intervalS: number },
  ) {
    this.inbox = new InboxWriter(deps.db);
  }

  start(): void {
    if (!this.tuning.afterS) return;
    this.timer = setInterval(() => void this.pass(), this.tuning.intervalS * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over quiet open orders; returns how many views were stored as updates. */
  pass(): Promise<number> {
    this.running ??= this.reconcile()
      .catch((e) => {
        this.deps.log.warn({ err: (e as Error).message }, 'reconciliation pass failed');
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async reconcile(): Promise<number> {
    const { db, log, events } = this.deps;
    let stored = 0;
    for (const order of await quietOpenOrders(db, this.tuning.afterS * 1000, BATCH)) {
      try {
        if (await this.refresh(order)) stored += 1;
      } catch (e) {
        log.warn(
          { tenant: order.tenantId, order: order.id, err: passThrough(e as Error) },
          'reconciliation: supplier not asked',
        );
      }
      await markReconciled(db, order);
    }
    if (stored) events.emit('updates-stored');
    return stored;
  }

  private async refresh(order: StoredOrder): Promise<boolean> {
    const { tenants, suppliers, log } = this.deps;
    const tenant = tenants.get(order.tenantId);
    if (!tenant) return false;
    const { supplier, account } = supplierFor(suppliers, tenant, order.supplier);
    if (!supplier.orders.find || !supplier.updates) return false;
    const found = await supplier.orders.find(account, {
      externalId: order.externalId,
      supplierOrderId: order.supplierOrderId,
    });
    if (!found) {
      log.warn(
        { tenant: order.tenantId, order: order.id },
        'reconciliation: the supplier does not show this open order',
      );
      return false;
    }
    const { keys } = supplier.updates.read(found.update);
    const raw = JSON.stringify(found.update);
    const r = await this.inbox.store({
      eventId: keys.eventId ?? null,
      tenantId: order.tenantId,
      supplier: order.supplier,
      raw,
      body: found.update,
      eventType: keys.eventType,
      eventTime: keys.eventTime ?? null,
      externalId: keys.externalId ?? order.externalId,
      supplierOrderId: keys.supplierOrderId ?? found.supplierOrderId,
      status: 'PENDING',
      error: null,
    });
    return !r.duplicate;
  }
}
