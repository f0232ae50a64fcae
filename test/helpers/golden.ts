/**
 * Field-by-field comparison of a BB1 payload with a seed payload. `ignore` lists JSON paths (with `*`
 * for any array index) whose values the connector chooses; arrays of {name, value} characteristics are
 * compared as sets, because the seeds themselves list them in different orders.
 */
export function goldenDiff(
  actual: unknown,
  expected: unknown,
  ignore: string[] = [],
  path = '$',
  sorted = false,
): string[] {
  const ignored = (p: string) =>
    ignore.some((pat) =>
      new RegExp(`^${pat.replace(/[.[\]$]/g, (c) => `\\${c}`).replace(/\\\[\*\\\]/g, '\\[\\d+\\]')}$`).test(p),
    );
  if (ignored(path)) return [];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    const isChars = !sorted && expected.every((e) => e && typeof e === 'object' && 'name' in e && 'value' in e);
    if (isChars) {
      const byName = (l: { name: string }[]) => [...l].sort((a, b) => a.name.localeCompare(b.name));
      return goldenDiff(
        byName(actual as { name: string }[]),
        byName(expected as { name: string }[]),
        ignore,
        path,
        true,
      );
    }
    const out: string[] = [];
    if (actual.length !== expected.length) out.push(`${path}: expected ${expected.length} items, got ${actual.length}`);
    expected.forEach((e, i) => out.push(...goldenDiff(actual[i], e, ignore, `${path}[${i}]`)));
    return out;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const out: string[] = [];
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual as object)]);
    for (const k of keys) {
      const p = `${path}.${k}`;
      if (ignored(p)) continue;
      if (!(k in (expected as object)))
        out.push(`${p}: not in the seed (got ${JSON.stringify((actual as Record<string, unknown>)[k])})`);
      else if (!(k in (actual as object)))
        out.push(`${p}: missing (seed has ${JSON.stringify((expected as Record<string, unknown>)[k])})`);
      else
        out.push(
          ...goldenDiff((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], ignore, p),
        );
    }
    return out;
  }
  return actual === expected ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
