import { scrub } from '../../platform/log.js';

/** How much of a tenant's answer to a failed delivery is kept for operators. */
export const EXCERPT_BYTES = 2048;

// A credential in the answer: a JSON or form field whose name says secret, or an Authorization-style value.
const SECRET_FIELD =
  /("?[\w-]*(?:secret|token|password|passwd|authori[sz]ation|api[_-]?key|credential)[\w-]*"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,&}]+)/gi;
const SCHEMES = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

/**
 * The first 2 KB of a tenant's answer, as an operator may see it: credentials and end-user contact details
 * (emails, phone numbers) replaced, whatever the body's format.
 */
export function responseExcerpt(body: Buffer | string | undefined): string | null {
  if (body === undefined || body.length === 0) return null;
  const text = (typeof body === 'string' ? Buffer.from(body) : body).subarray(0, EXCERPT_BYTES).toString('utf8');
  return scrub(text.replace(SECRET_FIELD, '$1[redacted]').replace(SCHEMES, '$1 [redacted]')).replaceAll('\u0000', '');
}
