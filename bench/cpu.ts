// CPU time spent by a process and by the PostgreSQL backends serving a database, read from /proc (Linux):
// work per KSU is what the neighbours on a shared machine do not change much, unlike wall-clock rates.
import { readFileSync } from 'node:fs';
import pg from 'pg';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms (0 when it is gone or /proc is not there). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS; // fields 14 and 15, counted from the state (field 3)
  } catch {
    return 0;
  }
}

/** A meter over one process and the Postgres backends of one database (when a URL is given). */
export function cpuMeter(pid: number, databaseUrl?: string) {
  const backends = async (): Promise<Map<number, number>> => {
    if (!databaseUrl) return new Map();
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    const r = await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await c.end();
    return new Map(r.rows.map((x) => [x.pid, processCpuMs(x.pid)]));
  };
  return {
    /** Starts counting; the returned function gives ms of CPU since (backends that exited meanwhile are missed). */
    async start(): Promise<() => Promise<{ processMs: number; databaseMs: number }>> {
      const p0 = processCpuMs(pid);
      const b0 = await backends();
      return async () => {
        const b1 = await backends();
        let databaseMs = 0;
        for (const [id, ms] of b1) databaseMs += ms - (b0.get(id) ?? 0);
        return { processMs: processCpuMs(pid) - p0, databaseMs };
      };
    },
  };
}
