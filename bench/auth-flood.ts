// `npm run bench:auth`: /health latency while the token endpoint is flooded with wrong secrets, and the time
// a wrong secret takes for a known client id against an unknown one. The connector runs in its own process
// (bench/server.ts, production Node flags). Loopback only, bounded in count and time.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PROD_NODE_FLAGS, pct, ms } from './figures.js';
import { clientOf, LOAD_TENANT } from './tenants.js';

/** A client id the bench's tenants file knows (bench/tenants.ts). */
const KNOWN_CLIENT = clientOf(LOAD_TENANT.id).clientId;
const FLOOD_CONCURRENCY = Number(process.env.BENCH_FLOOD_CONCURRENCY ?? 40);
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 10);
const TIMING_SAMPLES = Number(process.env.BENCH_TIMING_SAMPLES ?? 60);

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; ms: number }>((resolve) => {
    const start = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
    });
    // A connection the server dropped (it can, when its event loop stalls past keep-alive) counts as status 0.
    req.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
    req.end(body);
  });
}

const tokenAttempt = (port: number, clientId: string, secret: string) =>
  request(
    port,
    'POST',
    '/v1/auth/tenant/access-token',
    {
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    'grant_type=client_credentials',
  );

async function startServer(env: Record<string, string>) {
  const args = {
    sinkUrl: 'http://127.0.0.1:9/kcis',
    bb1Url: 'http://127.0.0.1:9',
    orders: 0,
    operatorToken: 'auth-flood-operator-token-0123456789',
  };
  const child = spawn(process.execPath, [...PROD_NODE_FLAGS, 'dist/bench/server.js', JSON.stringify(args)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve) => lines.once('line', (l) => resolve(JSON.parse(l).port)));
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** /health p50/p99 alone, then while FLOOD_CONCURRENCY clients send wrong secrets (half for a known id). */
async function flood(port: number, what: string) {
  const health = async (seconds: number) => {
    const out: number[] = [];
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      out.push((await request(port, 'GET', '/health')).ms);
      await new Promise((r) => setTimeout(r, 10));
    }
    return out;
  };
  const quiet = await health(2);
  let flooding = true;
  const statuses = new Map<number, number>();
  const clients = Array.from({ length: FLOOD_CONCURRENCY }, async (_, i) => {
    for (let n = 0; flooding; n++) {
      const r = await tokenAttempt(port, i % 2 ? KNOWN_CLIENT : `nobody-${i}-${n}`, `wrong-${n}`);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
  });
  const busy = await health(FLOOD_SECONDS);
  flooding = false;
  await Promise.all(clients);
  console.log(`\n${what}`);
  console.log(`  /health idle:        p50 ${ms(pct(quiet, 50))}, p99 ${ms(pct(quiet, 99))} (${quiet.length} calls)`);
  console.log(
    `  /health during flood: p50 ${ms(pct(busy, 50))}, p99 ${ms(pct(busy, 99))} (${busy.length} calls; target p99 < 50 ms)`,
  );
  console.log(
    `  flood answers in ${FLOOD_SECONDS} s: ${[...statuses.entries()].map(([s, n]) => `${n}× ${s}`).join(', ')}`,
  );
}

/** A wrong secret for a known client id against an unknown one, one request at a time. */
async function timings(port: number) {
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < TIMING_SAMPLES; i++) {
    const k = await tokenAttempt(port, KNOWN_CLIENT, `wrong-${i}`);
    const u = await tokenAttempt(port, `unknown-${i}`, `wrong-${i}`);
    if (k.status === 401) known.push(k.ms);
    if (u.status === 401) unknown.push(u.ms);
  }
  console.log(
    `  wrong secret, known client id:   p50 ${ms(pct(known, 50))}, p99 ${ms(pct(known, 99))} (${known.length})`,
  );
  console.log(
    `  wrong secret, unknown client id: p50 ${ms(pct(unknown, 50))}, p99 ${ms(pct(unknown, 99))} (${unknown.length})`,
  );
}

async function main() {
  // Limiter out of the way: what the secret check itself costs the event loop, and its timing by client id.
  const open = await startServer({ AUTH_FAILURES_PER_CLIENT: '100000000', AUTH_FAILURES_PER_ADDRESS: '100000000' });
  try {
    await flood(
      open.port,
      `wrong-secret flood, ${FLOOD_CONCURRENCY} at a time, limiter off (every attempt runs scrypt):`,
    );
    await timings(open.port);
  } finally {
    await open.stop();
  }
  // As configured (defaults: 10 failures a minute per client id, 30 per address): most of the flood is 429.
  const limited = await startServer({});
  try {
    await flood(limited.port, `wrong-secret flood, ${FLOOD_CONCURRENCY} at a time, default limits:`);
  } finally {
    await limited.stop();
    agent.destroy();
  }
}

await main();
