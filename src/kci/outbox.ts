import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { kciBody, type KciContent, type StoredKci } from './envelope.js';
import type { OrderEntity } from '../orders/order.js';
import type { components } from '../generated/tenant-api.js';

type OrderUpdate = components['schemas']['OrderUpdate'];

export interface OutboxEntry {
  id: string;
  tenantId: string;
  orderId: number;
  sequenceNumber: number;
  conversationId: string;
  body: StoredKci;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastStatus: number | null;
  deliveredAt: string | null;
  createdAt: string;
}

type Row = {
  id: string;
  tenant_id: string;
  order_id: number;
  sequence_number: number;
  conversation_id: string;
  body: unknown;
  status: string;
  attempts: number;
  next_attempt_at: Date | string | number | null;
  last_error: string | null;
  last_status: number | null;
  delivered_at: Date | string | null;
  created_at: Date | string;
};
// 'infinity' (a KCI waiting behind an earlier one of its order) has no date: null.
const iso = (d: Date | string | number | null) => {
  if (d == null) return null;
  const t = new Date(d).getTime();
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
};
export const toEntry = (r: Row): OutboxEntry => ({
  id: r.id,
  tenantId: r.tenant_id,
  orderId: Number(r.order_id),
  sequenceNumber: Number(r.sequence_number),
  conversationId: r.conversation_id,
  body: (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as StoredKci,
  status: r.status,
  attempts: Number(r.attempts),
  nextAttemptAt: iso(r.next_attempt_at),
  lastError: r.last_error,
  lastStatus: r.last_status,
  deliveredAt: iso(r.delivered_at),
  createdAt: iso(r.created_at)!,
});

export interface NewKci {
  tenantId: string;
  orderId: number;
  orderType: string;
  conversationId: string;
  supplier: string;
  content: KciContent;
  entity: OrderEntity;
  issuedOn?: string;
  receivedOn?: string;
  supplierNotes?: { note: string; type?: string; created?: string }[];
}

/**
 * Writes KCIs in the caller's transaction (transactional outbox), numbered per order without gaps, in
 * list order. Set-based: one counter upsert and one insert however many KCIs and orders.
 */
export async function enqueueKcis(trx: Db, list: NewKci[]): Promise<StoredKci[]> {
  if (!list.length) return [];
  const perOrder = new Map<string, { tenantId: string; name: string; n: number }>();
  for (const k of list) {
    const key = `${k.tenantId}\u0000kci:${k.orderId}`;
    const e = perOrder.get(key) ?? { tenantId: k.tenantId, name: `kci:${k.orderId}`, n: 0 };
    e.n += 1;
    perOrder.set(key, e);
  }
  const counters = await sql<{ tenant_id: string; name: string; value: number }>`
    INSERT INTO counters (tenant_id, name, value)
    SELECT v.tenant_id, v.name, v.n FROM jsonb_to_recordset(${JSON.stringify([...perOrder.values()].map((e) => ({ tenant_id: e.tenantId, name: e.name, n: e.n })))}::jsonb) AS v(tenant_id text, name text, n integer)
    ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + EXCLUDED.value
    RETURNING tenant_id, name, value`.execute(trx);
  const next = new Map<string, number>();
  for (const r of counters.rows)
    next.set(`${r.tenant_id}\u0000${r.name}`, Number(r.value) - perOrder.get(`${r.tenant_id}\u0000${r.name}`)!.n + 1);
  const now = new Date().toISOString();
  const bodies: StoredKci[] = [];
  const seen = new Set<string>();
  const rows = list.map((k) => {
    const key = `${k.tenantId}\u0000kci:${k.orderId}`;
    const sequenceNumber = next.get(key)!;
    next.set(key, sequenceNumber + 1);
    const body = kciBody({ ...k, sequenceNumber });
    bodies.push(body);
    const follows = seen.has(key);
    seen.add(key);
    return {
      id: body.id,
      tenant_id: k.tenantId,
      order_id: k.orderId,
      sequence_number: sequenceNumber,
      conversation_id: k.conversationId,
      body,
      follows,
    };
  });
  // A KCI behind an undelivered one of its order (earlier in this list, or already stored) waits with no due
  // time ('infinity'): claims then never look at it. Recording its predecessor as delivered makes it due.
  await sql`
    INSERT INTO kci_outbox (id, tenant_id, order_id, sequence_number, conversation_id, body, status, attempts, next_attempt_at, created_at)
    SELECT v.id, v.tenant_id, v.order_id, v.sequence_number, v.conversation_id, v.body, 'PENDING', 0,
      CASE WHEN v.follows OR EXISTS (SELECT 1 FROM kci_outbox p WHERE p.tenant_id = v.tenant_id AND p.order_id = v.order_id AND p.status <> 'DELIVERED')
        THEN 'infinity'::timestamptz ELSE ${now}::timestamptz END,
      ${now}::timestamptz
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS v(id uuid, tenant_id text, order_id integer, sequence_number integer, conversation_id text, body jsonb, follows boolean)`.execute(
    trx,
  );
  return bodies;
}

/** One KCI in the caller's transaction. */
export async function enqueueKci(trx: Db, args: NewKci): Promise<StoredKci> {
  return (await enqueueKcis(trx, [args]))[0]!;
}

/**
 * Claims due KCIs that are the oldest undelivered one of their order (so order is kept per order),
 * with FOR UPDATE SKIP LOCKED and a lease, so several instances on Postgres share the work. `skipTenants`:
 * tenants whose share of the deliveries in flight is used up.
 */
export async function claimDue(
  db: Db,
  limit: number,
  leaseSeconds: number,
  skipTenants: string[] = [],
): Promise<OutboxEntry[]> {
  const rows = await sql<Row>`
    UPDATE kci_outbox k SET lease_until = now() + make_interval(secs => ${leaseSeconds}), attempts = k.attempts + 1
    WHERE k.id IN (
      SELECT o.id FROM kci_outbox o
      WHERE o.status = 'PENDING' AND o.next_attempt_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
        AND NOT (o.tenant_id = ANY(${skipTenants}::text[]))
        AND NOT EXISTS (SELECT 1 FROM kci_outbox p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.order_id
                        AND p.sequence_number < o.sequence_number AND p.status <> 'DELIVERED')
      ORDER BY o.next_attempt_at, o.sequence_number
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING k.*`.execute(db);
  return rows.rows.map(toEntry);
}

/** Claimed KCIs handed back untried: no lease, the attempt not counted. */
export async function releaseClaims(db: Db, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await sql`UPDATE kci_outbox SET lease_until = NULL, attempts = attempts - 1 WHERE id = ANY(${ids}::uuid[]) AND status = 'PENDING'`.execute(
    db,
  );
}

export interface DeliveryOutcome {
  id: string;
  delivered: boolean;
  status: number | null;
  next?: Date | null;
  error?: string;
  at: string;
  /** the call made, kept for operators (none for a KCI whose tenant is gone, or a call abandoned) */
  attempt?: AttemptRecord;
}

/** One call to a tenant's webhook, as kept in kci_attempts. */
export interface AttemptRecord {
  tenantId: string;
  attempt: number;
  at: string;
  status: number | null;
  latencyMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

/** Records a pass's outcomes in one statement: delivered, retry later (PENDING) or DEAD. */
export async function recordOutcomes(
  db: Db,
  outcomes: DeliveryOutcome[],
  engine: 'pglite' | 'postgres' = 'postgres',
): Promise<void> {
  if (!outcomes.length) return;
  const rows = outcomes.map((o) => ({
    id: o.id,
    status: o.delivered ? 'DELIVERED' : o.next ? 'PENDING' : 'DEAD',
    delivered_at: o.delivered ? o.at : null,
    next_attempt_at: o.next ? o.next.toISOString() : o.at,
    last_status: o.status,
    last_error: o.delivered ? null : (o.error ?? '').slice(0, 500),
  }));
  // The same statement makes each delivered KCI's successor due (see enqueueKcis). A successor is written
  // under its order's lock; holding that lock (shared) first means the successor is either committed and
  // seen here, or written after this commits and then sees its predecessor delivered. (PGlite has one
  // connection: nothing is written in between.)
  const attempts = outcomes.flatMap((o) =>
    o.attempt
      ? [
          {
            kci_id: o.id,
            attempt: o.attempt.attempt,
            tenant_id: o.attempt.tenantId,
            at: o.attempt.at,
            status: o.attempt.status,
            latency_ms: o.attempt.latencyMs,
            error: o.attempt.error?.slice(0, 500) ?? null,
            response_excerpt: o.attempt.responseExcerpt,
          },
        ]
      : [],
  );
  const delivered = outcomes.filter((x) => x.delivered).map((x) => x.id);
  if (engine === 'pglite' || !delivered.length) return void (await recordStatement(db, rows, attempts));
  await db.transaction().execute(async (trx) => {
    await sql`
      SELECT 1 FROM orders o JOIN kci_outbox k ON k.tenant_id = o.tenant_id AND k.order_id = o.id
      WHERE k.id = ANY(${delivered}::uuid[])
      ORDER BY o.tenant_id, o.id FOR SHARE OF o`.execute(trx);
    await recordStatement(trx, rows, attempts);
  });
}

/**
 * Outcomes and their attempts in one statement (the attempts as a data-modifying CTE beside the update). Each
 * delivered KCI's successor is found by its order and sequence number; "waiting" is written `NOT isfinite(…)`
 * so that the planner cannot take the due index for it instead, which read every waiting KCI of every tenant
 * per delivered one (1,000 waiting after a year of history: 16 ms a call; by the key, 1.5 ms).
 */
function recordStatement(db: Db, rows: unknown[], attempts: unknown[]) {
  return sql`
    WITH tried AS (
      INSERT INTO kci_attempts (kci_id, attempt, tenant_id, at, status, latency_ms, error, response_excerpt)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb)
        AS a(kci_id uuid, attempt integer, tenant_id text, at timestamptz, status integer, latency_ms integer,
             error text, response_excerpt text)
      ON CONFLICT (kci_id, attempt) DO NOTHING),
    done AS (
      UPDATE kci_outbox k SET status = v.status, delivered_at = v.delivered_at, next_attempt_at = v.next_attempt_at,
        last_status = v.last_status, last_error = v.last_error, lease_until = NULL
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS v(id uuid, status text, delivered_at timestamptz, next_attempt_at timestamptz, last_status integer, last_error text)
      WHERE k.id = v.id
      RETURNING k.tenant_id, k.order_id, k.sequence_number, k.status)
    UPDATE kci_outbox n SET next_attempt_at = now()
    FROM done d
    WHERE d.status = 'DELIVERED' AND n.tenant_id = d.tenant_id AND n.order_id = d.order_id AND n.sequence_number = d.sequence_number + 1
      AND n.status = 'PENDING' AND NOT isfinite(n.next_attempt_at)`.execute(db);
}

/**
 * Makes due any waiting KCI whose predecessors are all delivered. Normally recordOutcomes does that at once;
 * this catches the one it cannot see: a KCI committed just after its predecessor's delivery was recorded.
 * Reads only the waiting KCIs (through the due index); returns how many it released.
 */
export async function releaseWaiting(db: Db): Promise<number> {
  const r = await sql`
    UPDATE kci_outbox k SET next_attempt_at = now()
    WHERE k.status = 'PENDING' AND k.next_attempt_at = 'infinity'
      AND NOT EXISTS (SELECT 1 FROM kci_outbox p WHERE p.tenant_id = k.tenant_id AND p.order_id = k.order_id
                      AND p.sequence_number < k.sequence_number AND p.status <> 'DELIVERED')`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Operator: a DEAD (or stuck) KCI is queued again with the same id. */
export async function redeliver(db: Db, id: string): Promise<OutboxEntry | undefined> {
  const row = await db
    .updateTable('kci_outbox')
    .set({ status: 'PENDING', next_attempt_at: new Date().toISOString(), lease_until: null })
    .where('id', '=', id)
    .where('status', '<>', 'DELIVERED')
    .returningAll()
    .executeTakeFirst();
  if (row) return toEntry(row as Row);
  const existing = await db.selectFrom('kci_outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return existing ? toEntry(existing as Row) : undefined;
}

export async function listOutbox(
  db: Db,
  filter: { status?: string; tenantId?: string; limit?: number },
): Promise<OutboxEntry[]> {
  let q = db
    .selectFrom('kci_outbox')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.tenantId) q = q.where('tenant_id', '=', filter.tenantId);
  return (await q.execute()).map((r) => toEntry(r as Row));
}

/** An order's KCIs in sequence. Each body without the order entity it carried (the caller has the latest). */
export async function listForOrder(db: Db, tenantId: string, orderId: number): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom('kci_outbox')
    .select([
      'id',
      'tenant_id',
      'order_id',
      'sequence_number',
      'conversation_id',
      'status',
      'attempts',
      'next_attempt_at',
      'last_error',
      'last_status',
      'delivered_at',
      'created_at',
      sql<Record<string, unknown>>`body - 'entity'`.as('body'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('order_id', '=', orderId)
    .orderBy('sequence_number')
    .execute();
  return rows.map((r) => toEntry(r as Row));
}

/**
 * An order's KCIs as GET /v1/service-orders/{id} lists them (each without the entity it carried), built by
 * the database as one JSON array in sequence order: one value to parse instead of a row, three dates and a
 * body per KCI, which keeps the read of an order with a long history cheap in allocations (and so in GC
 * pauses). `json`, not `jsonb`, so the keys keep the order written here; absent fields are left out.
 */
export async function updatesForOrder(db: Db, tenantId: string, orderId: number): Promise<OrderUpdate[]> {
  const r = await sql<{ updates: OrderUpdate[] }>`
    SELECT coalesce(json_agg(json_strip_nulls(json_build_object(
      'id', k.id, 'supplier', k.body->'supplier', 'sequenceNumber', k.sequence_number,
      'issuedOn', k.body->'issuedOn', 'receivedOn', k.body->'receivedOn',
      'deliveredOn', to_char(k.delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'deliveryStatus', k.status, 'deliveryAttempts', k.attempts, 'updateType', k.body->'updateType',
      'information', k.body->'information', 'actionRequired', k.body->'actionRequired', 'error', k.body->'error',
      'supplierNotes', k.body->'supplierNotes')) ORDER BY k.sequence_number), '[]'::json) AS updates
    FROM kci_outbox k
    WHERE k.tenant_id = ${tenantId} AND k.order_id = ${orderId}`.execute(db);
  const updates = r.rows[0]?.updates ?? [];
  return typeof updates === 'string' ? (JSON.parse(updates) as OrderUpdate[]) : updates;
}

/**
 * Operator: every DEAD KCI of a tenant queued again (same ids), after an outage. Oldest first: each is due
 * from its creation time, so claims (ordered by due time) take them in the order they were written. A KCI
 * with an undelivered one before it in its order waits ('infinity') and is made due when that one is
 * delivered, as in enqueueKcis. Returns how many were queued.
 */
export async function redeliverTenant(db: Db, tenantId: string): Promise<number> {
  const r = await sql`
    UPDATE kci_outbox k SET status = 'PENDING', lease_until = NULL,
      next_attempt_at = CASE WHEN EXISTS (
          SELECT 1 FROM kci_outbox p WHERE p.tenant_id = k.tenant_id AND p.order_id = k.order_id
            AND p.sequence_number < k.sequence_number AND p.status <> 'DELIVERED')
        THEN 'infinity'::timestamptz ELSE least(k.created_at, now()) END
    WHERE k.tenant_id = ${tenantId} AND k.status = 'DEAD'`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
