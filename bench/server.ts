// The connector under load, in its own process (so the bench client and sink do not share its CPU, and
// its RSS is its own). Prints {"port":…} once ready; on SIGTERM prints {"peakRssMb":…} and exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/env.js';
import { parseTenants } from '../src/config/tenants.js';
import { createLogger } from '../src/platform/log.js';
import { createService } from '../src/service.js';
import { openDatabase } from '../src/store/database.js';
import { TenantOrders } from '../src/orders/order-store.js';

const [sinkUrl, ordersArg, dbUrl] = process.argv.slice(2);
const ORDERS = Number(ordersArg);
let peak = 0;
const t = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
// PGlite on disk, as `npm start` runs it (memory:// would keep the data files and WAL in the heap, ~200 MB more RSS).
const pgliteDir = dbUrl ? undefined : mkdtempSync(join(tmpdir(), 'bb1-bench-'));
const db = await openDatabase(dbUrl ? { databaseUrl: dbUrl, poolSize: 12 } : { pgliteDataDir: pgliteDir! });
const tenants = parseTenants(
  `tenants:\n  - id: BENCH\n    clients: [{ clientId: bench-app, clientSecret: bench-secret }]\n    kci: { url: ${sinkUrl} }\n    suppliers:\n      BTWHOLESALEBB1: { clientId: b, clientSecret: b-secret, cugId: CUG5009999999, retailerId: ZYX, billingAccountId: "1", ksuClient: { clientId: bench-ksu, clientSecret: bench-ksu-secret } }\n`,
  'bench',
  {},
);
const config = loadConfig({
  PORT: '0',
  LOG_LEVEL: 'silent',
  KCI_RETRY_SCHEDULE: '1,1,1',
  PGLITE_DATA_DIR: 'memory://',
  // bench/auth-flood.ts sets the token endpoints' limits
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AUTH_FAILURE'))),
});
const service = await createService({
  config,
  tenants,
  log: createLogger('silent'),
  env: { BB1_BASE_URL: 'http://127.0.0.1:9' },
  database: db,
});
const orders = new TenantOrders(db.db, 'BENCH');
for (let i = 0; i < ORDERS; i++) {
  await orders.create({
    externalId: (id) => `BENCH-${id}-0000abcd`,
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
}
await db.db.updateTable('orders').set({ send_state: 'SENT', status: 'IN_PROGRESS' }).execute();
const server = await service.listen(0);
peak = 0; // measure under load, not the set-up
process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + '\n');
process.on('SIGTERM', async () => {
  clearInterval(t);
  process.stdout.write(JSON.stringify({ peakRssMb: Math.round(peak / 1048576) }) + '\n');
  await service.stop();
  await db.close();
  if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
  process.exit(0);
});
