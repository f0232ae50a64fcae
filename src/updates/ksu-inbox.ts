import { sql } from 'kysely';
import type { Db } from '../store/database.js';

export interface InboxInsert {
  eventId: string | null; tenantId: string | null; supplier: string; raw: string; body: unknown;
  eventType: string | null; eventTime: string | null; externalId: string | null; supplierOrderId: string | null; status: string; error: string | null;
}

/** KSUs that arrived before their order was known are matched once it is. */
export async function requeueUnmatched(db: Db): Promise<number> {
  const r = await sql`
    UPDATE ksu_inbox k SET status = 'PENDING'
    WHERE k.status = 'UNMATCHED' AND EXISTS (
      SELECT 1 FROM orders o WHERE o.external_id = k.external_id OR (o.supplier = k.supplier AND o.supplier_order_id = k.supplier_order_id))`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Group commit for the KSU inbox: KSUs that arrive in the same event-loop turn are stored with one
 * multi-row INSERT, and each caller's promise resolves only after that INSERT has committed (so a 202
 * still means "durably stored"). Under load this turns one database round trip per KSU into one per batch.
 */
export class InboxWriter {
  private queue: { k: InboxInsert; resolve: (r: { id: number; duplicate: boolean }) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  constructor(private readonly db: Db, private readonly maxBatch = 200) {}

  store(k: InboxInsert): Promise<{ id: number; duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ k, resolve, reject });
      if (this.queue.length >= this.maxBatch) void this.flush();
      else if (!this.scheduled) { this.scheduled = true; setImmediate(() => void this.flush()); }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (!batch.length) return;
    if (this.queue.length && !this.scheduled) { this.scheduled = true; setImmediate(() => void this.flush()); }
    try {
      const now = new Date().toISOString();
      const inserted = await this.db.insertInto('ksu_inbox').values(batch.map(({ k }) => ({
        event_id: k.eventId, tenant_id: k.tenantId, supplier: k.supplier, received_at: now, raw: k.raw,
        body: k.body === undefined || k.body === null ? null : k.raw, event_type: k.eventType, event_time: k.eventTime,
        external_id: k.externalId, supplier_order_id: k.supplierOrderId, status: k.status, error: k.error, order_id: null, applied_at: null,
      }))).onConflict((oc) => oc.column('event_id').doNothing()).returning(['id', 'event_id']).execute();
      // Each caller takes the inserted row with its eventId; callers left over sent an eventId already stored.
      const fresh = [...inserted];
      const results = batch.map(({ k }) => {
        const i = fresh.findIndex((r) => r.event_id === k.eventId);
        return i >= 0 ? { id: Number(fresh.splice(i, 1)[0]!.id), duplicate: false } : undefined;
      });
      const dupIds = [...new Set(batch.filter((_, i) => !results[i]).map(({ k }) => k.eventId).filter((e): e is string => e !== null))];
      const existing = dupIds.length ? await this.db.selectFrom('ksu_inbox').select(['id', 'event_id']).where('event_id', 'in', dupIds).execute() : [];
      batch.forEach(({ k, resolve }, i) => resolve(results[i] ?? { id: Number(existing.find((r) => r.event_id === k.eventId)?.id ?? 0), duplicate: true }));
    } catch (e) {
      for (const { reject } of batch) reject(e);
    }
  }
}
