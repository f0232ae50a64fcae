import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { nextValue } from '../store/counters.js';
import { kciBody, type KciContent } from './envelope.js';

export interface OutboxEntry {
  id: string; tenantId: string; orderId: number; sequenceNumber: number; conversationId: string;
  body: Record<string, unknown>; status: string; attempts: number; nextAttemptAt: string | null;
  lastError: string | null; lastStatus: number | null; deliveredAt: string | null; createdAt: string;
}

type Row = {
  id: string; tenant_id: string; order_id: number; sequence_number: number; conversation_id: string; body: unknown;
  status: string; attempts: number; next_attempt_at: Date | string | null; last_error: string | null; last_status: number | null;
  delivered_at: Date | string | null; created_at: Date | string;
};
const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());
export const toEntry = (r: Row): OutboxEntry => ({
  id: r.id, tenantId: r.tenant_id, orderId: Number(r.order_id), sequenceNumber: Number(r.sequence_number), conversationId: r.conversation_id,
  body: (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as Record<string, unknown>, status: r.status, attempts: Number(r.attempts),
  nextAttemptAt: iso(r.next_attempt_at), lastError: r.last_error, lastStatus: r.last_status, deliveredAt: iso(r.delivered_at), createdAt: iso(r.created_at)!,
});

/** Writes a KCI in the caller's transaction (transactional outbox), numbered per order without gaps. */
export async function enqueueKci(trx: Db, args: {
  tenantId: string; orderId: number; orderType: string; conversationId: string; supplier: string; content: KciContent;
  entity: Record<string, unknown>; issuedOn?: string; receivedOn?: string; supplierNotes?: { note: string; type?: string; created?: string }[];
}): Promise<Record<string, unknown>> {
  const sequenceNumber = await nextValue(trx, args.tenantId, `kci:${args.orderId}`);
  const body = kciBody({ ...args, sequenceNumber });
  const now = new Date().toISOString();
  await trx.insertInto('kci_outbox').values({
    id: body.id as string, tenant_id: args.tenantId, order_id: args.orderId, sequence_number: sequenceNumber,
    conversation_id: args.conversationId, body: JSON.stringify(body), status: 'PENDING', attempts: 0,
    next_attempt_at: now, lease_until: null, last_error: null, last_status: null, delivered_at: null, created_at: now,
  }).execute();
  return body;
}

/**
 * Claims due KCIs that are the oldest undelivered one of their order (so order is kept per order),
 * with FOR UPDATE SKIP LOCKED and a lease, so several instances on Postgres share the work.
 */
export async function claimDue(db: Db, limit: number, leaseSeconds: number): Promise<OutboxEntry[]> {
  const rows = await sql<Row>`
    UPDATE kci_outbox k SET lease_until = now() + make_interval(secs => ${leaseSeconds}), attempts = k.attempts + 1
    WHERE k.id IN (
      SELECT o.id FROM kci_outbox o
      WHERE o.status = 'PENDING' AND o.next_attempt_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
        AND NOT EXISTS (SELECT 1 FROM kci_outbox p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.order_id
                        AND p.sequence_number < o.sequence_number AND p.status <> 'DELIVERED')
      ORDER BY o.next_attempt_at, o.sequence_number
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING k.*`.execute(db);
  return rows.rows.map(toEntry);
}

export async function markDelivered(db: Db, id: string, status: number): Promise<void> {
  await db.updateTable('kci_outbox').set({ status: 'DELIVERED', delivered_at: new Date().toISOString(), lease_until: null, last_status: status, last_error: null }).where('id', '=', id).execute();
}

export async function markFailed(db: Db, id: string, next: Date | null, error: string, status: number | null): Promise<void> {
  await db.updateTable('kci_outbox').set({
    status: next ? 'PENDING' : 'DEAD', next_attempt_at: (next ?? new Date()).toISOString(), lease_until: null, last_error: error.slice(0, 500), last_status: status,
  }).where('id', '=', id).execute();
}

/** Operator: a DEAD (or stuck) KCI is queued again with the same id. */
export async function redeliver(db: Db, id: string): Promise<OutboxEntry | undefined> {
  const row = await db.updateTable('kci_outbox').set({ status: 'PENDING', next_attempt_at: new Date().toISOString(), lease_until: null })
    .where('id', '=', id).where('status', '<>', 'DELIVERED').returningAll().executeTakeFirst();
  if (row) return toEntry(row as Row);
  const existing = await db.selectFrom('kci_outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return existing ? toEntry(existing as Row) : undefined;
}

export async function listOutbox(db: Db, filter: { status?: string; tenantId?: string; limit?: number }): Promise<OutboxEntry[]> {
  let q = db.selectFrom('kci_outbox').selectAll().orderBy('created_at', 'desc').limit(filter.limit ?? 100);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.tenantId) q = q.where('tenant_id', '=', filter.tenantId);
  return (await q.execute()).map((r) => toEntry(r as Row));
}

export async function listForOrder(db: Db, tenantId: string, orderId: number): Promise<OutboxEntry[]> {
  const rows = await db.selectFrom('kci_outbox').selectAll().where('tenant_id', '=', tenantId).where('order_id', '=', orderId).orderBy('sequence_number').execute();
  return rows.map((r) => toEntry(r as Row));
}
