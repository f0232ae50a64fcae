import type { components } from '../../../generated/tenant-api.js';

export type OrderRequest = components['schemas']['ServiceOrderRequest'];
export type AmendmentRequest = components['schemas']['ServiceOrderAmendmentRequest'];
export type CancellationRequest = components['schemas']['ServiceOrderCancellationRequest'];
export type AddressIdentifier = components['schemas']['AddressIdentifier'];
export type Contact = components['schemas']['Contact'];

/** What the connector knows of the tenant's BB1 account (tenants file). */
export interface Bb1Account {
  cugId: string;
  retailerId: string;
  billingAccountId: string;
}

/** A reserved appointment, as the order needs it. */
export interface ReservedSlot {
  id: number;
  supplierReference: string;
  start: string;
  end: string;
  siteVisitReason?: string;
}

export type Json = Record<string, unknown>;
