import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { GroupedCalls } from '../platform/grouped-calls.js';

export interface InboxInsert {
  eventId: string | null;
  tenantId: string | null;
  supplier: string;
  raw: string;
  body: unknown;
  /** the body to keep as jsonb when it is not the raw text (unstorable characters replaced; raw in base64) */
  bodyText?: string;
  eventType: string | null;
  eventTime: string | null;
  externalId: string | null;
  supplierOrderId: string | null;
  status: string;
  error: string | null;
}

/**
 * KSUs that arrived before their order was known are matched once it is. Given the orders just created or
 * given their supplier order id, only KSUs naming those are looked at (through the inbox's external and
 * supplier order id indexes): with a year's UNMATCHED KSUs, a pass over all of them for every order sent took
 * ~200 ms at 1M orders. Without, every UNMATCHED KSU is checked.
 */
export async function requeueUnmatched(db: Db, orders?: { tenantId: string; id: number }[]): Promise<number> {
  if (orders && !orders.length) return 0;
  const r = orders
    ? await sql`
    UPDATE ksu_inbox k SET status = 'PENDING'
    FROM orders o
    WHERE (o.tenant_id, o.id) IN (SELECT * FROM unnest(${orders.map((o) => o.tenantId)}::text[], ${orders.map((o) => o.id)}::int[]))
      AND k.status = 'UNMATCHED'
      AND (k.external_id = o.external_id OR (k.supplier = o.supplier AND k.supplier_order_id = o.supplier_order_id))`.execute(
        db,
      )
    : await sql`
    UPDATE ksu_inbox k SET status = 'PENDING'
    WHERE k.status = 'UNMATCHED' AND EXISTS (
      SELECT 1 FROM orders o WHERE o.external_id = k.external_id OR (o.supplier = k.supplier AND o.supplier_order_id = k.supplier_order_id))`.execute(
        db,
      );
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Group commit for the KSU inbox: KSUs that arrive in the same event-loop turn are stored with one
 * multi-row INSERT, and each caller's promise resolves only after that INSERT has committed (so a 202
 * still means "durably stored"). Under load this turns one database round trip per KSU into one per batch.
 */
export class InboxWriter {
  private readonly group: GroupedCalls<InboxInsert, { id: number; duplicate: boolean }>;
  constructor(
    private readonly db: Db,
    maxBatch = 200,
  ) {
    this.group = new GroupedCalls(
      (ks) => this.insert(ks),
      (k) => this.insertOne(k),
      maxBatch,
    );
  }

  store(k: InboxInsert): Promise<{ id: number; duplicate: boolean }> {
    return this.group.call(k);
  }

  /**
   * One KSU alone. JSON that JavaScript parses can still be refused as jsonb (a \u0000 in a string): the raw
   * text is then kept without the jsonb body, as FAILED, so nothing BB1 sent is lost.
   */
  private async insertOne(k: InboxInsert): Promise<{ id: number; duplicate: boolean }> {
    try {
      return (await this.insert([k]))[0]!;
    } catch (e) {
      if (k.body === undefined || k.body === null) throw e;
      return (
        await this.insert([
          {
            ...k,
            body: null,
            status: 'FAILED',
            error: `the database refused the body as JSON (${(e as Error).message}); raw text kept`,
          },
        ])
      )[0]!;
    }
  }

  private async insert(ks: InboxInsert[]): Promise<{ id: number; duplicate: boolean }[]> {
    const now = new Date().toISOString();
    // One JSON parameter for the whole batch (cheaper to build and send than a dozen parameters a row); the
    // body column is the raw text cast to jsonb by Postgres, so each KSU is serialised once.
    const rows = JSON.stringify(
      ks.map((k) => ({
        event_id: k.eventId,
        tenant_id: k.tenantId,
        supplier: k.supplier,
        raw: k.raw,
        parsed: k.body !== undefined && k.body !== null,
        body_text: k.bodyText ?? null,
        event_type: k.eventType,
        event_time: k.eventTime,
        external_id: k.externalId,
        supplier_order_id: k.supplierOrderId,
        status: k.status,
        error: k.error,
      })),
    );
    const { rows: inserted } = await sql<{ id: number; event_id: string | null }>`
      INSERT INTO ksu_inbox (event_id, tenant_id, supplier, received_at, raw, body, event_type, event_time, external_id, supplier_order_id, status, error)
      SELECT v.event_id, v.tenant_id, v.supplier, ${now}::timestamptz, v.raw, CASE WHEN v.parsed THEN coalesce(v.body_text, v.raw)::jsonb END, v.event_type, v.event_time,
        v.external_id, v.supplier_order_id, v.status, v.error
      FROM jsonb_to_recordset(${rows}::jsonb) AS v(event_id text, tenant_id text, supplier text, raw text, parsed boolean, body_text text,
        event_type text, event_time timestamptz, external_id text, supplier_order_id text, status text, error text)
      ON CONFLICT (event_id) DO NOTHING
      RETURNING id, event_id`.execute(this.db);
    // Each caller takes the inserted row with its eventId (rows without one come back in insert order);
    // callers left over sent an eventId already stored: a duplicate, answered with the stored id.
    const fresh = new Map<string | null, number[]>();
    for (const r of inserted) {
      const ids = fresh.get(r.event_id) ?? [];
      ids.push(Number(r.id));
      fresh.set(r.event_id, ids);
    }
    const results = ks.map((k) => {
      const id = fresh.get(k.eventId)?.shift();
      return id === undefined ? undefined : { id, duplicate: false };
    });
    const dupIds = [
      ...new Set(
        ks
          .filter((_, i) => !results[i])
          .map((k) => k.eventId)
          .filter((e): e is string => e !== null),
      ),
    ];
    const existing = dupIds.length
      ? await this.db.selectFrom('ksu_inbox').select(['id', 'event_id']).where('event_id', 'in', dupIds).execute()
      : [];
    return ks.map(
      (k, i) => results[i] ?? { id: Number(existing.find((r) => r.event_id === k.eventId)?.id ?? 0), duplicate: true },
    );
  }
}

/**
 * An update the supplier's synchronous answer carried (a 201 that already acknowledged the order), stored as if
 * the supplier had posted it, so that it reaches the tenant through the same applier, lifecycle and outbox.
 */
export async function storeAnswerUpdate(
  db: Db,
  order: { tenantId: string; supplier: string; externalId: string },
  body: unknown,
): Promise<void> {
  const raw = JSON.stringify(body);
  await sql`
    INSERT INTO ksu_inbox (tenant_id, supplier, raw, body, event_type, external_id, status)
    VALUES (${order.tenantId}, ${order.supplier}, ${raw}, ${raw}::jsonb, 'SYNCHRONOUS_ANSWER', ${order.externalId}, 'PENDING')`.execute(
    db,
  );
}

// ---- Reading and settling stored updates ------------------------------------------------------------

export type InboxStatus = 'PENDING' | 'APPLIED' | 'UNMATCHED' | 'UNPARSEABLE' | 'REFUSED' | 'FAILED';

export interface PendingUpdate {
  id: number;
  tenantId: string | null;
  supplier: string;
  body: unknown;
  receivedAt: string;
  /** the order's externalId as the receiver found it (for updates that name the order otherwise) */
  externalId: string | null;
}

/** Claims the oldest PENDING updates for this transaction (FOR UPDATE SKIP LOCKED: loops and instances share the work). */
export async function claimPending(trx: Db, limit: number): Promise<PendingUpdate[]> {
  const { rows } = await sql<{
    id: number;
    tenant_id: string | null;
    supplier: string;
    body: unknown;
    received_at: Date | string;
    external_id: string | null;
  }>`
    SELECT id, tenant_id, supplier, body, received_at, external_id FROM ksu_inbox
    WHERE status = 'PENDING' ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(trx);
  return rows.map((r) => ({
    id: Number(r.id),
    tenantId: r.tenant_id,
    supplier: r.supplier,
    body: typeof r.body === 'string' ? JSON.parse(r.body) : r.body,
    receivedAt: new Date(r.received_at).toISOString(),
    externalId: r.external_id,
  }));
}

/**
 * The first PENDING update of each order named, among those not claimed here (held by another loop or
 * instance): an order's updates are applied in the order received, so a later one must wait for it.
 */
export async function firstPendingElsewhere(
  trx: Db,
  claimedIds: number[],
  externalIds: string[],
  supplierOrderIds: string[],
): Promise<{ byExternal: Map<string, number>; bySupplierOrder: Map<string, number> }> {
  const byExternal = new Map<string, number>();
  const bySupplierOrder = new Map<string, number>();
  if (!claimedIds.length || (!externalIds.length && !supplierOrderIds.length)) return { byExternal, bySupplierOrder };
  const { rows } = await sql<{ external_id: string | null; supplier_order_id: string | null; first: number }>`
    SELECT external_id, supplier_order_id, min(id) AS first FROM ksu_inbox
    WHERE status = 'PENDING' AND id < ${Math.max(...claimedIds)} AND NOT (id = ANY(${claimedIds}::bigint[]))
      AND (external_id = ANY(${externalIds}::text[]) OR supplier_order_id = ANY(${supplierOrderIds}::text[]))
    GROUP BY external_id, supplier_order_id`.execute(trx);
  for (const r of rows) {
    const first = Number(r.first);
    if (r.external_id) byExternal.set(r.external_id, Math.min(first, byExternal.get(r.external_id) ?? Infinity));
    if (r.supplier_order_id)
      bySupplierOrder.set(r.supplier_order_id, Math.min(first, bySupplierOrder.get(r.supplier_order_id) ?? Infinity));
  }
  return { byExternal, bySupplierOrder };
}

export interface InboxOutcome {
  id: number;
  status: InboxStatus;
  error: string | null;
  orderId: number | null;
}

/** Records what became of a batch of claimed updates, in one statement. */
export async function recordOutcomes(trx: Db, outcomes: InboxOutcome[]): Promise<void> {
  if (!outcomes.length) return;
  const rows = outcomes.map((o) => ({ id: o.id, status: o.status, error: o.error, order_id: o.orderId }));
  await sql`
    UPDATE ksu_inbox k SET status = v.status, error = v.error, order_id = v.order_id,
      applied_at = CASE WHEN v.status = 'APPLIED' THEN now() ELSE NULL END
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id bigint, status text, error text, order_id integer)
    WHERE k.id = v.id`.execute(trx);
}

export interface InboxEntry {
  id: number;
  eventId: string | null;
  eventType: string | null;
  tenantId: string | null;
  status: string;
  error: string | null;
  receivedAt: string;
  raw: string;
}

type EntryRow = {
  id: number | string;
  event_id: string | null;
  event_type: string | null;
  tenant_id: string | null;
  status: string;
  error: string | null;
  received_at: Date | string;
  raw: string;
};
const toEntry = (k: EntryRow): InboxEntry => ({
  id: Number(k.id),
  eventId: k.event_id,
  eventType: k.event_type,
  tenantId: k.tenant_id,
  status: k.status,
  error: k.error,
  receivedAt: new Date(k.received_at).toISOString(),
  raw: k.raw,
});

/** Operators: the newest stored updates, optionally of one status. */
export async function listInbox(db: Db, filter: { status?: string; limit: number }): Promise<InboxEntry[]> {
  let q = db
    .selectFrom('ksu_inbox')
    .select(['id', 'event_id', 'event_type', 'tenant_id', 'status', 'error', 'received_at', 'raw']) // not the parsed body
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.status) q = q.where('status', '=', filter.status);
  return (await q.execute()).map(toEntry);
}

/**
 * Operators: an UNMATCHED (its order now known) or FAILED (after a fix) update is queued again.
 * Returns the entry, or the status that does not allow it, or undefined when there is no such update.
 */
export async function requeueForReprocessing(
  db: Db,
  id: number,
): Promise<{ entry: InboxEntry } | { status: string } | undefined> {
  const row = await db
    .updateTable('ksu_inbox')
    .set({ status: 'PENDING', error: null })
    .where('id', '=', id)
    .where('status', 'in', ['UNMATCHED', 'FAILED'])
    .returningAll()
    .executeTakeFirst();
  if (row) return { entry: toEntry(row) };
  const existing = await db.selectFrom('ksu_inbox').select(['status']).where('id', '=', id).executeTakeFirst();
  return existing ? { status: existing.status } : undefined;
}

/** Every stored update body of a supplier, oldest first, a page at a time (for the mapping tools' coverage). */
export async function* storedBodies(
  db: Db,
  supplier: string,
  pageSize = 500,
): AsyncIterable<{ body: unknown; receivedAt: string }> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('ksu_inbox')
      .select(['id', 'body', 'received_at'])
      .where('supplier', '=', supplier)
      .where('body', 'is not', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const r of rows) yield { body: r.body, receivedAt: new Date(r.received_at).toISOString() };
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}
