import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, freshDatabase } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startBb1Stub, bb1OrderBook, type CreateFault } from '../helpers/bb1-stub.js';
import { waitUntil } from '../helpers/wait.js';
import { OPERATOR, startProcess } from '../helpers/process.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Kill cycles per engine (CRASH_CYCLES to run more). */
const CYCLES = Number(process.env.CRASH_CYCLES ?? 20);
/** Orders a cycle starts before its process is killed. */
const PER_CYCLE = 3;

const ORDER = {
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
};

/** BB1 as it may behave: mostly slow-ish answers, sometimes a reset or a hang after taking the order, or a refusal. */
function randomFault(): CreateFault {
  const r = Math.random();
  if (r < 0.55) return { take: true, then: 202, delayMs: Math.floor(Math.random() * 200) };
  if (r < 0.7) return { take: true, then: 'reset', delayMs: Math.floor(Math.random() * 100) };
  if (r < 0.8) return { take: true, then: 'hang' };
  if (r < 0.9) return { take: false, then: 503, retryAfter: '0' };
  return { take: false, then: 500 };
}

async function post(port: number, key: string): Promise<{ status: number; body: Json }> {
  const tok = (await fetch(`http://127.0.0.1:${port}/v1/auth/tenant/access-token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('demo-app:demo-secret-for-tests').toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  }).then((r) => r.json())) as { access_token: string };
  const r = await fetch(`http://127.0.0.1:${port}/v1/service-orders`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${tok.access_token}`,
      'X-Request-ID': key,
      'X-Conversation-ID': 'crash-send',
      'Idempotency-Key': key,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(ORDER),
  });
  return { status: r.status, body: (await r.json()) as Json };
}

/** Every order of the demo tenant (ids are sequential per tenant, without gaps), as operators see it. */
async function allOrders(port: number): Promise<Json[]> {
  const out: Json[] = [];
  for (let id = 1; ; id++) {
    const r = await fetch(`http://127.0.0.1:${port}/ops/orders/DEMO/${id}/timeline`, {
      headers: { Authorization: `Bearer ${OPERATOR}` },
    });
    if (r.status === 404) return out;
    const body = (await r.json()) as { order: Json };
    if (r.status !== 200) throw new Error(`GET timeline ${id}: ${r.status} ${JSON.stringify(body)}`);
    out.push(body.order);
  }
}

describe.each(ENGINES)('a process killed while sending leaves no order in limbo (%s)', (engine) => {
  it(`SIGKILL at random points over ${CYCLES} cycles: every order reaches BB1 exactly once, or its tenant gets an ERROR KCI`, async () => {
    const stub = await startBb1Stub();
    const book = bb1OrderBook(stub, { fault: () => randomFault() });
    const sink = await startKciSink();
    const db = engine === 'postgres' ? await freshDatabase('postgres') : undefined;
    const dir = mkdtempSync(join(tmpdir(), 'bb1-crash-send-'));
    const env = {
      BB1_BASE_URL: stub.url,
      DEMO_KCI_URL: sink.url,
      BB1_TIMEOUT_MS: '800',
      SUPPLIER_RETRY_BASE_MS: '50',
      SUPPLIER_RETRY_MAX_MS: '300',
      // A send cut short by a kill is taken over once its lease ends (PostgreSQL; PGlite at once: one process).
      SUPPLIER_SEND_LEASE_S: '2',
      SUPPLIER_SEND_WINDOW_S: '120',
      IDEMPOTENCY_IN_PROGRESS_TIMEOUT_S: '2',
      ...(db ? { DATABASE_URL: db.url! } : { PGLITE_DATA_DIR: join(dir, 'pglite') }),
    };
    const port = 20000 + Math.floor(Math.random() * 12000);
    const answered: number[] = [];
    const cut: string[] = [];
    let running: ReturnType<typeof startProcess> | undefined;
    try {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        running = startProcess(port, env);
        await running.ready;
        const posts = Array.from({ length: PER_CYCLE }, (_, j) => {
          const key = `crash-${cycle}-${j}`;
          return post(port, key).then(
            (r) => {
              expect(r.status).toBe(201);
              answered.push(r.body.id as number);
            },
            () => cut.push(key),
          );
        });
        // A random point while these (and earlier cycles' orders) are being sent.
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1200)));
        running.child.kill('SIGKILL');
        expect(await running.exited).toBeNull();
        await Promise.all(posts);
      }
      running = startProcess(port, env);
      await running.ready;
      // A request cut by a kill is retried with its Idempotency-Key: answered from the order stored, or stored
      // now; never "still being processed".
      for (const key of cut) {
        let r = await post(port, key);
        if (r.status === 409) {
          // PostgreSQL: a key claimed by a killed process is released after IDEMPOTENCY_IN_PROGRESS_TIMEOUT_S.
          await waitUntil(async () => (r = await post(port, key)).status !== 409, `key ${key} released`, 20000);
        }
        expect(r.status).toBe(201);
        answered.push(r.body.id as number);
      }
      const settled = new Set(['SENT', 'FAILED', 'REJECTED', 'UNRESOLVED']);
      let orders: Json[] = [];
      await waitUntil(
        async () => {
          orders = await allOrders(port);
          return orders.every((o) => settled.has(o.sendState) && sink.forOrder(o.id).length > 0);
        },
        'every order settled with BB1 and its tenant told',
        120000,
      );
      const atBb1 = orders.filter((o) => book.held.has(o.externalId));
      const reported = orders.filter((o) => !book.held.has(o.externalId));
      for (const o of atBb1) {
        expect(o.sendState).toBe('SENT');
        expect(o.supplierOrderId).toBe(book.held.get(o.externalId)!.id);
      }
      for (const o of reported) expect(sink.forOrder(o.id).some((k) => k.body.updateType === 'ERROR')).toBe(true);
      // Never twice at BB1; every order a tenant was answered 201 for exists; BB1 holds nothing unknown.
      expect(book.duplicates).toEqual([]);
      expect(new Set(answered).size).toBe(answered.length);
      const ids = new Set(orders.map((o) => o.id));
      for (const id of answered) expect(ids.has(id)).toBe(true);
      expect(book.held.size).toBe(atBb1.length);
      process.stdout.write(
        `crash-sending (${engine}): ${CYCLES} kills, ${orders.length} orders (${cut.length} requests cut and retried), ` +
          `${atBb1.length} at BB1 once, ${reported.length} reported by ERROR KCI, ` +
          `${[...book.attempts.values()].reduce((a, b) => a + b, 0)} POSTs, ` +
          `${stub.calls.filter((c) => c.method === 'GET').length} queries to BB1 about sends that may have reached it\n`,
      );
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    } finally {
      if (running && running.child.exitCode === null && running.child.signalCode === null)
        running.child.kill('SIGKILL');
      book.release();
      await stub.close();
      await sink.close();
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 1500000);
});
