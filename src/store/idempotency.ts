import type { Db } from './database.js';

export type IdempotencyClaim =
  { kind: 'new' } | { kind: 'replay'; status: number; body: unknown } | { kind: 'mismatch' } | { kind: 'in-progress' };

/** Idempotency-Key records for one tenant. */
export class IdempotencyStore {
  constructor(private readonly db: Db) {}

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
    if (row.state !== 'DONE') return { kind: 'in-progress' };
    return { kind: 'replay', status: row.response_status ?? 200, body: row.response_body };
  }

  async complete(tenantId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ state: 'DONE', response_status: status, response_body: JSON.stringify(body ?? null) })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .execute();
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
