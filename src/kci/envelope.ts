import { randomUUID } from 'node:crypto';

export type EntityType = 'PROVIDE_ORDER' | 'MODIFY_ORDER' | 'CEASE_ORDER' | 'UNSOLICITED_CEASE_ORDER';

export function entityTypeOf(orderType: string): EntityType {
  if (orderType === 'MODIFY') return 'MODIFY_ORDER';
  if (orderType === 'CEASE') return 'CEASE_ORDER';
  if (orderType === 'UNSOLICITED_CEASE') return 'UNSOLICITED_CEASE_ORDER';
  return 'PROVIDE_ORDER';
}

export interface KciReason {
  type: string;
  problemCode?: string;
  text?: string;
  supplierCodes?: string[];
}

export type KciContent =
  | { updateType: 'INFORMATIONAL'; information: KciReason }
  | { updateType: 'ACTION_REQUIRED'; actionRequired: KciReason }
  | { updateType: 'ERROR'; error: { uuid: string; code: string; messages: string[] } };

/** The KCI body as stored in the outbox; `deliveredOn` is added at each attempt (CONTRACT §4). */
export function kciBody(args: {
  supplier: string;
  sequenceNumber: number;
  content: KciContent;
  orderType: string;
  entity: Record<string, unknown>;
  issuedOn?: string;
  receivedOn?: string;
  supplierNotes?: { note: string; type?: string; created?: string }[];
}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: randomUUID(),
    supplier: args.supplier,
    sequenceNumber: args.sequenceNumber,
  };
  if (args.issuedOn) body.issuedOn = args.issuedOn;
  if (args.receivedOn) body.receivedOn = args.receivedOn;
  Object.assign(body, args.content);
  if (args.supplierNotes?.length) body.supplierNotes = args.supplierNotes;
  body.entityType = entityTypeOf(args.orderType);
  body.entity = args.entity;
  return body;
}

/** Tidy a reason: no empty optional fields. */
export function reason(type: string, extra: Omit<KciReason, 'type'> = {}): KciReason {
  const r: KciReason = { type };
  if (extra.problemCode) r.problemCode = extra.problemCode;
  if (extra.text) r.text = extra.text;
  if (extra.supplierCodes?.length) r.supplierCodes = extra.supplierCodes;
  return r;
}
