import { Writable } from 'node:stream';
import request from 'supertest';
import { ENGINES } from '../helpers/db.js';
import { startStack, OPERATOR_TOKEN, type Stack } from '../helpers/stack.js';
import { loadConfig } from '../../src/config/env.js';
import { parseTenants } from '../../src/config/tenants.js';
import { createLogger } from '../../src/platform/log.js';
import { createService } from '../../src/service.js';
import { freshDatabase } from '../helpers/db.js';
import { tenantsYaml } from '../helpers/stack.js';
import { ConsoleSessions } from '../../src/http/console-session.js';

/** Signing in to the console: the operator token once for a session cookie, CSRF-safe, and signing out. */
describe.each(ENGINES)('console sessions (%s)', (engine) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ engine, kciUrl: 'http://127.0.0.1:9/kcis', workers: false });
  }, 60_000);
  afterAll(() => stack.stop());

  const origin = () => stack.baseUrl;
  /** The same text with its last character changed. */
  const altered = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
  async function signIn() {
    const r = await stack.http
      .post('/console/session')
      .set('Origin', origin())
      .type('form')
      .send({ token: OPERATOR_TOKEN });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/console');
    const setCookie = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(
      /^bb1_console=[\w-]{24}\.\d{13}\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    );
    const cookie = setCookie[0]!.split(';')[0]!;
    const page = await stack.http.get('/console').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const csrf = page.text.match(/name="csrf-token" content="([\w-]+)"/)![1]!;
    return { cookie, csrf };
  }

  it('exchanges the operator token for a session that reads /ops/*', async () => {
    const { cookie } = await signIn();
    expect((await stack.http.get('/ops/orders').set('Cookie', cookie)).status).toBe(200);
    expect((await stack.http.get('/ops/kcis').set('Cookie', cookie)).status).toBe(200);
    expect((await stack.http.get('/console/sign-in').set('Cookie', cookie)).headers.location).toBe('/console');
  });

  it('refuses a wrong token, and a sign-in posted from another site', async () => {
    const wrong = await stack.http
      .post('/console/session')
      .type('form')
      .send({ token: 'x'.repeat(35) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.text).toContain('That is not the operator token.');
    const missing = await stack.http.post('/console/session').type('form').send({});
    expect(missing.status).toBe(401);
    for (const [h, v] of [
      ['Origin', 'https://evil.example'],
      ['Sec-Fetch-Site', 'cross-site'],
    ]) {
      const r = await stack.http.post('/console/session').set(h!, v!).type('form').send({ token: OPERATOR_TOKEN });
      expect(r.status).toBe(403);
      expect(r.headers['set-cookie']).toBeUndefined();
    }
  });

  it('needs the CSRF token and our own origin for a state-changing call made with the cookie', async () => {
    const { cookie, csrf } = await signIn();
    const reload = () => stack.http.post('/ops/mappings/reload').set('Cookie', cookie);
    const noToken = await reload().set('Origin', origin());
    expect(noToken.status).toBe(403);
    expect(noToken.body.messages).toEqual(['X-CSRF-Token: required with a console session (from the console page)']);
    expect((await reload().set('X-CSRF-Token', altered(csrf))).status).toBe(403);
    const otherSite = await reload().set('X-CSRF-Token', csrf).set('Origin', 'https://evil.example');
    expect(otherSite.status).toBe(403);
    expect(otherSite.body.messages[0]).toMatch(/^Origin:/);
    expect((await reload().set('X-CSRF-Token', csrf).set('Origin', origin())).status).toBe(200);
    const other = await signIn();
    expect(other.csrf).not.toBe(csrf);
    expect((await reload().set('X-CSRF-Token', other.csrf)).status).toBe(403); // another session's token
    // The bearer token needs no CSRF token (a browser never adds it by itself).
    const curl = await stack.http.post('/ops/mappings/reload').set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(curl.status).toBe(200);
  });

  it('signs out: the cookie is cleared and the session refused from then on', async () => {
    const { cookie, csrf } = await signIn();
    expect((await stack.http.post('/console/sign-out').set('Cookie', cookie)).status).toBe(403);
    const out = await stack.http.post('/console/sign-out').set('Cookie', cookie).set('X-CSRF-Token', csrf);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^bb1_console=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect((await stack.http.get('/ops/orders').set('Cookie', cookie)).status).toBe(401);
    expect((await stack.http.get('/console').set('Cookie', cookie)).headers.location).toBe('/console/sign-in');
  });

  it('refuses a forged, altered or expired cookie', async () => {
    const { cookie } = await signIn();
    const [, value] = cookie.split('=') as [string, string];
    const [sid, exp, mac] = value.split('.') as [string, string, string];
    for (const v of [
      `${sid}.${Number(exp) + 1000}.${mac}`,
      `${altered(sid)}.${exp}.${mac}`,
      `${sid}.${exp}.${altered(mac)}`,
      'x',
      '',
    ])
      expect((await stack.http.get('/ops/queues').set('Cookie', `bb1_console=${v}`)).status).toBe(401);
    const sessions = new ConsoleSessions(() => OPERATOR_TOKEN, 1000);
    const issued = sessions.issue(Date.now() - 5000);
    expect(sessions.verify(issued.value)).toBeUndefined(); // expired
    expect(sessions.verify(issued.value, Date.now() - 4500)).toEqual(issued.session);
    expect(
      new ConsoleSessions(() => 'another-operator-token-value').verify(issued.value, Date.now() - 4500),
    ).toBeUndefined();
  });
});

describe('the docs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ kciUrl: 'http://127.0.0.1:9/kcis', workers: false });
  }, 60_000);
  afterAll(() => stack.stop());

  it('serves each spec standalone, every $ref resolving inside it, and /docs offers them all', async () => {
    for (const [name, path] of [
      ['tenant-api', '/v1/service-orders'],
      ['tenant-updates-api', undefined],
      ['supplier-api', '/v1/suppliers/{supplier}/ksus'],
      ['ops-api', '/ops/orders/{tenant}/{id}/timeline'],
    ] as const) {
      const r = await stack.http.get(`/openapi/${name}.json`);
      expect(r.status).toBe(200);
      const doc = r.body;
      expect(doc.openapi).toMatch(/^3\./);
      if (path) expect(Object.keys(doc.paths)).toContain(path);
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
      for (const ref of refs) {
        const target = ref.slice(8, -1);
        expect(target.startsWith('#/')).toBe(true);
        const found = target
          .slice(2)
          .split('/')
          .reduce((node: Record<string, unknown> | undefined, key) => node?.[key] as Record<string, unknown>, doc);
        expect([name, target, found !== undefined]).toEqual([name, target, true]);
      }
    }
    expect((await stack.http.get('/openapi.json')).body.paths['/ops/orders']).toBeDefined();
    const docs = await stack.http.get('/docs');
    expect(docs.text).toContain('swagger-ui-standalone-preset.js');
    for (const name of ['tenant-api', 'tenant-updates-api', 'supplier-api', 'ops-api'])
      expect(docs.text).toContain(`/openapi/${name}.json`);
    expect((await stack.http.get('/docs/assets/swagger-ui-standalone-preset.js')).status).toBe(200);
  });
});

describe('4xx answers', () => {
  it('are logged at info with their error uuid and the request and conversation ids', async () => {
    const lines: Record<string, unknown>[] = [];
    const out = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    });
    const db = await freshDatabase('pglite');
    const service = await createService({
      config: loadConfig({ NODE_ENV: 'test', PGLITE_DATA_DIR: 'memory://', OPERATOR_TOKEN }),
      tenants: parseTenants(tenantsYaml('http://127.0.0.1:9/k'), 't', {}),
      log: createLogger('info', out),
      env: { BB1_BASE_URL: 'http://127.0.0.1:9' },
      database: db,
      workers: false,
    });
    try {
      const r = await request(service.app)
        .get('/ops/orders?limit=-1')
        .set('Authorization', `Bearer ${OPERATOR_TOKEN}`)
        .set('X-Request-ID', 'req-support-1')
        .set('X-Conversation-ID', 'conv-support-1');
      expect(r.status).toBe(400);
      const line = lines.find((l) => l.errorUuid === r.body.uuid);
      expect(line).toMatchObject({
        level: 30,
        msg: 'request rejected',
        requestId: 'req-support-1',
        conversationId: 'conv-support-1',
        status: 400,
        code: 'INVALID_REQUEST',
      });
    } finally {
      await service.stop();
      await db.close();
    }
  });
});
