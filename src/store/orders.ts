import type { Db } from './database.js';
import { nextValue } from './counters.js';

export interface StoredOrder {
  tenantId: string;
  id: number;
  externalId: string;
  supplier: string;
  orderType: string;
  status: string;
  supplierOrderId: string | null;
  conversationId: string;
  entity: Record<string, unknown>;
  request: Record<string, unknown>;
  supplierState: Record<string, unknown>;
  outbound: unknown;
  sendState: string;
  createdAt: string;
  updatedAt: string;
}

type Row = {
  tenant_id: string;
  id: number;
  external_id: string;
  supplier: string;
  order_type: string;
  status: string;
  supplier_order_id: string | null;
  conversation_id: string;
  entity: unknown;
  request: unknown;
  supplier_state: unknown;
  outbound: unknown;
  send_state: string;
  created_at: Date | string;
  updated_at: Date | string;
};

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

export function toOrder(r: Row): StoredOrder {
  return {
    tenantId: r.tenant_id,
    id: Number(r.id),
    externalId: r.external_id,
    supplier: r.supplier,
    orderType: r.order_type,
    status: r.status,
    supplierOrderId: r.supplier_order_id,
    conversationId: r.conversation_id,
    entity: r.entity as Record<string, unknown>,
    request: r.request as Record<string, unknown>,
    supplierState: (r.supplier_state ?? {}) as Record<string, unknown>,
    outbound: r.outbound,
    sendState: r.send_state,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export interface NewOrder {
  externalId: (id: number) => string;
  supplier: string;
  orderType: string;
  conversationId: string;
  request: Record<string, unknown>;
  entity: (id: number, now: string) => Record<string, unknown>;
  supplierState?: Record<string, unknown>;
}

/** Orders of one tenant. Every query is filtered by the tenant: isolation lives here, not in routes. */
export class TenantOrders {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  async create(input: NewOrder, db: Db = this.db): Promise<StoredOrder> {
    const id = await nextValue(db, this.tenantId, 'order');
    const now = new Date().toISOString();
    const entity = input.entity(id, now);
    const row = await db
      .insertInto('orders')
      .values({
        tenant_id: this.tenantId,
        id,
        external_id: input.externalId(id),
        supplier: input.supplier,
        order_type: input.orderType,
        status: String(entity.status),
        supplier_order_id: null,
        conversation_id: input.conversationId,
        entity: JSON.stringify(entity),
        request: JSON.stringify(input.request),
        supplier_state: JSON.stringify(input.supplierState ?? {}),
        outbound: null,
        send_state: 'PENDING',
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await db
      .insertInto('order_history')
      .values({ tenant_id: this.tenantId, order_id: id, at: now, event: 'RECEIVED', detail: null })
      .execute();
    return toOrder(row as Row);
  }

  async get(id: number, db: Db = this.db): Promise<StoredOrder | undefined> {
    const row = await db
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', this.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toOrder(row as Row) : undefined;
  }

  /** Locks the row for the rest of the transaction (no-op on PGlite's single connection, real on Postgres). */
  async getForUpdate(id: number, trx: Db): Promise<StoredOrder | undefined> {
    const row = await trx
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', this.tenantId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ? toOrder(row as Row) : undefined;
  }
}

export interface OrderPatch {
  status?: string;
  entity?: Record<string, unknown>;
  supplierState?: Record<string, unknown>;
  supplierOrderId?: string | null;
  outbound?: unknown;
  sendState?: string;
}

/** Writes a change to an order the caller has already resolved (and, for tenants, authorised). */
export async function updateOrder(
  db: Db,
  order: Pick<StoredOrder, 'tenantId' | 'id'>,
  patch: OrderPatch,
  historyEvent?: { event: string; detail?: unknown },
): Promise<void> {
  const now = new Date().toISOString();
  const set: Record<string, unknown> = { updated_at: now };
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.entity !== undefined) set.entity = JSON.stringify(patch.entity);
  if (patch.supplierState !== undefined) set.supplier_state = JSON.stringify(patch.supplierState);
  if (patch.supplierOrderId !== undefined) set.supplier_order_id = patch.supplierOrderId;
  if (patch.outbound !== undefined) set.outbound = JSON.stringify(patch.outbound);
  if (patch.sendState !== undefined) set.send_state = patch.sendState;
  await db.updateTable('orders').set(set).where('tenant_id', '=', order.tenantId).where('id', '=', order.id).execute();
  if (historyEvent) {
    await db
      .insertInto('order_history')
      .values({
        tenant_id: order.tenantId,
        order_id: order.id,
        at: now,
        event: historyEvent.event,
        detail: historyEvent.detail === undefined ? null : JSON.stringify(historyEvent.detail),
      })
      .execute();
  }
}

/** Supplier-side lookups: by our externalId or the supplier's order id, across tenants (the caller checks the tenant). */
export async function findOrderForSupplier(
  db: Db,
  supplier: string,
  externalId: string | null,
  supplierOrderId: string | null,
  forUpdate = false,
): Promise<StoredOrder | undefined> {
  if (externalId) {
    let q = db.selectFrom('orders').selectAll().where('external_id', '=', externalId);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (row) return toOrder(row as Row);
  }
  if (supplierOrderId) {
    let q = db
      .selectFrom('orders')
      .selectAll()
      .where('supplier', '=', supplier)
      .where('supplier_order_id', '=', supplierOrderId);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (row) return toOrder(row as Row);
  }
  return undefined;
}
