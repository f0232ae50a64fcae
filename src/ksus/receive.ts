import type { Db } from '../store/database.js';
import type { Metrics } from '../platform/metrics.js';
import type { Events } from '../platform/events.js';
import type { TenantDirectory } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import { findOrderForSupplier } from '../orders/order-store.js';
import { tenantOfExternalId } from '../orders/order.js';
import type { UpdateKeys } from '../suppliers/supplier.js';
import type { InboxWriter } from './inbox.js';

export interface ReceiveDeps {
  db: Db;
  tenants: TenantDirectory;
  suppliers: SupplierRegistry;
  inbox: InboxWriter;
  metrics: Metrics;
  events: Events;
}

/** What became of one update a supplier posted: stored (202), or why not. Every body is kept, whatever it is. */
export type Receipt =
  | { kind: 'stored'; id: number; duplicate: boolean }
  | { kind: 'unparseable'; id: number }
  | { kind: 'refused'; reason: string }
  | { kind: 'unknown-supplier' };

/**
 * A supplier's order update arrives (e.g. BB1's KSU POST): it is stored before it is answered (the raw body
 * always), a repeated eventId changes nothing, and one naming another tenant's order is refused and recorded.
 */
export function makeReceiveUpdate({ db, tenants, suppliers, inbox, metrics, events }: ReceiveDeps) {
  return async function receive(
    auth: { tenantId: string; supplier?: string },
    supplierId: string,
    raw: string,
  ): Promise<Receipt> {
    const supplier = suppliers.get(supplierId);
    if (!supplier?.updates) return { kind: 'unknown-supplier' };
    const tenant = tenants.get(auth.tenantId)!;
    const account = tenant?.accounts[supplierId];
    const none = { eventId: null, eventType: null, eventTime: null, externalId: null, supplierOrderId: null };
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      const stored = await inbox.store({
        ...none,
        tenantId: tenant.id,
        supplier: supplierId,
        raw,
        body: null,
        status: 'UNPARSEABLE',
        error: 'body is not valid JSON',
      });
      metrics.ksusReceived.inc({ supplier: supplierId, result: 'unparseable' });
      return { kind: 'unparseable', id: stored.id };
    }
    let read: { keys: UpdateKeys; parsed: unknown } | undefined;
    let shapeError: string | null = null;
    try {
      read = supplier.updates.read(body);
    } catch (e) {
      shapeError = (e as Error).message;
    }
    const keys = read?.keys;
    const base = {
      eventId: keys?.eventId ?? null,
      tenantId: tenant.id,
      supplier: supplierId,
      raw,
      body,
      eventType: keys?.eventType ?? null,
      eventTime: keys?.eventTime ?? null,
      externalId: keys?.externalId ?? null,
      supplierOrderId: keys?.supplierOrderId ?? null,
    };
    // Our externalIds start with the tenant id, so most updates are checked without a query.
    const named = keys?.externalId ? tenantOfExternalId(keys.externalId) : undefined;
    const owner =
      (named && tenants.get(named) ? named : undefined) ||
      (keys
        ? (await findOrderForSupplier(db, supplierId, keys.externalId ?? null, keys.supplierOrderId ?? null))?.tenantId
        : undefined);
    const refusal =
      auth.supplier && auth.supplier !== supplierId
        ? `a client of ${auth.supplier} may not send ${supplierId}'s updates`
        : account === undefined
          ? `tenant ${tenant.id} has no ${supplierId} account`
          : owner && owner !== tenant.id
            ? `order of tenant ${owner}`
            : read && supplier.updates.refuses(account, read.parsed);
    if (refusal) {
      await inbox.store({ ...base, eventId: null, status: 'REFUSED', error: refusal });
      metrics.ksusReceived.inc({ supplier: supplierId, result: 'refused' });
      return { kind: 'refused', reason: refusal };
    }
    const stored = await inbox.store({ ...base, status: shapeError ? 'FAILED' : 'PENDING', error: shapeError });
    metrics.ksusReceived.inc({ supplier: supplierId, result: stored.duplicate ? 'duplicate' : 'stored' });
    if (!stored.duplicate) events.emit('updates-stored');
    return { kind: 'stored', ...stored };
  };
}
