import type { components } from '../generated/tenant-api.js';
import { TERMINAL } from '../orders/lifecycle.js';
import {
  isProvide,
  type AddressIdentifier,
  type OrderEntity,
  type OrderRequest,
  type OrderStatus,
} from '../orders/order.js';

export type ServiceStatus = components['schemas']['ServiceStatus'];
export type ServiceView = components['schemas']['Service'];

/** What the connector keeps of a tenant's service (table `services`, owned by service-store.ts). */
export interface ServiceRecord {
  tenantId: string;
  serviceId: string;
  supplier: string;
  status: ServiceStatus;
  technology?: string;
  address?: AddressIdentifier;
  /** current values and asset ids, by characteristic name (LINE_PROFILE, CARE_LEVEL, SERVICE_ASSET_ID, …) */
  characteristics: Record<string, string>;
  orders: { orderId: number; orderType: string; status: OrderStatus }[];
  changingOrderId?: number;
  source: 'ORDER' | 'UPDATE' | 'IMPORT';
  created: string;
  updated: string;
}

/** An order as the service record follows it: after an update or a send, with its status before. */
export interface OrderProgress {
  tenantId: string;
  id: number;
  supplier: string;
  orderType: string;
  status: OrderStatus;
  statusBefore: OrderStatus;
  entity: OrderEntity;
  request: OrderRequest;
}

/** The SERVICE_ID an order is about: the one a provide was given, or the one a modify or cease names. */
export const serviceIdOf = (o: Pick<OrderProgress, 'orderType' | 'entity' | 'request'>) =>
  isProvide(o.orderType) ? o.entity.serviceId : (o.request.serviceId ?? o.entity.serviceId);

/** Characteristics the supplier reported on the order (no action: values, not instructions). */
function reported(o: OrderProgress): [string, string][] {
  const list = isProvide(o.orderType)
    ? o.entity.serviceOrderItem?.serviceCharacteristics
    : o.entity.serviceCharacteristics;
  return (list ?? []).filter((c) => !c.action).map((c) => [c.name, c.value]);
}

const ended = (s: OrderStatus) => TERMINAL.has(s);

/**
 * What an order's progress means for its service: the record after it, or undefined when there is none to
 * keep. Only a change of the order's status moves the record (a late or repeated update never does, since
 * the lifecycle keeps an ended order where it is), so the record never goes backwards.
 */
export function serviceAfter(
  prior: ServiceRecord | undefined,
  o: OrderProgress,
  now: string,
): ServiceRecord | undefined {
  const serviceId = serviceIdOf(o);
  if (!serviceId) return undefined;
  const moved = o.status !== o.statusBefore;
  if (prior && prior.status === 'CEASED' && prior.source !== 'IMPORT') return prior;
  const orders = [...(prior?.orders ?? [])];
  const i = orders.findIndex((x) => x.orderId === o.id);
  if (i >= 0) orders[i] = { ...orders[i]!, status: o.status };
  else orders.push({ orderId: o.id, orderType: o.orderType, status: o.status });
  const base: ServiceRecord = prior ?? {
    tenantId: o.tenantId,
    serviceId,
    supplier: o.supplier,
    status: 'ACTIVE',
    characteristics: {},
    orders: [],
    source: isProvide(o.orderType) ? 'ORDER' : 'UPDATE',
    created: now,
    updated: now,
  };
  const next: ServiceRecord = { ...base, orders, characteristics: { ...base.characteristics }, updated: now };
  const releases = next.changingOrderId === o.id;

  if (isProvide(o.orderType)) {
    if (!(moved && o.status === 'COMPLETED')) return prior ? next : undefined;
    next.status = 'ACTIVE';
    next.technology = o.entity.serviceOrderItem?.serviceSpecification.id;
    next.address = o.entity.address;
    for (const c of o.request.serviceOrderItem?.serviceCharacteristics ?? []) next.characteristics[c.name] = c.value;
    for (const [k, v] of reported(o)) next.characteristics[k] = v;
    return next;
  }

  // A modify or cease. One the connector did not see provided teaches what it reports.
  if (!prior) {
    for (const c of o.request.serviceCharacteristics ?? [])
      if (c.action === 'NONE') next.characteristics[c.name] = c.value;
    for (const [k, v] of reported(o)) next.characteristics[k] = v;
    if (!Object.keys(next.characteristics).length) return undefined;
  }
  if (!moved || !ended(o.status)) {
    if (!ended(o.status) && !prior) {
      next.status = 'CHANGING';
      next.changingOrderId = o.id;
    }
    return next;
  }
  if (o.status === 'COMPLETED') {
    if (o.orderType === 'CEASE') next.status = 'CEASED';
    else {
      next.status = 'ACTIVE';
      const list = o.request.serviceCharacteristics ?? [];
      for (const c of list)
        if (c.action === 'DELETE' && !list.some((x) => x.name === c.name && x.action === 'ADD'))
          delete next.characteristics[c.name];
      for (const c of list) if (c.action === 'ADD') next.characteristics[c.name] = c.value;
      for (const [k, v] of reported(o)) next.characteristics[k] = v;
    }
  } else if (releases || !prior) next.status = 'ACTIVE';
  if (releases || !prior) delete next.changingOrderId;
  return next;
}

/** The tenant's view of a record (openapi/tenant-api.yaml Service). */
export function toView(r: ServiceRecord): ServiceView {
  return {
    serviceId: r.serviceId,
    supplier: r.supplier,
    status: r.status,
    ...(r.technology ? { technology: r.technology } : {}),
    ...(r.address ? { address: r.address } : {}),
    serviceCharacteristics: Object.entries(r.characteristics).map(([name, value]) => ({ name, value })),
    ...(r.changingOrderId !== undefined ? { changingOrderId: r.changingOrderId } : {}),
    orders: r.orders as ServiceView['orders'],
    source: r.source,
    created: r.created,
    updated: r.updated,
  };
}
