// `npm run sandbox`: the BB1 sandbox on its own, for pointing a connector at it (BB1_BASE_URL).
import { startSandbox } from '../src/suppliers/bb1/sandbox/server.js';
import { createLogger } from '../src/platform/log.js';

const port = Number(process.env.SANDBOX_PORT ?? 8090);
const connector = process.env.CONNECTOR_URL ?? 'http://127.0.0.1:8080';
const clients = JSON.parse(process.env.SANDBOX_KSU_CLIENTS ?? '{}') as Record<
  string,
  { clientId: string; clientSecret: string }
>;
const sandbox = await startSandbox({
  port,
  connectorBaseUrl: connector,
  ksuClients: clients,
  paceMs: Number(process.env.SANDBOX_PACE_MS ?? 1500),
  log: createLogger(process.env.LOG_LEVEL ?? 'info'),
});
console.log(
  `BB1 sandbox on ${sandbox.url}; KSUs go to ${connector} for CUGs: ${Object.keys(clients).join(', ') || '(none: set SANDBOX_KSU_CLIENTS)'}`,
);
process.on('SIGTERM', () => void sandbox.stop().then(() => process.exit(0)));
process.on('SIGINT', () => void sandbox.stop().then(() => process.exit(0)));
