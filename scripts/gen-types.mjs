// Generates src/generated/*.ts from openapi/*.yaml with openapi-typescript; `--check` fails if they drifted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const check = process.argv.includes('--check');
const specs = readdirSync('openapi')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));
const out = check ? mkdtempSync(join(tmpdir(), 'gen-')) : 'src/generated';
const drift = [];
for (const name of specs) {
  const target = join(out, `${name}.ts`);
  execFileSync(process.execPath, ['node_modules/openapi-typescript/bin/cli.js', `openapi/${name}.yaml`, '-o', target], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(`src/generated/${name}.ts`, 'utf8');
    } catch {
      /* missing */
    }
    if (committed !== readFileSync(target, 'utf8')) drift.push(name);
  }
}
if (drift.length) {
  console.error(`generated types are out of date for: ${drift.join(', ')} — run npm run gen:types and commit`);
  process.exit(1);
}
console.log(check ? `generated types up to date (${specs.length} specs)` : `generated ${specs.length} type files`);
