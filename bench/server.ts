// The connector under load, in its own process (so the bench client and sink do not share its CPU, and
// its RSS is its own). Takes one JSON argument; creates the bench's orders in the load tenant, prints
// {"port":…, "externalIds":[…], "updatesOrder":{…}} once ready; on SIGTERM prints {"peakRssMb":…} and exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/env.js';
import { parseTenants } from '../src/config/tenants.js';
import { createLogger } from '../src/platform/log.js';
import { createService } from '../src/service.js';
import { openDatabase } from '../src/store/database.js';
import { TenantOrders } from '../src/orders/order-store.js';
import { putServices } from '../src/services/service-store.js';
import { benchTenantsYaml, LOAD_TENANT } from './tenants.js';

const args = JSON.parse(process.argv[2]!) as {
  sinkUrl: string;
  bb1Url: string;
  orders: number;
  databaseUrl?: string;
  /** a PGlite data directory to use (kept); without it and without databaseUrl, a fresh one (removed) */
  pgliteDir?: string;
  operatorToken: string;
};
let peak = 0;
const t = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 50);
// PGlite on disk, as `npm start` runs it (memory:// would keep the data files and WAL in the heap, ~200 MB more RSS).
const freshDir = args.databaseUrl || args.pgliteDir ? undefined : mkdtempSync(join(tmpdir(), 'bb1-bench-'));
const db = await openDatabase(
  args.databaseUrl ? { databaseUrl: args.databaseUrl, poolSize: 12 } : { pgliteDataDir: args.pgliteDir ?? freshDir! },
);
const tenants = parseTenants(benchTenantsYaml(args.sinkUrl), 'bench', {});
const config = loadConfig({
  PORT: '0',
  LOG_LEVEL: 'silent',
  KCI_RETRY_SCHEDULE: '1,1,1',
  PGLITE_DATA_DIR: 'memory://',
  // bench/auth-flood.ts sets the token endpoints' limits
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AUTH_FAILURE'))),
  OPERATOR_TOKEN: args.operatorToken,
});
const service = await createService({
  config,
  tenants,
  log: createLogger('silent'),
  env: { BB1_BASE_URL: args.bb1Url },
  database: db,
});
// The load's orders (in progress at BB1), and one more for the order read with 40 updates.
const orders = new TenantOrders(db.db, LOAD_TENANT.id);
const created: { id: number; externalId: string }[] = [];
for (let i = 0; i <= args.orders; i++) {
  const o = await orders.create({
    externalId: (id) => `${LOAD_TENANT.id}-${id}-0000abcd`,
    supplier: 'BTWHOLESALEBB1',
    orderType: 'NEW',
    conversationId: 'bench',
    request: {},
    entity: (id, now) => ({
      id,
      orderType: 'NEW',
      supplier: 'BTWHOLESALEBB1',
      status: 'IN_PROGRESS',
      created: now,
      updated: now,
    }),
  });
  created.push({ id: o.id, externalId: o.externalId });
}
await db.db
  .updateTable('orders')
  .set({ send_state: 'SENT', status: 'IN_PROGRESS' })
  .where('tenant_id', '=', LOAD_TENANT.id)
  .where(
    'id',
    'in',
    created.map((c) => c.id),
  )
  .execute();
// One service of the load tenant's (a database with history has many more), for GET /v1/services/{id}.
const benchService = 'BBEU-bench-1';
await putServices(db.db, [
  {
    tenantId: LOAD_TENANT.id,
    serviceId: benchService,
    supplier: 'BTWHOLESALEBB1',
    status: 'ACTIVE',
    technology: 'FTTP',
    characteristics: { SERVICE_ID: benchService, LINE_PROFILE: 'FTTP 1000_110M', CARE_LEVEL: 'Standard' },
    orders: [{ orderId: created[0]!.id, orderType: 'NEW', status: 'COMPLETED' }],
    source: 'ORDER',
    created: new Date().toISOString(),
    updated: new Date().toISOString(),
  },
]);
const server = await service.listen(0);
peak = 0; // measure under load, not the set-up
process.stdout.write(
  JSON.stringify({
    port: (server.address() as { port: number }).port,
    externalIds: created.slice(0, args.orders).map((c) => c.externalId),
    updatesOrder: created[args.orders],
    serviceId: benchService,
  }) + '\n',
);
process.on('SIGTERM', async () => {
  clearInterval(t);
  process.stdout.write(JSON.stringify({ peakRssMb: Math.round(peak / 1048576) }) + '\n');
  await service.stop();
  await db.close();
  if (freshDir) rmSync(freshDir, { recursive: true, force: true });
  process.exit(0);
});
