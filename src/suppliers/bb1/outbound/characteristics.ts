import type { Bb1Mappings, Technology } from '../mappings/indexed.js';
import type { Problems } from './translation-error.js';

export interface Characteristic {
  name: string;
  value: string;
  action?: 'NONE' | 'ADD' | 'DELETE';
}

/** Names a tenant may send on orders (seed 002 "Orders", docs/contract.md §3), plus the asset ids of modify/cease. */
export const ORDER_CHARACTERISTICS = [
  'LINE_PROFILE',
  'END_USER_TYPE',
  'CONTRACT_TERM',
  'RETAILER_ID',
  'MINIMUM_SPEED',
  'ECC_CHARGEBAND',
  'TRC_CHARGEBAND',
  'CARE_LEVEL',
  'STATIC_IP_REQUESTED',
  'DN_PORT_NUMBER',
  'DN_PORT_DATETIME',
  'SITE_VISIT_REASON',
  'LINE_ID',
  'ONT_REFERENCE',
  'ONT_PORT',
  'TRAFFIC_WEIGHTING',
  'SERVICE_ID',
  'SERVICE_ASSET_ID',
  'CARE_LEVEL_ASSET_ID',
  'STATIC_IP_ASSET_ID',
  'DYNAMIC_IP_ASSET_ID',
] as const;

export const serviceChar = (name: string) => `serviceCharacteristics ${name}`;

/** Checks one value against its table; returns the canonical value (e.g. CARE_LEVEL "2" → "Standard"). */
export function checkValue(
  m: Bb1Mappings,
  name: string,
  value: string,
  tech: Technology | undefined,
  p: Problems,
): string | undefined {
  const bad = (allowed: string[] | string) => {
    p.add(
      `${serviceChar(name)}: "${value}" is not allowed${tech ? ` for ${tech}` : ''}; allowed: ${Array.isArray(allowed) ? allowed.join(', ') : allowed}`,
    );
    return undefined;
  };
  const t = m.tables;
  switch (name) {
    case 'LINE_PROFILE': {
      const lp = m.lineProfile(value);
      const options = t['line-profiles'].lineProfiles
        .filter((l) => !tech || l.technology === tech)
        .map((l) => `${l.lineProfile} (${l.variant})`);
      if (!lp || (tech && lp.technology !== tech)) return bad(options);
      return lp.lineProfile;
    }
    case 'CARE_LEVEL': {
      const c = m.careLevel(value);
      const options = t['care-levels'].careLevels
        .filter((x) => !tech || x.technologies.includes(tech))
        .map((x) => `${x.careLevel} (or ${x.legacy})`);
      if (!c || (tech && !c.technologies.includes(tech))) return bad(options);
      return c.careLevel;
    }
    case 'END_USER_TYPE':
    case 'TRAFFIC_WEIGHTING': {
      const allowed = t['order-attributes'].values[name];
      return allowed.includes(value) ? value : bad(allowed);
    }
    case 'CONTRACT_TERM':
      return /^\d{1,3}$/.test(value) && Number(value) > 0 ? value : bad('a whole number of months, e.g. 12');
    case 'MINIMUM_SPEED':
      return /^\d+(\.\d+)?$/.test(value) ? value : bad('a speed in Mbps, e.g. 76');
    case 'RETAILER_ID':
      return /^[A-Z0-9]{3}$/.test(value) ? value : bad('a three-character Ofcom RID');
    case 'ECC_CHARGEBAND':
    case 'TRC_CHARGEBAND': {
      const cb = t['charge-bands'][name === 'ECC_CHARGEBAND' ? 'ecc' : 'trc'];
      const bands = tech ? cb.bands[tech] : undefined;
      if (tech && !bands) return bad(`none (${name} does not apply to ${tech})`);
      const allowed = Object.keys(bands ?? Object.assign({}, ...Object.values(cb.bands)));
      return allowed.includes(value) ? value : bad(allowed);
    }
    case 'STATIC_IP_REQUESTED': {
      const allowed = t['ip-products'].static.allowedCounts;
      return allowed.includes(value) ? value : bad(allowed);
    }
    case 'SITE_VISIT_REASON': {
      const row = t['site-visit-reasons'].siteVisitReasons.find(
        (s) => s.siteVisitReason.toLowerCase() === value.toLowerCase(),
      );
      return row ? row.siteVisitReason : bad(t['site-visit-reasons'].siteVisitReasons.map((s) => s.siteVisitReason));
    }
    case 'ONT_PORT':
      return /^\d{1,2}$/.test(value) ? value : bad('a port number, e.g. 1');
    case 'DN_PORT_NUMBER':
      return /^0\d{9,10}$/.test(value) ? value : bad('a UK number starting 0, e.g. 01632960123');
    case 'DN_PORT_DATETIME':
      return !Number.isNaN(Date.parse(value)) ? value : bad('an ISO 8601 date-time');
    default:
      if ((ORDER_CHARACTERISTICS as readonly string[]).includes(name))
        return value.trim() ? value : bad('a non-empty value');
      p.add(`${serviceChar(name)}: unknown characteristic; allowed: ${ORDER_CHARACTERISTICS.join(', ')}`);
      return undefined;
  }
}

/** Provide orders: one value per name, no actions. Returns name → canonical value. */
export function provideCharacteristics(
  m: Bb1Mappings,
  list: Characteristic[],
  tech: Technology | undefined,
  p: Problems,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of list) {
    if (c.action && c.action !== 'ADD')
      p.add(`${serviceChar(c.name)}: action ${c.action} is only for MODIFY and CEASE orders`);
    if (out.has(c.name)) {
      p.add(`${serviceChar(c.name)}: given more than once`);
      continue;
    }
    const v = checkValue(m, c.name, c.value, tech, p);
    if (v !== undefined) out.set(c.name, v);
  }
  return out;
}

/** Names that were not sent at all (a value sent but refused is already reported by checkValue). */
export function requireChars(given: { name: string }[], names: string[], why: string, p: Problems): void {
  for (const n of names) if (!given.some((c) => c.name === n)) p.add(`${serviceChar(n)}: required ${why}`);
}
