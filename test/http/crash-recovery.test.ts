import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, freshDatabase } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { waitUntil } from '../helpers/wait.js';
import { api, startProcess } from '../helpers/process.js';

describe.each(ENGINES)('a process killed mid-delivery loses nothing (%s)', (engine) => {
  it('SIGKILL while the tenant holds a KCI: after restart every KCI arrives, in order, the held one with the same id', async () => {
    const sink = await startKciSink();
    const db = engine === 'postgres' ? await freshDatabase('postgres') : undefined;
    const dir = mkdtempSync(join(tmpdir(), 'bb1-crash-'));
    const env = {
      // The held call must outlast the wait for all five KCIs (a loaded machine is slow), and its lease
      // (timeout + 5 s) must end within the restarted process's wait.
      KCI_TIMEOUT_MS: '8000',
      DEMO_KCI_URL: sink.url,
      ...(db ? { DATABASE_URL: db.url! } : { PGLITE_DATA_DIR: join(dir, 'pglite') }),
    };
    const port = 20000 + Math.floor(Math.random() * 12000); // below the ephemeral range (32768+) that port-0 servers use
    let held: string | undefined;
    const children: ChildProcess[] = [];
    // The first KCI is held open (the tenant never answers) until the process is killed.
    sink.setResponder((k) => {
      if (!held) {
        held = k.body.id as string;
        return { status: 0, hold: true };
      }
      return { status: 204 };
    });
    try {
      const first = startProcess(port, env);
      children.push(first.child);
      await first.ready;
      const order = await api(port, 'POST', '/v1/service-orders', {
        orderType: 'NEW',
        supplier: 'BTWHOLESALEBB1',
        address: {
          id: '10091846447',
          type: 'UPRN',
          additionalIdentifiers: [
            { id: 'A15104646284', type: 'NAD' },
            { id: 'LS', type: 'DistrictCode' },
            { id: 'R09598326361', type: 'ROBT' },
          ],
        },
        serviceOrderItem: {
          serviceSpecification: { id: 'FTTP' },
          serviceCharacteristics: [
            { name: 'LINE_PROFILE', value: '122' },
            { name: 'END_USER_TYPE', value: 'Residential' },
            { name: 'CONTRACT_TERM', value: '12' },
          ],
        },
        primaryContact: { name: 'Crash Test', email: 'crash@example.com' },
      });
      expect(order.status).toBe(201);
      // Wait until the sandbox's whole KSU sequence is stored as KCIs (5: sent, acknowledged, 510, committed, completed).
      await waitUntil(
        async () => (await api(port, 'GET', `/v1/service-orders/${order.body.id}`)).body.updates?.length === 5,
        'five KCIs in the outbox',
        30000,
      );
      const before = await api(port, 'GET', `/v1/service-orders/${order.body.id}`);
      expect(
        before.body.updates.filter((u: { deliveryStatus: string }) => u.deliveryStatus === 'DELIVERED'),
      ).toHaveLength(0);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();

      const second = startProcess(port, env);
      children.push(second.child);
      await second.ready;
      await sink.waitFor(
        () => sink.received.filter((k) => (k.body.entity as { id: number }).id === order.body.id).length >= 5,
        60000,
      );
      const got = sink.received.filter((k) => (k.body.entity as { id: number }).id === order.body.id);
      expect(got.map((k) => k.body.sequenceNumber)).toEqual([1, 2, 3, 4, 5]);
      expect(got[0]!.body.id).toBe(held);
      expect((got[4]!.body.information as { type: string }).type).toBe('COMPLETED');
      // Each KCI is recorded DELIVERED once its answer is read, just after the tenant sees it.
      await waitUntil(
        async () =>
          (await api(port, 'GET', `/v1/service-orders/${order.body.id}`)).body.updates.every(
            (u: { deliveryStatus: string }) => u.deliveryStatus === 'DELIVERED',
          ),
        'every KCI recorded as delivered',
      );
      const after = await api(port, 'GET', `/v1/service-orders/${order.body.id}`);
      expect(after.body.status).toBe('COMPLETED');
      expect(after.body.updates.map((u: { deliveryStatus: string }) => u.deliveryStatus)).toEqual([
        'DELIVERED',
        'DELIVERED',
        'DELIVERED',
        'DELIVERED',
        'DELIVERED',
      ]);

      // SIGTERM: stop taking work, finish, close the database, exit 0.
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await sink.close();
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240000);
});
