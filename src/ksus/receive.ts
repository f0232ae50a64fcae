import type { Db } from '../store/database.js';
import type { Metrics } from '../platform/metrics.js';
import type { Events } from '../platform/events.js';
import type { TenantDirectory } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import {
  findOrderForSupplier,
  orderOfSupplier,
  ownersBySupplierIdWhenExternalIdUnknown,
} from '../orders/order-store.js';
import { tenantOfExternalId } from '../orders/order.js';
import { UpdateRuleError, type UpdateKeys } from '../suppliers/supplier.js';
import { SUPPLIER_WIDE } from '../auth/tokens.js';
import type { InboxWriter } from './inbox.js';
import { LIMITS, jsonDepthExceeds } from '../http/middleware/limits.js';
import { storableCopy, storableRaw } from '../store/storable.js';
import { unstorableKeys } from './unstorable-keys.js';
import { GroupedCalls } from '../platform/grouped-calls.js';
import { BoundedSet } from '../platform/bounded-set.js';
import type { IngestActivity } from './ingest-activity.js';

export interface ReceiveDeps {
  db: Db;
  tenants: TenantDirectory;
  suppliers: SupplierRegistry;
  inbox: InboxWriter;
  metrics: Metrics;
  events: Events;
  /** counts the updates being received, so that the applier can let a burst in first */
  activity?: IngestActivity;
}

/** What became of one update a supplier posted: stored (202), or why not. Every body is kept, whatever it is. */
export type Receipt =
  | { kind: 'stored'; id: number; duplicate: boolean }
  | { kind: 'unparseable'; id: number; why: string }
  | { kind: 'unstorable'; id: number; why: string }
  | { kind: 'malformed'; id: number; why: string; rule: boolean }
  | { kind: 'refused'; reason: string }
  | { kind: 'unknown-supplier' };

/**
 * A supplier's order update arrives (e.g. BB1's KSU POST): it is stored before it is answered (the raw body
 * always), a repeated eventId changes nothing, and one naming another tenant's order is refused and recorded.
 */
export function makeReceiveUpdate({ db, tenants, suppliers, inbox, metrics, events, activity }: ReceiveDeps) {
  // Updates received together have their owners checked with one query; an externalId found to name an order
  // names it for good (orders are never deleted or renamed), so its later updates need no query at all.
  const owners = new GroupedCalls((keys: Parameters<typeof ownersBySupplierIdWhenExternalIdUnknown>[1]) =>
    ownersBySupplierIdWhenExternalIdUnknown(db, keys),
  );
  const knownExternalIds = new BoundedSet(50_000);
  const ownerWhenExternalIdUnknown = async (key: { supplier: string; externalId: string; supplierOrderId: string }) => {
    if (knownExternalIds.has(key.externalId)) return undefined;
    const { owner, externalIdKnown } = await owners.call(key);
    if (externalIdKnown) knownExternalIds.add(key.externalId);
    return owner;
  };
  return async function receive(
    auth: { tenantId: string; supplier?: string },
    supplierId: string,
    bytes: Buffer,
    endpoint: 'ksus' | 'kcis' = 'ksus',
  ): Promise<Receipt> {
    activity?.arrived();
    return receiveOne(auth, supplierId, bytes, endpoint);
  };

  async function receiveOne(
    auth: { tenantId: string; supplier?: string },
    supplierId: string,
    bytes: Buffer,
    endpoint: 'ksus' | 'kcis',
  ): Promise<Receipt> {
    const supplier = suppliers.get(supplierId);
    if (!supplier?.updates || (supplier.updates.endpoint ?? 'ksus') !== endpoint) return { kind: 'unknown-supplier' };
    // A supplier-wide client (its token names no tenant) may only send its own supplier's updates.
    const supplierWide = auth.tenantId === SUPPLIER_WIDE;
    if (supplierWide && auth.supplier !== supplierId)
      return { kind: 'refused', reason: `a client of ${auth.supplier} may not send ${supplierId}'s updates` };
    // Strict update APIs (the /kcis route) refuse a body that is not an update, and keep it without its id so that
    // the corrected one, sent again with the same id, is not taken for a duplicate.
    const strict = endpoint === 'kcis';
    let tenant = tenants.get(auth.tenantId)!;
    const none = { eventId: null, eventType: null, eventTime: null, externalId: null, supplierOrderId: null };
    // Kept as sent: the text, or base64 when the bytes are not UTF-8 text (see store/storable.ts).
    const { raw, note } = storableRaw(bytes);
    // Nested deeper than any update: kept raw, never parsed (nor cast to jsonb, where PGlite spins for minutes).
    const tooDeep = jsonDepthExceeds(bytes, LIMITS.ksuJsonDepth);
    let body: unknown;
    try {
      if (tooDeep) throw new Error('too deep');
      body = JSON.parse(note ? bytes.toString('utf8') : raw);
    } catch {
      const why = tooDeep ? `nested deeper than ${LIMITS.ksuJsonDepth} levels` : 'not valid JSON';
      const stored = await inbox.store({
        ...none,
        tenantId: tenant?.id ?? null,
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
    let ruleBroken = false;
    try {
      read = supplier.updates.read(body);
    } catch (e) {
      shapeError = (e as Error).message;
      ruleBroken = e instanceof UpdateRuleError;
    }
    const keys = read?.keys && { ...read.keys };
    // An update naming the order by the connector's numeric id: its externalId, for matching and the inbox.
    if (keys && !keys.externalId && keys.gatewayOrder) {
      const o = await orderOfSupplier(db, supplierId, keys.gatewayOrder.tenantId, keys.gatewayOrder.id);
      if (o) keys.externalId = o.externalId;
    }
    if (supplierWide) tenant = tenants.get(keys?.gatewayOrder?.tenantId ?? '')!;
    const account = tenant?.accounts[supplierId];
    // A NUL or lone surrogate in the body is kept (raw) but replaced in the jsonb copy the applier reads.
    // Only a \u escape can put one there: UTF-8 text holds no lone surrogate, and JSON no raw NUL in a string.
    const fixed = note || raw.includes('\\u') ? storableCopy(body) : undefined;
    const base = {
      eventId: keys?.eventId ?? null,
      tenantId: tenant?.id ?? null,
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
        ? ((await ownerWhenExternalIdUnknown({
            supplier: supplierId,
            externalId: keys.externalId,
            supplierOrderId: keys.supplierOrderId,
          })) ?? fromId)
        : fromId;
    const owner =
      ownerFromId ||
      (keys
        ? (await findOrderForSupplier(db, supplierId, keys.externalId ?? null, keys.supplierOrderId ?? null))?.tenantId
        : undefined);
    if (strict && shapeError) {
      const stored = await inbox.store({
        ...base,
        ...none,
        status: 'FAILED',
        error: [shapeError, note].filter(Boolean).join('; '),
      });
      metrics.ksusReceived.inc({ supplier: supplierId, result: 'malformed' });
      return { kind: 'malformed', id: stored.id, why: shapeError, rule: ruleBroken };
    }
    const refusal =
      auth.supplier && auth.supplier !== supplierId
        ? `a client of ${auth.supplier} may not send ${supplierId}'s updates`
        : !tenant
          ? `the update names no tenant of this connector`
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
  }
}
