import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startStack, OPERATOR_TOKEN, T1_SECRET, KSU1_SECRET, type Stack } from '../helpers/stack.js';
import { specProblem } from '../helpers/spec.js';
import { operations, requestsFor } from '../helpers/fuzz-requests.js';
import { send, type Answer } from '../helpers/raw-http.js';

// Bounded for CI: FC_RUNS requests per operation (default 40), a fixed seed (FC_SEED) so a failure replays.
const RUNS = Number(process.env.FC_RUNS ?? 40);
const SEED = Number(process.env.FC_SEED ?? 20240613);
const ANSWER_WITHIN_MS = 5000;

/** What is wrong with an answer: a 5xx, a body outside the documented shapes, a 429/503 without Retry-After. */
function problemOf(o: { method: string; template: string }, a: Answer): string | undefined {
  if (a.status >= 500) return `${a.status}: ${a.text.slice(0, 300)}`;
  // Node's HTTP server refuses a request line and headers over 16 KiB itself, without a body (documented).
  if (a.status === 431) return a.text ? `431 with a body: ${a.text.slice(0, 100)}` : undefined;
  let body: unknown = a.text;
  if (String(a.headers['content-type'] ?? '').startsWith('application/json')) {
    try {
      body = JSON.parse(a.text);
    } catch {
      return `body is not JSON: ${a.text.slice(0, 200)}`;
    }
  }
  if (a.status === 429 && !a.headers['retry-after']) return '429 without Retry-After';
  return specProblem({ status: a.status, body, headers: a.headers }, o.method, o.template);
}

describe.each(ENGINES)('every route of the OpenAPI files under generated hostile input (%s)', (engine) => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  beforeAll(async () => {
    sink = await startKciSink();
    // The token endpoints' limiter would answer most of the generated wrong-secret attempts 429: allow more here.
    stack = await startStack({
      engine,
      kciUrl: sink.url,
      bb1: 'sandbox',
      env: { AUTH_FAILURES_PER_CLIENT: '100000', AUTH_FAILURES_PER_ADDRESS: '100000' },
    });
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  it(`answers ${RUNS} requests per operation promptly, never 5xx, always in a documented shape`, async () => {
    const creds = {
      tenantToken: await stack.token(),
      supplierToken: await stack.supplierToken(),
      operatorToken: OPERATOR_TOKEN,
      tenantBasic: ['tenant1-app', T1_SECRET] as [string, string],
      supplierBasic: ['bt-ksu-tenant1', KSU1_SECRET] as [string, string],
    };
    const failures: string[] = [];
    const counts = new Map<string, number>();
    const byKind = new Map<string, number>();
    for (const o of operations()) {
      const label = `${o.method.toUpperCase()} ${o.template}`;
      await fc.assert(
        fc.asyncProperty(requestsFor(o, creds), async (r) => {
          let problem: string | undefined;
          const started = Date.now();
          try {
            const a = await send(stack.baseUrl, r, ANSWER_WITHIN_MS);
            problem = problemOf(o, a);
            counts.set(`${label} ${a.status}`, (counts.get(`${label} ${a.status}`) ?? 0) + 1);
          } catch (e) {
            problem = `${(e as Error).message} after ${Date.now() - started} ms`;
          }
          if (problem) {
            failures.push(`${label} [${r.label}] ${r.path.slice(0, 120)}: ${problem}`);
            const kind = /^\d{3}: /.test(problem)
              ? problem.slice(0, 3)
              : problem.replace(/^.* (\d{3})[: ].*$/s, 'shape $1');
            byKind.set(`${label} ${kind}`, (byKind.get(`${label} ${kind}`) ?? 0) + 1);
          }
          return true; // every request is tried (the count of failures is the figure), then the test fails
        }),
        { seed: SEED, numRuns: RUNS },
      );
    }
    if (process.env.FUZZ_LOG) writeFileSync(`${process.env.FUZZ_LOG}.${engine}`, failures.join('\n') + '\n');
    if (failures.length)
      throw new Error(
        `${failures.length} of ${[...counts.values()].reduce((a, b) => a + b, 0)} answers were wrong:\n` +
          [...byKind.entries()].map(([k, n]) => `${n}× ${k}`).join('\n') +
          `\n\nfirst ones:\n${failures.slice(0, 20).join('\n')}`,
      );
    // The service is still up and ready afterwards.
    const ready = await stack.http.get('/ready');
    expect(ready.status).toBe(200);
  }, 600_000);
});
