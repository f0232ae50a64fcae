import { z } from 'zod';

/** The BB1 adapter's own settings, from the environment (README "Configuration"). */
const EnvSchema = z.object({
  BB1_BASE_URL: z.string().url().optional(),
  BB1_TOKEN_URL: z.string().url().optional(),
  BB1_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
  SANDBOX_PACE_MS: z.coerce.number().int().min(0).default(1500),
  SANDBOX_KSU_CLIENTS: z.string().optional(),
});

export interface Bb1Config {
  /** unset: the built-in sandbox is started and used */
  baseUrl?: string;
  tokenUrl?: string;
  timeoutMs: number;
  sandboxPaceMs: number;
  /** with your own tenants file and no BB1_BASE_URL: the KSU clients the sandbox calls back with, by CUG */
  sandboxKsuClients: Record<string, { clientId: string; clientSecret: string }>;
}

const KsuClients = z.record(z.string(), z.object({ clientId: z.string(), clientSecret: z.string() }));

/** Reads the BB1 settings; returns every problem at once (the caller lists them with the rest). */
export function bb1Config(env: Record<string, string | undefined>): { config?: Bb1Config; problems: string[] } {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  const e = parsed.data;
  let clients: Bb1Config['sandboxKsuClients'] = {};
  if (e.SANDBOX_KSU_CLIENTS) {
    let json: unknown;
    try {
      json = JSON.parse(e.SANDBOX_KSU_CLIENTS);
    } catch {
      return { problems: ['SANDBOX_KSU_CLIENTS: is not JSON ({"CUG…": {"clientId": …, "clientSecret": …}})'] };
    }
    const c = KsuClients.safeParse(json);
    if (!c.success) return { problems: ['SANDBOX_KSU_CLIENTS: must be {"CUG…": {"clientId": …, "clientSecret": …}}'] };
    clients = c.data;
  }
  return {
    problems: [],
    config: {
      baseUrl: e.BB1_BASE_URL?.replace(/\/$/, ''),
      tokenUrl: e.BB1_TOKEN_URL,
      timeoutMs: e.BB1_TIMEOUT_MS,
      sandboxPaceMs: e.SANDBOX_PACE_MS,
      sandboxKsuClients: clients,
    },
  };
}
