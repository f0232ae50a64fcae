import type { components } from '../generated/tenant-api.js';
import type { OrderStatus } from './vocabulary.js';

/** The tenant contract's shapes (generated from openapi/tenant-api.yaml), under the names the use cases speak. */
type S = components['schemas'];
export type OrderRequest = S['ServiceOrderRequest'];
export type OrderEntity = S['ServiceOrder'];
export type AmendmentRequest = S['ServiceOrderAmendmentRequest'];
export type Amendment = S['ServiceOrderAmendment'];
export type CancellationRequest = S['ServiceOrderCancellationRequest'];
export type Cancellation = S['ServiceOrderCancellation'];
export type AddressIdentifier = S['AddressIdentifier'];
export type Address = S['Address'];
export type Contact = S['Contact'];
export type ServiceCharacteristic = S['ServiceCharacteristic'];
export type ServiceAvailability = S['ServiceAvailability'];
export type Timeslot = S['Timeslot'];
export type ReservationRequest = S['AppointmentReservationRequest'];
export type Reservation = S['AppointmentReservation'];
export type RequestStatus = S['RequestStatus'];
export type { OrderStatus };

/** A reserved appointment, as an order needs it. */
export interface ReservedSlot {
  id: number;
  supplierReference: string;
  start: string;
  end: string;
  siteVisitReason?: string;
  timeslot?: Timeslot;
  /** where and for what the slot was reserved (an order must be for the same) */
  address?: AddressIdentifier;
  serviceSpecification?: { id: string };
}

/** Unique across tenants, orders and database resets: tenant, order id and a random suffix. */
export const externalIdFor = (tenantId: string, orderId: number, suffix: string) => `${tenantId}-${orderId}-${suffix}`;
/** The tenant id an externalId of ours starts with (undefined for anything not in externalIdFor's shape). */
export const tenantOfExternalId = (externalId: string) => externalId.match(/^(\w{1,20})-\d+-[0-9a-f]{8}$/)?.[1];

export const isProvide = (orderType: string) => !['MODIFY', 'CEASE'].includes(orderType);
