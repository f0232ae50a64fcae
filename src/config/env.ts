import { z } from 'zod';

/** Standard Webhooks retry schedule (seconds between attempts): now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const STANDARD_WEBHOOKS_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

const schedule = z.string().transform((s, ctx) => {
  const parts = s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const nums = parts.map(Number);
  if (nums.length === 0 || nums.some((n) => !Number.isFinite(n) || n < 0)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'must be comma-separated non-negative seconds, e.g. "5,300,1800"',
    });
    return z.NEVER;
  }
  return nums;
});

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DATA_DIR: z.string().default('./data/pglite'),
  TENANTS_FILE: z.string().optional(),
  PUBLIC_BASE_URL: z.string().url().optional(),
  MAPPINGS_DIR: z.string().default('./mappings'),
  KCI_RETRY_SCHEDULE: schedule.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OPERATOR_TOKEN: z.string().min(16).optional(),
  KCI_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
  VALIDATE_RESPONSES: z.enum(['true', 'false']).optional(),
  AUTH_FAILURES_PER_CLIENT: z.coerce.number().int().positive().default(10),
  AUTH_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(30),
  AUTH_FAILURE_WINDOW_S: z.coerce.number().int().positive().default(60),
  RETENTION_KCI_DAYS: z.coerce.number().positive().default(30),
  RETENTION_KSU_DAYS: z.coerce.number().positive().default(30),
  RETENTION_IDEMPOTENCY_HOURS: z.coerce.number().positive().default(24),
  IDEMPOTENCY_IN_PROGRESS_TIMEOUT_S: z.coerce.number().positive().default(120),
  SUPPLIER_SEND_WINDOW_S: z.coerce.number().positive().default(900),
  SUPPLIER_RETRY_BASE_MS: z.coerce.number().int().positive().default(1000),
  SUPPLIER_RETRY_MAX_MS: z.coerce.number().int().positive().default(60000),
  SUPPLIER_SEND_LEASE_S: z.coerce.number().positive().default(120),
  DISPATCH_CONCURRENCY: z.coerce.number().int().positive().max(1000).default(32),
  DISPATCH_PER_TENANT: z.coerce.number().int().positive().max(1000).default(4),
  RECONCILE_AFTER_S: z.coerce.number().min(0).default(21600),
  RECONCILE_INTERVAL_S: z.coerce.number().positive().default(300),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  port: number;
  databaseUrl?: string;
  pgliteDataDir: string;
  tenantsFile?: string;
  publicBaseUrl?: string;
  mappingsDir: string;
  kciRetrySchedule: number[];
  logLevel: Env['LOG_LEVEL'];
  operatorToken?: string;
  kciTimeoutMs: number;
  validateResponses: boolean;
  /** token endpoints: failed attempts allowed per client id and per remote address in each window */
  authFailuresPerClient: number;
  authFailuresPerAddress: number;
  authFailureWindowS: number;
  /** how long delivered KCIs, applied KSUs and finished Idempotency-Keys are kept */
  retention: { kciDays: number; ksuDays: number; idempotencyHours: number };
  /** an Idempotency-Key still IN_PROGRESS after this long is taken as abandoned (its request died) */
  idempotencyInProgressTimeoutS: number;
  /** sending to suppliers (src/orders/dispatch.ts) */
  dispatch: DispatchConfig;
  /** open orders without news refreshed from the supplier's view (src/orders/reconcile.ts); afterS 0: off */
  reconcile: { afterS: number; intervalS: number };
}

export interface DispatchConfig {
  /** how long an order, amendment or cancellation is tried (transient refusals) or looked for at the supplier
   * (a send that may have reached it) before its tenant is told it failed */
  windowS: number;
  /** backoff between attempts: doubling from base up to max (±20 % jitter); a Retry-After is honoured */
  retryBaseMs: number;
  retryMaxMs: number;
  /** a send still in flight this long after it started is taken as cut short (its process died) */
  leaseS: number;
  /** supplier calls in flight at once, in all and per tenant */
  concurrency: number;
  perTenant: number;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Reads the connector's own settings from the environment, listing every problem at the same time. Each
 * supplier reads its own (src/suppliers/<id>/config.ts).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    pgliteDataDir: e.PGLITE_DATA_DIR,
    tenantsFile: e.TENANTS_FILE,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/$/, ''),
    mappingsDir: e.MAPPINGS_DIR,
    kciRetrySchedule: e.KCI_RETRY_SCHEDULE ?? STANDARD_WEBHOOKS_SCHEDULE,
    logLevel: e.LOG_LEVEL,
    operatorToken: e.OPERATOR_TOKEN,
    kciTimeoutMs: e.KCI_TIMEOUT_MS,
    validateResponses: e.VALIDATE_RESPONSES ? e.VALIDATE_RESPONSES === 'true' : env.NODE_ENV === 'test',
    authFailuresPerClient: e.AUTH_FAILURES_PER_CLIENT,
    authFailuresPerAddress: e.AUTH_FAILURES_PER_ADDRESS,
    authFailureWindowS: e.AUTH_FAILURE_WINDOW_S,
    retention: {
      kciDays: e.RETENTION_KCI_DAYS,
      ksuDays: e.RETENTION_KSU_DAYS,
      idempotencyHours: e.RETENTION_IDEMPOTENCY_HOURS,
    },
    idempotencyInProgressTimeoutS: e.IDEMPOTENCY_IN_PROGRESS_TIMEOUT_S,
    dispatch: {
      windowS: e.SUPPLIER_SEND_WINDOW_S,
      retryBaseMs: e.SUPPLIER_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.SUPPLIER_RETRY_MAX_MS, e.SUPPLIER_RETRY_BASE_MS),
      leaseS: e.SUPPLIER_SEND_LEASE_S,
      concurrency: e.DISPATCH_CONCURRENCY,
      perTenant: Math.min(e.DISPATCH_PER_TENANT, e.DISPATCH_CONCURRENCY),
    },
    reconcile: { afterS: e.RECONCILE_AFTER_S, intervalS: e.RECONCILE_INTERVAL_S },
  };
}
