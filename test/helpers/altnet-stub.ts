import express from 'express';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * A stub altnet for tests: a real HTTP server speaking the Fibre Cafe Supplier API 1.15 under `basePath`, with
 * its own OAuth2 token endpoint (`/oauth/token`, checks the gateway's client), recording every request. `hang`
 * leaves calls unanswered; `answer` decides an order's status (default 202). Updates are pushed by `push`,
 * through the connector's real token and /kcis endpoints, with the updates client it was given.
 */
export async function startAltnetStub(o: {
  supplierId: string;
  basePath: string;
  gateway: { clientId: string; clientSecret: string };
  updatesClient: { clientId: string; clientSecret: string };
}) {
  const requests: RecordedRequest[] = [];
  const tokens = new Set<string>();
  const held: express.Response[] = [];
  const state = {
    hang: false,
    orderAnswer: (_body: Record<string, unknown>) => ({ status: 202, body: undefined as unknown }),
  };
  let refs = 100;
  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.post('/oauth/token', (req, res) => {
    const basic = Buffer.from(String(req.get('Authorization') ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (basic !== `${o.gateway.clientId}:${o.gateway.clientSecret}` || req.body.grant_type !== 'client_credentials')
      return res.status(400).json({ error: 'invalid_client' });
    const t = randomUUID();
    tokens.add(t);
    res.json({ access_token: t, expires_in: 3600, token_type: 'Bearer' });
  });
  const api = express.Router();
  api.use((req, res, next) => {
    requests.push({ method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body });
    if (state.hang) return void held.push(res);
    if (!tokens.has(String(req.get('Authorization')).replace(/^Bearer /, '')))
      return res.status(401).json({ uuid: randomUUID(), code: 'NOT_AUTHORISED', messages: ['bad token'] });
    next();
  });
  api.get('/service-availability', (req, res) => {
    res.json({
      address: JSON.parse(String(req.query.address)),
      serviceSpecifications: [
        {
          id: 'FTTP',
          name: 'FTTH',
          serviceCharacteristics: [
            { name: 'LINE_PROFILE', values: ['900-100', '150-30'] },
            { name: 'MINIMUM_TERM_MONTHS', values: ['12', '24'] },
          ],
        },
      ],
      siteInformation: { line: { type: 'NEW', lineType: 'FIBRE', installationType: 'STANDARD' } },
    });
  });
  api.get('/addresses', (req, res) => {
    res.json([
      {
        identifier: { id: String(req.query.uprn ?? '200004033694'), type: 'UPRN' },
        name: 'THE FIBRE HOUSE',
        postcode: String(req.query.postalCode ?? 'LS1 1AA'),
        country: 'UK',
      },
      { name: 'not an address: no identifier' },
    ]);
  });
  api.get('/available-appointments', (_req, res) => {
    res.json({
      availableTimeslots: [
        { timeslotStartDateTime: '2026-12-14T08:00:00Z', timeslotEndDateTime: '2026-12-14T12:00:00Z' },
        { timeslotStartDateTime: '2026-12-19T13:00:00Z', timeslotEndDateTime: '2026-12-19T17:00:00Z' },
      ],
    });
  });
  api.post('/appointments', (req, res) => {
    res.status(201).json({ ...req.body, supplierReference: `APT-${refs++}`, expiryDateTime: '2026-12-31T00:00:00Z' });
  });
  api.post('/service-orders', (req, res) => {
    const a = state.orderAnswer(req.body);
    res.status(a.status);
    if (a.body === undefined) return res.end();
    res.json(a.body);
  });
  api.post('/service-order-amendments', (_req, res) => res.status(202).end());
  api.post('/service-order-cancellations', (req, res) =>
    res.status(201).json({ ...req.body, serviceOrderCancellationReference: `CAN-${refs++}` }),
  );
  app.use(o.basePath, api);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  let connectorToken: string | undefined;

  return {
    url,
    baseUrl: `${url}${o.basePath}`,
    tokenUrl: `${url}/oauth/token`,
    requests,
    state,
    calls: (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path),
    /** POSTs a Supplier Update to the connector as this altnet would; the connector's answer. */
    async push(connectorUrl: string, update: unknown, raw?: string) {
      if (!connectorToken) {
        const t = await fetch(`${connectorUrl}/v1/auth/supplier/access-token`, {
          method: 'POST',
          headers: {
            Authorization: `Basic ${Buffer.from(`${o.updatesClient.clientId}:${o.updatesClient.clientSecret}`).toString('base64')}`,
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        });
        if (t.status !== 200) throw new Error(`supplier token: ${t.status}`);
        connectorToken = ((await t.json()) as { access_token: string }).access_token;
      }
      const r = await fetch(`${connectorUrl}/v1/suppliers/${o.supplierId}/kcis`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${connectorToken}`,
          'Content-Type': 'application/json',
          'X-Request-ID': randomUUID(),
        },
        body: raw ?? JSON.stringify(update),
      });
      const text = await r.text();
      return {
        status: r.status,
        body: text ? (JSON.parse(text) as { code?: string; messages?: string[] }) : undefined,
      };
    },
    async stop() {
      for (const r of held.splice(0)) r.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
