import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest random. Ids made
 * later sort later, so a table keyed by them (the KCI outbox, millions of rows after a year) takes each new id
 * at the right edge of its primary-key index, where the pages are already in memory; a random (v4) id lands on
 * any page of the whole index, mostly cold. Still a UUID to every reader of it.
 */
export function uuidv7(now = Date.now()): string {
  const b = randomFillSync(new Uint8Array(16));
  const hi = Math.floor(now / 0x1000000); // the upper 24 of the 48 bits
  const lo = now % 0x1000000;
  b[0] = (hi >>> 16) & 0xff;
  b[1] = (hi >>> 8) & 0xff;
  b[2] = hi & 0xff;
  b[3] = (lo >>> 16) & 0xff;
  b[4] = (lo >>> 8) & 0xff;
  b[5] = lo & 0xff;
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  const h = Array.from(b, (x) => HEX[x]!).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
