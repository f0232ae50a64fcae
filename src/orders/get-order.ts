import type { AppContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { TenantOrders } from '../store/orders.js';
import { listForOrder } from '../kci/outbox.js';

/** GET /v1/service-orders/{id}: the latest order and every KCI with its delivery status. */
export async function getOrder(ctx: AppContext, tenantId: string, id: number) {
  const order = await new TenantOrders(ctx.db, tenantId).get(id);
  if (!order) throw ApiError.notFound(`service order ${id}`);
  const updates = (await listForOrder(ctx.db, tenantId, id)).map((k) => {
    const b = k.body;
    const u: Record<string, unknown> = { id: k.id, supplier: b.supplier, sequenceNumber: k.sequenceNumber };
    if (b.issuedOn) u.issuedOn = b.issuedOn;
    if (b.receivedOn) u.receivedOn = b.receivedOn;
    if (k.deliveredAt) u.deliveredOn = k.deliveredAt;
    u.deliveryStatus = k.status;
    u.deliveryAttempts = k.attempts;
    u.updateType = b.updateType;
    for (const f of ['information', 'actionRequired', 'error', 'supplierNotes'] as const) if (b[f]) u[f] = b[f];
    return u;
  });
  return { ...order.entity, updates };
}
