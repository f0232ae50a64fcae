import express from 'express';
import axios from 'axios';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Logger } from 'pino';

export interface FibreCafeSandboxOptions {
  supplierId: string;
  port?: number;
  /** where the connector listens: updates go to {connectorBaseUrl}/v1/suppliers/{supplierId}/kcis */
  connectorBaseUrl: string | (() => string);
  /** the supplier's updates client (its token from /v1/auth/supplier/access-token) */
  updatesClient?: { clientId: string; clientSecret: string };
  paceMs?: number;
  log?: Logger;
}

const day = 24 * 3600 * 1000;

/**
 * A small altnet speaking the Fibre Cafe Supplier API 1.15 (availability, appointments, orders, amendments,
 * cancellations; tokens not checked), for development and the demo: after a provide it posts ACKNOWLEDGED,
 * COMMITTED and COMPLETED Supplier Updates 1.8 back through the connector's token and /kcis endpoints; a
 * cancellation is answered with CANCELLED. An order whose notes contain "SCENARIO:reject" is answered 422.
 */
export async function startFibreCafeSandbox(o: FibreCafeSandboxOptions) {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  const pace = o.paceMs ?? 300;
  const timers = new Set<NodeJS.Timeout>();
  let nextRef = 5001;
  let stopped = false;
  const connector = () => (typeof o.connectorBaseUrl === 'function' ? o.connectorBaseUrl() : o.connectorBaseUrl);
  let token: { value: string; until: number } | undefined;

  async function post(update: Record<string, unknown>) {
    if (stopped || !o.updatesClient) return;
    if (!token || token.until < Date.now()) {
      const r = await axios.post(
        `${connector()}/v1/auth/supplier/access-token`,
        new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
        {
          auth: { username: o.updatesClient.clientId, password: o.updatesClient.clientSecret },
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        },
      );
      token = { value: r.data.access_token, until: Date.now() + (r.data.expires_in - 60) * 1000 };
    }
    await axios.post(`${connector()}/v1/suppliers/${o.supplierId}/kcis`, update, {
      headers: { Authorization: `Bearer ${token.value}`, 'X-Request-ID': randomUUID() },
    });
  }

  // Updates are posted one after another (each once the one before was answered), as an altnet would.
  let queue: Promise<void> = Promise.resolve();
  function schedule(steps: Record<string, unknown>[]) {
    steps.forEach((u, i) => {
      const t = setTimeout(
        () => {
          timers.delete(t);
          queue = queue.then(() =>
            post(u).catch((e) => o.log?.warn({ err: (e as Error).message }, 'sandbox update not delivered')),
          );
        },
        pace * (i + 1),
      );
      timers.add(t);
    });
  }

  app.get('/service-availability', (req, res) => {
    if (!req.query.address)
      return res.status(400).json({ uuid: randomUUID(), code: 'INVALID_REQUEST', messages: ['address is required'] });
    res.json({
      address: JSON.parse(String(req.query.address)),
      serviceSpecifications: [
        {
          id: 'FTTP',
          name: 'FTTH',
          serviceCharacteristics: [
            // in the altnet's own words (mappings/fibreco/ translates them for tenants)
            { name: 'LINE_PROFILE', values: ['150-30', '500-75', '900-100'] },
            { name: 'MINIMUM_TERM_MONTHS', values: ['12', '24'] },
          ],
        },
      ],
      siteInformation: { line: { type: 'NEW', lineType: 'FIBRE', installationType: 'STANDARD' } },
    });
  });
  app.get('/addresses', (req, res) => {
    res.json([
      {
        identifier: { id: String(req.query.uprn ?? '10091846447'), type: 'UPRN' },
        name: 'TWENTY',
        streetName: 'FIBRE STREET',
        city: 'LEEDS',
        postcode: String(req.query.postalCode ?? 'LS1 1AA'),
        country: 'UK',
      },
    ]);
  });
  app.get('/available-appointments', (req, res) => {
    const from = new Date(String(req.query.appointmentFromDate ?? new Date().toISOString().slice(0, 10)));
    const slots = [1, 2, 3].map((d) => {
      const date = new Date(from.getTime() + d * day).toISOString().slice(0, 10);
      return { timeslotStartDateTime: `${date}T08:00:00Z`, timeslotEndDateTime: `${date}T12:00:00Z` };
    });
    res.json({
      address: req.query.address,
      serviceSpecification: req.query.serviceSpecification,
      availableTimeslots: slots,
    });
  });
  app.post('/appointments', (req, res) => {
    res.status(201).json({
      ...req.body,
      supplierReference: `FCAPT-${nextRef++}`,
      expiryDateTime: new Date(Date.now() + day).toISOString(),
    });
  });
  app.post('/service-orders', (req, res) => {
    const body = req.body as Record<string, unknown>;
    if (String(body.notes ?? '').includes('SCENARIO:reject'))
      return res
        .status(422)
        .json({ uuid: randomUUID(), code: 'INVALID_REQUEST', messages: ['UPRN is not within our coverage area'] });
    const ref = `FC${nextRef++}`;
    const order = { id: body.id, tenant: body.tenant, supplierOrderReference: ref };
    const field =
      body.orderType === 'MODIFY'
        ? 'modifyServiceOrder'
        : body.orderType === 'CEASE'
          ? 'ceaseServiceOrder'
          : 'provideServiceOrder';
    const committed = new Date(Date.now() + 7 * day).toISOString();
    const update = (n: number, reasonCode: string, extra: Record<string, unknown>, text?: string) => ({
      id: randomUUID(),
      sequenceNumber: n,
      issuedOn: new Date(Date.now() + n).toISOString(),
      reasonCode,
      ...(text ? { text } : {}),
      [field]: { ...order, ...extra },
    });
    res.status(202).end();
    schedule([
      update(1, 'ACKNOWLEDGED', { status: 'ACKNOWLEDGED' }, 'Order received by FibreCo'),
      update(2, 'COMMITTED', { status: 'IN_PROGRESS', committedDate: committed, targetDate: committed }),
      update(3, 'COMPLETED', { status: 'COMPLETED', serviceId: `FCSVC${ref.slice(2)}` }, 'Service live'),
    ]);
  });
  app.post('/service-order-amendments', (req, res) => {
    res.status(202).end();
    const b = req.body as Record<string, unknown>;
    schedule([
      {
        id: randomUUID(),
        sequenceNumber: 100 + Number(b.id ?? 0),
        issuedOn: new Date().toISOString(),
        reasonCode: 'AMENDED',
        provideServiceOrder: { id: b.orderId, tenant: req.get('Tenant'), serviceOrderAmendmentId: b.id },
      },
    ]);
  });
  app.post('/service-order-cancellations', (req, res) => {
    res.status(202).end();
    const b = req.body as Record<string, unknown>;
    schedule([
      {
        id: randomUUID(),
        sequenceNumber: 200 + Number(b.id ?? 0),
        issuedOn: new Date().toISOString(),
        reasonCode: 'CANCELLED',
        problemCode: 'CUSTOMER_CHANGED_MIND',
        provideServiceOrder: {
          id: b.orderId,
          tenant: req.get('Tenant'),
          status: 'CANCELLED',
          serviceOrderCancellationId: b.id,
        },
      },
    ]);
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(o.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
