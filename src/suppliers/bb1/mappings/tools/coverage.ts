import { parseKsu, normaliseKey } from '../../inbound/parse-ksu.js';
import type { Bb1Mappings } from '../indexed.js';

/** Codes, subStatuses and appointment statuses seen in stored KSUs that no row matches, with counts and first/last seen. */
export async function coverage(
  m: Bb1Mappings,
  stored: AsyncIterable<{ body: unknown; receivedAt: string }>,
): Promise<string> {
  const seen = new Map<string, { count: number; first: string; last: string }>();
  const note = (key: string, at: string) => {
    const s = seen.get(key);
    if (s) {
      s.count += 1;
      s.last = at;
    } else seen.set(key, { count: 1, first: at, last: at });
  };
  const items = m.tables['ksu-item-states'].items;
  const known = new Set(m.tables['ksu-item-states'].quietSubStatuses.map(normaliseKey));
  const apptTable = m.tables['appointment-statuses'];
  const appts = new Set(
    [...apptTable.appointmentStatuses.map((x) => x.appointmentStatus), ...apptTable.quietStatuses].map(normaliseKey),
  );
  let count = 0;
  for await (const r of stored) {
    count += 1;
    const at = r.receivedAt;
    let k;
    try {
      k = parseKsu(typeof r.body === 'string' ? JSON.parse(r.body) : r.body);
    } catch {
      continue;
    }
    for (const c of k.codes) if (!m.codeRule(c.code)) note(`code ${c.code}`, at);
    for (const it of k.items) {
      const s = normaliseKey(it.subStatus);
      if (s && !known.has(s) && !items.some((row) => normaliseKey(row.subStatus) === s))
        note(`subStatus ${it.subStatus}`, at);
      const a = normaliseKey(it.appointment?.status);
      if (a && !appts.has(a)) note(`appointmentStatus ${it.appointment?.status}`, at);
    }
  }
  if (!seen.size) return `every code and status in ${count} stored KSUs has a row`;
  return [
    `unmatched in ${count} stored KSUs:`,
    ...[...seen]
      .sort((a, b) => b[1].count - a[1].count)
      .map(([k, v]) => `  ${k.padEnd(40)} ${String(v.count).padStart(6)}  first ${v.first}  last ${v.last}`),
  ].join('\n');
}
