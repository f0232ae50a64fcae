// The cost of each hop, against the running connector: the tenant API over a zero-latency stub BB1
// (connector latency minus the stub's own), GET /v1/service-orders/{id} for an order with 40 updates, and
// the operator's queries. Sequential calls over keep-alive connections; loopback only, bounded.
import express from 'express';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { BB1_PATHS } from '../src/suppliers/bb1/client.js';
import { pct } from './ksu-load.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

export function call(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; ms: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** BB1 answering at once: a token, seed 001's POQ answer, an order accepted. */
export async function startStubBb1() {
  const poq = readFileSync('test/fixtures/seed001-poq-response.json', 'utf8');
  let orders = 0;
  const app = express();
  app.use(express.raw({ type: () => true, limit: '1mb' }));
  app.post(BB1_PATHS.token, (_req, res) => res.json({ access_token: 'stub-token', expires_in: 3600 }));
  app.post(BB1_PATHS.poq, (_req, res) => res.type('application/json').send(poq));
  app.post(BB1_PATHS.order, (_req, res) => res.status(201).json({ id: `S${++orders}`, state: 'acknowledged' }));
  app.use((_req, res) => res.status(404).json({ code: '60', message: 'not in the bench stub' }));
  const server = await new Promise<http.Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Latency {
  p50: number;
  p99: number;
  n: number;
}
const lat = (xs: number[]): Latency => ({ p50: pct(xs, 50), p99: pct(xs, 99), n: xs.length });

async function sample(n: number, f: () => Promise<{ status: number; ms: number; body: string }>, ok: number) {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await f();
    if (r.status !== ok) throw new Error(`expected ${ok}, got ${r.status}: ${r.body.slice(0, 300)}`);
    xs.push(r.ms);
  }
  return xs;
}

const ADDRESS = JSON.stringify({
  id: '10091846447',
  type: 'UPRN',
  additionalIdentifiers: [
    { id: 'A15104646284', type: 'NAD' },
    { id: 'LS', type: 'DistrictCode' },
    { id: 'R09598326361', type: 'ROBT' },
  ],
});

export async function tenantToken(base: string, clientId: string, secret: string): Promise<string> {
  const r = await call(
    'POST',
    `${base}/v1/auth/tenant/access-token`,
    {
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    'grant_type=client_credentials',
  );
  if (r.status !== 200) throw new Error(`tenant token: ${r.status} ${r.body}`);
  return (JSON.parse(r.body) as { access_token: string }).access_token;
}

const tenantHeaders = (token: string) => ({
  Authorization: `Bearer ${token}`,
  'X-Request-ID': randomUUID(),
  'X-Conversation-ID': 'bench',
});

/**
 * Availability (connector → stub POQ) against the same POQ call made to the stub directly, interleaved so
 * both see the same neighbours; order create (stored and answered 201; BB1 is called after the answer, by
 * the dispatcher, so no stub time is inside it).
 */
export async function tenantApiOverhead(base: string, stubUrl: string, token: string, n: number) {
  const poqBody = JSON.stringify({ bench: true });
  const order = readFileSync('test/fixtures/requests/provide-sogea-self-install.json', 'utf8');
  const availability = () =>
    call('GET', `${base}/v1/service-availability?address=${encodeURIComponent(ADDRESS)}`, tenantHeaders(token));
  const stub = () =>
    call(
      'POST',
      `${stubUrl}${BB1_PATHS.poq}`,
      { Authorization: 'Bearer stub-token', 'Content-Type': 'application/json' },
      poqBody,
    );
  await sample(20, availability, 200); // warm up
  await sample(20, stub, 200);
  const a: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(...(await sample(1, availability, 200)));
    s.push(...(await sample(1, stub, 200)));
  }
  const create = () =>
    call('POST', `${base}/v1/service-orders`, { ...tenantHeaders(token), 'Content-Type': 'application/json' }, order);
  await sample(10, create, 201);
  const c = await sample(n, create, 201);
  const av = lat(a);
  const st = lat(s);
  return {
    availability: av,
    stub: st,
    overhead: { p50: av.p50 - st.p50, p99: av.p99 - st.p99 },
    create: lat(c),
  };
}

export async function getOrderLatency(base: string, token: string, id: number, n: number) {
  const get = () => call('GET', `${base}/v1/service-orders/${id}`, tenantHeaders(token));
  const first = await get();
  const updates = (JSON.parse(first.body) as { updates: unknown[] }).updates.length;
  await sample(20, get, 200);
  return { ...lat(await sample(n, get, 200)), updates };
}

/** The operator's queries, each as an operator (or the console's pages) would call it. */
export async function opsQueries(
  base: string,
  operatorToken: string,
  n: number,
  tenant: string,
  order: { id: number; externalId: string },
) {
  const paths = [
    '/ops/orders?limit=50',
    `/ops/orders?limit=50&externalId=${order.externalId}`,
    `/ops/orders?limit=50&tenant=${tenant}&status=IN_PROGRESS`,
    '/ops/orders?limit=50&stuckMinutes=30',
    `/ops/orders/${tenant}/${order.id}/timeline`,
    '/ops/queues',
    '/ops/tenants',
    '/ops/unmapped-codes?limit=200',
    '/ops/kcis',
    '/ops/kcis?status=DEAD',
    '/ops/kcis?status=PENDING',
    `/ops/kcis?tenant=${tenant}`,
    '/ops/ksus',
    '/ops/ksus?status=UNMATCHED',
    '/ops/ksus?status=FAILED',
    '/metrics',
  ];
  const out: Record<string, Latency> = {};
  for (const p of paths) {
    const get = () => call('GET', `${base}${p}`, { Authorization: `Bearer ${operatorToken}` });
    await sample(2, get, 200);
    out[p.replace(order.externalId, '{externalId}').replace(`/${order.id}/`, '/{id}/')] = lat(
      await sample(n, get, 200),
    );
  }
  return out;
}

/** The tenant's services (GET /v1/services, first page, all and ACTIVE) and one service by its id. */
export async function servicesQueries(base: string, token: string, serviceId: string, n: number) {
  const out: Record<string, Latency> = {};
  const paths = {
    '/v1/services': '/v1/services?limit=100',
    '/v1/services?status=ACTIVE': '/v1/services?status=ACTIVE&limit=100',
    '/v1/services/{id}': `/v1/services/${encodeURIComponent(serviceId)}`,
  };
  for (const [name, p] of Object.entries(paths)) {
    const get = () => call('GET', `${base}${p}`, tenantHeaders(token));
    await sample(5, get, 200);
    out[name] = lat(await sample(n, get, 200));
  }
  return out;
}
