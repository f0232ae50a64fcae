export type {
  OrderRequest,
  AmendmentRequest,
  CancellationRequest,
  AddressIdentifier,
  Contact,
  ReservedSlot,
} from '../../../orders/order.js';

/** What the connector knows of the tenant's BB1 account (tenants file) that a payload carries. */
export interface Bb1Account {
  cugId: string;
  retailerId: string;
  billingAccountId: string;
}

export type Json = Record<string, unknown>;
