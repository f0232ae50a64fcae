import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { nextValue } from '../store/counters.js';
import { isRowId } from '../store/storable.js';
import type { LifecycleState, SendOutcome, TenantRequestKind } from './lifecycle.js';
import type { OrderEntity, OrderStatus, Reservation, RequestStatus } from './order.js';

/**
 * The orders store: the only writer of `orders`, `order_history`, `order_requests` and `appointments`.
 * Tenant isolation lives here: every tenant-facing query is filtered by the tenant.
 */

export interface StoredOrder {
  tenantId: string;
  id: number;
  externalId: string;
  supplier: string;
  orderType: string;
  status: OrderStatus;
  supplierOrderId: string | null;
  conversationId: string;
  entity: OrderEntity;
  request: Record<string, unknown>;
  /** the connector's own lifecycle state (statuses, milestones reported, pending requests) */
  lifecycle: LifecycleState;
  /** the supplier adapter's own state, opaque to everyone else (column supplier_state) */
  adapterState: unknown;
  outbound: unknown;
  sendState: SendState;
  /** why the last attempt to send did not settle it (for operators) */
  sendError?: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Where the order's first send stands: PENDING → SENDING → SENT | REJECTED | FAILED, or back to PENDING (a
 * transient refusal, tried again later) or UNCERTAIN (it may have reached the supplier: asked about, then
 * adopted or sent again), and UNRESOLVED when the supplier could not tell in time (an operator resolves it).
 */
export type SendState = 'PENDING' | 'SENDING' | SendOutcome;

type Row = {
  tenant_id: string;
  id: number;
  external_id: string;
  supplier: string;
  order_type: string;
  status: string;
  supplier_order_id: string | null;
  conversation_id: string;
  entity: unknown;
  request: unknown;
  supplier_state: unknown;
  lifecycle: unknown;
  outbound: unknown;
  send_state: string;
  send_error?: string | null;
  created_at: Date | string;
  updated_at: Date | string;
};

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

export function toOrder(r: Row): StoredOrder {
  return {
    tenantId: r.tenant_id,
    id: Number(r.id),
    externalId: r.external_id,
    supplier: r.supplier,
    orderType: r.order_type,
    status: r.status as OrderStatus,
    supplierOrderId: r.supplier_order_id,
    conversationId: r.conversation_id,
    entity: r.entity as OrderEntity,
    request: r.request as Record<string, unknown>,
    lifecycle: (r.lifecycle ?? {}) as LifecycleState,
    adapterState: r.supplier_state ?? {},
    outbound: r.outbound,
    sendState: r.send_state as SendState,
    sendError: r.send_error ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export interface NewOrder {
  externalId: (id: number) => string;
  supplier: string;
  orderType: string;
  conversationId: string;
  request: Record<string, unknown>;
  entity: (id: number, now: string) => OrderEntity;
  adapterState?: unknown;
  outbound?: unknown;
}

/** Orders of one tenant. */
export class TenantOrders {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  /** The tenant's next order id; in the caller's transaction, so a rolled-back order leaves no gap. */
  nextId(db: Db = this.db): Promise<number> {
    return nextValue(db, this.tenantId, 'order');
  }

  /** Stores a new order (send state PENDING: the dispatcher sends it) with its RECEIVED history event. */
  async insert(
    order: Omit<NewOrder, 'externalId' | 'entity'> & {
      id: number;
      externalId: string;
      entity: OrderEntity;
      now: string;
    },
    db: Db = this.db,
  ): Promise<StoredOrder> {
    const row = await db
      .insertInto('orders')
      .values({
        tenant_id: this.tenantId,
        id: order.id,
        external_id: order.externalId,
        supplier: order.supplier,
        order_type: order.orderType,
        status: order.entity.status,
        supplier_order_id: null,
        conversation_id: order.conversationId,
        entity: JSON.stringify(order.entity),
        request: JSON.stringify(order.request),
        supplier_state: JSON.stringify(order.adapterState ?? {}),
        lifecycle: '{}',
        outbound: order.outbound === undefined ? null : JSON.stringify(order.outbound),
        send_state: 'PENDING',
        created_at: order.now,
        updated_at: order.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await addHistory(db, [{ tenantId: this.tenantId, orderId: order.id, at: order.now, event: 'RECEIVED' }]);
    return toOrder(row as Row);
  }

  async create(input: NewOrder, db: Db = this.db): Promise<StoredOrder> {
    const id = await this.nextId(db);
    const now = new Date().toISOString();
    return this.insert({ ...input, id, externalId: input.externalId(id), entity: input.entity(id, now), now }, db);
  }

  /** The order as the tenant sees it (its entity alone: no request, payloads or states to read). */
  async entity(id: number, db: Db = this.db): Promise<OrderEntity | undefined> {
    const row = await db
      .selectFrom('orders')
      .select('entity')
      .where('tenant_id', '=', this.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.entity as OrderEntity | undefined;
  }

  async get(id: number, db: Db = this.db): Promise<StoredOrder | undefined> {
    if (!isRowId(id)) return undefined; // beyond int4 no order can have it (and Postgres would refuse the query)
    const row = await db
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', this.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toOrder(row as Row) : undefined;
  }

  /** Locks the row for the rest of the transaction (no-op on PGlite's single connection, real on Postgres). */
  async getForUpdate(id: number, trx: Db): Promise<StoredOrder | undefined> {
    if (!isRowId(id)) return undefined;
    const row = await trx
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', this.tenantId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ? toOrder(row as Row) : undefined;
  }
}

export interface OrderPatch {
  status?: OrderStatus;
  entity?: OrderEntity;
  lifecycle?: LifecycleState;
  adapterState?: unknown;
  supplierOrderId?: string | null;
  outbound?: unknown;
  sendState?: SendState;
  /** when the send is next due (null: now) */
  sendNextAt?: string | null;
  sendDeadline?: string | null;
  sendError?: string | null;
}

export interface HistoryEvent {
  event: string;
  detail?: unknown;
}

/** Writes a change to an order the caller has already resolved (and, for tenants, authorised). */
export async function updateOrder(
  db: Db,
  order: Pick<StoredOrder, 'tenantId' | 'id'>,
  patch: OrderPatch,
  historyEvent?: HistoryEvent,
): Promise<void> {
  const now = new Date().toISOString();
  const set: Record<string, unknown> = { updated_at: now };
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.entity !== undefined) set.entity = JSON.stringify(patch.entity);
  if (patch.lifecycle !== undefined) set.lifecycle = JSON.stringify(patch.lifecycle);
  if (patch.adapterState !== undefined) set.supplier_state = JSON.stringify(patch.adapterState);
  if (patch.supplierOrderId !== undefined) set.supplier_order_id = patch.supplierOrderId;
  if (patch.outbound !== undefined) set.outbound = JSON.stringify(patch.outbound);
  if (patch.sendState !== undefined) set.send_state = patch.sendState;
  if (patch.sendNextAt !== undefined) set.send_next_at = patch.sendNextAt;
  if (patch.sendDeadline !== undefined) set.send_deadline = patch.sendDeadline;
  if (patch.sendError !== undefined) set.send_error = patch.sendError?.slice(0, 2000) ?? null;
  await db.updateTable('orders').set(set).where('tenant_id', '=', order.tenantId).where('id', '=', order.id).execute();
  if (historyEvent) await addHistory(db, [{ tenantId: order.tenantId, orderId: order.id, at: now, ...historyEvent }]);
}

/** Appends events to orders' histories (one statement however many). */
export async function addHistory(
  db: Db,
  events: { tenantId: string; orderId: number; at: string; event: string; detail?: unknown }[],
): Promise<void> {
  if (!events.length) return;
  await db
    .insertInto('order_history')
    .values(
      events.map((e) => ({
        tenant_id: e.tenantId,
        order_id: e.orderId,
        at: e.at,
        event: e.event,
        detail: e.detail === undefined ? null : JSON.stringify(e.detail),
      })),
    )
    .execute();
}

/**
 * The tenant whose order a KSU will be applied to when its externalId names no order: the applier then
 * matches the supplier's order id instead. An update whose externalId names the caller but whose order id is
 * another tenant's order would otherwise be accepted at the door and refused only when applied.
 */
export async function ownersBySupplierIdWhenExternalIdUnknown(
  db: Db,
  updates: { supplier: string; externalId: string; supplierOrderId: string }[],
): Promise<{ owner?: string; externalIdKnown: boolean }[]> {
  if (!updates.length) return [];
  // One statement for a group of updates received together; each answered in the order asked.
  const r = await sql<{ i: string; known: boolean; tenant_id: string | null }>`
    SELECT v.i, k.known, CASE WHEN NOT k.known THEN (
      SELECT o.tenant_id FROM orders o
      WHERE o.supplier = v.supplier AND o.supplier_order_id = v.supplier_order_id
      LIMIT 1) END AS tenant_id
    FROM unnest(${updates.map((u) => u.supplier)}::text[], ${updates.map((u) => u.externalId)}::text[],
      ${updates.map((u) => u.supplierOrderId)}::text[]) WITH ORDINALITY AS v(supplier, external_id, supplier_order_id, i)
    CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM orders x WHERE x.external_id = v.external_id) AS known) k`.execute(
    db,
  );
  const answers = updates.map(() => ({ externalIdKnown: false }) as { owner?: string; externalIdKnown: boolean });
  for (const row of r.rows)
    answers[Number(row.i) - 1] = { owner: row.tenant_id ?? undefined, externalIdKnown: row.known };
  return answers;
}

/** Supplier-side lookup by the connector's own numeric order id (the Fibre Cafe Supplier Updates API names orders so). */
export async function orderOfSupplier(
  db: Db,
  supplier: string,
  tenantId: string,
  id: number,
): Promise<{ externalId: string } | undefined> {
  if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647) return undefined;
  const row = await db
    .selectFrom('orders')
    .select('external_id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('supplier', '=', supplier)
    .executeTakeFirst();
  return row ? { externalId: row.external_id } : undefined;
}

/** Supplier-side lookup: by our externalId or the supplier's order id, across tenants (the caller checks the tenant). */
export async function findOrderForSupplier(
  db: Db,
  supplier: string,
  externalId: string | null,
  supplierOrderId: string | null,
): Promise<StoredOrder | undefined> {
  if (externalId) {
    const row = await db.selectFrom('orders').selectAll().where('external_id', '=', externalId).executeTakeFirst();
    if (row) return toOrder(row as Row);
  }
  if (supplierOrderId) {
    const row = await db
      .selectFrom('orders')
      .selectAll()
      .where('supplier', '=', supplier)
      .where('supplier_order_id', '=', supplierOrderId)
      .executeTakeFirst();
    if (row) return toOrder(row as Row);
  }
  return undefined;
}

/**
 * Locks every order a batch of updates names, in one sorted statement (a consistent lock order, so
 * concurrent loops and instances never deadlock). The request and payload are not read: appliers do not need them.
 */
export async function lockOrdersNamed(
  trx: Db,
  externalIds: string[],
  supplierOrderIds: string[],
  suppliers: string[],
): Promise<StoredOrder[]> {
  if (!externalIds.length && !supplierOrderIds.length) return [];
  // A supplier's order id is matched with the supplier named, so the (supplier, supplier_order_id) index is
  // used: on its own it read the whole index (491 ms a batch at 1M orders; 0.1 ms this way).
  const { rows } = await sql<Row>`
    SELECT tenant_id, id, external_id, supplier, order_type, status, supplier_order_id, conversation_id, entity,
      '{}'::jsonb AS request, supplier_state, lifecycle, NULL::jsonb AS outbound, send_state, created_at, updated_at
    FROM orders WHERE external_id = ANY(${externalIds}::text[])
      OR (supplier = ANY(${suppliers}::text[]) AND supplier_order_id = ANY(${supplierOrderIds}::text[]))
    ORDER BY tenant_id, id FOR UPDATE`.execute(trx);
  return rows.map(toOrder);
}

/** The tenant requests of several orders (the appliers lock orders without them). */
export async function requestsOf(db: Db, keys: { tenantId: string; id: number }[]): Promise<Map<string, unknown>> {
  if (!keys.length) return new Map();
  const rows = await db
    .selectFrom('orders')
    .select(['tenant_id', 'id', 'request'])
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('tenant_id', '=', k.tenantId), eb('id', '=', k.id)]))))
    .execute();
  return new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.id}`, r.request]));
}

/** Writes many orders' new state in one statement (after applying updates). */
export async function writeOrders(trx: Db, orders: StoredOrder[]): Promise<void> {
  if (!orders.length) return;
  const now = new Date().toISOString();
  const rows = orders.map((o) => ({
    tenant_id: o.tenantId,
    id: o.id,
    status: o.status,
    entity: o.entity,
    supplier_state: o.adapterState,
    lifecycle: o.lifecycle,
    supplier_order_id: o.supplierOrderId,
    send_state: o.sendState,
  }));
  await sql`
    UPDATE orders o SET status = v.status, entity = v.entity, supplier_state = v.supplier_state, lifecycle = v.lifecycle,
      supplier_order_id = v.supplier_order_id, send_state = v.send_state, updated_at = ${now}::timestamptz
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS v(tenant_id text, id integer, status text, entity jsonb, supplier_state jsonb, lifecycle jsonb, supplier_order_id text, send_state text)
    WHERE o.tenant_id = v.tenant_id AND o.id = v.id`.execute(trx);
}

// ---- Sending: what is due, claimed with a lease -----------------------------------------------------------

/** A send claimed by a dispatcher: `was` says how it stood (PENDING: send it; otherwise find out first). */
export interface SendClaim {
  was: SendState;
  /** the claim's number (send_attempts after it): a settle applies only while it is still this claim */
  attempt: number;
  deadline: string;
}

const DUE = sql`send_state IN ('PENDING', 'SENDING', 'UNCERTAIN') AND (send_next_at IS NULL OR send_next_at <= now())`;

/**
 * Tenants with an order, amendment or cancellation due: PENDING or UNCERTAIN whose time has come, or SENDING whose
 * lease has run out (the process that claimed it died mid-call).
 */
export async function tenantsWithDueSends(db: Db): Promise<string[]> {
  const { rows } = await sql<{ tenant_id: string }>`
    SELECT DISTINCT tenant_id FROM orders WHERE ${DUE}
    UNION SELECT DISTINCT tenant_id FROM order_requests WHERE ${DUE}`.execute(db);
  return rows.map((r) => r.tenant_id);
}

/** When the next send falls due (null: none waits), so the dispatcher can wake for it. */
export async function nextSendDue(db: Db): Promise<string | null> {
  const { rows } = await sql<{ at: Date | string | null }>`
    SELECT min(at) AS at FROM (
      SELECT min(send_next_at) AS at FROM orders WHERE send_state IN ('PENDING', 'SENDING', 'UNCERTAIN')
      UNION ALL SELECT min(send_next_at) FROM order_requests WHERE send_state IN ('PENDING', 'SENDING', 'UNCERTAIN')) t`.execute(
    db,
  );
  return rows[0]?.at ? iso(rows[0].at) : null;
}

/**
 * Claims up to `limit` of a tenant's due orders: each is marked SENDING with a lease (committed before any call,
 * so a crash leaves a trace) and a deadline, set at its first claim, after which its tenant is told.
 */
export async function claimOrderSends(
  db: Db,
  tenantId: string,
  limit: number,
  leaseMs: number,
  windowMs: number,
): Promise<(StoredOrder & SendClaim)[]> {
  const { rows } = await sql<Row & { was: string; send_attempts: number; send_deadline: Date | string }>`
    WITH due AS (
      SELECT tenant_id, id, send_state AS was FROM orders
      WHERE tenant_id = ${tenantId} AND ${DUE}
      ORDER BY send_next_at NULLS FIRST, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    UPDATE orders o SET send_state = 'SENDING', send_attempts = o.send_attempts + 1,
      send_next_at = now() + ${`${leaseMs} milliseconds`}::interval,
      send_deadline = COALESCE(o.send_deadline, now() + ${`${windowMs} milliseconds`}::interval)
    FROM due WHERE o.tenant_id = due.tenant_id AND o.id = due.id
    RETURNING o.*, due.was`.execute(db);
  return rows.map((r) => ({
    ...toOrder(r),
    was: r.was as SendState,
    attempt: r.send_attempts,
    deadline: iso(r.send_deadline),
  }));
}

/** A claimed order's send state, locked for the rest of the transaction: still the claim's to settle? */
export async function stillClaimed(trx: Db, order: Pick<StoredOrder, 'tenantId' | 'id'>, attempt: number) {
  const row = await trx
    .selectFrom('orders')
    .select(['send_state', 'send_attempts'])
    .where('tenant_id', '=', order.tenantId)
    .where('id', '=', order.id)
    .forUpdate()
    .executeTakeFirst();
  return row?.send_state === 'SENDING' && row.send_attempts === attempt;
}

/**
 * Sends left SENDING by a previous process, where no other process can be running (the embedded database has
 * one): their leases end now, so they are resolved at once.
 */
export async function markInterruptedSends(db: Db): Promise<void> {
  await db.updateTable('orders').set({ send_next_at: null }).where('send_state', '=', 'SENDING').execute();
  await db.updateTable('order_requests').set({ send_next_at: null }).where('send_state', '=', 'SENDING').execute();
}

/** Orders whose send could not be resolved with the supplier in time, for operators (oldest first). */
export async function unresolvedOrders(db: Db, limit: number): Promise<StoredOrder[]> {
  const rows = await db
    .selectFrom('orders')
    .selectAll()
    .where('send_state', '=', 'UNRESOLVED')
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((r) => toOrder(r as Row));
}

/** Open orders (sent, not finished) with no change for `quietMs` and not reconciled since: oldest first. */
export async function quietOpenOrders(db: Db, quietMs: number, limit: number): Promise<StoredOrder[]> {
  const { rows } = await sql<Row>`
    SELECT * FROM orders
    WHERE send_state = 'SENT' AND status NOT IN ('COMPLETED', 'CANCELLED', 'REJECTED', 'FAILED_TO_SEND')
      AND updated_at < now() - ${`${quietMs} milliseconds`}::interval
      AND (reconciled_at IS NULL OR reconciled_at < now() - ${`${quietMs} milliseconds`}::interval)
    ORDER BY updated_at LIMIT ${limit}`.execute(db);
  return rows.map(toOrder);
}

export async function markReconciled(db: Db, order: Pick<StoredOrder, 'tenantId' | 'id'>): Promise<void> {
  await db
    .updateTable('orders')
    .set({ reconciled_at: new Date().toISOString() })
    .where('tenant_id', '=', order.tenantId)
    .where('id', '=', order.id)
    .execute();
}

// ---- The tenant's amendments and cancellations of an order ----------------------------------------------

export interface StoredRequest {
  tenantId: string;
  kind: TenantRequestKind;
  id: number;
  orderId: number;
  status: RequestStatus;
  body: Record<string, unknown>;
  outbound: unknown;
  conversationId: string;
  sendState?: SendState;
  createdAt?: string;
  sendError?: string | null;
}

type RequestRow = {
  tenant_id: string;
  kind: string;
  id: number;
  order_id: number;
  status: string;
  body: unknown;
  outbound: unknown;
  conversation_id: string;
  send_state: string;
  created_at: Date | string;
  send_error: string | null;
};

const toRequest = (r: RequestRow): StoredRequest => ({
  tenantId: r.tenant_id,
  kind: r.kind as TenantRequestKind,
  id: Number(r.id),
  orderId: Number(r.order_id),
  status: r.status as RequestStatus,
  body: r.body as Record<string, unknown>,
  outbound: r.outbound,
  conversationId: r.conversation_id,
  sendState: r.send_state as SendState,
  createdAt: iso(r.created_at),
  sendError: r.send_error,
});

/** The tenant's next amendment or cancellation id (in the caller's transaction). */
export const nextRequestId = (trx: Db, tenantId: string, kind: TenantRequestKind) =>
  nextValue(trx, tenantId, kind === 'AMENDMENT' ? 'amendment' : 'cancellation');

export async function insertRequest(trx: Db, r: StoredRequest & { createdAt: string }): Promise<void> {
  await trx
    .insertInto('order_requests')
    .values({
      tenant_id: r.tenantId,
      kind: r.kind,
      id: r.id,
      order_id: r.orderId,
      status: r.status,
      body: JSON.stringify(r.body),
      outbound: JSON.stringify(r.outbound),
      send_state: 'PENDING',
      conversation_id: r.conversationId,
      created_at: r.createdAt,
    })
    .execute();
}

/**
 * Claims up to `limit` of a tenant's due amendments and cancellations, in order per order: only the first unsettled
 * request of an order whose own send is settled (SENT), each marked SENDING with a lease and a deadline.
 */
export async function claimRequestSends(
  db: Db,
  tenantId: string,
  limit: number,
  leaseMs: number,
  windowMs: number,
): Promise<(StoredRequest & SendClaim)[]> {
  const { rows } = await sql<RequestRow & { was: string; send_attempts: number; send_deadline: Date | string }>`
    WITH due AS (
      SELECT r.tenant_id, r.kind, r.id, r.send_state AS was FROM order_requests r
      JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id AND o.send_state = 'SENT'
      WHERE r.tenant_id = ${tenantId} AND r.send_state IN ('PENDING', 'SENDING', 'UNCERTAIN')
        AND (r.send_next_at IS NULL OR r.send_next_at <= now())
        AND NOT EXISTS (SELECT 1 FROM order_requests e WHERE e.tenant_id = r.tenant_id AND e.order_id = r.order_id
          AND e.send_state IN ('PENDING', 'SENDING', 'UNCERTAIN') AND (e.created_at, e.kind, e.id) < (r.created_at, r.kind, r.id))
      ORDER BY r.created_at LIMIT ${limit} FOR UPDATE OF r SKIP LOCKED)
    UPDATE order_requests q SET send_state = 'SENDING', send_attempts = q.send_attempts + 1,
      send_next_at = now() + ${`${leaseMs} milliseconds`}::interval,
      send_deadline = COALESCE(q.send_deadline, now() + ${`${windowMs} milliseconds`}::interval)
    FROM due WHERE q.tenant_id = due.tenant_id AND q.kind = due.kind AND q.id = due.id
    RETURNING q.*, due.was`.execute(db);
  return rows.map((r) => ({
    ...toRequest(r),
    was: r.was as SendState,
    attempt: r.send_attempts,
    deadline: iso(r.send_deadline),
  }));
}

/** A claimed request, locked: still the claim's to settle? */
export async function requestStillClaimed(
  trx: Db,
  r: Pick<StoredRequest, 'tenantId' | 'kind' | 'id'>,
  attempt: number,
): Promise<boolean> {
  const row = await trx
    .selectFrom('order_requests')
    .select(['send_state', 'send_attempts'])
    .where('tenant_id', '=', r.tenantId)
    .where('kind', '=', r.kind)
    .where('id', '=', r.id)
    .forUpdate()
    .executeTakeFirst();
  return row?.send_state === 'SENDING' && row.send_attempts === attempt;
}

/** A request to try again later (PENDING) or to ask the supplier about (UNCERTAIN). */
export async function rescheduleRequest(
  trx: Db,
  r: Pick<StoredRequest, 'tenantId' | 'kind' | 'id'>,
  sendState: 'PENDING' | 'UNCERTAIN',
  nextAt: string,
  error: string,
): Promise<void> {
  await trx
    .updateTable('order_requests')
    .set({ send_state: sendState, send_next_at: nextAt, send_error: error.slice(0, 2000) })
    .where('tenant_id', '=', r.tenantId)
    .where('kind', '=', r.kind)
    .where('id', '=', r.id)
    .execute();
}

/** Amendments and cancellations whose send could not be resolved in time, for operators (oldest first). */
export async function unresolvedRequests(db: Db, limit: number): Promise<StoredRequest[]> {
  const rows = await db
    .selectFrom('order_requests')
    .selectAll()
    .where('send_state', '=', 'UNRESOLVED')
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => toRequest(r as RequestRow));
}

/** One request of a tenant's order, locked. */
export async function getRequestForUpdate(
  trx: Db,
  tenantId: string,
  kind: TenantRequestKind,
  id: number,
): Promise<StoredRequest | undefined> {
  if (!isRowId(id)) return undefined;
  const row = await trx
    .selectFrom('order_requests')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row ? toRequest(row as RequestRow) : undefined;
}

export async function settleRequest(
  trx: Db,
  r: Pick<StoredRequest, 'tenantId' | 'kind' | 'id'>,
  sendState: SendState,
  body: Record<string, unknown>,
  extra: { nextAt?: string | null; deadline?: string | null; error?: string | null } = {},
): Promise<void> {
  await trx
    .updateTable('order_requests')
    .set({
      send_state: sendState,
      status: String(body.status),
      body: JSON.stringify(body),
      ...(extra.nextAt !== undefined ? { send_next_at: extra.nextAt } : {}),
      ...(extra.deadline !== undefined ? { send_deadline: extra.deadline } : {}),
      ...(extra.error !== undefined ? { send_error: extra.error?.slice(0, 2000) ?? null } : {}),
    })
    .where('tenant_id', '=', r.tenantId)
    .where('kind', '=', r.kind)
    .where('id', '=', r.id)
    .execute();
}

// ---- Reserved appointments -------------------------------------------------------------------------------

export type StoredReservation = Reservation & { siteVisitReason?: string };

export async function insertReservation(db: Db, tenantId: string, r: StoredReservation): Promise<void> {
  await db
    .insertInto('appointments')
    .values({
      tenant_id: tenantId,
      id: r.id,
      supplier: r.supplier,
      supplier_reference: r.supplierReference,
      body: JSON.stringify(r),
      expires_at: r.expiryDateTime,
      created_at: new Date().toISOString(),
    })
    .execute();
}

/** A tenant's own reservation (another tenant's id is simply not found). */
export async function getReservation(
  db: Db,
  tenantId: string,
  id: number,
): Promise<{ reservation: StoredReservation; expiresAt: string | null } | undefined> {
  if (!isRowId(id)) return undefined;
  const row = await db
    .selectFrom('appointments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    reservation: row.body as StoredReservation,
    expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
  };
}

/**
 * Marks a reservation as used by an order, in the order's transaction; answers the order that already used it, if
 * one did (a reservation is one engineer visit: one order only). The mark lives in the reservation's body.
 */
export async function consumeReservation(
  db: Db,
  tenantId: string,
  id: number,
  orderId: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('appointments')
    .select('body')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const body = row.body as StoredReservation & { consumedBy?: number };
  if (body.consumedBy !== undefined && body.consumedBy !== orderId) return body.consumedBy;
  await db
    .updateTable('appointments')
    .set({ body: JSON.stringify({ ...body, consumedBy: orderId }) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
  return undefined;
}
