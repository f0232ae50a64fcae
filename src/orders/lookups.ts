import type { AppContext } from '../context.js';
import { SUPPLIER_BB1, type Tenant } from '../config/tenants.js';
import { ApiError } from '../http/errors.js';
import { translateAddresses, buildPoqRequest, translatePoqResponse } from '../suppliers/bb1/availability.js';
import { buildSlotSearch, translateSlots } from '../suppliers/bb1/appointments.js';
import type { AddressIdentifier } from '../suppliers/bb1/outbound/types.js';
import { supplierCall } from './supplier-errors.js';

export function requireSupplier(supplier: string | undefined, field = 'supplier'): void {
  if (supplier !== undefined && supplier !== SUPPLIER_BB1)
    throw ApiError.invalid(`${field}: "${supplier}" is not configured for this tenant; allowed: ${SUPPLIER_BB1}`);
}

/** GET /v1/addresses through BB1's address search. */
export async function findAddresses(
  ctx: AppContext,
  tenant: Tenant,
  q: {
    postalCode?: string;
    uprn?: string;
    name?: string;
    streetNumber?: string;
    streetName?: string;
    supplier?: string;
  },
) {
  requireSupplier(q.supplier);
  if (!q.postalCode && !q.uprn) throw ApiError.invalid('query: postalCode or uprn is required');
  const params: Record<string, string> = {};
  if (q.postalCode) params.postcode = q.postalCode.replace(/\s+/g, '').toUpperCase();
  if (q.uprn) params.uprn = q.uprn;
  if (q.name) params.buildingName = q.name;
  if (q.streetNumber) params.streetNr = q.streetNumber;
  if (q.streetName) params.streetName = q.streetName;
  const res = await supplierCall(() => ctx.bb1.addresses(tenant, params));
  return translateAddresses(res.data);
}

/** GET /v1/service-availability: one element for BTWHOLESALEBB1. */
export async function checkAvailability(
  ctx: AppContext,
  tenant: Tenant,
  q: { address: AddressIdentifier; suppliers?: string[] },
) {
  for (const s of q.suppliers ?? []) requireSupplier(s, 'suppliers');
  const m = ctx.bb1.mappings;
  const body = await supplierCall(async () => buildPoqRequest(q.address, tenant.bb1.cugId));
  const res = await supplierCall(() => ctx.bb1.poq(tenant, body));
  return [translatePoqResponse(m, res.data)];
}

/** GET /v1/available-appointments. */
export async function availableAppointments(
  ctx: AppContext,
  tenant: Tenant,
  q: Parameters<typeof buildSlotSearch>[1] & { supplier: string; standardOnly?: boolean },
) {
  requireSupplier(q.supplier);
  const today = new Date().toISOString().slice(0, 10);
  const { payload } = await supplierCall(async () => buildSlotSearch(ctx.bb1.mappings, q, today));
  const res = await supplierCall(() => ctx.bb1.searchSlots(tenant, payload));
  return {
    address: q.address,
    serviceSpecification: q.serviceSpecification,
    availableTimeslots: translateSlots(res.data, q.standardOnly),
  };
}
