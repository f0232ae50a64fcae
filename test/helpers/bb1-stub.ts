import express, { type Request, type Response } from 'express';
import type { Server } from 'node:http';

type Handler = (req: Request, res: Response, n: number) => void;

/** A programmable BB1 on a real port: each path answers with the handler the test sets; every call is recorded. */
export async function startBb1Stub() {
  const calls: { method: string; path: string; auth?: string; body: unknown }[] = [];
  const handlers = new Map<string, Handler>();
  let tokenCount = 0;
  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.use((req, res) => {
    calls.push({ method: req.method, path: req.path, auth: req.get('Authorization'), body: req.body });
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
