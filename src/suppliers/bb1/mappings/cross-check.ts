import type { YamlSource } from '../../../platform/yaml-source.js';
import type { Bb1Tables, TableName } from './schema.js';

/** Checks that span tables: what zod cannot see. Each problem names file:line and how to fix it. */
export function crossCheck(t: Bb1Tables, src: Record<TableName, YamlSource>): string[] {
  const problems: string[] = [];
  const at = (table: TableName, path: (string | number)[]) => src[table]?.where(path) ?? table;
  const techs = new Set(t.technologies.technologies.map((x) => x.id));
  const careNames = new Set(t['care-levels'].careLevels.map((c) => c.careLevel));

  const seen = new Map<string, number>();
  t['line-profiles'].lineProfiles.forEach((lp, i) => {
    if (!techs.has(lp.technology))
      problems.push(
        `${at('line-profiles', ['lineProfiles', i, 'technology'])}: technology ${lp.technology} has no row in technologies.yaml (add it there)`,
      );
    if (seen.has(lp.lineProfile))
      problems.push(
        `${at('line-profiles', ['lineProfiles', i, 'lineProfile'])}: LINE_PROFILE ${lp.lineProfile} is listed twice (remove one row)`,
      );
    seen.set(lp.lineProfile, i);
  });
  const ecodes = new Map<string, string>();
  const claim = (ecode: string, what: string, where: string) => {
    const prior = ecodes.get(ecode);
    if (prior && prior !== what)
      problems.push(`${where}: ecode ${ecode} is already used by ${prior} (each ecode means one product)`);
    ecodes.set(ecode, what);
  };
  t['line-profiles'].lineProfiles.forEach((lp, i) => {
    if (lp.ecode) claim(lp.ecode, `LINE_PROFILE ${lp.lineProfile}`, at('line-profiles', ['lineProfiles', i, 'ecode']));
  });
  t['care-levels'].careLevels.forEach((c, i) =>
    claim(c.ecode, `CARE_LEVEL ${c.careLevel}`, at('care-levels', ['careLevels', i, 'ecode'])),
  );
  claim(t['ip-products'].static.ecode, 'static IP', at('ip-products', ['static', 'ecode']));
  claim(t['ip-products'].dynamic.ecode, 'dynamic IP', at('ip-products', ['dynamic', 'ecode']));
  t['site-visit-reasons'].siteVisitReasons.forEach((s, i) => {
    const prior = ecodes.get(s.ecode);
    if (prior && !prior.startsWith('managed install'))
      problems.push(
        `${at('site-visit-reasons', ['siteVisitReasons', i, 'ecode'])}: ecode ${s.ecode} is already used by ${prior}`,
      );
    ecodes.set(s.ecode, `managed install ${s.siteVisitReason}`);
  });
  for (const e of Object.keys(t['asset-ids'].byEcode)) {
    if (!ecodes.has(e))
      problems.push(`${at('asset-ids', ['byEcode', e])}: ecode ${e} is not a product of any table (check the ecode)`);
  }
  t.technologies.technologies.forEach((x, i) => {
    if (!careNames.has(x.defaultCareLevel))
      problems.push(
        `${at('technologies', ['technologies', i, 'defaultCareLevel'])}: default care level ${x.defaultCareLevel} is not in care-levels.yaml`,
      );
    else if (
      !t['care-levels'].careLevels.find((c) => c.careLevel === x.defaultCareLevel)!.technologies.includes(x.id)
    ) {
      problems.push(
        `${at('technologies', ['technologies', i, 'defaultCareLevel'])}: default care level ${x.defaultCareLevel} is not allowed for ${x.id} in care-levels.yaml`,
      );
    }
  });
  const oa = t['order-attributes'];
  if (!oa.values.TRAFFIC_WEIGHTING.includes(oa.defaults.TRAFFIC_WEIGHTING))
    problems.push(
      `${at('order-attributes', ['defaults', 'TRAFFIC_WEIGHTING'])}: default ${oa.defaults.TRAFFIC_WEIGHTING} is not one of values.TRAFFIC_WEIGHTING`,
    );
  const svr = t['site-visit-reasons'];
  if (!svr.siteVisitReasons.some((s) => s.siteVisitReason === svr.default))
    problems.push(`${at('site-visit-reasons', ['default'])}: default ${svr.default} has no row`);
  const cess = t['cessation-reasons'];
  if (!cess.cessationReasons.some((r) => r.reason === cess.default))
    problems.push(`${at('cessation-reasons', ['default'])}: default ${cess.default} has no row`);
  for (const kind of ['ecc', 'trc'] as const) {
    const cb = t['charge-bands'][kind];
    for (const [tech, bands] of Object.entries(cb.bands)) {
      if (!(cb.default in bands))
        problems.push(
          `${at('charge-bands', [kind, 'bands', tech])}: default band ${cb.default} is missing for ${tech}`,
        );
    }
  }
  // Code ranges must not overlap each other, and single codes inside a range are deliberate overrides.
  const ranges = t['ksu-codes'].codes.flatMap((c, i) =>
    c.range ? [{ i, from: Number(c.range[0]), to: Number(c.range[1]) }] : [],
  );
  for (const r of ranges) {
    if (r.from > r.to) problems.push(`${at('ksu-codes', ['codes', r.i, 'range'])}: range starts after it ends`);
    for (const o of ranges) {
      if (o.i > r.i && o.from <= r.to && r.from <= o.to)
        problems.push(
          `${at('ksu-codes', ['codes', o.i, 'range'])}: range ${o.from}-${o.to} overlaps the range on ${at('ksu-codes', ['codes', r.i, 'range'])} (split one of them)`,
        );
    }
  }
  const codes = new Map<string, number>();
  t['ksu-codes'].codes.forEach((c, i) => {
    if (c.code === undefined) return;
    if (codes.has(c.code)) problems.push(`${at('ksu-codes', ['codes', i, 'code'])}: code ${c.code} is listed twice`);
    codes.set(c.code, i);
  });
  return problems;
}
