import type { Db } from '../store/database.js';
import type { Metrics } from '../platform/metrics.js';
import type { Events } from '../platform/events.js';
import type { TenantDirectory } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import { findOrderForSupplier, ownerBySupplierIdWhenExternalIdUnknown } from '../orders/order-store.js';
import { tenantOfExternalId } from '../orders/order.js';
import type { UpdateKeys } from '../suppliers/supplier.js';
import type { InboxWriter } from './inbox.js';
import { LIMITS, jsonDepthExceeds } from '../http/middleware/limits.js';
import { storableCopy, storableRaw } from '../store/storable.js';
import { unstorableKeys } from './unstorable-keys.js';

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
  | { kind: 'unparseable'; id: number; why: string }
  | { kind: 'unstorable'; id: number; why: string }
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
    bytes: Buffer,
  ): Promise<Receipt> {
    const supplier = suppliers.get(supplierId);
    if (!supplier?.updates) return { kind: 'unknown-supplier' };
    const tenant = tenants.get(auth.tenantId)!;
    const account = tenant?.accounts[supplierId];
    const none = { eventId: null, eventType: null, eventTime: null, externalId: null, supplierOrderId: null };
    // Kept as sent: the text, or base64 when the bytes are not UTF-8 text (see store/storable.ts).
    const { raw, note } = storableRaw(bytes);
    // Nested deeper than any update: kept raw, never parsed (nor cast to jsonb, where PGlite spins for minutes).
    const tooDeep = jsonDepthExceeds(bytes, LIMITS.ksuJsonDepth);
    let body: unknown;
    try {
      if (tooDeep) throw new Error('too deep');
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      const why = tooDeep ? `nested deeper than ${LIMITS.ksuJsonDepth} levels` : 'not valid JSON';
      const stored = await inbox.store({
        ...none,
        tenantId: tenant.id,
        supplier: supplierId,
        raw,
        body: null,
        status: 'UNPARSEABLE',
        error: [`body is ${why}`, note].filter(Boolean).join('; '),
      });
      metrics.ksusReceived.inc({ supplier: supplierId, result: 'unparseable' });
      return { kind: 'unparseable', id: stored.id, why };
    }
    let read: { keys: UpdateKeys; parsed: unknown } | undefined;
    let shapeError: string | null = null;
    try {
      read = supplier.updates.read(body);
    } catch (e) {
      shapeError = (e as Error).message;
    }
    const keys = read?.keys;
    // A NUL or lone surrogate in the body is kept (raw) but replaced in the jsonb copy the applier reads.
    const fixed = storableCopy(body);
    const base = {
      eventId: keys?.eventId ?? null,
      tenantId: tenant.id,
      supplier: supplierId,
      raw,
      body,
      bodyText: fixed !== undefined ? JSON.stringify(fixed) : note ? bytes.toString('utf8') : undefined,
      eventType: keys?.eventType ?? null,
      eventTime: keys?.eventTime ?? null,
      externalId: keys?.externalId ?? null,
      supplierOrderId: keys?.supplierOrderId ?? null,
    };
    // Keys and times the inbox cannot hold as sent: kept raw (FAILED, without them), answered 400.
    const unstorable = keys && unstorableKeys(keys);
    if (unstorable) {
      const stored = await inbox.store({
        ...base,
        ...none,
        status: 'FAILED',
        error: [unstorable, note].filter(Boolean).join('; '),
      });
      metrics.ksusReceived.inc({ supplier: supplierId, result: 'unstorable' });
      return { kind: 'unstorable', id: stored.id, why: unstorable };
    }
    // Our externalIds start with the tenant id, so most updates are checked without a query…
    const named = keys?.externalId ? tenantOfExternalId(keys.externalId) : undefined;
    const fromId = named && tenants.get(named) ? named : undefined;
    // …unless no order has that externalId: the applier then matches the supplier's order id, so check its owner.
    const ownerFromId =
      fromId && keys?.externalId && keys.supplierOrderId
        ? ((await ownerBySupplierIdWhenExternalIdUnknown(db, supplierId, keys.externalId, keys.supplierOrderId)) ??
          fromId)
        : fromId;
    const owner =
      ownerFromId ||
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
    const error = [shapeError, note].filter(Boolean).join('; ') || null;
    const stored = await inbox.store({ ...base, status: shapeError ? 'FAILED' : 'PENDING', error });
    metrics.ksusReceived.inc({ supplier: supplierId, result: stored.duplicate ? 'duplicate' : 'stored' });
    if (!stored.duplicate) events.emit('updates-stored');
    return { kind: 'stored', ...stored };
  };
}
