import type { Bb1Mappings, Technology } from '../mappings/indexed.js';
import { Problems } from './translation-error.js';
import { serviceChar } from './characteristics.js';
import { actioned } from './modify.js';
import { T_ITEM, T_NOTE, T_ORDER, T_PRODUCT, bb1Date, orderParties, orderableEcode } from './common.js';
import type { Bb1Account, Json, OrderRequest } from './types.js';
import { ROOT_ITEM_ID } from './provide.js';

/** CEASE → root `delete` with the asset id and a CessationInstruction note (seed 000 "Cease"). */
export function buildCease(
  m: Bb1Mappings,
  req: OrderRequest,
  account: Bb1Account,
  externalId: string,
): { payload: Json; technology: Technology; ecode: string } {
  const p = new Problems();
  if (!req.serviceCharacteristics) {
    p.add('serviceCharacteristics: required for a CEASE order');
    p.throwIfAny();
  }
  const a = actioned(m, req.serviceCharacteristics!, p);
  const assetId = a.get('SERVICE_ASSET_ID')?.NONE;
  const lp = a.get('LINE_PROFILE')?.NONE;
  if (!assetId)
    p.add(`${serviceChar('SERVICE_ASSET_ID')}: required with action NONE (the asset id from the provide order's KCIs)`);
  if (!lp) p.add(`${serviceChar('LINE_PROFILE')}: the active line profile is required with action NONE`);
  for (const name of a.keys())
    if (name !== 'SERVICE_ASSET_ID' && name !== 'LINE_PROFILE' && name !== 'SERVICE_ID')
      p.add(
        `${serviceChar(name)}: not used on a CEASE order (send LINE_PROFILE and SERVICE_ASSET_ID with action NONE)`,
      );
  p.throwIfAny();
  const row = m.lineProfile(lp!)!;
  const ecode = orderableEcode(row, 'a cease of it', p);
  const tech = row.technology as Technology;
  const table = m.tables['cessation-reasons'];
  const reason = req.ceaseReason ?? table.default;
  const r = table.cessationReasons.find(
    (x) => x.reason === reason && (!x.technologies || x.technologies.includes(tech)),
  );
  if (!r) {
    p.add(
      `ceaseReason: "${reason}" is not allowed for ${tech}; allowed: ${table.cessationReasons
        .filter((x) => !x.technologies || x.technologies.includes(tech))
        .map((x) => x.reason)
        .join(', ')}`,
    );
  }
  p.throwIfAny();
  const payload: Json = { externalId };
  if (req.requestedCompletionDate) payload.requestedCompletionDate = bb1Date(req.requestedCompletionDate);
  payload.productOrderItem = [
    {
      id: ROOT_ITEM_ID,
      action: 'delete',
      product: { id: assetId, productOffering: { id: ecode }, '@type': T_PRODUCT },
      note: { text: r!.bb1Text, type: 'CessationInstruction', '@type': T_NOTE },
      '@type': T_ITEM,
    },
  ];
  payload.relatedParty = orderParties(account, req);
  payload['@type'] = T_ORDER;
  return { payload, technology: tech, ecode };
}
