// Pure translation rate: KSUs/s on one core through the BB1 interpreter and the status/KCI decision, no I/O
// (the body as the apply loop reads it from jsonb, already parsed). The 27 real KSUs of seed 003 are
// applied in turn to an order whose state they carry forward, starting again every 27.
import { readFileSync, readdirSync } from 'node:fs';
import { loadBb1Mappings } from '../src/bb1/mappings/load.js';
import type { Bb1Mappings } from '../src/bb1/mappings/indexed.js';
import { parseKsu } from '../src/bb1/inbound/parse-ksu.js';
import { translateKsu, type OrderView } from '../src/bb1/inbound/translate-ksu.js';

/**
 * The seam: one KSU body applied to one order, as the apply loop does it. Re-point this one function when
 * the translation moves (e.g. the adapter's interpretation then the order lifecycle's decision).
 */
export function translateOne(m: Bb1Mappings, body: unknown, order: OrderView, receivedOn: string): OrderView {
  const t = translateKsu(m, parseKsu(body), order, receivedOn);
  return { ...order, status: t.status, entity: t.entity, state: t.state };
}

/** KSUs per CPU second of this thread (CPU time, not wall time: neighbours on the machine do not count). */
export function translationRate(seconds = 2): { perCpuSecond: number; n: number } {
  const m = loadBb1Mappings('mappings');
  const dir = 'test/fixtures/seed003/';
  const bodies = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(dir + f, 'utf8')) as unknown);
  const fresh = (): OrderView => ({
    status: 'SENT_TO_SUPPLIER',
    orderType: 'NEW',
    entity: { id: 1, orderType: 'NEW', supplier: 'BTWHOLESALEBB1', status: 'SENT_TO_SUPPLIER' },
    state: {},
  });
  const receivedOn = new Date().toISOString();
  const run = (ms: number) => {
    let n = 0;
    let order = fresh();
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (const b of bodies) order = translateOne(m, b, order, receivedOn);
      order = fresh();
      n += bodies.length;
    }
    return n;
  };
  run(300); // warm up (JIT)
  const c0 = process.cpuUsage();
  const n = run(seconds * 1000);
  const c = process.cpuUsage(c0);
  return { perCpuSecond: n / ((c.user + c.system) / 1e6), n };
}
