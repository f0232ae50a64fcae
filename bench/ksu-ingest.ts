// `npm run bench`: KSU ingest (202 latency p50/p99, KSUs/s) and KSU→KCI delivered latency against a local
// tenant sink, on PGlite and (when reachable) PostgreSQL. Loopback only, bounded in count and time.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { dropPostgres, postgresUrl } from './postgres.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 500);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);
const BURST = Number(process.env.BENCH_BURST ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

const PROD_NODE_FLAGS = (JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'] as string)
  .split(/\s+/)
  .filter((a) => a.startsWith('--'));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function run(engine: 'pglite' | 'postgres', url?: string) {
  // The tenant sink: records when each KCI (identified by its unique supplier code) arrives.
  const arrived = new Map<string, number>();
  let waiter: (() => void) | undefined;
  let expected = 0;
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const k = JSON.parse(body);
      for (const c of k.information?.supplierCodes ?? []) arrived.set(c, performance.now());
      res.writeHead(204).end();
      if (waiter && arrived.size >= expected) waiter();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/kcis`;
  // The connector runs in its own process (see bench/server.ts), compiled and with the Node flags of
  // `npm run start:prod` (`npm run build` first; tsx alone would add ~60 MB of RSS).
  const child = spawn(
    process.execPath,
    [
      ...PROD_NODE_FLAGS,
      ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []),
      ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof2'] : []),
      'dist/bench/server.js',
      sinkUrl,
      String(ORDERS),
      url ?? '',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () =>
    new Promise<Record<string, number>>((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));
  const { port } = await nextLine();
  const base = `http://127.0.0.1:${port}`;
  const externalIds = Array.from({ length: ORDERS }, (_, i) => `BENCH-${i + 1}-0000abcd`);
  const tok = (await fetch(`${base}/v1/auth/supplier/access-token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('bench-ksu:bench-ksu-secret').toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  }).then((r) => r.json())) as { access_token: string };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sentAt = new Map<string, number>();
  let seq = 0;
  const ksu = (code: string) =>
    JSON.stringify({
      event: {
        productOrder: {
          externalId: externalIds[seq % ORDERS],
          id: `B${seq % ORDERS}`,
          errorMessage: [
            { subCode: code, message: `Informational : ${code} : bench`, productOrderItem: [{ itemId: '100' }] },
          ],
          productOrderItem: [
            {
              id: '100',
              internalId: '1',
              action: 'add',
              state: 'inProgress',
              subStatus: 'inProgress',
              product: { productOffering: { id: 'E0000160' }, id: 'asset' },
            },
          ],
          relatedParty: [{ role: 'BtCug', id: 'CUG5009999999' }],
        },
      },
      eventType: 'ProductOrderStateChangeEvent',
      eventTime: new Date().toISOString(),
      eventId: `bench-${engine}-${seq++}`,
    });
  const post = (code: string) =>
    new Promise<number>((resolve, reject) => {
      const body = ksu(code);
      const t0 = performance.now();
      sentAt.set(code, t0);
      const req = http.request(
        `${base}/v1/suppliers/BTWHOLESALEBB1/ksus`,
        {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${tok.access_token}`,
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 202 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const allDelivered = (n: number) =>
    new Promise<void>((resolve) => {
      expected = n;
      if (arrived.size >= n) resolve();
      else waiter = resolve;
    });

  // Phase 1: a steady RATE KSUs/s for RATE_SECONDS: the 202 latency BB1 sees.
  const lat: number[] = [];
  const p1 = RATE * RATE_SECONDS;
  const t1 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < p1; i++) {
    const due = t1 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(String(9_000_000 + i)).then((l) => {
        lat.push(l);
      }),
    );
  }
  await Promise.all(pending);
  const p1Secs = (performance.now() - t1) / 1000;
  await allDelivered(p1);
  const e2e1 = [...arrived].filter(([c]) => Number(c) < 9_000_000 + p1).map(([c, t]) => t - sentAt.get(c)!);

  // Phase 2: a burst of BURST KSUs, CONCURRENCY at a time: ingest rate and KSU→KCI delivered rate/latency.
  const lat2: number[] = [];
  const t2 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BURST) {
        const i = next++;
        lat2.push(await post(String(8_000_000 + i)));
      }
    }),
  );
  const ingestSecs = (performance.now() - t2) / 1000;
  await allDelivered(p1 + BURST);
  const doneSecs = (performance.now() - t2) / 1000;
  const e2e2 = [...arrived].filter(([c]) => Number(c) < 9_000_000).map(([c, t]) => t - sentAt.get(c)!);

  console.log(`\n== ${engine} (${ORDERS} orders)`);
  console.log(
    `steady ${RATE}/s × ${RATE_SECONDS}s: ${p1} KSUs at ${(p1 / p1Secs).toFixed(0)}/s  202 latency p50 ${ms(pct(lat, 50))} p99 ${ms(pct(lat, 99))} max ${ms(Math.max(...lat))}  KSU→KCI delivered p50 ${ms(pct(e2e1, 50))} p99 ${ms(pct(e2e1, 99))}`,
  );
  console.log(
    `burst ${BURST} @ ${CONCURRENCY} concurrent: ingest ${(BURST / ingestSecs).toFixed(0)} KSUs/s (202 p50 ${ms(pct(lat2, 50))} p99 ${ms(pct(lat2, 99))})  translated+delivered ${(BURST / doneSecs).toFixed(0)} KSUs/s  KSU→KCI delivered p50 ${ms(pct(e2e2, 50))} p99 ${ms(pct(e2e2, 99))}`,
  );
  agent.destroy();
  const stopped = nextLine();
  child.kill('SIGTERM');
  const { peakRssMb } = await stopped;
  console.log(`connector peak RSS under load: ${peakRssMb} MB`);
  sink.close();
}

if (!process.env.BENCH_SKIP_PGLITE) await run('pglite');
const url = await postgresUrl();
if (url) {
  try {
    await run('postgres', url);
  } finally {
    await dropPostgres(url);
  }
} else console.log('\n== postgres: not reachable, skipped');
process.exit(0);
