// The bench's tenants file: the 50 tenants the history is seeded for (ids, CUGs), every KCI to the sink.
import { cugOf, tenantId } from './history/seed.js';

export const BENCH_TENANTS = 50;
/** The tenant the bench's own orders belong to. */
export const LOAD_TENANT = { id: tenantId(1), cugId: cugOf(1) };
export const clientOf = (id: string) => ({ clientId: `${id.toLowerCase()}-app`, clientSecret: `${id}-secret-value` });
export const ksuClientOf = (id: string) => ({ clientId: `${id.toLowerCase()}-ksu`, clientSecret: `${id}-ksu-secret` });

export function benchTenantsYaml(sinkUrl: string): string {
  const lines = ['tenants:'];
  for (let i = 1; i <= BENCH_TENANTS; i++) {
    const id = tenantId(i);
    const c = clientOf(id);
    const k = ksuClientOf(id);
    lines.push(
      `  - id: ${id}`,
      `    clients: [{ clientId: ${c.clientId}, clientSecret: ${c.clientSecret} }]`,
      `    kci: { url: ${sinkUrl}, auth: { type: none } }`,
      `    suppliers:`,
      `      BTWHOLESALEBB1: { clientId: ${id.toLowerCase()}-bb1, clientSecret: ${id}-bb1-secret, cugId: ${cugOf(i)}, retailerId: ZYX, billingAccountId: "0455821481", ksuClient: { clientId: ${k.clientId}, clientSecret: ${k.clientSecret} } }`,
    );
  }
  return lines.join('\n') + '\n';
}
