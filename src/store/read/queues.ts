import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { components } from '../../generated/ops-api.js';
import { countUnmapped } from '../unmapped-codes.js';

export type Queues = components['schemas']['Queues'];

/** What waits for an operator, counted through partial indexes (DEAD KCIs: 0002; problem KSUs: 0006). */
export async function readQueues(db: Db): Promise<Queues> {
  const [dead, ksus, unmapped] = await Promise.all([
    sql<{ tenant_id: string; n: number; oldest: Date | string }>`
      SELECT tenant_id, count(*)::int AS n, min(created_at) AS oldest FROM kci_outbox
      WHERE status = 'DEAD' GROUP BY tenant_id ORDER BY tenant_id`.execute(db),
    sql<{ status: string; n: number }>`
      SELECT 'UNMATCHED' AS status, count(*)::int AS n FROM ksu_inbox WHERE status = 'UNMATCHED'
      UNION ALL
      SELECT 'FAILED', count(*)::int FROM ksu_inbox WHERE status = 'FAILED'`.execute(db),
    countUnmapped(db),
  ]);
  const ksu = (status: string) => ksus.rows.find((r) => r.status === status)?.n ?? 0;
  return {
    deadKcis: dead.rows.map((r) => ({
      tenantId: r.tenant_id,
      count: Number(r.n),
      oldestCreatedAt: new Date(r.oldest).toISOString(),
    })),
    ksus: { UNMATCHED: ksu('UNMATCHED'), FAILED: ksu('FAILED') },
    unmappedCodes: unmapped,
  };
}
