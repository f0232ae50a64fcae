import { sql } from 'kysely';
import type { Db } from '../store/database.js';

export interface InboxInsert {
  eventId: string | null; tenantId: string | null; supplier: string; raw: string; body: unknown;
  eventType: string | null; eventTime: string | null; externalId: string | null; supplierOrderId: string | null; status: string; error: string | null;
}

/** Stores a KSU durably; a repeated eventId inserts nothing and reports the first row. */
export async function storeKsu(db: Db, k: InboxInsert): Promise<{ id: number; duplicate: boolean }> {
  const row = await db.insertInto('ksu_inbox').values({
    event_id: k.eventId, tenant_id: k.tenantId, supplier: k.supplier, received_at: new Date().toISOString(), raw: k.raw,
    body: k.body === undefined || k.body === null ? null : k.raw, // raw was just parsed: it is the JSON event_type: k.eventType, event_time: k.eventTime,
    external_id: k.externalId, supplier_order_id: k.supplierOrderId, status: k.status, error: k.error, order_id: null, applied_at: null,
  }).onConflict((oc) => oc.column('event_id').doNothing()).returning('id').executeTakeFirst();
  if (row) return { id: Number(row.id), duplicate: false };
  const first = await db.selectFrom('ksu_inbox').select('id').where('event_id', '=', k.eventId).executeTakeFirstOrThrow();
  return { id: Number(first.id), duplicate: true };
}

/** KSUs that arrived before their order was known are matched once it is. */
export async function requeueUnmatched(db: Db): Promise<number> {
  const r = await sql`
    UPDATE ksu_inbox k SET status = 'PENDING'
    WHERE k.status = 'UNMATCHED' AND EXISTS (
      SELECT 1 FROM orders o WHERE o.external_id = k.external_id OR (o.supplier = k.supplier AND o.supplier_order_id = k.supplier_order_id))`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
