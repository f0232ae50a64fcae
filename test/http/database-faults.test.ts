import net from 'node:net';
import pg from 'pg';
import { freshDatabase } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { waitUntil } from '../helpers/wait.js';
import { startProcess } from '../helpers/process.js';
import { ADDRESS, CONTACT } from '../helpers/stack.js';

// PostgreSQL only: the embedded database has no connections to lose.
const describePg = process.env.TEST_DATABASE_URL ? describe : describe.skip;

/** A TCP proxy in front of Postgres that the test can cut (every connection dropped, new ones refused) and restore. */
async function startProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    // A backend that dies closes its connection, so the service's side closes too (as without a proxy): an
    // upstream reset must not leave the service holding an open socket that will never answer.
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    async cut() {
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
    async restore() {
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close: () => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())),
  };
}

const orderBody = {
  orderType: 'NEW',
  supplier: 'BTWHOLESALEBB1',
  address: ADDRESS,
  serviceOrderItem: {
    serviceSpecification: { id: 'FTTP' },
    serviceCharacteristics: [
      { name: 'LINE_PROFILE', value: '122' },
      { name: 'END_USER_TYPE', value: 'Residential' },
      { name: 'CONTRACT_TERM', value: '12' },
    ],
  },
  primaryContact: CONTACT,
};

describePg('database faults (postgres)', () => {
  it('connections killed under load and a whole outage: the process survives, answers 503 with Retry-After (never 500), /ready is 503 until the database is back, and work resumes', async () => {
    const sink = await startKciSink();
    const db = await freshDatabase('postgres');
    const url = new URL(db.url!);
    const proxy = await startProxy(url);
    const viaProxy = new URL(db.url!);
    viaProxy.port = String(proxy.port);
    const admin = new pg.Client({ connectionString: db.url });
    admin.on('error', () => {});
    await admin.connect();
    const port = 20000 + Math.floor(Math.random() * 12000);
    const svc = startProcess(port, { DEMO_KCI_URL: sink.url, DATABASE_URL: viaProxy.toString(), LOG_LEVEL: 'warn' });
    const base = `http://127.0.0.1:${port}`;
    try {
      await svc.ready;
      const tok = (await fetch(`${base}/v1/auth/tenant/access-token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from('demo-app:demo-secret-for-tests').toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      }).then((r) => r.json())) as { access_token: string };
      const headers = {
        Authorization: `Bearer ${tok.access_token}`,
        'X-Request-ID': 'r',
        'X-Conversation-ID': 'db-faults',
        'Content-Type': 'application/json',
      };
      const statuses = new Map<number, number>();
      const without503RetryAfter: number[] = [];
      const call = async (method: string, path: string, body?: unknown) => {
        const r = await fetch(`${base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
        const json = (await r.json()) as Record<string, unknown>;
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 503 && !r.headers.get('retry-after')) without503RetryAfter.push(r.status);
        return { status: r.status, headers: r.headers, body: json };
      };
      const first = (await (
        await fetch(`${base}/v1/service-orders`, { method: 'POST', headers, body: JSON.stringify(orderBody) })
      ).json()) as { id: number };

      // 1. Every connection of the service killed, ten times, while 8 clients place and read orders.
      let loading = true;
      const load = Array.from({ length: 8 }, async (_, i) => {
        while (loading)
          await call(
            i % 2 ? 'GET' : 'POST',
            i % 2 ? `/v1/service-orders/${first.id}` : '/v1/service-orders',
            i % 2 ? undefined : orderBody,
          );
      });
      let killed = 0;
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 150)); // spacing between kills, not an assertion
        const r = await admin.query(
          'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        killed += Number(r.rows[0].n);
      }
      loading = false;
      await Promise.all(load);
      expect(killed).toBeGreaterThan(10);
      expect(svc.child.exitCode).toBeNull();
      expect([...statuses.keys()].filter((s) => ![200, 201, 503].includes(s))).toEqual([]);
      expect(without503RetryAfter).toEqual([]);
      await waitUntil(async () => (await fetch(`${base}/ready`)).status === 200, 'ready after the kills');
      expect((await call('POST', '/v1/service-orders', orderBody)).status).toBe(201);

      // 2. The database unreachable: 503 with Retry-After, /ready 503 (its probe notices) until it is back.
      await proxy.cut();
      const during = await call('POST', '/v1/service-orders', orderBody);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('5');
      await waitUntil(async () => (await fetch(`${base}/ready`)).status === 503, '/ready 503 during the outage');
      expect(((await (await fetch(`${base}/ready`)).json()) as { status: string }).status).toBe('unavailable');
      expect((await fetch(`${base}/health`)).status).toBe(200); // alive: nothing to restart
      await proxy.restore();
      await waitUntil(
        async () => (await fetch(`${base}/ready`)).status === 200,
        '/ready 200 once the database is back',
      );
      const after = (await call('POST', '/v1/service-orders', orderBody)).body as { id: number };
      // Background work resumed too: the order is sent to (sandbox) BB1 and its KCIs reach the tenant.
      await sink.waitFor(() => sink.received.some((k) => (k.body.entity as { id: number }).id === after.id), 30000);
      expect(svc.child.exitCode).toBeNull();
      expect(svc.output()).not.toMatch(/Unhandled 'error' event|uncaught/i);
    } finally {
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
      await svc.exited;
      await admin.end();
      await proxy.close();
      await sink.close();
      await db.close();
    }
  }, 240_000); // a child process, ten rounds of killed connections and an outage, on a machine that may be busy
});
