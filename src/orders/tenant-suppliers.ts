import type { Tenant } from '../config/tenants.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { Supplier } from '../suppliers/supplier.js';
import { InvalidRequest, NotEntitled } from './errors.js';

export interface SupplierAccount {
  supplier: Supplier;
  account: unknown;
}

/** The suppliers a tenant may use: those with an account in the tenants file that the connector runs. */
export const suppliersOf = (suppliers: SupplierRegistry, tenant: Tenant) =>
  Object.keys(tenant.accounts).filter((id) => suppliers.get(id));

/**
 * The supplier a request names, with the tenant's account there. A request that names none goes to the
 * tenant's only supplier; one the tenant may not use (entitlement: the suppliers listed under it in the tenants
 * file) is refused, 403, naming it and those it may use.
 */
export function supplierFor(
  suppliers: SupplierRegistry,
  tenant: Tenant,
  id: string | undefined,
  field = 'supplier',
): SupplierAccount {
  const allowed = suppliersOf(suppliers, tenant);
  const chosen = id ?? (allowed.length === 1 ? allowed[0] : undefined);
  if (chosen === undefined) throw new InvalidRequest([`${field}: required; this tenant may use ${allowed.join(', ')}`]);
  const supplier = suppliers.get(chosen);
  if (!supplier || !(chosen in tenant.accounts))
    throw new NotEntitled(`${field}: "${chosen}" is not configured for this tenant; allowed: ${allowed.join(', ')}`);
  return { supplier, account: tenant.accounts[chosen] };
}
