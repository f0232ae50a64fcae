import { isUtf8 } from 'node:buffer';

/**
 * What PostgreSQL can hold as sent: text and jsonb refuse a NUL character and half of a surrogate pair;
 * timestamptz as we write it holds the years 0001–9999; a btree index entry (unique eventId, externalId,
 * BB1 order id lookups) must stay under ~2.7 KB, so identifiers are kept far shorter.
 */
export const STORABLE = { identifierLength: 256, minYear: 1, maxYear: 9999 } as const;

/** An id that fits the integer (int4) columns orders, reservations and requests are numbered in. */
export const isRowId = (n: unknown): n is number =>
  Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 2147483647;

// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex -- as above
const UNSTORABLE_ALL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const isStorable = (s: string) => !UNSTORABLE.test(s);

/** The path of the first string (or key) in a value that cannot be stored, e.g. `body.notes`. */
export function unstorableField(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return isStorable(value) ? undefined : path;
  if (!value || typeof value !== 'object' || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = unstorableField(value[i], `${path}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!isStorable(k)) return `${path} (a key)`;
    const bad = unstorableField(v, `${path}.${k}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/** A copy with every unstorable character replaced by U+FFFD (undefined when nothing needed replacing). */
export function storableCopy(value: unknown): unknown {
  if (unstorableField(value, '') === undefined) return undefined;
  const fix = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(UNSTORABLE_ALL, '\ufffd');
    if (Array.isArray(v)) return v.map(fix);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(UNSTORABLE_ALL, '\ufffd'), fix(x)]));
    return v;
  };
  return fix(value);
}

/** Why an identifier cannot be stored and indexed as sent (naming the field), or undefined. */
export function unstorableIdentifier(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > STORABLE.identifierLength)
    return `${field}: is longer than ${STORABLE.identifierLength} characters`;
  if (!isStorable(value)) return `${field}: contains a NUL character or an unpaired surrogate`;
  return undefined;
}

/** Why a time cannot be stored as timestamptz (naming the field), or undefined. */
export function unstorableTime(field: string, iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const year = new Date(iso).getUTCFullYear();
  if (!(year >= STORABLE.minYear && year <= STORABLE.maxYear))
    return `${field}: is outside the years ${STORABLE.minYear}–${STORABLE.maxYear}`;
  return undefined;
}

/**
 * A request body as text that loses nothing: the UTF-8 text when the bytes are UTF-8 without NUL, else
 * base64 (with a note saying so).
 */
export function storableRaw(buf: Buffer): { raw: string; note?: string } {
  if (isUtf8(buf) && !buf.includes(0)) return { raw: buf.toString('utf8') };
  return { raw: buf.toString('base64'), note: 'raw kept as base64: the body is not UTF-8 text or holds NUL bytes' };
}
