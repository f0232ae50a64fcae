import { ENGINES, freshDatabase } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { tenantsYaml } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';
import { migrate, type DatabaseHandle } from '../../src/store/database.js';
import { parseTenants } from '../../src/config/tenants.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { DeliveryWorker } from '../../src/kci/delivery-worker.js';
import { enqueueKcis } from '../../src/kci/outbox.js';

// The worker on its own, with a real database and a real webhook, and few slots: a tenant can hold at most
// its share of them, even when one claim brings it more KCIs than that.
describe.each(ENGINES)('KCI delivery slots (%s)', (engine) => {
  let db: DatabaseHandle;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  beforeAll(async () => { db = await freshDatabase(engine); await migrate(db.db); sink = await startKciSink(); });
  afterAll(async () => { sink.release(204); await sink.close(); await db.close(); });

  it('a tenant whose endpoint hangs keeps only its share of the slots; the others are served, and its excess waits untried', async () => {
    const tenants = parseTenants(tenantsYaml(sink.url), 'tenants.yaml', {});
    const kci = (tenantId: string, orderId: number) => ({ tenantId, orderId, orderType: 'NEW', conversationId: `slots-${tenantId}-${orderId}`, supplier: 'BTWHOLESALEBB1',
      content: { updateType: 'INFORMATIONAL' as const, information: { type: 'UPDATE' } }, entity: { id: orderId, status: 'IN_PROGRESS' } });
    // TENANT2's two KCIs (two orders) are older, so one claim of two slots takes both.
    await db.db.transaction().execute((trx) => enqueueKcis(trx, [kci('TENANT2', 1), kci('TENANT2', 2)]));
    await db.db.transaction().execute((trx) => enqueueKcis(trx, [kci('TENANT1', 1)]));
    sink.setResponder((k) => (String(k.headers.authorization ?? '').startsWith('Basic') ? { status: 204, hold: true } : { status: 204 }));
    const worker = new DeliveryWorker(db.db, tenants, createLogger('silent'), createMetrics(), { retrySchedule: [1], timeoutMs: 60_000, maxInFlight: 2, maxInFlightPerTenant: 1 });
    worker.start();
    try {
      await sink.waitFor(() => sink.received.some((k) => k.headers['x-conversation-id'] === 'slots-TENANT1-1'));
      expect(sink.held).toBe(1);
      const t2 = await db.db.selectFrom('kci_outbox').select(['order_id', 'status', 'attempts', 'lease_until']).where('tenant_id', '=', 'TENANT2').orderBy('order_id').execute();
      // One is in flight (leased, first attempt); the other was handed back untried.
      expect(t2.map((r) => [r.status, r.attempts, r.lease_until !== null]).sort()).toEqual([['PENDING', 0, false], ['PENDING', 1, true]]);
      const waiting = t2.find((r) => r.attempts === 0)!.order_id;
      // Once TENANT2 answers, its second KCI gets its turn.
      sink.setResponder(() => ({ status: 204 }));
      sink.release(204);
      await waitUntil(async () => (await db.db.selectFrom('kci_outbox').select('id').where('status', '=', 'DELIVERED').execute()).length === 3, 'all three delivered');
      expect(sink.received.filter((k) => k.headers['x-conversation-id'] === `slots-TENANT2-${waiting}`)).toHaveLength(1);
    } finally {
      sink.release(204);
      await worker.stop();
    }
  }, 60_000);
});
