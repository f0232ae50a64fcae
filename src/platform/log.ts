import { pino, type Logger } from 'pino';

/** Paths never logged: credentials, tokens and end-user contact details. */
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
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'bb1-connector' } },
    destination,
  );
}

export type { Logger };
