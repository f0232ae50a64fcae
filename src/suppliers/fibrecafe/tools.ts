import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MappingTools } from '../supplier.js';
import { loadTranslation } from './mappings.js';
import { interpretUpdate, readUpdate, type ParsedUpdate } from './updates.js';

const TABLES = ['characteristics.yaml', 'line-profiles.yaml'];

/** The mapping maintainer's tools for a Fibre Cafe Supplier API supplier's tables (`mappings/<folder>/`). */
export function fibreCafeMappingTools(folder: string): MappingTools {
  return {
    folder,
    validate: (dir) => loadTranslation(dir, folder).summary,
    explain(dir, body) {
      const t = loadTranslation(dir, folder);
      if ('reasonCode' in body) {
        const { keys, parsed } = readUpdate(folder.toUpperCase(), body);
        const u = interpretUpdate(
          parsed as ParsedUpdate,
          { orderType: 'NEW', entity: {} as never, adapterState: {}, stale: false },
          t,
        );
        return JSON.stringify({ keys, signals: u.signals, facts: u.facts }, null, 2);
      }
      const chars = ((body.serviceOrderItem as { serviceCharacteristics?: { name: string; value: string }[] })
        ?.serviceCharacteristics ?? []) as { name: string; value: string }[];
      return JSON.stringify({ serviceCharacteristics: t.outbound(chars) }, null, 2);
    },
    diff(dir, ref) {
      // The tables at the ref, in a scratch directory, against these: every translated characteristic value.
      const scratch = mkdtempSync(join(tmpdir(), 'fc-mappings-'));
      try {
        mkdirSync(join(scratch, folder), { recursive: true });
        for (const f of TABLES) {
          try {
            const text = execFileSync('git', ['show', `${ref}:${join(dir, folder, f).replace(/^\.\//, '')}`], {
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'ignore'],
            });
            writeFileSync(join(scratch, folder, f), text);
          } catch {
            // not there at that ref
          }
        }
        // Every translation before and after: what a tenant's or the supplier's words now become.
        const was = new Set(loadTranslation(scratch, folder).lines);
        const now = new Set(loadTranslation(dir, folder).lines);
        const lines = [
          ...[...was].filter((l) => !now.has(l)).map((l) => `- ${l}`),
          ...[...now].filter((l) => !was.has(l)).map((l) => `+ ${l}`),
        ];
        const changed = [...new Set(lines.map((l) => l.slice(2).split(' ')[0]!))];
        return { text: lines.length ? lines.join('\n') : `no change in ${folder}'s tables since ${ref}`, changed };
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    async coverage(dir, bodies) {
      // Characteristic names the supplier reported that no table renames (fine when it speaks the tenant's words).
      loadTranslation(dir, folder);
      const seen = new Map<string, number>();
      for await (const { body } of bodies) {
        const entity = Object.values((body ?? {}) as Record<string, unknown>).find(
          (v) => v && typeof v === 'object' && 'serviceOrderItem' in (v as object),
        ) as { serviceOrderItem?: { serviceCharacteristics?: { name: string }[] } } | undefined;
        for (const c of entity?.serviceOrderItem?.serviceCharacteristics ?? [])
          seen.set(c.name, (seen.get(c.name) ?? 0) + 1);
      }
      return seen.size
        ? [...seen].map(([n, c]) => `${n}: ${c} updates`).join('\n')
        : 'no characteristics in stored updates';
    },
  };
}
