import type { Bb1Mappings } from '../mappings/indexed.js';
import type { KnownService } from '../../supplier.js';
import { Problems } from './translation-error.js';
import { serviceChar, type Characteristic } from './characteristics.js';
import type { OrderRequest } from './types.js';

/** Root attributes a modify sets outright (seed 000 "Modify": root attribute changes). */
const SET_OUTRIGHT = ['TRAFFIC_WEIGHTING', 'MINIMUM_SPEED', 'END_USER_TYPE', 'CONTRACT_TERM'];

/**
 * A MODIFY or CEASE asked for by intent ("CARE_LEVEL: Enhanced", "LINE_PROFILE: 129", "STATIC_IP_REQUESTED: 6",
 * or nothing for a cease) completed from the service record into seed 002's explicit style: every
 * characteristic with its action and the asset ids it needs (seed 002 "Asset Information", seed 000 "Modify").
 * Pure; the result then goes through buildModify / buildCease like any explicit request.
 */
export function completeIntent(m: Bb1Mappings, service: KnownService, req: OrderRequest): OrderRequest {
  const p = new Problems();
  const has = service.characteristics;
  const need = (name: string, why: string) => {
    const v = has[name];
    if (!v)
      p.add(
        `serviceId: the record of ${service.serviceId} has no ${name}, needed ${why}; send the request with actions and asset ids, or import the service`,
      );
    return v ?? '';
  };
  const assetId = need('SERVICE_ASSET_ID', 'for every modify and cease');
  const lineProfile = need('LINE_PROFILE', 'for every modify and cease');
  const out: Characteristic[] = [];
  const target = new Map((req.serviceCharacteristics ?? []).map((c) => [c.name, c.value]));
  if (req.orderType === 'CEASE') {
    for (const name of target.keys())
      p.add(`${serviceChar(name)}: a cease by intent names only serviceId (and ceaseReason)`);
    p.throwIfAny();
    return {
      ...req,
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: lineProfile, action: 'NONE' },
        { name: 'SERVICE_ASSET_ID', value: assetId, action: 'NONE' },
      ],
    };
  }
  if (!target.size)
    p.add('serviceCharacteristics: name the target values (e.g. CARE_LEVEL, LINE_PROFILE, STATIC_IP_REQUESTED)');
  p.throwIfAny();

  const newProfile = target.get('LINE_PROFILE');
  if (newProfile && newProfile !== lineProfile)
    out.push(
      { name: 'LINE_PROFILE', value: lineProfile, action: 'DELETE' },
      { name: 'LINE_PROFILE', value: newProfile, action: 'ADD' },
    );
  else out.push({ name: 'LINE_PROFILE', value: lineProfile, action: 'NONE' });
  out.push({ name: 'SERVICE_ASSET_ID', value: assetId, action: 'NONE' });

  const care = target.get('CARE_LEVEL');
  if (care !== undefined) {
    const tech = service.technology ? m.technology(service.technology.toUpperCase()) : undefined;
    const current = m.careLevel(has.CARE_LEVEL ?? tech?.defaultCareLevel ?? '')?.careLevel;
    const wanted = m.careLevel(care)?.careLevel ?? care;
    if (wanted !== current) {
      out.push(
        { name: 'CARE_LEVEL', value: current ?? need('CARE_LEVEL', 'to change the care level'), action: 'DELETE' },
        {
          name: 'CARE_LEVEL_ASSET_ID',
          value: need('CARE_LEVEL_ASSET_ID', 'to change the care level'),
          action: 'DELETE',
        },
        { name: 'CARE_LEVEL', value: care, action: 'ADD' },
      );
    }
  }
  const ips = target.get('STATIC_IP_REQUESTED');
  if (ips !== undefined && ips !== has.STATIC_IP_REQUESTED) {
    if (has.DYNAMIC_IP_ASSET_ID)
      out.push({ name: 'DYNAMIC_IP_ASSET_ID', value: has.DYNAMIC_IP_ASSET_ID, action: 'DELETE' });
    else if (has.STATIC_IP_ASSET_ID)
      out.push({ name: 'STATIC_IP_ASSET_ID', value: has.STATIC_IP_ASSET_ID, action: 'DELETE' });
    else
      p.add(
        `serviceId: the record of ${service.serviceId} has no DYNAMIC_IP_ASSET_ID or STATIC_IP_ASSET_ID, needed to change the IP product`,
      );
    out.push({ name: 'STATIC_IP_REQUESTED', value: ips, action: 'ADD' });
  }
  for (const [name, value] of target) {
    if (name === 'LINE_PROFILE' || name === 'CARE_LEVEL' || name === 'STATIC_IP_REQUESTED') continue;
    if (!SET_OUTRIGHT.includes(name)) {
      p.add(
        `${serviceChar(name)}: cannot be changed by intent; allowed: LINE_PROFILE, CARE_LEVEL, STATIC_IP_REQUESTED, ${SET_OUTRIGHT.join(', ')}`,
      );
      continue;
    }
    if (has[name] !== value) out.push({ name, value, action: 'ADD' });
  }
  p.throwIfAny();
  if (out.every((c) => c.action === 'NONE'))
    p.add(
      `serviceCharacteristics: nothing to change; ${service.serviceId} already has ${[...target].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
  p.throwIfAny();
  return { ...req, serviceCharacteristics: out };
}
