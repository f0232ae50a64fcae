import type { Db } from '../store/database.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { Events } from '../platform/events.js';
import { makeCreateOrder } from './create-order.js';
import { makeGetOrder } from './get-order.js';
import { makeAmendOrder, makeCancelOrder } from './amend-cancel-order.js';
import { makeReserveAppointment } from './reserve-appointment.js';
import { makeLookups } from './lookups.js';
import { makeServiceQueries } from '../services/get-services.js';

/** The tenant's use cases, each built with the dependencies it names. */
export function createOrderUseCases(deps: { db: Db; suppliers: SupplierRegistry; events: Events }) {
  return {
    create: makeCreateOrder(deps),
    get: makeGetOrder(deps),
    amend: makeAmendOrder(deps),
    cancel: makeCancelOrder(deps),
    reserve: makeReserveAppointment(deps),
    ...makeLookups(deps),
    ...makeServiceQueries(deps),
  };
}

export type OrderUseCases = ReturnType<typeof createOrderUseCases>;
