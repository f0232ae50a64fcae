import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { components } from '../../generated/ops-api.js';

export type OrderSummary = components['schemas']['OrderSummary'];
export type OrderPage = components['schemas']['OrderPage'];

export interface OrderFilter {
  tenant?: string;
  id?: number;
  externalId?: string;
  supplierOrderId?: string;
  serviceId?: string;
  status?: string;
  stuckMinutes?: number;
  limit: number;
  cursor?: string;
}

/** Not yet settled with the supplier: the same predicate as the partial index orders_unsettled (0006). */
const UNSETTLED = sql<boolean>`(send_state IN ('PENDING', 'SENDING', 'UNCERTAIN') OR status IN ('RECEIVED_BY_GATEWAY', 'SENT_TO_SUPPLIER'))`;

export class BadCursor extends Error {}

/** A page position: the sort key of the last row shown (its time as Postgres text, so no microsecond is lost). */
type Cursor = [at: string, tenantId: string, id: number];
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(text: string): Cursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursor();
  }
  const ok =
    Array.isArray(c) &&
    c.length === 3 &&
    typeof c[0] === 'string' &&
    /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d(:?\d\d)?|Z)$/.test(c[0]) &&
    typeof c[1] === 'string' &&
    /^\w{1,20}$/.test(c[1]) &&
    Number.isSafeInteger(c[2]);
  if (!ok) throw new BadCursor();
  return c as Cursor;
}

type Row = {
  tenant_id: string;
  id: number;
  external_id: string;
  supplier: string;
  order_type: string;
  status: string;
  send_state: string;
  supplier_order_id: string | null;
  service_id: string | null;
  conversation_id: string;
  created_at: Date | string;
  updated_at: Date | string;
  sort_at: string;
};

export const toSummary = (r: Omit<Row, 'sort_at'>): OrderSummary => ({
  tenantId: r.tenant_id,
  id: Number(r.id),
  externalId: r.external_id,
  supplier: r.supplier,
  orderType: r.order_type,
  status: r.status,
  sendState: r.send_state,
  supplierOrderId: r.supplier_order_id,
  serviceId: r.service_id,
  conversationId: r.conversation_id,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** Summary columns of an order (the entity and payloads stay behind: a page of summaries is small). */
export const SUMMARY_COLUMNS = sql`tenant_id, id, external_id, supplier, order_type, status, send_state, supplier_order_id,
  entity->>'serviceId' AS service_id, conversation_id, created_at, updated_at`;

/**
 * Orders matching every filter given, newest first by creation; with `stuckMinutes`, the unsettled orders
 * unchanged for that long, longest unchanged first. Keyset pages (no OFFSET, no count): each page reads
 * only its own rows through the indexes of migration 0006.
 */
export async function findOrders(db: Db, f: OrderFilter): Promise<OrderPage> {
  const stuck = f.stuckMinutes !== undefined;
  const sortColumn = stuck ? sql.ref('updated_at') : sql.ref('created_at');
  const where = [sql`true`];
  if (f.tenant !== undefined) where.push(sql`tenant_id = ${f.tenant}`);
  if (f.id !== undefined) where.push(sql`id = ${f.id}`);
  if (f.externalId !== undefined) where.push(sql`external_id = ${f.externalId}`);
  if (f.supplierOrderId !== undefined) where.push(sql`supplier_order_id = ${f.supplierOrderId}`);
  if (f.serviceId !== undefined) where.push(sql`entity->>'serviceId' = ${f.serviceId}`);
  if (f.status !== undefined) where.push(sql`status = ${f.status}`);
  if (stuck) where.push(UNSETTLED, sql`updated_at < now() - make_interval(mins => ${f.stuckMinutes})`);
  if (f.cursor !== undefined) {
    const [at, tenant, id] = decodeCursor(f.cursor);
    where.push(
      stuck
        ? sql`(updated_at, tenant_id, id) > (${at}::timestamptz, ${tenant}, ${id})`
        : sql`(created_at, tenant_id, id) < (${at}::timestamptz, ${tenant}, ${id})`,
    );
  }
  const direction = stuck ? sql`ASC` : sql`DESC`;
  const { rows } = await sql<Row>`
    SELECT ${SUMMARY_COLUMNS}, ${sortColumn}::text AS sort_at FROM orders
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY ${sortColumn} ${direction}, tenant_id ${direction}, id ${direction}
    LIMIT ${f.limit + 1}`.execute(db);
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    orders: page.map(toSummary),
    nextCursor: rows.length > f.limit && last ? encodeCursor([last.sort_at, last.tenant_id, Number(last.id)]) : null,
  };
}
