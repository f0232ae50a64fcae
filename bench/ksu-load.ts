// The KSU load generator and the tenant sink, shared by the connector and the bare floor endpoint: a steady
// RATE KSUs/s (202 latency as BB1 sees it), then a burst of BURST KSUs, CONCURRENCY at a time. With a sink,
// each KSU is also followed to its KCI's arrival at the tenant (KSU→KCI delivered). Loopback only, bounded.
import http from 'node:http';

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

export interface LoadOptions {
  rate: number;
  rateSeconds: number;
  burst: number;
  concurrency: number;
}

export interface LoadFigures {
  steady: { n: number; rate: number; p50: number; p99: number; max: number; e2eP50?: number; e2eP99?: number };
  burst: {
    ingest: number;
    p50: number;
    p99: number;
    done?: number;
    e2eP50?: number;
    e2eP99?: number;
    /** CPU ms per KSU over the burst (until every KCI arrived, with a sink): the service's process, its database's backends */
    cpu?: { processMs: number; databaseMs: number };
  };
}

export interface Meter {
  start(): Promise<() => Promise<{ processMs: number; databaseMs: number }>>;
}

/**
 * The tenant sink: records when each KCI, identified by the bench code it carries, arrives. KCIs of KSUs
 * issued before it started (a reused database's leftovers from an earlier run, redelivered) are ignored.
 */
export async function startSink() {
  const since = Date.now();
  const arrived = new Map<string, number>();
  const waiters: { codes: string[]; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters])
      if (w.codes.every((c) => arrived.has(c))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  let pendingCheck = false;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const k = JSON.parse(body);
      if (Date.parse(k.issuedOn ?? '') >= since)
        for (const c of k.information?.supplierCodes ?? []) arrived.set(c, performance.now());
      res.writeHead(204).end();
      if (!pendingCheck && waiters.length) {
        pendingCheck = true;
        setImmediate(() => {
          pendingCheck = false;
          check();
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/kcis`,
    arrived,
    /** Resolves once a KCI carrying each of the codes has arrived. */
    waitFor(codes: string[]) {
      return new Promise<void>((resolve) => {
        waiters.push({ codes, resolve });
        check();
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
export type Sink = Awaited<ReturnType<typeof startSink>>;

export interface KsuTarget {
  url: string;
  token: string;
  externalIds: string[];
  cugId: string;
  /** distinguishes eventIds between runs on one database */
  runId: string;
}

/** A KSU for the bench's order i with a unique code (its KCI carries the code back). */
export function benchKsu(t: KsuTarget, i: number, code: string): string {
  const n = t.externalIds.length;
  return JSON.stringify({
    event: {
      productOrder: {
        externalId: t.externalIds[i % n],
        id: `B${t.runId}-${i % n}`,
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
        relatedParty: [{ role: 'BtCug', id: t.cugId }],
      },
    },
    eventType: 'ProductOrderStateChangeEvent',
    eventTime: new Date().toISOString(),
    eventId: `bench-${t.runId}-${code}`,
  });
}

export function ksuPoster(t: KsuTarget) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sentAt = new Map<string, number>();
  const post = (i: number, code: string) =>
    new Promise<number>((resolve, reject) => {
      const body = benchKsu(t, i, code);
      const t0 = performance.now();
      sentAt.set(code, t0);
      const req = http.request(
        t.url,
        {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${t.token}`,
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
  return { post, sentAt, close: () => agent.destroy() };
}

/** The steady phase then the burst; codes 9,000,000+ (steady) and 8,000,000+ (burst). */
export async function runKsuLoad(t: KsuTarget, o: LoadOptions, sink?: Sink, meter?: Meter): Promise<LoadFigures> {
  const { post, sentAt, close } = ksuPoster(t);
  const n1 = o.rate * o.rateSeconds;
  const steadyCodes = Array.from({ length: n1 }, (_, i) => String(9_000_000 + i));
  const burstCodes = Array.from({ length: o.burst }, (_, i) => String(8_000_000 + i));
  const e2e = (codes: string[]) => codes.map((c) => sink!.arrived.get(c)! - sentAt.get(c)!);

  const lat: number[] = [];
  const t1 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n1; i++) {
    const wait = t1 + (i * 1000) / o.rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(post(i, steadyCodes[i]!).then((l) => void lat.push(l)));
  }
  await Promise.all(pending);
  const steadySecs = (performance.now() - t1) / 1000;
  if (sink) await sink.waitFor(steadyCodes);

  const lat2: number[] = [];
  const stopMeter = await meter?.start();
  const t2 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.burst) {
        const i = next++;
        lat2.push(await post(n1 + i, burstCodes[i]!));
      }
    }),
  );
  const ingestSecs = (performance.now() - t2) / 1000;
  if (sink) await sink.waitFor(burstCodes);
  const doneSecs = (performance.now() - t2) / 1000;
  const used = await stopMeter?.();
  close();
  const s1 = sink ? e2e(steadyCodes) : undefined;
  const s2 = sink ? e2e(burstCodes) : undefined;
  return {
    steady: {
      n: n1,
      rate: n1 / steadySecs,
      p50: pct(lat, 50),
      p99: pct(lat, 99),
      max: Math.max(...lat),
      ...(s1 ? { e2eP50: pct(s1, 50), e2eP99: pct(s1, 99) } : {}),
    },
    burst: {
      ingest: o.burst / ingestSecs,
      p50: pct(lat2, 50),
      p99: pct(lat2, 99),
      ...(s2 ? { done: o.burst / doneSecs, e2eP50: pct(s2, 50), e2eP99: pct(s2, 99) } : {}),
      ...(used ? { cpu: { processMs: used.processMs / o.burst, databaseMs: used.databaseMs / o.burst } } : {}),
    },
  };
}
