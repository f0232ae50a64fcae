import { Writable } from 'node:stream';
import { createLogger } from '../../src/platform/log.js';
import { loadConfig } from '../../src/config/env.js';
import { parseTenants } from '../../src/config/tenants.js';
import { createService } from '../../src/service.js';
import { freshDatabase } from '../helpers/db.js';
import { tenantsYaml, provideBody, T1_SECRET } from '../helpers/stack.js';
import request from 'supertest';

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
      const tok = await http
        .post('/v1/auth/tenant/access-token')
        .auth('tenant1-app', T1_SECRET)
        .type('form')
        .send({ grant_type: 'client_credentials' });
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
  });
});
