import { sql } from 'kysely';
import type { Db } from './database.js';

export interface Backlog {
  ksus: { PENDING: number; UNMATCHED: number; oldestPendingSeconds: number };
  kcis: { PENDING: number; DEAD: number; oldestUndeliveredSeconds: number };
}

/**
 * What is waiting: KSUs not yet applied (or not yet matched to an order) and KCIs not yet delivered (or
 * DEAD), with the age of the oldest. Each count reads a partial index, so a scrape stays cheap however
 * large the history grows.
 */
export async function readBacklog(db: Db): Promise<Backlog> {
  const [ksus, kcis] = await Promise.all([
    sql<{ status: string; n: number; oldest: number | null }>`
      SELECT status, count(*)::int AS n, extract(epoch FROM now() - min(received_at))::float8 AS oldest
      FROM ksu_inbox WHERE status IN ('PENDING', 'UNMATCHED') GROUP BY status`.execute(db),
    sql<{ status: string; n: number; oldest: number | null }>`
      SELECT 'PENDING' AS status, count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM kci_outbox WHERE status = 'PENDING'
      UNION ALL
      SELECT 'DEAD', count(*)::int, NULL FROM kci_outbox WHERE status = 'DEAD'`.execute(db),
  ]);
  const of = (rows: { status: string; n: number; oldest: number | null }[], status: string) =>
    rows.find((r) => r.status === status);
  const age = (x: number | null | undefined) => Math.max(0, Number(x ?? 0));
  return {
    ksus: {
      PENDING: of(ksus.rows, 'PENDING')?.n ?? 0,
      UNMATCHED: of(ksus.rows, 'UNMATCHED')?.n ?? 0,
      oldestPendingSeconds: age(of(ksus.rows, 'PENDING')?.oldest),
    },
    kcis: {
      PENDING: of(kcis.rows, 'PENDING')?.n ?? 0,
      DEAD: of(kcis.rows, 'DEAD')?.n ?? 0,
      oldestUndeliveredSeconds: age(of(kcis.rows, 'PENDING')?.oldest),
    },
  };
}
