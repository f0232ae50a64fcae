// Pure translation rate: KSUs/s on one core through the BB1 interpreter and the status/KCI decision, no I/O
// (the body as the apply loop reads it from jsonb, already parsed). Each of the 27 real KSUs of seed 003 is
// applied to a provide order as the connector holds it once BB1 has acknowledged it (the create event
// applied to the order createOrder stored), as each KSU of a live order is.
import { readFileSync, readdirSync } from 'node:fs';
import { loadBb1Mappings } from '../src/suppliers/bb1/mappings/load.js';
import type { Bb1Mappings } from '../src/suppliers/bb1/mappings/indexed.js';
import { parseKsu } from '../src/suppliers/bb1/inbound/parse-ksu.js';
import { translateKsu, type OrderView } from '../src/suppliers/bb1/inbound/translate-ksu.js';

/**
 * The seam: one KSU body applied to one order. translateKsu runs the two steps the apply loop runs, the BB1
 * adapter's interpretation (interpretKsu) then the order lifecycle's decision (applyUpdate); re-point this
 * one function if they move.
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
  const request = JSON.parse(readFileSync('test/fixtures/requests/provide-fttp-appointed.json', 'utf8')) as Record<
    string,
    unknown
  >;
  const now = new Date().toISOString();
  const sent: OrderView = {
    status: 'SENT_TO_SUPPLIER',
    orderType: 'NEW',
    entity: {
      id: 1,
      orderType: 'NEW',
      supplier: 'BTWHOLESALEBB1',
      status: 'SENT_TO_SUPPLIER',
      address: request.address,
      serviceOrderItem: request.serviceOrderItem,
      primaryContact: request.primaryContact,
      created: now,
      updated: now,
    },
    state: { technology: 'FTTP', ecode: 'E0000703' } as OrderView['state'],
  };
  const acknowledged = translateOne(m, bodies[0], sent, now);
  const run = (ms: number) => {
    let n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      translateOne(m, bodies[0], sent, now);
      for (let i = 1; i < bodies.length; i++) translateOne(m, bodies[i], acknowledged, now);
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
