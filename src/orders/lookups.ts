import type { Tenant } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { AddressQuery, SlotQuery } from '../suppliers/supplier.js';
import { InvalidRequest } from './errors.js';
import { SupplierError } from '../suppliers/errors.js';
import type { Address, AddressIdentifier, ServiceAvailability, Timeslot } from './order.js';
import { supplierFor, suppliersOf } from './tenant-suppliers.js';
import { withinOneDay } from './timeslots.js';

/** How long availability waits for a supplier that sets no limit of its own (BB1's client retries within it). */
export const DEFAULT_AVAILABILITY_TIMEOUT_MS = 15000;

/** A supplier that could not answer the availability check: the edge turns `failure` into the error model. */
export interface SupplierFailure {
  supplier: string;
  failure: unknown;
}
export type AvailabilityElement = ServiceAvailability | SupplierFailure;

/** The promise's outcome, or `timeout()` thrown once `ms` have passed (the promise is left to settle alone). */
function withTimeout<T>(p: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

export type SlotRequest = Omit<SlotQuery, 'today'> & { supplier: string; singleDayAppointment?: boolean };

const today = () => new Date().toISOString().slice(0, 10);

/** The synchronous look-ups a tenant makes before ordering: addresses, availability and appointment slots. */
export function makeLookups({ suppliers }: { suppliers: SupplierRegistry }) {
  return {
    /** GET /v1/addresses through the supplier's address search. */
    async findAddresses(
      tenant: Tenant,
      q: AddressQuery & { supplier?: string },
      conversationId?: string,
    ): Promise<Address[]> {
      const { supplier, account } = supplierFor(suppliers, tenant, q.supplier);
      if (!q.postalCode && !q.uprn) throw new InvalidRequest(['query: postalCode or uprn is required']);
      return supplier.lookups.addresses(account, q, { tenantId: tenant.id, conversationId });
    },

    /**
     * GET /v1/service-availability: one element per supplier asked (by default every one the tenant may use),
     * asked side by side, each within its own time limit. A supplier that fails or does not answer in time is an
     * element with its failure while the others answer; when none answers, the first failure is thrown.
     */
    async checkAvailability(
      tenant: Tenant,
      q: { address: AddressIdentifier; suppliers?: string[] },
      conversationId?: string,
    ): Promise<AvailabilityElement[]> {
      const asked = [...new Set(q.suppliers ?? suppliersOf(suppliers, tenant))].map((id) =>
        supplierFor(suppliers, tenant, id, 'suppliers'),
      );
      const answers = await Promise.all(
        asked.map(async ({ supplier, account }): Promise<AvailabilityElement> => {
          try {
            const limitMs = supplier.availabilityTimeoutMs ?? DEFAULT_AVAILABILITY_TIMEOUT_MS;
            return await withTimeout(
              supplier.lookups.availability(account, { address: q.address }, { tenantId: tenant.id, conversationId }),
              limitMs,
              () => {
                return new SupplierError(supplier.id, 'timeout', `no answer within ${limitMs} ms`);
              },
            );
          } catch (failure) {
            return { supplier: supplier.id, failure };
          }
        }),
      );
      const failed = answers.filter((a): a is SupplierFailure => 'failure' in a);
      if (failed.length === answers.length && failed[0]) throw failed[0].failure;
      return answers;
    },

    /** GET /v1/available-appointments. */
    async availableAppointments(tenant: Tenant, q: SlotRequest, conversationId?: string) {
      const { supplier, account } = supplierFor(suppliers, tenant, q.supplier);
      const { singleDayAppointment, ...query } = q;
      let slots: Timeslot[] = await supplier.lookups.slots(
        account,
        { ...query, today: today() },
        { tenantId: tenant.id, conversationId },
      );
      if (singleDayAppointment)
        slots = slots.filter((s) => withinOneDay(s.timeslotStartDateTime, s.timeslotEndDateTime));
      return { address: q.address, serviceSpecification: q.serviceSpecification, availableTimeslots: slots };
    },
  };
}
