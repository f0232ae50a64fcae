import { pino, type Logger } from 'pino';

/** Paths never logged: credentials, tokens, end-user contact details, request bodies and parameters. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'client_secret',
  '*.client_secret',
  'clientSecret',
  '*.clientSecret',
  'access_token',
  '*.access_token',
  'password',
  '*.password',
  'signingSecret',
  '*.signingSecret',
  'primaryContact',
  '*.primaryContact',
  'secondaryContact',
  '*.secondaryContact',
  'email',
  '*.email',
  'phoneNumber',
  '*.phoneNumber',
  'relatedParty',
  '*.relatedParty',
  'body',
  '*.body',
  'raw',
  '*.raw',
  'params',
  '*.params',
  'query',
  '*.query',
];

// What an error may say in a log line. Everything else an error object carries is dropped: a database
// error's `detail` / `where` (the row's values), `params` and `query` (PGlite: the statement and its values),
// body-parser's `body`, axios's `config` / `request` / `response` (bodies sent to and received from BB1).
const ERROR_FIELDS = [
  'message',
  'code',
  'status',
  'statusCode',
  'severity',
  'routine',
  'table',
  'column',
  'constraint',
  'errno',
  'syscall',
] as const;
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g;
const PHONE = /\+?\d[\d ()-]{7,}\d/g;
/** Contact details an error message might quote from the data it choked on. */
export const scrub = (s: string) => s.replace(EMAIL, '[email]').replace(PHONE, '[number]');

export function serializeError(err: unknown, depth = 0): unknown {
  if (!err || typeof err !== 'object') return typeof err === 'string' ? scrub(err) : err;
  const e = err as Record<string, unknown>;
  const out: Record<string, unknown> = { type: (err as Error).constructor?.name ?? 'Error' };
  for (const k of ERROR_FIELDS) {
    const v = e[k];
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' ? scrub(v) : typeof v === 'number' ? v : String(v);
  }
  if (typeof e.stack === 'string') out.stack = scrub(e.stack);
  if (depth < 2 && e.cause) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'bb1-connector' },
      serializers: { err: serializeError, error: serializeError, e: serializeError },
    },
    destination,
  );
}

export type { Logger };
