import type { Bb1Tables, CodeRule, SeverityRule, TECHNOLOGIES } from './schema.js';

export type Technology = (typeof TECHNOLOGIES)[number];
export type LineProfileRow = Bb1Tables['line-profiles']['lineProfiles'][number];
export type TechnologyRow = Bb1Tables['technologies']['technologies'][number];
export type CareLevelRow = Bb1Tables['care-levels']['careLevels'][number];

/** The tables with the look-ups the translators need. Pure data: no I/O after loading. */
export interface Bb1Mappings {
  tables: Bb1Tables;
  lineProfile(value: string): LineProfileRow | undefined;
  lineProfileByEcode(ecode: string): LineProfileRow | undefined;
  lineProfileByVariant(variant: string): LineProfileRow | undefined;
  technology(id: string): TechnologyRow | undefined;
  technologyByAccess(accessTechnology: string): TechnologyRow | undefined;
  careLevel(value: string): CareLevelRow | undefined;
  careLevelByEcode(ecode: string): CareLevelRow | undefined;
  codeRule(code: string): CodeRule | undefined;
  /** the row for a code with no row of its own, by the severity BB1 gave it and the event it came in */
  severityRule(severity: string | undefined, eventType: string): SeverityRule | undefined;
  /** file:line of a table row, for people (explain, validate); undefined for tables built in code */
  where(table: string, path: (string | number)[]): string | undefined;
}

export function indexTables(tables: Bb1Tables, where: Bb1Mappings['where'] = () => undefined): Bb1Mappings {
  const lps = tables['line-profiles'].lineProfiles;
  const techs = tables.technologies.technologies;
  const cares = tables['care-levels'].careLevels;
  const byCode = new Map<string, CodeRule>();
  const ranges: { from: number; to: number; rule: CodeRule }[] = [];
  for (const c of tables['ksu-codes'].codes) {
    if (c.code !== undefined) byCode.set(c.code, c);
    else if (c.range) ranges.push({ from: Number(c.range[0]), to: Number(c.range[1]), rule: c });
  }
  ranges.sort((a, b) => a.to - a.from - (b.to - b.from));
  const key = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  return {
    tables,
    where,
    lineProfile: (v) => lps.find((l) => l.lineProfile === v),
    lineProfileByEcode: (e) => lps.find((l) => l.ecode !== undefined && l.ecode === e),
    lineProfileByVariant: (v) => lps.find((l) => l.variant.toLowerCase() === v.trim().toLowerCase()),
    technology: (id) => techs.find((t) => t.id === id),
    technologyByAccess: (a) =>
      techs.find((t) => t.accessTechnology.toLowerCase() === a.toLowerCase() || t.id.toLowerCase() === a.toLowerCase()),
    careLevel: (v) => cares.find((c) => c.careLevel.toLowerCase() === v.trim().toLowerCase() || c.legacy === v.trim()),
    careLevelByEcode: (e) => cares.find((c) => c.ecode === e),
    codeRule: (code) => {
      const direct = byCode.get(code);
      if (direct) return direct;
      const n = Number(code);
      return Number.isFinite(n) ? ranges.find((r) => n >= r.from && n <= r.to)?.rule : undefined;
    },
    severityRule: (severity, eventType) =>
      severity === undefined
        ? undefined
        : tables['ksu-codes'].severities.find(
            (r) => key(r.severity) === key(severity) && (!r.events || r.events.includes(eventType)),
          ),
  };
}
