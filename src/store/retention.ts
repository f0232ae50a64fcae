import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from './database.js';

export interface RetentionOptions {
  kciDays: number;
  ksuDays: number;
  idempotencyHours: number;
  /** rows deleted per statement (each statement is its own short transaction) */
  batchSize?: number;
  /** statements per run at most; what is left waits for the next run */
  maxBatchesPerRun?: number;
  intervalMs?: number;
}

export interface Pruned {
  kcis: number;
  /** delivery attempts (kept as long as delivered KCIs) */
  attempts: number;
  ksus: number;
  idempotencyKeys: number;
}

const DAY = 24 * 3600 * 1000;
const yieldToRequests = () => new Promise<void>((r) => setImmediate(r));

/**
 * Keeps the outbox, the inbox and the idempotency keys from growing without bound: delivered KCIs, applied
 * KSUs and Idempotency-Keys older than their retention are deleted by a background job, a small batch per
 * statement, oldest first (through partial indexes), yielding between batches, so no statement holds locks
 * or the (PGlite) thread for long. Other rows are never deleted: pending, DEAD, unmatched, failed, refused.
 *
 * After a KCI is pruned it no longer appears in its order's `updates[]`; after a KSU is pruned, BB1 sending
 * the same eventId again is stored as new (it cannot move an order back: older KSUs never do).
 */
export class RetentionJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<Pruned>;
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly opts: RetentionOptions,
  ) {}

  start(): void {
    const interval = this.opts.intervalMs ?? 10 * 60 * 1000;
    this.timer = setInterval(() => void this.run().catch(() => {}), interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => {});
  }

  /** One pass (runs never overlap). */
  run(now = Date.now()): Promise<Pruned> {
    this.running ??= this.prune(now)
      .then((p) => {
        if (p.kcis || p.attempts || p.ksus || p.idempotencyKeys)
          this.log.info({ pruned: p }, 'retention: old rows deleted');
        return p;
      })
      .catch((e: unknown) => {
        this.log.warn({ err: e }, 'retention: pruning failed; retried on the next run');
        throw e;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async prune(now: number): Promise<Pruned> {
    const o = this.opts;
    const n = o.batchSize ?? 500;
    const kciCutoff = new Date(now - o.kciDays * DAY).toISOString();
    const ksuCutoff = new Date(now - o.ksuDays * DAY).toISOString();
    const keyCutoff = new Date(now - o.idempotencyHours * 3600 * 1000).toISOString();
    return {
      kcis: await this.inBatches(
        () => sql`
          DELETE FROM kci_outbox WHERE id IN (
            SELECT id FROM kci_outbox WHERE status = 'DELIVERED' AND delivered_at < ${kciCutoff}::timestamptz
            ORDER BY delivered_at LIMIT ${n} FOR UPDATE SKIP LOCKED)`,
        n,
      ),
      attempts: await this.inBatches(
        () => sql`
          DELETE FROM kci_attempts WHERE (kci_id, attempt) IN (
            SELECT kci_id, attempt FROM kci_attempts WHERE at < ${kciCutoff}::timestamptz
            ORDER BY at LIMIT ${n} FOR UPDATE SKIP LOCKED)`,
        n,
      ),
      ksus: await this.inBatches(
        () => sql`
          DELETE FROM ksu_inbox WHERE id IN (
            SELECT id FROM ksu_inbox WHERE status = 'APPLIED' AND applied_at < ${ksuCutoff}::timestamptz
            ORDER BY applied_at LIMIT ${n} FOR UPDATE SKIP LOCKED)`,
        n,
      ),
      // Finished keys, and any still IN_PROGRESS that long (their request died long ago).
      idempotencyKeys: await this.inBatches(
        () => sql`
          DELETE FROM idempotency_keys WHERE (tenant_id, key) IN (
            SELECT tenant_id, key FROM idempotency_keys WHERE created_at < ${keyCutoff}::timestamptz
            ORDER BY created_at LIMIT ${n} FOR UPDATE SKIP LOCKED)`,
        n,
      ),
    };
  }

  private async inBatches(statement: () => ReturnType<typeof sql>, batchSize: number): Promise<number> {
    let total = 0;
    for (let i = 0; i < (this.opts.maxBatchesPerRun ?? 200); i++) {
      const r = await statement().execute(this.db);
      const deleted = Number(r.numAffectedRows ?? 0);
      total += deleted;
      if (deleted < batchSize) break;
      await yieldToRequests();
    }
    return total;
  }
}
