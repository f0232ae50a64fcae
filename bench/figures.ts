import { readFileSync } from 'node:fs';

/** The Node flags `npm run start:prod` runs the service with (the benches run it the same way). */
export const PROD_NODE_FLAGS = (JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'] as string)
  .split(/\s+/)
  .filter((a) => a.startsWith('--'));

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

export const ms = (x: number) => `${x.toFixed(1)} ms`;
