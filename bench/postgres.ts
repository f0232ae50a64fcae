// A throw-away PostgreSQL database for a benchmark, when 127.0.0.1:5432 (or BENCH_DATABASE_URL) answers.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const base = () =>
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

export async function postgresUrl(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: base(), connectionTimeoutMillis: 1500 });
  c.on('error', () => {});
  try {
    await c.connect();
  } catch {
    return undefined;
  }
  const name = `bb1bench_${randomBytes(4).toString('hex')}`;
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(base());
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropPostgres(url: string) {
  const name = new URL(url).pathname.slice(1);
  const c = new pg.Client({ connectionString: base() });
  c.on('error', () => {});
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
}
