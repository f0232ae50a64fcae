import express, { type Request, type Response } from 'express';
import type { Server } from 'node:http';

type Handler = (req: Request, res: Response, n: number) => void;

/** A programmable BB1 on a real port: each path answers with the handler the test sets; every call is recorded. */
export async function startBb1Stub() {
  const calls: { method: string; path: string; auth?: string; body: unknown; query: unknown; at: number }[] = [];
  const handlers = new Map<string, Handler>();
  let tokenCount = 0;
  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.use((req, res) => {
    calls.push({
      method: req.method,
      path: req.path,
      auth: req.get('Authorization'),
      body: req.body,
      query: req.query,
      at: Date.now(),
    });
    const key = `${req.method} ${req.path}`;
    const n = calls.filter((c) => `${c.method} ${c.path}` === key).length;
    if (req.path === '/oauth/accesstoken' && !handlers.has(key)) {
      tokenCount += 1;
      return res.json({ access_token: `token-${tokenCount}`, expires_in: 3600 });
    }
    const h = handlers.get(key) ?? handlers.get(`${req.method} *`);
    if (!h) return res.status(404).json({ code: '60', message: `stub has no handler for ${key}` });
    h(req, res, n);
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls,
    get tokens() {
      return tokenCount;
    },
    on(method: string, path: string, h: Handler) {
      handlers.set(`${method} ${path}`, h);
    },
    count(method: string, path: string) {
      return calls.filter((c) => c.method === method && c.path === path).length;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

type Stub = Awaited<ReturnType<typeof startBb1Stub>>;

/** What the stub does with an order POST: take it or not, then answer, reset the connection, or never answer. */
export type CreateFault = { take: boolean; then: number | 'reset' | 'hang'; retryAfter?: string; delayMs?: number };

/**
 * BB1's order book on the stub: POST productOrder takes orders (unless `fault` says otherwise for this attempt)
 * and answers 202 with BB1's id; a POST for an externalId it already holds is counted as a duplicate and refused
 * as BB1 would; GET productOrder?externalId= (and /{id}) shows what it holds, as `view` builds it.
 */
export function bb1OrderBook(
  stub: Stub,
  opts: {
    fault?: (externalId: string, attempt: number, body: Record<string, unknown>) => CreateFault | undefined;
    /** the query cannot answer (e.g. 500) */
    queryDown?: () => boolean;
    view?: (o: { id: string; externalId: string; body: Record<string, unknown> }) => Record<string, unknown>;
  } = {},
) {
  const path = '/hubco/tmf/productOrderingManagement/v4/productOrder';
  const held = new Map<string, { id: string; externalId: string; body: Record<string, unknown> }>();
  const attempts = new Map<string, number>();
  const duplicates: string[] = [];
  const hanging: Response[] = [];
  let next = 500100;
  const view = (o: { id: string; externalId: string; body: Record<string, unknown> }) =>
    opts.view?.(o) ?? {
      id: o.id,
      externalId: o.externalId,
      productOrderItem: [{ id: '100', internalId: '0000000001', action: 'add', state: 'acknowledged' }],
      relatedParty: o.body.relatedParty,
    };
  stub.on('POST', path, (req, res) => {
    const body = req.body as Record<string, unknown>;
    const externalId = String(body.externalId);
    const n = (attempts.get(externalId) ?? 0) + 1;
    attempts.set(externalId, n);
    if (held.has(externalId)) {
      duplicates.push(externalId);
      return res.status(400).json({ code: '27', message: `Duplicate externalId ${externalId}` });
    }
    const f = opts.fault?.(externalId, n, body) ?? { take: true, then: 202 };
    const id = String(next++).padStart(8, '0');
    if (f.take) held.set(externalId, { id, externalId, body });
    const answer = () => {
      if (f.then === 'reset') return req.socket.destroy();
      if (f.then === 'hang') return void hanging.push(res);
      if (f.retryAfter) res.setHeader('Retry-After', f.retryAfter);
      if (f.then === 202) return res.status(202).json({ id, externalId, state: 'acknowledged' });
      res.status(f.then).json({ code: String(f.then), message: `stub answers ${f.then}` });
    };
    if (f.delayMs) setTimeout(answer, f.delayMs);
    else answer();
  });
  stub.on('GET', path, (req, res) => {
    if (opts.queryDown?.()) return res.status(500).json({ message: 'query unavailable' });
    const externalId = String(req.query.externalId ?? '');
    res.json([...held.values()].filter((o) => o.externalId === externalId).map(view));
  });
  return {
    held,
    attempts,
    duplicates,
    /** answers every POST left hanging (their callers have long timed out) */
    release() {
      for (const res of hanging.splice(0)) if (!res.headersSent) res.status(504).end();
    },
  };
}
