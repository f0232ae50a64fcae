import { sql } from 'kysely';
import type { Db } from '../store/database.js';

export interface InboxInsert {
  eventId: string | null;
  tenantId: string | null;
  supplier: string;
  raw: string;
  body: unknown;
  eventType: string | null;
  eventTime: string | null;
  externalId: string | null;
  supplierOrderId: string | null;
  status: string;
  error: string | null;
}

/** KSUs that arrived before their order was known are matched once it is. */
export async function requeueUnmatched(db: Db): Promise<number> {
  const r = await sql`
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
  private queue: {
    k: InboxInsert;
    resolve: (r: { id: number; duplicate: boolean }) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private scheduled = false;
  constructor(
    private readonly db: Db,
    private readonly maxBatch = 200,
  ) {}

  store(k: InboxInsert): Promise<{ id: number; duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ k, resolve, reject });
      if (this.queue.length >= this.maxBatch) void this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (!batch.length) return;
    if (this.queue.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    try {
      const results = await this.insert(batch.map(({ k }) => k));
      batch.forEach(({ resolve }, i) => resolve(results[i]!));
    } catch {
      // One KSU the database refuses must not fail the others that happened to share its INSERT.
      for (const { k, resolve, reject } of batch) await this.insertOne(k).then(resolve, reject);
    }
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
      SELECT v.event_id, v.tenant_id, v.supplier, ${now}::timestamptz, v.raw, CASE WHEN v.parsed THEN v.raw::jsonb END, v.event_type, v.event_time,
        v.external_id, v.supplier_order_id, v.status, v.error
      FROM jsonb_to_recordset(${rows}::jsonb) AS v(event_id text, tenant_id text, supplier text, raw text, parsed boolean,
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
