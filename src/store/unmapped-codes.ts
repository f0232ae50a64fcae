import { sql } from 'kysely';
import type { Db } from './database.js';
import type { components } from '../generated/ops-api.js';

export type UnmappedCode = components['schemas']['UnmappedCode'];

/** One occurrence of a code no mapping table row matched. */
export interface UnmappedSighting {
  supplier: string;
  code: string;
  at: string | Date;
}

/**
 * Records supplier codes that no mapping table row matched, in the caller's transaction: one statement for a
 * whole batch of KSUs, however many codes. `count` counts occurrences (as the `supplier_unmapped_codes_total`
 * metric does); `first_seen` / `last_seen` keep the earliest and latest `at`, whatever order KSUs are applied in.
 */
export async function recordUnmapped(trx: Db, sightings: UnmappedSighting[]): Promise<void> {
  if (!sightings.length) return;
  const rows = new Map<string, { supplier: string; code: string; n: number; first: string; last: string }>();
  for (const s of sightings) {
    const at = s.at instanceof Date ? s.at.toISOString() : s.at;
    const key = `${s.supplier}\u0000${s.code}`;
    const r = rows.get(key);
    if (!r) rows.set(key, { supplier: s.supplier, code: s.code, n: 1, first: at, last: at });
    else {
      r.n += 1;
      if (Date.parse(at) < Date.parse(r.first)) r.first = at;
      if (Date.parse(at) > Date.parse(r.last)) r.last = at;
    }
  }
  // Sorted, so two transactions recording the same codes lock their rows in the same order.
  const sorted = [...rows.values()].sort((a, b) =>
    a.supplier !== b.supplier ? (a.supplier < b.supplier ? -1 : 1) : a.code < b.code ? -1 : a.code > b.code ? 1 : 0,
  );
  await sql`
    INSERT INTO unmapped_codes (supplier, code, count, first_seen, last_seen)
    SELECT v.supplier, v.code, v.n, v.first, v.last
    FROM jsonb_to_recordset(${JSON.stringify(sorted)}::jsonb) AS v(supplier text, code text, n bigint, first timestamptz, last timestamptz)
    ORDER BY v.supplier, v.code
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
