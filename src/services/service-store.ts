import type { Db } from '../store/database.js';
import type { ServiceRecord, ServiceStatus } from './service.js';

/** The services store: the only writer of `services`. Every query is filtered by the tenant. */

type Row = {
  tenant_id: string;
  service_id: string;
  supplier: string;
  status: string;
  technology: string | null;
  address: unknown;
  characteristics: unknown;
  orders: unknown;
  changing_order_id: number | null;
  source: string;
  created_at: Date | string;
  updated_at: Date | string;
};

const iso = (d: Date | string) => new Date(d).toISOString();

function toRecord(r: Row): ServiceRecord {
  return {
    tenantId: r.tenant_id,
    serviceId: r.service_id,
    supplier: r.supplier,
    status: r.status as ServiceStatus,
    ...(r.technology ? { technology: r.technology } : {}),
    ...(r.address ? { address: r.address as ServiceRecord['address'] } : {}),
    characteristics: (r.characteristics ?? {}) as Record<string, string>,
    orders: (r.orders ?? []) as ServiceRecord['orders'],
    ...(r.changing_order_id !== null ? { changingOrderId: Number(r.changing_order_id) } : {}),
    source: r.source as ServiceRecord['source'],
    created: iso(r.created_at),
    updated: iso(r.updated_at),
  };
}

/** One service of a tenant's; `lock` holds it for the rest of the transaction. */
export async function getService(
  db: Db,
  tenantId: string,
  serviceId: string,
  lock = false,
): Promise<ServiceRecord | undefined> {
  let q = db.selectFrom('services').selectAll().where('tenant_id', '=', tenantId).where('service_id', '=', serviceId);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toRecord(row as Row) : undefined;
}

/** Several services at once, locked, in key order (the same order every writer takes them in). */
export async function lockServices(trx: Db, keys: { tenantId: string; serviceId: string }[]): Promise<ServiceRecord[]> {
  if (!keys.length) return [];
  const rows = await trx
    .selectFrom('services')
    .selectAll()
    .where((eb) =>
      eb.or(keys.map((k) => eb.and([eb('tenant_id', '=', k.tenantId), eb('service_id', '=', k.serviceId)]))),
    )
    .orderBy('tenant_id')
    .orderBy('service_id')
    .forUpdate()
    .execute();
  return rows.map((r) => toRecord(r as Row));
}

export async function listServices(
  db: Db,
  tenantId: string,
  f: { status?: ServiceStatus; supplier?: string; after?: string; limit: number },
): Promise<ServiceRecord[]> {
  let q = db.selectFrom('services').selectAll().where('tenant_id', '=', tenantId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.supplier) q = q.where('supplier', '=', f.supplier);
  if (f.after) q = q.where('service_id', '>', f.after);
  const rows = await q.orderBy('service_id').limit(f.limit).execute();
  return rows.map((r) => toRecord(r as Row));
}

/** Writes records (insert or replace). */
export async function putServices(db: Db, records: ServiceRecord[]): Promise<void> {
  for (const r of records) {
    const values = {
      tenant_id: r.tenantId,
      service_id: r.serviceId,
      supplier: r.supplier,
      status: r.status,
      technology: r.technology ?? null,
      address: r.address ? JSON.stringify(r.address) : null,
      characteristics: JSON.stringify(r.characteristics),
      orders: JSON.stringify(r.orders),
      changing_order_id: r.changingOrderId ?? null,
      source: r.source,
      created_at: r.created,
      updated_at: r.updated,
    };
    const { tenant_id: _t, service_id: _s, created_at: _c, ...update } = values;
    await db
      .insertInto('services')
      .values(values)
      .onConflict((oc) => oc.columns(['tenant_id', 'service_id']).doUpdateSet(update))
      .execute();
  }
}
