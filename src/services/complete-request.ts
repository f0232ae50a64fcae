import type { Supplier } from '../suppliers/supplier.js';
import { Conflict, InvalidRequest, Unprocessable } from '../orders/errors.js';
import type { OrderRequest } from '../orders/order.js';
import type { ServiceRecord } from './service.js';

/** A MODIFY or CEASE asked for by intent: no characteristic carries an action (a cease may carry none at all). */
export const byIntent = (req: OrderRequest) => (req.serviceCharacteristics ?? []).every((c) => c.action === undefined);

/**
 * The MODIFY or CEASE to send for a service: one asked for by intent is completed from the service record by
 * the supplier's adapter; an explicit one (seed 002's style: actions and asset ids) is checked against the
 * record, so an asset id that is not the service's is refused naming both values.
 */
export function requestForService(
  supplier: Supplier,
  account: unknown,
  service: ServiceRecord | undefined,
  req: OrderRequest,
): OrderRequest {
  const id = req.serviceId!;
  if (service) {
    if (service.supplier !== supplier.id)
      throw new Unprocessable(`serviceId: ${id} is with ${service.supplier}, not ${supplier.id}`);
    if (service.status === 'CEASED') throw new Unprocessable(`serviceId: ${id} is CEASED`);
    if (service.status === 'CHANGING')
      throw new Conflict(
        `serviceId: ${id} has order ${service.changingOrderId} in flight; send another change when it has finished`,
      );
  }
  if (!byIntent(req)) {
    const wrong = (req.serviceCharacteristics ?? []).flatMap((c) => {
      const known = service?.characteristics[c.name];
      return /_ASSET_ID$/.test(c.name) && c.action !== 'ADD' && known !== undefined && known !== c.value
        ? [`serviceCharacteristics ${c.name}: "${c.value}" is not the asset id of ${id}, which is "${known}"`]
        : [];
    });
    if (wrong.length) throw new Unprocessable(...wrong);
    return req;
  }
  if (!service)
    throw new Unprocessable(
      `serviceId: ${id} is not a service the connector knows for this tenant; send each characteristic with its action and the asset ids, or have it imported (npm run services -- import)`,
    );
  if (!supplier.orders.completeIntent)
    throw new InvalidRequest([`serviceCharacteristics: ${supplier.id} needs each characteristic with its action`]);
  return supplier.orders.completeIntent(account, service, req);
}
