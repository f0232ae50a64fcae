import express, { Router } from 'express';
import type { AppContext } from '../../context.js';

/** The demo tenant's built-in KCI webhook and a way to read what it received (only when enabled). */
export function demoInboxRoutes(ctx: AppContext): Router {
  const r = Router();
  if (!ctx.demoInbox) return r;
  const inbox = ctx.demoInbox;
  r.post('/demo/inbox/kcis', express.json({ limit: '1mb' }), (req, res) => {
    inbox.received.push(req.body as Record<string, unknown>);
    if (inbox.received.length > 1000) inbox.received.splice(0, inbox.received.length - 1000);
    res.status(204).end();
  });
  r.get('/demo/inbox/kcis', (req, res) => {
    const order = req.query.orderId ? Number(req.query.orderId) : undefined;
    res.json(order ? inbox.received.filter((k) => (k.entity as { id?: number })?.id === order) : inbox.received);
  });
  return r;
}
