import type { Db } from '../store/database.js';
import { updatesForOrder } from '../kci/outbox.js';
import { NotFound } from './errors.js';
import { TenantOrders } from './order-store.js';
import type { components } from '../generated/tenant-api.js';

export type OrderWithUpdates = components['schemas']['ServiceOrderWithUpdates'];

/** GET /v1/service-orders/{id}: the latest order and every KCI with its delivery status. */
export function makeGetOrder({ db }: { db: Db }) {
  return async function getOrder(tenantId: string, id: number): Promise<OrderWithUpdates> {
    // The entity alone, and the KCIs without the entity each carried, read side by side.
    const [entity, updates] = await Promise.all([
      new TenantOrders(db, tenantId).entity(id),
      updatesForOrder(db, tenantId, id),
    ]);
    if (!entity) throw new NotFound(`service order ${id}`);
    return { ...entity, updates };
  };
}
