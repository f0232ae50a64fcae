import { uuidv7 } from '../platform/uuid-v7.js';
import type { components } from '../generated/tenant-updates-api.js';
import type { OrderEntity } from '../orders/order.js';

/** A KCI as the tenant receives it (openapi/tenant-updates-api.yaml). */
export type Kci = components['schemas']['Kci'];
/** A KCI as the outbox keeps it: `deliveredOn` is added at each attempt. */
export type StoredKci = Omit<Kci, 'deliveredOn'>;
export type EntityType = Kci['entityType'];
type Information = components['schemas']['Information'];
type ActionRequired = components['schemas']['ActionRequired'];

export function entityTypeOf(orderType: string): EntityType {
  if (orderType === 'MODIFY') return 'MODIFY_ORDER';
  if (orderType === 'CEASE') return 'CEASE_ORDER';
  if (orderType === 'UNSOLICITED_CEASE') return 'UNSOLICITED_CEASE_ORDER';
  return 'PROVIDE_ORDER';
}

export type KciReason = Information | ActionRequired;

export type KciContent =
  | { updateType: 'INFORMATIONAL'; information: Information }
  | { updateType: 'ACTION_REQUIRED'; actionRequired: ActionRequired }
  | { updateType: 'ERROR'; error: NonNullable<Kci['error']> };

/** The KCI body as stored in the outbox; `deliveredOn` is added at each attempt (docs/contract.md §4). */
export function kciBody(args: {
  supplier: string;
  sequenceNumber: number;
  content: KciContent;
  orderType: string;
  entity: OrderEntity;
  issuedOn?: string;
  receivedOn?: string;
  supplierNotes?: { note: string; type?: string; created?: string }[];
}): StoredKci {
  // Key order is the wire order tenants see: id, supplier, sequence, times, the reason, notes, the entity.
  return {
    id: uuidv7(),
    supplier: args.supplier,
    sequenceNumber: args.sequenceNumber,
    ...(args.issuedOn ? { issuedOn: args.issuedOn } : {}),
    ...(args.receivedOn ? { receivedOn: args.receivedOn } : {}),
    ...args.content,
    ...(args.supplierNotes?.length ? { supplierNotes: args.supplierNotes } : {}),
    entityType: entityTypeOf(args.orderType),
    entity: args.entity,
  };
}

/** Tidy a reason: no empty optional fields. */
export function reason<T extends KciReason['type']>(
  type: T,
  extra: { problemCode?: KciReason['problemCode']; text?: string; supplierCodes?: string[] } = {},
): Extract<KciReason, { type: T }> {
  const r = { type } as Extract<KciReason, { type: T }>;
  if (extra.problemCode) r.problemCode = extra.problemCode;
  if (extra.text) r.text = extra.text;
  if (extra.supplierCodes?.length) r.supplierCodes = extra.supplierCodes;
  return r;
}
