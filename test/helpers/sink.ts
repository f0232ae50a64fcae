import express from 'express';
import type { Server } from 'node:http';

export interface ReceivedKci {
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

/**
 * A real HTTP tenant webhook for tests. `respond` decides each answer (default 204), so a test can make
 * the tenant fail and recover. `waitFor` resolves when a condition over what arrived holds (no sleeps).
 */
export async function startKciSink() {
  const received: ReceivedKci[] = [];
  let respond: (
    k: ReceivedKci,
    n: number,
  ) => { status: number; headers?: Record<string, string>; hold?: boolean; body?: string } = () => ({ status: 204 });
  const heldOpen: import('express').Response[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  let attempts = 0;
  const app = express();
  app.use(express.json({ limit: '2mb' }));
  app.post('/kcis', (req, res) => {
    const k: ReceivedKci = { body: req.body, headers: req.headers, at: Date.now() };
    attempts += 1;
    const r = respond(k, attempts);
    if (r.hold) {
      heldOpen.push(res);
      return;
    } // never answer: the sender is left waiting
    if (r.status >= 200 && r.status < 300) received.push(k);
    for (const [h, v] of Object.entries(r.headers ?? {})) res.setHeader(h, v);
    res.status(r.status).end(r.body);
    for (const w of [...waiters])
      if (w.check()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/kcis`;
  return {
    url,
    received,
    get attempts() {
      return attempts;
    },
    setResponder(f: typeof respond) {
      respond = f;
    },
    /** Answers the requests held open so far (their KCIs count as received if `status` is 2xx). */
    release(status = 204) {
      for (const res of heldOpen.splice(0)) res.status(status).end();
    },
    get held() {
      return heldOpen.length;
    },
    forOrder(tenantOrderId: number) {
      return received.filter((k) => (k.body.entity as { id?: number })?.id === tenantOrderId);
    },
    waitFor(check: () => boolean, timeoutMs = 20000): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new Error(
                `sink condition not met in ${timeoutMs} ms; received ${received.length} KCIs: ${JSON.stringify(received.map((k) => [(k.body.entity as { id?: number })?.id, k.body.sequenceNumber, (k.body.information ?? k.body.actionRequired ?? k.body.error) as unknown]))}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          check,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
