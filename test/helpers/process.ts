import { spawn, type ChildProcess } from 'node:child_process';
import { waitUntil } from './wait.js';

export const OPERATOR = 'crash-test-operator-token-0123456789';

/** The real service as `npm start` runs it (demo tenant, built-in sandbox; from the sources, as `npm run dev`), with its KCIs sent to our sink. */
export function startProcess(
  port: number,
  env: Record<string, string>,
): { child: ChildProcess; ready: Promise<void>; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      OPERATOR_TOKEN: OPERATOR,
      DEMO_CLIENT_SECRET: 'demo-secret-for-tests',
      DEMO_BB1_SECRET: 'x-secret',
      DEMO_KSU_SECRET: 'ksu-secret-for-tests',
      KCI_TIMEOUT_MS: '1000',
      KCI_RETRY_SCHEDULE: '0.2,0.2,0.2,0.2',
      SANDBOX_PACE_MS: '30',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const ready = waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`service exited early: ${out}`);
      return fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      );
    },
    'the service to be ready',
    90000,
  );
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, ready, exited, output: () => out };
}

export async function api(port: number, method: string, path: string, body?: unknown) {
  const tok = (await fetch(`http://127.0.0.1:${port}/v1/auth/tenant/access-token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('demo-app:demo-secret-for-tests').toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  }).then((r) => r.json())) as { access_token: string };
  const r = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${tok.access_token}`,
      'X-Request-ID': 'r',
      'X-Conversation-ID': 'crash-conv',
      'Content-Type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
