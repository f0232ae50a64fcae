import { Writable } from 'node:stream';
import { createLogger } from '../../src/platform/log.js';
import { loadConfig } from '../../src/config/env.js';
import { parseTenants } from '../../src/config/tenants.js';
import { createService } from '../../src/service.js';
import { freshDatabase } from '../helpers/db.js';
import { tenantsYaml, provideBody, T1_SECRET } from '../helpers/stack.js';
import request from 'supertest';
import { sql } from 'kysely';
import { ENGINES } from '../helpers/db.js';
import { OPERATOR_TOKEN, KSU1_SECRET } from '../helpers/stack.js';

const tenantToken = (http: ReturnType<typeof request>) =>
  http
    .post('/v1/auth/tenant/access-token')
    .auth('tenant1-app', T1_SECRET)
    .type('form')
    .send({ grant_type: 'client_credentials' });

describe('logs', () => {
  it('are JSON lines with request and conversation ids, and never carry secrets, tokens or contact details', async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    const log = createLogger('debug', out);
    const db = await freshDatabase('pglite');
    const service = await createService({
      config: loadConfig({ NODE_ENV: 'test', PGLITE_DATA_DIR: 'memory://' }),
      tenants: parseTenants(tenantsYaml('http://127.0.0.1:9/k'), 't', {}),
      log,
      env: { BB1_BASE_URL: 'http://127.0.0.1:9' },
      database: db,
      workers: false,
    });
    try {
      const http = request(service.app);
      const tok = await tenantToken(http);
      await http
        .post('/v1/auth/tenant/access-token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'tenant1-app', client_secret: 'a-wrong-secret' });
      const order = await http
        .post('/v1/service-orders')
        .set('Authorization', `Bearer ${tok.body.access_token}`)
        .set('X-Request-ID', 'req-log-1')
        .set('X-Conversation-ID', 'conv-log-1')
        .send(provideBody());
      expect(order.status).toBe(201);
      const all = lines.join('\n');
      expect(lines.length).toBeGreaterThan(2);
      const entry = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'req-log-1');
      expect(entry).toMatchObject({ conversationId: 'conv-log-1', tenant: 'TENANT1', status: 201 });
      for (const secret of [
        T1_SECRET,
        'a-wrong-secret',
        tok.body.access_token,
        'msaipriya.reddy@abc.com',
        '07700900099',
        'Saipriya',
      ])
        expect(all).not.toContain(secret);
    } finally {
      await service.stop();
      await db.close();
    }
  }, 120_000);

  it.each(ENGINES)(
    'a whole journey with database errors on %s writes no secret, token or contact detail anywhere',
    async (engine) => {
      const lines: string[] = [];
      const out = new Writable({
        write(chunk, _enc, cb) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          cb();
        },
      });
      const db = await freshDatabase(engine);
      const service = await createService({
        config: loadConfig({ NODE_ENV: 'test', PGLITE_DATA_DIR: 'memory://', OPERATOR_TOKEN }),
        tenants: parseTenants(tenantsYaml('http://127.0.0.1:9/k'), 't', {}),
        log: createLogger('trace', out),
        env: { BB1_BASE_URL: 'http://127.0.0.1:9' },
        database: db,
        workers: false,
      });
      const contact = { name: 'Ophelia Quartermaine', email: 'ophelia.q@example.org', phoneNumber: '07700 900461' };
      const secondary = { name: 'Barnaby Fitzwilliam', email: 'barnaby@example.net', phoneNumber: '+44 20 7946 0958' };
      try {
        const http = request(service.app);
        const tok = await tenantToken(http);
        for (const wrong of ['wrong-secret-1', 'wrong-secret-2'])
          await http
            .post('/v1/auth/tenant/access-token')
            .auth('tenant1-app', wrong)
            .type('form')
            .send({ grant_type: 'client_credentials' });
        await http
          .post('/v1/auth/tenant/access-token')
          .auth(contact.email, 'x')
          .type('form')
          .send({ grant_type: 'client_credentials' });
        const ksuTok = await http
          .post('/v1/auth/supplier/access-token')
          .auth('bt-ksu-tenant1', KSU1_SECRET)
          .type('form')
          .send({ grant_type: 'client_credentials' });
        const h = {
          Authorization: `Bearer ${tok.body.access_token}`,
          'X-Request-ID': 'req-j',
          'X-Conversation-ID': 'conv-j',
        };
        const order = await http
          .post('/v1/service-orders')
          .set(h)
          .send(provideBody({ primaryContact: contact, secondaryContact: secondary }));
        expect(order.status).toBe(201);
        const bad = await http
          .post('/v1/service-orders')
          .set(h)
          .send(provideBody({ primaryContact: { ...contact, email: 'not-an-email' } }));
        expect(bad.status).toBe(400);
        await http
          .post('/v1/service-order-amendments')
          .set(h)
          .send({ orderId: order.body.id, primaryContact: secondary });
        await http.get(`/v1/service-orders/${order.body.id}`).set(h);
        // A KSU with contact details in it (BB1 sends the end user's in relatedParty / notes).
        await http
          .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
          .set('Authorization', `Bearer ${ksuTok.body.access_token}`)
          .send({
            eventId: 'log-1',
            event: {
              productOrder: {
                id: '1',
                note: [{ text: `call ${contact.phoneNumber}` }],
                relatedParty: [{ role: 'Customer', name: contact.name, email: contact.email }],
              },
            },
          });
        await http.get('/ops/ksus').set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
        // Database errors while the row holds contact details: Postgres puts the row in err.detail / err.where,
        // PGlite the statement's values in err.params.
        await sql`ALTER TABLE orders ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`.execute(db.db);
        await sql`ALTER TABLE order_requests ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`.execute(db.db);
        // (Postgres cuts each value in `detail` at 64 characters: the notes come first in the entity's jsonb.)
        const failed = await http
          .post('/v1/service-orders')
          .set(h)
          .send(
            provideBody({ notes: `ring ${contact.phoneNumber}`, primaryContact: contact, secondaryContact: secondary }),
          );
        expect(failed.status).toBe(500);
        await http
          .post('/v1/service-order-amendments')
          .set(h)
          .send({ orderId: order.body.id, secondaryContact: contact });
        const all = lines.join('\n');
        expect(all).toMatch(/refuse_all/); // the database errors were logged …
        for (const secret of [
          T1_SECRET,
          KSU1_SECRET,
          OPERATOR_TOKEN,
          'wrong-secret-1',
          'wrong-secret-2',
          tok.body.access_token,
          ksuTok.body.access_token,
          ...Object.values(contact),
          ...Object.values(secondary),
          'Ophelia',
          'Quartermaine',
          'Fitzwilliam',
          '7700 900461',
          '7946 0958',
        ])
          expect({ secret, found: all.includes(secret) }).toEqual({ secret, found: false }); // … without any of this
      } finally {
        await service.stop();
        await db.close();
      }
    },
    120_000,
  );
});
