import { sql } from 'kysely';
import type { Db } from './database.js';
import type { components } from '../generated/ops-api.js';

export type UnmappedCode = components['schemas']['UnmappedCode'];

/**
 * Records supplier codes that no mapping table row matched, in the caller's transaction: one statement
 * however many codes. `count` counts occurrences (as the `supplier_unmapped_codes_total` metric does);
 * `first_seen` / `last_seen` keep the earliest and latest `at`, whatever order KSUs are applied in.
 */
export async function recordUnmapped(trx: Db, supplier: string, codes: string[], at: string | Date): Promise<void> {
  if (!codes.length) return;
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  // Sorted, so two transactions recording the same codes lock their rows in the same order.
  const rows = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, n]) => ({ code, n }));
  const when = at instanceof Date ? at.toISOString() : at;
  await sql`
    INSERT INTO unmapped_codes (supplier, code, count, first_seen, last_seen)
    SELECT ${supplier}, v.code, v.n, ${when}::timestamptz, ${when}::timestamptz
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(code text, n bigint)
    ORDER BY v.code
    ON CONFLICT (supplier, code) DO UPDATE SET count = unmapped_codes.count + EXCLUDED.count,
      first_seen = least(unmapped_codes.first_seen, EXCLUDED.first_seen),
      last_seen = greatest(unmapped_codes.last_seen, EXCLUDED.last_seen)`.execute(trx);
}

/** The codes seen, most recently seen first. */
export async function listUnmapped(db: Db, filter: { supplier?: string; limit: number }): Promise<UnmappedCode[]> {
  let q = db
    .selectFrom('unmapped_codes')
    .selectAll()
    .orderBy('last_seen', 'desc')
    .orderBy('supplier')
    .orderBy('code')
    .limit(filter.limit);
  if (filter.supplier) q = q.where('supplier', '=', filter.supplier);
  return (await q.execute()).map((r) => ({
    supplier: r.supplier,
    code: r.code,
    count: Number(r.count),
    firstSeen: new Date(r.first_seen).toISOString(),
    lastSeen: new Date(r.last_seen).toISOString(),
  }));
}

/** How many distinct codes are waiting for a mapping row. */
export async function countUnmapped(db: Db): Promise<number> {
  const r = await db
    .selectFrom('unmapped_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
