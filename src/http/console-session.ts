import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'bb1_console';
export const SESSION_TTL_MS = 8 * 3600_000;

export interface ConsoleSession {
  sid: string;
  expiresAt: number;
}

const b64 = (b: Buffer) => b.toString('base64url');

/** Equal strings, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One cookie from the Cookie header (no dependency: the console sets exactly one). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * Operator console sessions as signed cookies: `<sid>.<expiry>.<hmac>`, keyed from the operator token, so any
 * instance sharing the token accepts them and changing the token ends every session. Sign-out revokes the
 * session id on this instance until it would have expired (and clears the cookie). Each session has a CSRF
 * token derived from its id, which state-changing calls made with the cookie must present.
 */
export class ConsoleSessions {
  private readonly revoked = new Map<string, number>();
  constructor(
    private readonly operatorToken: () => string | undefined,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  private key(): Buffer | undefined {
    const token = this.operatorToken();
    return token ? createHmac('sha256', token).update('bb1-connector console session v1').digest() : undefined;
  }
  private mac(key: Buffer, text: string): string {
    return b64(createHmac('sha256', key).update(text).digest());
  }

  /** A new session: the cookie value and when it expires. */
  issue(now = Date.now()): { value: string; session: ConsoleSession } {
    const key = this.key();
    if (!key) throw new Error('no operator token configured');
    const sid = b64(randomBytes(18));
    const expiresAt = now + this.ttlMs;
    return { value: `${sid}.${expiresAt}.${this.mac(key, `${sid}.${expiresAt}`)}`, session: { sid, expiresAt } };
  }

  /** The session a cookie value names, if it is genuine, unexpired and not signed out. */
  verify(value: string | undefined, now = Date.now()): ConsoleSession | undefined {
    const key = this.key();
    const m = value?.match(/^([A-Za-z0-9_-]{24})\.(\d{13})\.([A-Za-z0-9_-]{43})$/);
    if (!key || !m) return undefined;
    const [, sid, exp, mac] = m as unknown as [string, string, string, string];
    if (!sameSecret(mac, this.mac(key, `${sid}.${exp}`))) return undefined;
    const expiresAt = Number(exp);
    if (expiresAt <= now || this.revoked.has(sid)) return undefined;
    return { sid, expiresAt };
  }

  csrfToken(s: ConsoleSession): string {
    return this.mac(this.key() ?? Buffer.alloc(32), `csrf:${s.sid}`);
  }

  revoke(s: ConsoleSession, now = Date.now()): void {
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
    this.revoked.set(s.sid, s.expiresAt);
  }
}

/** The cookie's attributes: HttpOnly, SameSite=Strict, whole site (the console calls /ops/*), Secure over TLS. */
export function sessionCookie(res: Response, req: Request, value: string, maxAgeMs: number, secure: boolean): void {
  const attrs = [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secure || req.secure) attrs.push('Secure');
  res.append('Set-Cookie', attrs.join('; '));
}
