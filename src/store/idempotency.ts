import type { Db } from './database.js';

export type IdempotencyClaim =
  { kind: 'new' } | { kind: 'replay'; status: number; body: unknown } | { kind: 'mismatch' } | { kind: 'in-progress' };

/**
 * Idempotency-Key records for one tenant. A key claimed by a request that never finished (the process died
 * between claim and answer) would answer 409 forever: once it has been IN_PROGRESS for longer than
 * `inProgressTimeoutS` (far longer than any request runs), a repeat with the same body takes it over.
 */
export class IdempotencyStore {
  constructor(
    private readonly db: Db,
    private readonly inProgressTimeoutS = 120,
  ) {}

  async claim(tenantId: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({
        tenant_id: tenantId,
        key,
        fingerprint,
        state: 'IN_PROGRESS',
        response_status: null,
        response_body: null,
        created_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return { kind: 'new' };
    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return this.claim(tenantId, key, fingerprint); // released meanwhile
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.state !== 'DONE')
      return (await this.takeOverAbandoned(tenantId, key)) ? { kind: 'new' } : { kind: 'in-progress' };
    return { kind: 'replay', status: row.response_status ?? 200, body: row.response_body };
  }

  /** Claims an IN_PROGRESS key whose request is taken as dead; false while it may still be running. */
  private async takeOverAbandoned(tenantId: string, key: string): Promise<boolean> {
    const now = Date.now();
    const taken = await this.db
      .updateTable('idempotency_keys')
      .set({ created_at: new Date(now).toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .where('state', '=', 'IN_PROGRESS')
      .where('created_at', '<', new Date(now - this.inProgressTimeoutS * 1000))
      .returning('key')
      .executeTakeFirst();
    return Boolean(taken);
  }

  async complete(tenantId: string, key: string, status: number, body: unknown): Promise<void> {
    await completeKey(this.db, tenantId, key, status, body);
  }

  /** A failed first attempt (5xx) frees the key so the tenant can retry. */
  async release(tenantId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .where('state', '=', 'IN_PROGRESS')
      .execute();
  }
}

/**
 * Records the answer to a key's request. A use case that stores something calls it in the same transaction, so
 * a process that dies after the commit but before answering leaves the key answered from what was stored (a
 * repeat replays it) rather than IN_PROGRESS.
 */
export async function completeKey(db: Db, tenantId: string, key: string, status: number, body: unknown) {
  await db
    .updateTable('idempotency_keys')
    .set({ state: 'DONE', response_status: status, response_body: JSON.stringify(body ?? null) })
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .execute();
}

/**
 * Keys still IN_PROGRESS when a process starts alone on its database (embedded): their requests died with the
 * process before storing anything (what was stored completed its key), so they are released at once.
 */
export async function releaseAbandonedKeys(db: Db): Promise<number> {
  const r = await db.deleteFrom('idempotency_keys').where('state', '=', 'IN_PROGRESS').executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
