import type { Db } from '../store/database.js';
import { NotFound } from '../orders/errors.js';
import { toView, type ServiceStatus, type ServiceView } from './service.js';
import { getService, listServices } from './service-store.js';

/** GET /v1/services/{serviceId} and GET /v1/services: the tenant's own services (another tenant's id is not found). */
export function makeServiceQueries({ db }: { db: Db }) {
  return {
    async getService(tenantId: string, serviceId: string): Promise<ServiceView> {
      const r = await getService(db, tenantId, serviceId);
      if (!r) throw new NotFound(`service ${serviceId}`);
      return toView(r);
    },
    async listServices(
      tenantId: string,
      q: { status?: ServiceStatus; supplier?: string; after?: string; limit?: number },
    ): Promise<{ services: ServiceView[]; next?: string }> {
      const limit = q.limit ?? 100;
      // One more than asked tells whether there is a next page.
      const rows = await listServices(db, tenantId, { ...q, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return {
        services: page.map(toView),
        ...(rows.length > limit ? { next: page[page.length - 1]!.serviceId } : {}),
      };
    },
  };
}
