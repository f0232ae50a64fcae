import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, sql } from 'kysely';
import express from 'express';
import request from 'supertest';
import * as jose from 'jose';

test('stack spike', async () => {
  const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite: new PGlite() }) });
  const r = await sql<{ v: number }>`select 1::int8 as v`.execute(db);
  const app = express();
  app.get('/x', (_req, res) => { res.json({ v: r.rows[0]!.v }); });
  const res = await request(app).get('/x');
  const { privateKey } = await jose.generateKeyPair('ES256');
  const jwt = await new jose.SignJWT({}).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
  expect(res.body.v).toBe(1);
  expect(jwt.split('.')).toHaveLength(3);
  await db.destroy();
});
