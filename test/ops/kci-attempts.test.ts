import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startStack, provideBody, OPERATOR_TOKEN, type Stack } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';
import { expectMatchesSpec } from '../helpers/spec.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Every delivery attempt is kept for operators (GET /ops/kcis/{id}/attempts, with the first 2 KB of a failed
 * answer, redacted) and each tenant's webhook health is summed up from them (GET /ops/tenants), over the real
 * stack with the BB1 sandbox and a tenant sink that fails TENANT2's webhook on demand.
 */
describe.each(ENGINES)('KCI delivery attempts and webhook health (%s)', (engine) => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let failTenant2: 'no' | 'retry' | 'refuse' = 'no';
  const ANSWER = JSON.stringify({
    error: 'order unknown here',
    client_secret: 's3cr3t-value-never-shown',
    contact: 'call Jo on 07700 900123 or jo.bloggs@example.net',
    note: 'x'.repeat(3000),
  });

  beforeAll(async () => {
    sink = await startKciSink();
    sink.setResponder((k) => {
      const tenant2 = k.headers.authorization?.toString().startsWith('Basic ');
      if (!tenant2 || failTenant2 === 'no') return { status: 204 };
      return failTenant2 === 'retry'
        ? { status: 503, body: 'busy, Bearer abcdefghijklmnop123 expired' }
        : { status: 422, headers: { 'Content-Type': 'application/json' }, body: ANSWER };
    });
    stack = await startStack({ engine, kciUrl: sink.url, bb1: 'sandbox', sandboxPaceMs: 10 });
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  const ops = (path: string) => stack.http.get(path).set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
  const kcisOf = async (tenant: string, orderId: number) =>
    (await ops(`/ops/kcis?tenant=${tenant}&limit=1000`)).body.filter((k: Json) => k.orderId === orderId) as Json[];

  it("keeps each attempt with its status and latency, and a failed answer's first 2 KB without secrets or contact details", async () => {
    failTenant2 = 'retry';
    const r = await stack.call('post', '/v1/service-orders', provideBody(), { tenant: 'TENANT2' });
    expect(r.status).toBe(201);
    const orderId = r.body.id as number;
    // The first KCI: 503, 503, then the tenant refuses it for good (422): DEAD after three attempts.
    await waitUntil(async () => (await kcisOf('TENANT2', orderId)).some((k) => k.attempts >= 2), 'two attempts');
    failTenant2 = 'refuse';
    await waitUntil(async () => (await kcisOf('TENANT2', orderId)).some((k) => k.status === 'DEAD'), 'a DEAD KCI');
    const dead = (await kcisOf('TENANT2', orderId)).find((k) => k.status === 'DEAD')!;
    await waitUntil(
      async () => (await ops(`/ops/kcis/${dead.id}/attempts`)).body.length === dead.attempts,
      'every attempt recorded',
    );
    const a = await ops(`/ops/kcis/${dead.id}/attempts`);
    expect(a.status).toBe(200);
    expectMatchesSpec(a, 'get', '/ops/kcis/{id}/attempts');
    const attempts = a.body as Json[];
    expect(attempts.map((x) => x.attempt)).toEqual(attempts.map((_, i) => i + 1));
    expect(attempts.slice(0, -1).every((x) => x.status === 503 && !x.delivered)).toBe(true);
    expect(attempts[0].responseExcerpt).toBe('busy, Bearer [redacted] expired');
    const last = attempts.at(-1)!;
    expect(last).toMatchObject({ status: 422, delivered: false, error: 'tenant answered 422' });
    expect(last.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Buffer.byteLength(last.responseExcerpt)).toBeLessThanOrEqual(2048);
    expect(last.responseExcerpt).toContain('order unknown here');
    expect(last.responseExcerpt).toContain('[redacted]');
    for (const secret of ['s3cr3t-value-never-shown', '07700 900123', 'jo.bloggs@example.net'])
      expect(last.responseExcerpt).not.toContain(secret);

    // Redelivered once the tenant is back: the count goes on, and the last attempt is a delivery.
    failTenant2 = 'no';
    const again = await stack.http
      .post(`/ops/kcis/${dead.id}/redeliver`)
      .set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(again.status).toBe(202);
    await waitUntil(
      async () => (await ops(`/ops/kcis/${dead.id}/attempts`)).body.at(-1)?.delivered === true,
      'the redelivery recorded',
    );
    const after = (await ops(`/ops/kcis/${dead.id}/attempts`)).body as Json[];
    expect(after).toHaveLength(attempts.length + 1);
    expect(after.at(-1)).toMatchObject({ attempt: attempts.length + 1, status: 204, responseExcerpt: null });
  });

  it("sums up each tenant's webhook: attempts, success rate, latency, the last error and the backlog", async () => {
    // The sandbox's KSUs may still be bringing KCIs: the answer must lie between the table before and after it.
    const counts = async () => {
      const rows = await stack.db.db
        .selectFrom('kci_attempts')
        .selectAll()
        .where('tenant_id', '=', 'TENANT2')
        .execute();
      return { n: rows.length, ok: rows.filter((x) => x.status !== null && x.status >= 200 && x.status < 300).length };
    };
    const before = await counts();
    const r = await ops('/ops/tenants');
    const after = await counts();
    expect(r.status).toBe(200);
    expectMatchesSpec(r, 'get', '/ops/tenants');
    const byId = new Map((r.body as Json[]).map((t) => [t.tenantId, t]));
    expect([...byId.keys()].sort()).toEqual(['TENANT1', 'TENANT2']);
    const t2 = byId.get('TENANT2')!;
    expect(t2.attempts).toBeGreaterThanOrEqual(before.n);
    expect(t2.attempts).toBeLessThanOrEqual(after.n);
    expect(t2.delivered).toBeGreaterThanOrEqual(before.ok);
    expect(t2.delivered).toBeLessThanOrEqual(after.ok);
    expect(t2.successRate).toBeCloseTo(t2.delivered / t2.attempts, 5);
    expect(t2.successRate).toBeLessThan(1);
    expect(t2.lastError).toMatchObject({ status: 422, error: 'tenant answered 422' });
    expect(t2.latencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(t2.latencyMs.p99).toBeGreaterThanOrEqual(t2.latencyMs.p50);
    expect(t2.kciUrl).toBe(sink.url);
    expect(byId.get('TENANT1')).toMatchObject({ attempts: 0, successRate: null, lastError: null });
    expect((await ops('/ops/tenants?hours=0')).status).toBe(400);
  });

  it('answers 404 for an unknown KCI and 400 for a malformed id', async () => {
    expect((await ops('/ops/kcis/00000000-0000-4000-8000-000000000000/attempts')).status).toBe(404);
    const bad = await ops('/ops/kcis/not-a-uuid/attempts');
    expect(bad.status).toBe(400);
    expect(bad.body.messages.join('\n')).toMatch(/^path\.id: /m);
  });
});
