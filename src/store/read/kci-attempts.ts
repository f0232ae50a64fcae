import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { components } from '../../generated/ops-api.js';

export type KciAttempt = components['schemas']['KciAttempt'];
export type TenantHealth = components['schemas']['TenantWebhookHealth'];

const iso = (d: Date | string) => new Date(d).toISOString();
const ok = (status: number | null) => status !== null && status >= 200 && status < 300;

/** Every attempt to deliver one KCI, oldest first; undefined when there is no such KCI. */
export async function readAttempts(db: Db, kciId: string): Promise<KciAttempt[] | undefined> {
  const [kci, rows] = await Promise.all([
    db.selectFrom('kci_outbox').select('id').where('id', '=', kciId).executeTakeFirst(),
    db.selectFrom('kci_attempts').selectAll().where('kci_id', '=', kciId).orderBy('attempt').execute(),
  ]);
  if (!kci && !rows.length) return undefined;
  return rows.map((r) => ({
    attempt: r.attempt,
    at: iso(r.at),
    status: r.status,
    delivered: ok(r.status),
    latencyMs: r.latency_ms,
    error: r.error,
    responseExcerpt: r.response_excerpt,
  }));
}

/**
 * Each tenant's webhook over the last `hours`: attempts, the share delivered, latency p50/p99, the latest
 * failure, and what waits (PENDING and DEAD KCIs). Every configured tenant appears, with or without traffic.
 */
export async function readTenantHealth(
  db: Db,
  tenants: { id: string; kciUrl: string }[],
  hours: number,
  now = Date.now(),
): Promise<TenantHealth[]> {
  const since = new Date(now - hours * 3600_000).toISOString();
  const [stats, failures, backlog] = await Promise.all([
    sql<{ tenant_id: string; n: number; delivered: number; p50: number | null; p99: number | null }>`
      SELECT tenant_id, count(*)::int AS n, count(*) FILTER (WHERE status BETWEEN 200 AND 299)::int AS delivered,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
        percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
      FROM kci_attempts WHERE at >= ${since}::timestamptz GROUP BY tenant_id`.execute(db),
    sql<{ tenant_id: string; at: Date | string; status: number | null; error: string | null }>`
      SELECT DISTINCT ON (tenant_id) tenant_id, at, status, error FROM kci_attempts
      WHERE at >= ${since}::timestamptz AND (status IS NULL OR status NOT BETWEEN 200 AND 299)
      ORDER BY tenant_id, at DESC`.execute(db),
    sql<{ tenant_id: string; pending: number; dead: number }>`
      SELECT tenant_id, count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
        count(*) FILTER (WHERE status = 'DEAD')::int AS dead
      FROM kci_outbox WHERE status IN ('PENDING', 'DEAD') GROUP BY tenant_id`.execute(db),
  ]);
  const by = <R extends { tenant_id: string }>(rows: R[]) => new Map(rows.map((r) => [r.tenant_id, r]));
  const s = by(stats.rows);
  const f = by(failures.rows);
  const b = by(backlog.rows);
  const round = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(Number(x)));
  return tenants.map(({ id, kciUrl }) => {
    const st = s.get(id);
    const fail = f.get(id);
    const n = Number(st?.n ?? 0);
    return {
      tenantId: id,
      kciUrl: webhookShown(kciUrl),
      since,
      attempts: n,
      delivered: Number(st?.delivered ?? 0),
      successRate: n ? Number(st!.delivered) / n : null,
      latencyMs: { p50: round(st?.p50), p99: round(st?.p99) },
      lastError: fail ? { at: iso(fail.at), status: fail.status, error: fail.error } : null,
      backlog: { pending: Number(b.get(id)?.pending ?? 0), dead: Number(b.get(id)?.dead ?? 0) },
    };
  });
}

/** A webhook URL as an operator may see it: no user, password or query (they can hold credentials). */
function webhookShown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
