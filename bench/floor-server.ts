// The floor: a bare Express + pg endpoint that inserts each body (one INSERT per request, as jsonb, on
// its own table in the same database) and answers 202. Run like the connector (own process, the same Node
// flags, a pool of the same size). Prints {"port":…} once ready; on SIGTERM prints {"peakRssMb":…}.
import express from 'express';
import pg from 'pg';

const databaseUrl = process.argv[2]!;
let peak = 0;
const t = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 50);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 12 });
await pool.query(
  'CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(), body jsonb NOT NULL)',
);
await pool.query('TRUNCATE bench_floor');
const app = express();
app.post('/ksus', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
  try {
    const r = await pool.query<{ id: string }>('INSERT INTO bench_floor (body) VALUES ($1::jsonb) RETURNING id', [
      (req.body as Buffer).toString('utf8'),
    ]);
    res.status(202).json({ id: Number(r.rows[0]!.id) });
  } catch {
    res.status(503).end();
  }
});
const server = app.listen(0, '127.0.0.1', () => {
  peak = 0;
  process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + '\n');
});
process.on('SIGTERM', async () => {
  clearInterval(t);
  process.stdout.write(JSON.stringify({ peakRssMb: Math.round(peak / 1048576) }) + '\n');
  server.close();
  await pool.end();
  process.exit(0);
});
