import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadBb1Mappings } from '../load.js';
import { explainKsu, explainRequest } from './explain.js';
import type { Bb1Mappings } from '../indexed.js';

const FIXTURE_DIRS = ['test/fixtures/seed003', 'test/fixtures/requests'];

function fixtures(): { name: string; body: Record<string, unknown> }[] {
  return FIXTURE_DIRS.flatMap((d) => {
    try {
      return readdirSync(d)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => ({ name: `${d}/${f}`, body: JSON.parse(readFileSync(join(d, f), 'utf8')) }));
    } catch {
      return [];
    }
  });
}

/**
 * What a fixture becomes, aspect by aspect: for a KSU its status, KCIs, the rows that fired (by what they match,
 * not by line: adding a row moves the lines of the rows after it), unmapped codes and the order entity; for a
 * tenant request the payload.
 */
function outcome(m: Bb1Mappings, body: Record<string, unknown>): Record<string, string> {
  try {
    if (body.orderType) return { payload: JSON.stringify(explainRequest(m, body as never)) };
    const e = explainKsu(m, body, {});
    return {
      status: e.statusAfter,
      kcis: JSON.stringify(e.kcis),
      fired: JSON.stringify(e.firedRows.map((r) => r.split('  (')[0])),
      unmapped: JSON.stringify(e.unmappedCodes),
      entity: JSON.stringify(e.entityChanges),
    };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Checks out the tables at a git ref into a temporary directory, so both versions can be compared. */
function tablesAt(ref: string, dir: string): string {
  const tables = resolve(dir, 'bb1');
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8', cwd: tables }).trim();
  const rel = relative(root, tables);
  const out = mkdtempSync(join(tmpdir(), 'mappings-'));
  mkdirSync(join(out, 'bb1'));
  const files = execFileSync('git', ['ls-tree', '--name-only', `${ref}:${rel}`], { encoding: 'utf8', cwd: root })
    .split('\n')
    .filter(Boolean);
  for (const f of files)
    writeFileSync(join(out, 'bb1', f), execFileSync('git', ['show', `${ref}:${rel}/${f}`], { cwd: root }));
  return out;
}

/**
 * For each fixture: what differs between the tables at `ref` and the working tables — the status, the KCIs, the
 * rows that fired, the unmapped codes, the entity, or a request's payload — each aspect before and after.
 */
export function diffTables(dir: string, ref: string): { text: string; changed: string[] } {
  const before = loadBb1Mappings(tablesAt(ref, dir));
  const after = loadBb1Mappings(dir);
  const changed: string[] = [];
  const lines: string[] = [];
  for (const f of fixtures()) {
    const a = outcome(before, f.body);
    const b = outcome(after, f.body);
    const aspects = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
    if (!aspects.length) continue;
    changed.push(f.name);
    lines.push(`CHANGED ${f.name}`);
    for (const k of aspects) lines.push(`  ${k}:\n    before: ${a[k] ?? '(none)'}\n    after:  ${b[k] ?? '(none)'}`);
  }
  lines.push(
    changed.length
      ? `${changed.length} fixture(s) translate differently from ${ref}`
      : `no fixture translates differently from ${ref} (${fixtures().length} checked)`,
  );
  return { text: lines.join('\n'), changed };
}
