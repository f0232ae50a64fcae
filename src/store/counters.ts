import { sql } from 'kysely';
import type { Db } from './database.js';

/** Next value of a per-tenant sequence (orders, appointments, amendments…): atomic on both engines. */
export async function nextValue(db: Db, tenantId: string, name: string): Promise<number> {
  const row = await sql<{ value: number }>`
    INSERT INTO counters (tenant_id, name, value) VALUES (${tenantId}, ${name}, 1)
    ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1
    RETURNING value`.execute(db);
  return Number(row.rows[0]!.value);
}
