import type { Tenant } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { AddressQuery, SlotQuery } from '../suppliers/supplier.js';
import { InvalidRequest } from './errors.js';
import type { Address, AddressIdentifier, ServiceAvailability, Timeslot } from './order.js';
import { supplierFor, suppliersOf } from './tenant-suppliers.js';
import { withinOneDay } from './timeslots.js';

export type SlotRequest = Omit<SlotQuery, 'today'> & { supplier: string; singleDayAppointment?: boolean };

const today = () => new Date().toISOString().slice(0, 10);

/** The synchronous look-ups a tenant makes before ordering: addresses, availability and appointment slots. */
export function makeLookups({ suppliers }: { suppliers: SupplierRegistry }) {
  return {
    /** GET /v1/addresses through the supplier's address search. */
    async findAddresses(tenant: Tenant, q: AddressQuery & { supplier?: string }): Promise<Address[]> {
      const { supplier, account } = supplierFor(suppliers, tenant, q.supplier);
      if (!q.postalCode && !q.uprn) throw new InvalidRequest(['query: postalCode or uprn is required']);
      return supplier.lookups.addresses(account, q);
    },

    /** GET /v1/service-availability: one element per supplier asked (by default every one the tenant may use). */
    async checkAvailability(
      tenant: Tenant,
      q: { address: AddressIdentifier; suppliers?: string[] },
    ): Promise<ServiceAvailability[]> {
      const asked = (q.suppliers ?? suppliersOf(suppliers, tenant)).map((id) =>
        supplierFor(suppliers, tenant, id, 'suppliers'),
      );
      return Promise.all(
        asked.map(({ supplier, account }) => supplier.lookups.availability(account, { address: q.address })),
      );
    },

    /** GET /v1/available-appointments. */
    async availableAppointments(tenant: Tenant, q: SlotRequest) {
      const { supplier, account } = supplierFor(suppliers, tenant, q.supplier);
      const { singleDayAppointment, ...query } = q;
      let slots: Timeslot[] = await supplier.lookups.slots(account, { ...query, today: today() });
      if (singleDayAppointment)
        slots = slots.filter((s) => withinOneDay(s.timeslotStartDateTime, s.timeslotEndDateTime));
      return { address: q.address, serviceSpecification: q.serviceSpecification, availableTimeslots: slots };
    },
  };
}
