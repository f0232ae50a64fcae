import request from 'supertest';
import type { Server } from 'node:http';
import { loadConfig } from '../../src/config/env.js';
import { parseTenants } from '../../src/config/tenants.js';
import { createLogger } from '../../src/platform/log.js';
import { createService, type Service } from '../../src/service.js';
import { SUPPLIER_MODULES, type SupplierModule } from '../../src/suppliers/registry.js';
import { startSandbox } from '../../src/suppliers/bb1/sandbox/server.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { freshDatabase, type Engine } from './db.js';

export const T1_SECRET = 'tenant1-secret-value';
export const T2_SECRET = 'tenant2-secret-value';
export const KSU1_SECRET = 'ksu1-secret-value';
export const KSU2_SECRET = 'ksu2-secret-value';
export const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';

export function tenantsYaml(kciUrl: string, opts: { signingSecret?: string; extraSuppliers?: string } = {}) {
  const extra = (tenant: 'T1' | 'T2') =>
    opts.extraSuppliers ? `\n${opts.extraSuppliers.replaceAll('{T}', tenant)}` : '';
  return `
tenants:
  - id: TENANT1
    clients: [{ clientId: tenant1-app, clientSecret: ${T1_SECRET} }]
    kci:
      url: ${kciUrl}
      auth: { type: none }
${opts.signingSecret ? `      signingSecret: ${opts.signingSecret}\n` : ''}    suppliers:
      BTWHOLESALEBB1: { clientId: t1-bb1, clientSecret: t1-bb1-secret, cugId: CUG5009999999, retailerId: ZYX, billingAccountId: "0455821481",
        ksuClient: { clientId: bt-ksu-tenant1, clientSecret: ${KSU1_SECRET} } }${extra('T1')}
  - id: TENANT2
    clients: [{ clientId: tenant2-app, clientSecret: ${T2_SECRET} }]
    kci: { url: ${kciUrl}, auth: { type: basic, username: t2, password: t2-pass } }
    suppliers:
      BTWHOLESALEBB1: { clientId: t2-bb1, clientSecret: t2-bb1-secret, cugId: CUG5008888888, retailerId: ABC, billingAccountId: "0455000000",
        ksuClient: { clientId: bt-ksu-tenant2, clientSecret: ${KSU2_SECRET} } }${extra('T2')}
`;
}

export interface Stack {
  service: Service;
  server: Server;
  baseUrl: string;
  http: ReturnType<typeof request>;
  db: DatabaseHandle;
  sandbox?: Awaited<ReturnType<typeof startSandbox>>;
  token(tenant?: 'TENANT1' | 'TENANT2'): Promise<string>;
  supplierToken(tenant?: 'TENANT1' | 'TENANT2'): Promise<string>;
  /** Tenant API call with auth and correlation headers. */
  call(
    method: 'get' | 'post',
    path: string,
    body?: unknown,
    opts?: { tenant?: 'TENANT1' | 'TENANT2'; headers?: Record<string, string>; query?: Record<string, unknown> },
  ): Promise<request.Response>;
  stop(opts?: { keepDatabase?: boolean }): Promise<void>;
}

export interface StackOptions {
  engine?: Engine;
  kciUrl: string;
  bb1?: 'sandbox' | string;
  sandboxPaceMs?: number;
  env?: Record<string, string>;
  database?: DatabaseHandle;
  signingSecret?: string;
  workers?: boolean;
  /** suppliers beside the registered ones (e.g. the test-only fake supplier) */
  modules?: SupplierModule[];
  /** extra YAML appended to each tenant's `suppliers:` map (indented for it) */
  extraSuppliers?: string;
  /** the whole tenants file instead of tenantsYaml's (same TENANT1/TENANT2 clients, so `token` and `call` work) */
  tenantsYaml?: (kciUrl: string) => string;
}

/** The real service on a real port with a real database, and (optionally) the BB1 sandbox wired back to it. */
export async function startStack(o: StackOptions): Promise<Stack> {
  const db = o.database ?? (await freshDatabase(o.engine ?? 'pglite'));
  const modules = [...SUPPLIER_MODULES, ...(o.modules ?? [])];
  const yaml =
    o.tenantsYaml?.(o.kciUrl) ??
    tenantsYaml(o.kciUrl, { signingSecret: o.signingSecret, extraSuppliers: o.extraSuppliers });
  const tenants = parseTenants(yaml, 'test-tenants.yaml', { ...o.env }, modules);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    PGLITE_DATA_DIR: 'memory://',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    KCI_RETRY_SCHEDULE: '0.05,0.05,0.05',
    OPERATOR_TOKEN,
    BB1_TIMEOUT_MS: '2000',
    KCI_TIMEOUT_MS: '2000',
    ...o.env,
  };
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  let sandbox: Stack['sandbox'];
  let baseUrl = '';
  // The sandbox learns the connector's URL once the connector listens (port 0).
  if (o.bb1 === 'sandbox') {
    sandbox = await startSandbox({
      connectorBaseUrl: () => baseUrl,
      paceMs: o.sandboxPaceMs ?? 20,
      ksuClients: {
        CUG5009999999: { clientId: 'bt-ksu-tenant1', clientSecret: KSU1_SECRET },
        CUG5008888888: { clientId: 'bt-ksu-tenant2', clientSecret: KSU2_SECRET },
      },
    });
  }
  const bb1Url = sandbox ? sandbox.url : (o.bb1 ?? 'http://127.0.0.1:9');
  const service = await createService({
    config,
    tenants,
    log,
    env: { BB1_BASE_URL: bb1Url, ...env },
    modules,
    database: db,
    workers: o.workers,
  });
  const server = await service.listen(0);
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const http = request(baseUrl);
  const tokens = new Map<string, string>();
  const secrets = { TENANT1: ['tenant1-app', T1_SECRET], TENANT2: ['tenant2-app', T2_SECRET] } as const;
  const ksu = { TENANT1: ['bt-ksu-tenant1', KSU1_SECRET], TENANT2: ['bt-ksu-tenant2', KSU2_SECRET] } as const;
  const stack: Stack = {
    service,
    server,
    baseUrl,
    http,
    db,
    sandbox,
    async token(t = 'TENANT1') {
      if (!tokens.has(t)) {
        const r = await http
          .post('/v1/auth/tenant/access-token')
          .auth(secrets[t][0], secrets[t][1])
          .type('form')
          .send({ grant_type: 'client_credentials' });
        if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
        tokens.set(t, r.body.access_token);
      }
      return tokens.get(t)!;
    },
    async supplierToken(t = 'TENANT1') {
      const r = await http
        .post('/v1/auth/supplier/access-token')
        .auth(ksu[t][0], ksu[t][1])
        .type('form')
        .send({ grant_type: 'client_credentials' });
      if (r.status !== 200) throw new Error(`supplier token: ${r.status}`);
      return r.body.access_token;
    },
    async call(method, path, body, opts = {}) {
      let req = http[method](path)
        .set('Authorization', `Bearer ${await stack.token(opts.tenant)}`)
        .set('X-Request-ID', `req-${Math.random().toString(36).slice(2)}`)
        .set('X-Conversation-ID', opts.headers?.['X-Conversation-ID'] ?? 'conv-test');
      for (const [k, v] of Object.entries(opts.headers ?? {})) req = req.set(k, v);
      if (opts.query)
        req = req.query(
          Object.fromEntries(
            Object.entries(opts.query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
          ),
        );
      return body === undefined ? req : req.send(body as object);
    },
    async stop(so = {}) {
      await sandbox?.stop();
      await service.stop();
      if (!so.keepDatabase && !o.database) await db.close();
    },
  };
  return stack;
}

export const ADDRESS = {
  id: '10091846447',
  type: 'UPRN',
  additionalIdentifiers: [
    { id: 'A15104646284', type: 'NAD' },
    { id: 'LS', type: 'DistrictCode' },
    { id: 'R09598326361', type: 'ROBT' },
  ],
};
export const CONTACT = { name: 'Saipriya Reddy', email: 'msaipriya.reddy@abc.com', phoneNumber: '07700900099' };

export function provideBody(extra: Record<string, unknown> = {}, chars: { name: string; value: string }[] = []) {
  return {
    orderType: 'NEW',
    supplier: 'BTWHOLESALEBB1',
    address: ADDRESS,
    serviceOrderItem: {
      serviceSpecification: { id: 'FTTP' },
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '122' },
        { name: 'END_USER_TYPE', value: 'Residential' },
        { name: 'CONTRACT_TERM', value: '12' },
        ...chars,
      ],
    },
    primaryContact: CONTACT,
    ...extra,
  };
}
