import { sql } from 'kysely';
import type { Db } from '../database.js';
import { SUMMARY_COLUMNS, toSummary, type OrderSummary } from './find-orders.js';
import { listForOrder, type OutboxEntry } from '../../kci/outbox.js';

/** Everything stored about one order, each list in the order it happened (read for the operator's timeline). */
export interface OrderStory {
  order: OrderSummary & { entity: Record<string, unknown>; request: Record<string, unknown>; outbound: unknown };
  history: { id: number; at: string; event: string; detail: unknown }[];
  requests: {
    kind: string;
    id: number;
    status: string;
    sendState: string;
    body: Record<string, unknown>;
    outbound: unknown;
    createdAt: string;
  }[];
  ksus: {
    id: number;
    eventId: string | null;
    eventType: string | null;
    status: string;
    error: string | null;
    raw: string;
    body: unknown;
    receivedAt: string;
  }[];
  kcis: OutboxEntry[];
}

const iso = (d: Date | string) => new Date(d).toISOString();
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

/**
 * One order's rows from every table that tells its story. KSUs are those naming the order (our externalId or
 * the supplier's order id), whatever became of them, so an UNMATCHED or REFUSED one shows here too.
 */
export async function readOrderStory(db: Db, tenantId: string, id: number): Promise<OrderStory | undefined> {
  const { rows } = await sql<
    Parameters<typeof toSummary>[0] & { entity: unknown; request: unknown; outbound: unknown }
  >`
    SELECT ${SUMMARY_COLUMNS}, entity, request, outbound FROM orders WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(
    db,
  );
  const row = rows[0];
  if (!row) return undefined;
  const order = {
    ...toSummary(row),
    entity: json(row.entity) as Record<string, unknown>,
    request: json(row.request) as Record<string, unknown>,
    outbound: json(row.outbound),
  };
  const [history, requests, ksus, kcis] = await Promise.all([
    db
      .selectFrom('order_history')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('order_id', '=', id)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('order_requests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('order_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('ksu_inbox')
      .select(['id', 'event_id', 'event_type', 'status', 'error', 'raw', 'body', 'received_at'])
      .where((eb) =>
        eb.or([
          eb('external_id', '=', order.externalId),
          ...(order.supplierOrderId
            ? [eb.and([eb('supplier', '=', order.supplier), eb('supplier_order_id', '=', order.supplierOrderId)])]
            : []),
        ]),
      )
      .orderBy('id')
      .execute(),
    listForOrder(db, tenantId, id),
  ]);
  return {
    order,
    history: history.map((h) => ({ id: Number(h.id), at: iso(h.at), event: h.event, detail: json(h.detail) })),
    requests: requests.map((r) => ({
      kind: r.kind,
      id: Number(r.id),
      status: r.status,
      sendState: r.send_state,
      body: json(r.body) as Record<string, unknown>,
      outbound: json(r.outbound),
      createdAt: iso(r.created_at),
    })),
    ksus: ksus.map((k) => ({
      id: Number(k.id),
      eventId: k.event_id,
      eventType: k.event_type,
      status: k.status,
      error: k.error,
      raw: k.raw,
      body: json(k.body),
      receivedAt: iso(k.received_at),
    })),
    kcis,
  };
}
