import type { Db } from '../store/database.js';
import { serviceAfter, serviceIdOf, type OrderProgress } from './service.js';
import { lockServices, putServices } from './service-store.js';
import { requestsOf } from '../orders/order-store.js';

/**
 * Keeps services in step with their orders, in the caller's transaction (the one that writes the order and
 * its KCI), so a record never says more or less than the KCIs the tenant was sent.
 */
export async function followOrders(
  trx: Db,
  changed: (Omit<OrderProgress, 'request'> & { request?: OrderProgress['request'] })[],
): Promise<void> {
  if (!changed.length) return;
  const missing = changed.filter((o) => !o.request);
  const requests = await requestsOf(
    trx,
    missing.map((o) => ({ tenantId: o.tenantId, id: o.id })),
  );
  const progress = changed.map(
    (o) => ({ ...o, request: o.request ?? requests.get(`${o.tenantId}\u0000${o.id}`) ?? {} }) as OrderProgress,
  );
  const withService = progress.filter((o) => serviceIdOf(o));
  if (!withService.length) return;
  const keys = [
    ...new Map(
      withService.map((o) => [
        `${o.tenantId}\u0000${serviceIdOf(o)}`,
        { tenantId: o.tenantId, serviceId: serviceIdOf(o)! },
      ]),
    ).values(),
  ];
  const current = new Map((await lockServices(trx, keys)).map((r) => [`${r.tenantId}\u0000${r.serviceId}`, r]));
  const now = new Date().toISOString();
  const touched = new Set<string>();
  for (const o of withService) {
    const key = `${o.tenantId}\u0000${serviceIdOf(o)}`;
    const next = serviceAfter(current.get(key), o, now);
    if (!next || next === current.get(key)) continue;
    current.set(key, next);
    touched.add(key);
  }
  await putServices(
    trx,
    [...touched].map((k) => current.get(k)!),
  );
}
