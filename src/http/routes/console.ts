import express, { Router, type Request, type Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../context.js';
import { projectRoot } from '../../platform/paths.js';
import { operatorAccess } from '../middleware/operator-auth.js';
import { formBody } from '../middleware/limits.js';
import { readCookie, sameSecret, sessionCookie, SESSION_COOKIE, SESSION_TTL_MS } from '../console-session.js';

const CONSOLE_DIR = join(projectRoot(), 'console');

/** The console's pages may load only their own scripts and styles, and only talk to this service. */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer the browser sends `Origin: null` on our own form posts.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The operator console: static pages and ES modules from `console/` (no build step, no CDN), over the
 * /ops/* API. Signing in exchanges the operator token once for a session cookie (see console-session.ts).
 */
export function consoleRoutes(ctx: Pick<AppContext, 'config' | 'log'>): Router {
  const r = Router();
  const access = operatorAccess(ctx.config);
  const appPage = readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8');
  const signInPage = readFileSync(join(CONSOLE_DIR, 'sign-in.html'), 'utf8');
  const session = (req: Request) => access.sessions.verify(readCookie(req, SESSION_COOKIE));
  const page = (res: Response, status: number, html: string) =>
    res.status(status).set(PAGE_HEADERS).type('html').send(html);
  const signIn = (res: Response, status: number, message = '') =>
    page(
      res,
      status,
      signInPage.replace('{{MESSAGE}}', message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''),
    );

  r.use('/console/assets', express.static(join(CONSOLE_DIR, 'assets'), { index: false }));
  r.get(['/console', '/console/'], (req, res) => {
    const s = session(req);
    if (!s) return res.redirect(303, '/console/sign-in');
    page(res, 200, appPage.replace('{{CSRF_TOKEN}}', access.sessions.csrfToken(s)));
  });
  r.get('/console/sign-in', (req, res) => {
    if (session(req)) return res.redirect(303, '/console');
    signIn(res, 200);
  });
  r.post('/console/session', formBody(), (req, res) => {
    if (!access.sameOrigin(req)) return signIn(res, 403, 'Sign in from the console page itself.');
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const expected = ctx.config.operatorToken;
    if (!expected || !token || !sameSecret(token, expected)) {
      req.log?.info('console sign-in refused: wrong operator token');
      return signIn(res, 401, 'That is not the operator token.');
    }
    const issued = access.sessions.issue();
    sessionCookie(res, req, issued.value, SESSION_TTL_MS, access.secureCookies);
    req.log?.info({ sessionExpires: new Date(issued.session.expiresAt).toISOString() }, 'console session started');
    res.redirect(303, '/console');
  });
  r.post('/console/sign-out', access.guard, (req, res) => {
    if (req.operator?.via === 'session') access.sessions.revoke(req.operator.session);
    sessionCookie(res, req, '', 0, access.secureCookies);
    res.status(204).end();
  });
  return r;
}
