// Deep copy and comparison of plain JSON values (what lives in jsonb: objects, arrays, strings, numbers,
// booleans, null). Several times cheaper than a JSON.stringify/parse round trip, which builds and parses a
// string each time (measured on the bench's translation loop, where both ran for every KSU).

/** A deep copy of a JSON value; object keys whose value is undefined are dropped, as JSON would. */
export function cloneJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      out[i] = x === undefined ? null : cloneJson(x);
    }
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = cloneJson(x);
  }
  return out as T;
}

/**
 * Whether two JSON values serialise alike (key order ignored, undefined object members ignored as JSON
 * ignores them); `ignoreKey` is left out of the comparison at the top level.
 */
export function jsonEqual(a: unknown, b: unknown, ignoreKey?: string): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, bb[i] ?? null)) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (k === ignoreKey || ao[k] === undefined) continue;
    n += 1;
    if (bo[k] === undefined || !jsonEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (k !== ignoreKey && bo[k] !== undefined) n -= 1;
  return n === 0;
}
