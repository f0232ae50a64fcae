import { gzipSync } from 'node:zlib';
import { ENGINES } from '../helpers/db.js';
import { startStack, provideBody, OPERATOR_TOKEN, T1_SECRET, type Stack } from '../helpers/stack.js';
import { specProblem } from '../helpers/spec.js';
import { send } from '../helpers/raw-http.js';
import { FailureLimiter } from '../../src/auth/rate-limit.js';
import { jsonDepthExceeds } from '../../src/http/middleware/limits.js';

describe('limits and the failure limiter (no I/O)', () => {
  it('measures JSON depth without parsing, skipping brackets inside strings', () => {
    expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 2)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[[[\\"[[[["}', 1)).toBe(false);
    expect(jsonDepthExceeds('['.repeat(100_000), 64)).toBe(true);
  });

  it('limits failures per key in a window, gives back successes, and forgets old keys', () => {
    const l = new FailureLimiter(2, 1000, 3);
    expect(l.take('a', 0).ok).toBe(true);
    expect(l.take('a', 0).ok).toBe(true);
    expect(l.take('a', 10)).toEqual({ ok: false, retryAfterS: 1 });
    l.giveBack('a');
    expect(l.take('a', 20).ok).toBe(true);
    expect(l.take('a', 1000).ok).toBe(true); // a new window
    for (const k of ['b', 'c', 'd', 'e']) l.take(k, 1000);
    expect(l.take('a', 1000).ok).toBe(true); // evicted: memory stays bounded
  });
});

describe.each(ENGINES)('hostile input over HTTP answers 4xx in the documented shape (%s)', (engine) => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({
      engine,
      kciUrl: 'http://127.0.0.1:9/k',
      workers: false,
      env: { AUTH_FAILURES_PER_CLIENT: '3' },
    });
    token = await stack.token();
  }, 120_000);
  afterAll(() => stack.stop());

  const raw = async (method: string, path: string, headers: Record<string, string>, body?: Buffer | string) => {
    const a = await send(stack.baseUrl, {
      method,
      path,
      headers,
      body: body === undefined ? undefined : Buffer.from(body),
    });
    return { ...a, body: a.text ? JSON.parse(a.text) : undefined };
  };
  const tenant = { 'X-Request-ID': 'r', 'X-Conversation-ID': 'c' };
  const expectSpec = (a: Awaited<ReturnType<typeof raw>>, method: string, template: string) =>
    expect(specProblem(a, method, template)).toBeUndefined();
  const tokenCall = (body: string, headers: Record<string, string> = {}) =>
    raw(
      'POST',
      '/v1/auth/tenant/access-token',
      { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body,
    );
  const basic = (id: string, secret: string) => ({
    Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
  });

  it('token endpoints: body-parser errors, malformed Basic escapes and floods in the OAuth shape', async () => {
    const many = await tokenCall(Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&'));
    expect([many.status, many.body.error]).toEqual([413, 'invalid_request']);
    expectSpec(many, 'post', '/v1/auth/tenant/access-token');
    const gz = await tokenCall('not gzip', { 'Content-Encoding': 'gzip' });
    expect([gz.status, gz.body.error]).toEqual([400, 'invalid_request']);
    const enc = await tokenCall('grant_type=client_credentials', { 'Content-Encoding': 'compress' });
    expect([enc.status, enc.body.error]).toEqual([415, 'invalid_request']);
    const pct = await tokenCall('grant_type=client_credentials', basic('tenant1-app', '%E0%A4%A'));
    expect([pct.status, pct.body.error]).toEqual([400, 'invalid_request']);
    expect(pct.body.error_description).toMatch(/Basic client secret/);
    for (const a of [gz, enc, pct]) expectSpec(a, 'post', '/v1/auth/tenant/access-token');
    // A right secret is never counted; three wrong ones for this client id (AUTH_FAILURES_PER_CLIENT=3) are.
    expect((await tokenCall('grant_type=client_credentials', basic('tenant1-app', T1_SECRET))).status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await tokenCall('grant_type=client_credentials', basic('tenant1-app', 'wrong'))).status).toBe(401);
    const limited = await tokenCall('grant_type=client_credentials', basic('tenant1-app', T1_SECRET));
    expect([limited.status, limited.body.error]).toEqual([429, 'temporarily_unavailable']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expectSpec(limited, 'post', '/v1/auth/tenant/access-token');
    // Other clients are not affected.
    expect(
      (await tokenCall('grant_type=client_credentials', basic('tenant2-app', 'tenant2-secret-value'))).status,
    ).toBe(200);
  });

  it('tenant API: compressed, oversized, deep, NUL, lone-surrogate and out-of-range bodies', async () => {
    const auth = { ...tenant, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
      raw('POST', '/v1/service-orders', { ...auth, ...headers }, body);
    const zipped = await post(gzipSync(JSON.stringify(provideBody())), { 'Content-Encoding': 'gzip' });
    expect(zipped.status).toBe(201); // a good compressed body is accepted
    const bomb = await post(gzipSync(Buffer.alloc(5_000_000, 32)), { 'Content-Encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    const badGzip = await post('not gzip', { 'Content-Encoding': 'gzip' });
    expect([badGzip.status, badGzip.body.code]).toEqual([400, 'MALFORMED_REQUEST']);
    const deep = await post('['.repeat(10_000) + ']'.repeat(10_000));
    expect(deep.status).toBe(400);
    expect(deep.body.messages[0]).toMatch(/nested deeper than 32/);
    const nul = await post(JSON.stringify(provideBody({ notes: 'a\u0000b' })));
    expect([nul.status, nul.body.messages[0]]).toEqual([
      400,
      'body.notes: contains a NUL character or an unpaired surrogate',
    ]);
    const surrogate = await post(JSON.stringify(provideBody()).replace('"Residential"', '"\\ud800"'));
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.messages[0]).toMatch(/^body\.serviceOrderItem\.serviceCharacteristics\[1\]\.value: contains/);
    const big = await post(JSON.stringify(provideBody({ appointmentReservationId: 2 ** 31 })));
    expect(big.status).toBe(400);
    expect(big.body.messages.join(' ')).toMatch(/appointmentReservationId/);
    const amend = await raw('POST', '/v1/service-order-amendments', auth, JSON.stringify({ orderId: 99999999999 }));
    expect(amend.status).toBe(400);
    for (const a of [bomb, badGzip, deep, nul, surrogate, big]) expectSpec(a, 'post', '/v1/service-orders');
    const query = await raw('GET', `/v1/addresses?${Array.from({ length: 60 }, (_, i) => `p${i}=1`).join('&')}`, auth);
    expect([query.status, query.body.messages[0]]).toEqual([400, 'query: more than 50 parameters']);
  });

  it('operator API: malformed %-escapes, repeated, negative and huge values are 400', async () => {
    const op = { Authorization: `Bearer ${OPERATOR_TOKEN}` };
    for (const [path, template, method] of [
      ['/ops/kcis/%E0%A4%A/redeliver', '/ops/kcis/{id}/redeliver', 'POST'],
      ['/ops/ksus/%ED%A0%80/reprocess', '/ops/ksus/{id}/reprocess', 'POST'],
      ['/ops/ksus/99999999999999999999/reprocess', '/ops/ksus/{id}/reprocess', 'POST'],
      ['/ops/ksus?limit=-5', '/ops/ksus', 'GET'],
      ['/ops/ksus?status=APPLIED&status=FAILED', '/ops/ksus', 'GET'],
      ['/ops/kcis?tenant[a]=1', '/ops/kcis', 'GET'],
      ['/ops/ksus?status=%00', '/ops/ksus', 'GET'],
    ] as const) {
      const a = await raw(method, path, op);
      expect({ path, status: a.status }).toEqual({ path, status: 400 });
      expectSpec(a, method.toLowerCase(), template);
    }
    expect((await raw('GET', '/ops/ksus?limit=5', op)).status).toBe(200);
  });
});
