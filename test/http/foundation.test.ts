import express from 'express';
import type { Server } from 'node:http';
import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startStack, provideBody, ADDRESS, type Stack } from '../helpers/stack.js';
import { expectMatchesSpec } from '../helpers/spec.js';

describe.each(ENGINES)('foundation over HTTP (%s)', (engine) => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let slowBb1: Server;
  let releaseReserve: () => void = () => {};
  let reserveArrived: () => void = () => {};

  beforeAll(async () => {
    // A BB1 stub whose reservation waits until the test releases it (to observe an in-flight idempotent request).
    const app = express();
    app.post('/oauth/accesstoken', (_req, res) => {
      res.json({ access_token: 'tok', expires_in: 3600 });
    });
    app.post('/common/appointmentManagement/v4/appointment', express.json(), (req, res) => {
      const done = () =>
        res.status(201).json({ id: 'A42D0BDFR', BESAppointmentId: 'A42D0BDFR', validFor: req.body.validFor });
      releaseReserve = done;
      reserveArrived();
    });
    slowBb1 = await new Promise((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    sink = await startKciSink();
    stack = await startStack({
      engine,
      kciUrl: sink.url,
      bb1: `http://127.0.0.1:${(slowBb1.address() as { port: number }).port}`,
      workers: false,
    });
  });
  afterAll(async () => {
    await stack.stop();
    await sink.close();
    slowBb1.closeAllConnections();
    await new Promise((r) => slowBb1.close(r));
  });

  describe('tokens', () => {
    it('issues a Bearer JWT for HTTP Basic and for form credentials', async () => {
      const basic = await stack.http
        .post('/v1/auth/tenant/access-token')
        .auth('tenant1-app', 'tenant1-secret-value')
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expect(basic.status).toBe(200);
      expectMatchesSpec(basic, 'post', '/v1/auth/tenant/access-token');
      expect(basic.body.token_type).toBe('Bearer');
      expect(basic.headers['cache-control']).toBe('no-store');
      const claims = JSON.parse(Buffer.from(basic.body.access_token.split('.')[1], 'base64url').toString());
      expect(claims.tenant).toBe('TENANT1');
      expect(claims.exp - claims.iat).toBe(basic.body.expires_in);
      const form = await stack.http
        .post('/v1/auth/tenant/access-token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'tenant2-app', client_secret: 'tenant2-secret-value' });
      expect(form.status).toBe(200);
      expect(JSON.parse(Buffer.from(form.body.access_token.split('.')[1], 'base64url').toString()).tenant).toBe(
        'TENANT2',
      );
    });

    it('refuses bad credentials and grants with OAuth error bodies', async () => {
      const bad = await stack.http
        .post('/v1/auth/tenant/access-token')
        .auth('tenant1-app', 'wrong')
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expect(bad.status).toBe(401);
      expect(bad.body.error).toBe('invalid_client');
      expectMatchesSpec(bad, 'post', '/v1/auth/tenant/access-token');
      const grant = await stack.http
        .post('/v1/auth/tenant/access-token')
        .auth('tenant1-app', 'tenant1-secret-value')
        .type('form')
        .send({ grant_type: 'password' });
      expect(grant.status).toBe(400);
      expect(grant.body.error).toBe('unsupported_grant_type');
      const ksuClientOnTenantEndpoint = await stack.http
        .post('/v1/auth/tenant/access-token')
        .auth('bt-ksu-tenant1', 'ksu1-secret-value')
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expect(ksuClientOnTenantEndpoint.status).toBe(401);
    });
  });

  describe('bearer checks', () => {
    const headers = { 'X-Request-ID': 'r-1', 'X-Conversation-ID': 'c-1' };
    it('401 without a token, with a malformed one, an expired one or a supplier token', async () => {
      const none = await stack.http.get('/v1/service-orders/1').set(headers);
      expect(none.status).toBe(401);
      expect(none.body.code).toBe('NOT_AUTHORISED');
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      const junk = await stack.http.get('/v1/service-orders/1').set(headers).set('Authorization', 'Bearer not.a.jwt');
      expect(junk.status).toBe(401);
      const expired = await stack.service.ctx.tokens.issue(
        { tenantId: 'TENANT1', clientId: 'tenant1-app', audience: 'tenant-api' },
        60,
        Date.now() - 3600_000,
      );
      const exp = await stack.http
        .get('/v1/service-orders/1')
        .set(headers)
        .set('Authorization', `Bearer ${expired.token}`);
      expect(exp.status).toBe(401);
      expect(exp.body.messages[0]).toMatch(/expired/);
      const supplier = await stack.http
        .get('/v1/service-orders/1')
        .set(headers)
        .set('Authorization', `Bearer ${await stack.supplierToken()}`);
      expect(supplier.status).toBe(401);
    });

    it('a forged token signed by another key is refused', async () => {
      const real = await stack.token();
      const [h, p] = real.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), tenant: 'TENANT2' })).toString('base64url')}.${real.split('.')[2]}`;
      const r = await stack.http.get('/v1/service-orders/1').set(headers).set('Authorization', `Bearer ${forged}`);
      expect(r.status).toBe(401);
    });
  });

  describe('correlation headers and the error model', () => {
    it('400 naming a missing X-Request-ID or X-Conversation-ID; both echoed when present', async () => {
      const token = await stack.token();
      const noReq = await stack.http
        .get('/v1/service-orders/1')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Conversation-ID', 'c');
      expect(noReq.status).toBe(400);
      expect(noReq.body.messages.join(' ')).toMatch(/x-request-id/i);
      const noConv = await stack.http
        .get('/v1/service-orders/1')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-ID', 'r');
      expect(noConv.status).toBe(400);
      expect(noConv.body.messages.join(' ')).toMatch(/x-conversation-id/i);
      const ok = await stack.call('get', '/v1/service-orders/999', undefined, {
        headers: { 'X-Request-ID': 'req-echo', 'X-Conversation-ID': 'conv-echo' },
      });
      expect(ok.status).toBe(404);
      expect(ok.headers['x-request-id']).toBe('req-echo');
      expect(ok.headers['x-conversation-id']).toBe('conv-echo');
      expectMatchesSpec(ok, 'get', '/v1/service-orders/{id}');
    });

    it('unknown routes, bad JSON and oversize bodies answer {uuid, code, messages} without stack traces', async () => {
      const huge = await stack.call('get', '/v1/service-orders/99999999999');
      expect(huge.status).toBe(400);
      expect(huge.body.messages[0]).toMatch(/^path\.id: /);
      const unknown = await stack.call('get', '/v1/nothing-here');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ uuid: expect.any(String), code: 'NOT_FOUND', messages: expect.any(Array) });
      const token = await stack.token();
      const malformed = await stack.http
        .post('/v1/service-orders')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-ID', 'r')
        .set('X-Conversation-ID', 'c')
        .set('Content-Type', 'application/json')
        .send('{"orderType": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('MALFORMED_REQUEST');
      const big = await stack.http
        .post('/v1/service-orders')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-ID', 'r')
        .set('X-Conversation-ID', 'c')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ notes: 'x'.repeat(300_000) }));
      expect(big.status).toBe(413);
      expect(JSON.stringify(big.body)).not.toMatch(/at .*\.ts/);
    });
  });

  describe('orders: validation, numbering, isolation', () => {
    it('400 names the field for schema violations and for values outside the tables', async () => {
      const badType = await stack.call('post', '/v1/service-orders', provideBody({ orderType: 'BOGUS' }));
      expect(badType.status).toBe(400);
      expect(badType.body.code).toBe('INVALID_REQUEST');
      expect(badType.body.messages.join(' ')).toMatch(/orderType/);
      const badProfile = await stack.call('post', '/v1/service-orders', {
        ...provideBody(),
        serviceOrderItem: {
          serviceSpecification: { id: 'FTTP' },
          serviceCharacteristics: [
            { name: 'LINE_PROFILE', value: '999' },
            { name: 'END_USER_TYPE', value: 'Residential' },
            { name: 'CONTRACT_TERM', value: '12' },
          ],
        },
      });
      expect(badProfile.status).toBe(400);
      expect(badProfile.body.messages.join(' ')).toMatch(
        /LINE_PROFILE: "999" is not allowed for FTTP; allowed: 121 \(FTTP 80_20M\)/,
      );
      const missing = await stack.call('post', '/v1/service-orders', { orderType: 'NEW', supplier: 'BTWHOLESALEBB1' });
      expect(missing.status).toBe(400);
      expect(missing.body.messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^address:/),
          expect.stringMatching(/^serviceOrderItem:/),
          expect.stringMatching(/^primaryContact:/),
        ]),
      );
      expectMatchesSpec(missing, 'post', '/v1/service-orders');
    });

    it("numbers orders per tenant and hides one tenant's orders from another (404)", async () => {
      const a = await stack.call('post', '/v1/service-orders', provideBody());
      const b = await stack.call('post', '/v1/service-orders', provideBody());
      const c = await stack.call('post', '/v1/service-orders', provideBody(), { tenant: 'TENANT2' });
      expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
      expect(b.body.id).toBe(a.body.id + 1);
      expect(a.body.status).toBe('RECEIVED_BY_GATEWAY');
      expect(c.body.id).toBe(1);
      const own = await stack.call('get', `/v1/service-orders/${a.body.id}`);
      expect(own.status).toBe(200);
      expect(own.body.address).toEqual(ADDRESS);
      expect(own.body.updates).toEqual([]);
      const other = await stack.call('get', `/v1/service-orders/${b.body.id}`, undefined, { tenant: 'TENANT2' });
      expect(other.status).toBe(404);
      const amendOther = await stack.call(
        'post',
        '/v1/service-order-cancellations',
        { orderId: b.body.id, reasonCode: 'OTHER' },
        { tenant: 'TENANT2' },
      );
      expect(amendOther.status).toBe(404);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response, refuses a different body (422)', async () => {
      const key = `key-${engine}-1`;
      const first = await stack.call('post', '/v1/service-orders', provideBody({ notes: 'first' }), {
        headers: { 'Idempotency-Key': key },
      });
      const again = await stack.call('post', '/v1/service-orders', provideBody({ notes: 'first' }), {
        headers: { 'Idempotency-Key': key },
      });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const different = await stack.call('post', '/v1/service-orders', provideBody({ notes: 'second' }), {
        headers: { 'Idempotency-Key': key },
      });
      expect(different.status).toBe(422);
      expect(different.body.messages[0]).toMatch(/Idempotency-Key/);
      const sameKeyOtherTenant = await stack.call('post', '/v1/service-orders', provideBody({ notes: 'first' }), {
        tenant: 'TENANT2',
        headers: { 'Idempotency-Key': key },
      });
      expect(sameKeyOtherTenant.status).toBe(201);
      expect(sameKeyOtherTenant.headers['idempotent-replayed']).toBeUndefined();
    });

    it('409 while the first request with the key is still running', async () => {
      const key = `key-${engine}-2`;
      const body = {
        supplier: 'BTWHOLESALEBB1',
        address: ADDRESS,
        serviceSpecification: { id: 'FTTP' },
        purpose: 'PROVIDE',
        timeslot: { timeslotStartDateTime: '2026-12-02T08:00:00Z', timeslotEndDateTime: '2026-12-02T13:00:00Z' },
      };
      const arrived = new Promise<void>((resolve) => {
        reserveArrived = resolve;
      });
      const first = stack
        .call('post', '/v1/appointments', body, { headers: { 'Idempotency-Key': key } })
        .then((r) => r);
      await arrived; // the stub now holds BB1's answer: the first request is in flight
      const during = await stack.call('post', '/v1/appointments', body, { headers: { 'Idempotency-Key': key } });
      expect(during.status).toBe(409);
      releaseReserve();
      const done = await first;
      expect(done.status).toBe(201);
      expect(done.body.supplierReference).toBe('A42D0BDFR');
      expect(done.body.timeslot.classification).toBe('WEEKDAY_AM');
      const replay = await stack.call('post', '/v1/appointments', body, { headers: { 'Idempotency-Key': key } });
      expect(replay.body).toEqual(done.body);
    });
  });

  describe('operations', () => {
    it('serves health, readiness, metrics, the OpenAPI document and local Swagger UI', async () => {
      expect((await stack.http.get('/health')).body.status).toBe('ok');
      const ready = await stack.http.get('/ready');
      expect(ready.status).toBe(200);
      expectMatchesSpec(ready, 'get', '/ready');
      const metrics = await stack.http.get('/metrics');
      expect(metrics.text).toMatch(/http_request_duration_seconds_bucket/);
      const spec = await stack.http.get('/openapi.json');
      expect(Object.keys(spec.body.paths)).toEqual(
        expect.arrayContaining(['/v1/service-orders', '/v1/suppliers/{supplier}/ksus', '/ops/kcis']),
      );
      const docs = await stack.http.get('/docs');
      expect(docs.text).toMatch(/swagger-ui-bundle\.js/);
      const asset = await stack.http.get('/docs/assets/swagger-ui-bundle.js');
      expect(asset.status).toBe(200);
      const ops = await stack.http.get('/ops/kcis');
      expect(ops.status).toBe(401);
    });
  });
});
