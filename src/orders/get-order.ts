import type { Db } from '../store/database.js';
import { listForOrder } from '../kci/outbox.js';
import { NotFound } from './errors.js';
import { TenantOrders } from './order-store.js';
import type { components } from '../generated/tenant-api.js';

export type OrderWithUpdates = components['schemas']['ServiceOrderWithUpdates'];
type OrderUpdate = components['schemas']['OrderUpdate'];

/** GET /v1/service-orders/{id}: the latest order and every KCI with its delivery status. */
export function makeGetOrder({ db }: { db: Db }) {
  return async function getOrder(tenantId: string, id: number): Promise<OrderWithUpdates> {
    // The entity alone, and the KCIs without the entity each carried, read side by side.
    const [entity, kcis] = await Promise.all([
      new TenantOrders(db, tenantId).entity(id),
      listForOrder(db, tenantId, id),
    ]);
    if (!entity) throw new NotFound(`service order ${id}`);
    const updates = kcis.map((k) => {
      const b = k.body;
      const u: Record<string, unknown> = { id: k.id, supplier: b.supplier, sequenceNumber: k.sequenceNumber };
      if (b.issuedOn) u.issuedOn = b.issuedOn;
      if (b.receivedOn) u.receivedOn = b.receivedOn;
      if (k.deliveredAt) u.deliveredOn = k.deliveredAt;
      u.deliveryStatus = k.status;
      u.deliveryAttempts = k.attempts;
      u.updateType = b.updateType;
      for (const f of ['information', 'actionRequired', 'error', 'supplierNotes'] as const) if (b[f]) u[f] = b[f];
      return u as unknown as OrderUpdate;
    });
    return { ...entity, updates };
  };
}
