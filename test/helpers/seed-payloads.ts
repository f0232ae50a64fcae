import { readFileSync } from 'node:fs';

const SEED_000 = 'docs/seeds/000_3850501a1ea0fa09.txt';
const SEED_001 = 'docs/seeds/001_77c12d152b11a516.txt';

/**
 * A request payload of seed 000 exactly as the seed prints it: the JSON lines from the `{` that opens the payload
 * holding `anchor` to the `}` that closes it. The provide payload is printed in five sections with prose in
 * between; prose lines (anything not starting with a JSON token) are skipped, so the sections join into one
 * payload. Nothing is edited: what the test compares against is the seed's text.
 */
export function seed000Payload(anchor: string): Record<string, unknown> {
  return seedJson(SEED_000, anchor);
}

/** Seed 001's POQ answer, exactly as the seed prints it. */
export const seed001PoqResponse = () => seedJson(SEED_001, '"expirationDate": "2023-07-26T09:51:24.304Z"');

function seedJson(file: string, anchor: string): Record<string, unknown> {
  const lines = readFileSync(file, 'utf8').split('\n');
  let i = lines.findIndex((l) => l.includes(anchor));
  if (i < 0) throw new Error(`${file} has no payload with ${anchor}`);
  while (!/^\s*\{\s*$/.test(lines[i]!)) i--;
  const json: string[] = [];
  let depth = 0;
  for (; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (!/^[{}[\]"]/.test(t)) continue;
    json.push(lines[i]!);
    for (const c of t.replace(/"(?:[^"\\]|\\.)*"/g, ''))
      depth += c === '{' || c === '[' ? 1 : c === '}' || c === ']' ? -1 : 0;
    if (depth === 0) break;
  }
  return JSON.parse(json.join('\n')) as Record<string, unknown>;
}

/** Where each seed 000 request payload is, by the text that only it holds. */
export const SEED_000_PAYLOADS = {
  provide: '"externalId": "45671012MZNM-P-1697133014501"',
  modifyTechnologyChange: '"externalId": "Modify Product Familiy Migration FTTC to FTTP"',
  modifyRegrade: '"externalId": "Modify Change Speed"',
  modifyRootAttributeAndChildren: '"externalId": "Modify Traffic Weighting Dynamic IP and Standard Care"',
  modifyCareLevel: '"externalId": "Modify Standard to Enhanced Care"',
  cease: '"externalId": "Broadband One Cease"',
  amend: '"requestedCompletionDate": "2022-12-22T00:00:00Z"',
  cancel: '"cancellationReason": "Placed in error / duplicate"',
} as const;
