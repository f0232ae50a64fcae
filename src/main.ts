import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './platform/paths.js';
import { loadConfig, ConfigError } from './config/env.js';
import { loadTenantsFile, TenantsFileError } from './config/tenants.js';
import { MappingsError } from './suppliers/supplier.js';
import { createLogger } from './platform/log.js';
import { createService } from './service.js';

const ROOT = projectRoot();
export const DEMO_TENANTS_FILE = join(ROOT, 'config', 'demo-tenants.yaml');

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const demo = !config.tenantsFile;
  const publicBase = config.publicBaseUrl ?? `http://127.0.0.1:${config.port}`;
  const env = { ...process.env };
  const secrets: Record<string, string> = {};
  if (demo) {
    for (const k of ['DEMO_CLIENT_SECRET', 'DEMO_BB1_SECRET', 'DEMO_KSU_SECRET', 'DEMO_FIBRECO_SECRET'])
      secrets[k] = env[k] ??= randomBytes(18).toString('base64url');
    env.DEMO_KCI_URL ??= `${publicBase}/demo/inbox/kcis`;
  }
  if (!config.operatorToken) config.operatorToken = randomBytes(24).toString('base64url');
  const tenants = loadTenantsFile(config.tenantsFile ?? DEMO_TENANTS_FILE, env);
  const service = await createService({
    config,
    tenants,
    log,
    demoInbox: demo,
    // The demo tenant's supplier sandboxes call back with the demo KSU secret.
    inboundSecret: demo ? () => secrets.DEMO_KSU_SECRET : undefined,
  });
  await service.listen();
  const creds = demo
    ? {
        tenant: 'DEMO',
        clientId: 'demo-app',
        clientSecret: secrets.DEMO_CLIENT_SECRET,
        operatorToken: config.operatorToken,
        baseUrl: publicBase,
      }
    : undefined;
  if (creds) {
    mkdirSync(join(ROOT, 'data'), { recursive: true });
    writeFileSync(join(ROOT, 'data', 'demo-credentials.json'), JSON.stringify(creds, null, 2), { mode: 0o600 });
  }
  // Printed once, on stdout, for the person who ran `npm start` (never through the logger).
  process.stdout.write(
    [
      '',
      `bb1-connector listening on ${publicBase}  (database: ${service.ctx.dbEngine})`,
      ...service.suppliers.list.map((s) => `  ${s.id.padEnd(16)} ${s.describe?.() ?? ''}`),
      `  API docs:        ${publicBase}/docs`,
      ...(creds
        ? [
            `  demo tenant:     client_id=${creds.clientId} client_secret=${creds.clientSecret}`,
            `  get a token:     curl -s -u ${creds.clientId}:${creds.clientSecret} -d grant_type=client_credentials ${publicBase}/v1/auth/tenant/access-token`,
            `  demo KCI inbox:  ${publicBase}/demo/inbox/kcis`,
            `  try the journey: npm run demo`,
          ]
        : []),
      ...(process.env.OPERATOR_TOKEN ? [] : [`  operator token:  ${config.operatorToken}`]),
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long');
      process.exit(1);
    }, 20000);
    force.unref();
    await service.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    try {
      service.suppliers.reloadMappings();
      log.info('mapping tables reloaded');
    } catch (e) {
      log.error(
        { problems: (e as MappingsError).problems ?? String(e) },
        'mapping tables invalid; previous tables kept',
      );
    }
  });
}

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof TenantsFileError || e instanceof MappingsError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`start-up failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
