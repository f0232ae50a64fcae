import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from './database.js';

// SQLSTATE classes and codes that mean "the database cannot serve us now", not "this statement is wrong":
// 08 connection exception, 53 insufficient resources, 57P01–57P03 shutdown / cannot connect now, 58 system error.
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[123]|58)/;
// Transient: the same statement may succeed when retried (serialisation failure, deadlock, lock timeout).
const TRANSIENT_SQLSTATE = /^(40001|40P01|55P03)$/;
const UNAVAILABLE_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|PGlite is closed|Client was closed|not currently accepting connections|too many connections/i;

/** The database is unreachable, shutting down or out of connections (answer 503 and retry later). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  return (
    (code.length === 5 && UNAVAILABLE_SQLSTATE.test(code)) ||
    UNAVAILABLE_SOCKET.has(code) ||
    UNAVAILABLE_MESSAGE.test(String(e.message ?? ''))
  );
}

/** Worth answering 503 with Retry-After: unavailable, or a transient conflict. */
export function isDatabaseTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return isDatabaseUnavailable(err) || (typeof code === 'string' && TRANSIENT_SQLSTATE.test(code));
}

export interface DatabaseHealthOptions {
  /** time between probes while the database is up (default 5 s) and while it is down (default 1 s) */
  intervalMs?: number;
  downIntervalMs?: number;
  /** a probe that takes longer counts as a failure */
  probeTimeoutMs?: number;
}

/**
 * Whether the database answers, for /ready: a cheap `SELECT 1` every few seconds, and at once when a
 * request or worker reports an error that says the database is unavailable; while down, probed every
 * second until it answers again.
 */
export class DatabaseHealth {
  private up = true;
  private timer?: NodeJS.Timeout;
  private probing?: Promise<void>;
  private stopped = true;
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly opts: DatabaseHealthOptions = {},
  ) {}

  get available(): boolean {
    return this.up;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Called with any error a request or worker met: an unavailable database is marked down and probed. */
  report(err: unknown): void {
    if (!isDatabaseUnavailable(err)) return;
    if (this.up) this.log.warn({ err: { message: (err as Error).message } }, 'database unavailable');
    this.up = false;
    this.schedule(0);
  }

  /** One probe now (also used by tests); resolves once its outcome is recorded. */
  probe(): Promise<void> {
    this.probing ??= this.runProbe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async runProbe(): Promise<void> {
    const timeoutMs = this.opts.probeTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql`SELECT 1`.execute(this.db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`database probe took over ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (!this.up) this.log.info('database available again');
      this.up = true;
    } catch (e) {
      if (this.up) this.log.warn({ err: { message: (e as Error).message } }, 'database probe failed');
      this.up = false;
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(delay = this.up ? (this.opts.intervalMs ?? 5000) : (this.opts.downIntervalMs ?? 1000)): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.probe().then(() => this.schedule());
    }, delay);
    this.timer.unref();
  }
}
