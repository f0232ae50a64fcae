import express from 'express';
import axios from 'axios';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { itemsFrom, ksu, type SandboxOrder, type StepOptions } from './ksu-builder.js';
import { SCENARIOS, afterAmend, scenarioOf } from './scenarios.js';
import { SANDBOX_LINES, poqAnswer } from './poq.js';

export interface SandboxOptions {
  port?: number;
  /** where the connector listens: KSUs go to {connectorBaseUrl}/v1/suppliers/BTWHOLESALEBB1/ksus */
  connectorBaseUrl: string | (() => string);
  /** KSU client credentials per CUG (what BT would have been given at onboarding) */
  ksuClients: Record<string, { clientId: string; clientSecret: string }>;
  paceMs?: number;
  log?: Logger;
  /** ecodes BB1 knows (unknown → 400); defaults to every ecode of the standard catalogue */
  catalogue?: Set<string>;
}

const CATALOGUE = [
  'E0000429',
  'E0000430',
  'E0000432',
  'E0000021',
  'E0000160',
  'E0000174',
  'E0000182',
  'E0000183',
  'E0000186',
  'E0000187',
  'E0000188',
  'E0000189',
  'E0001099',
  'E0001098',
  'E0000154',
  'E0000028',
  'E0000027',
  'E0000029',
  'E0000701',
  'E0000703',
  'E0000152',
  'E0000153',
  'E0000529',
];
const bb1Error = (res: express.Response, status: number, code: string, message: string) =>
  res.status(status).json({ code, reason: 'Bad Request', message });
const day = 24 * 3600 * 1000;

/**
 * A faithful-enough BT Wholesale BB1 for development, demos and end-to-end tests: every call the connector
 * makes (docs/contract.md §6), seed-shaped answers, BB1-style validation errors, and KSU sequences POSTed back
 * through the connector's real token and KSU endpoints. The scenario of an order is chosen by the text
 * "SCENARIO:<name>" in its notes (see scenarios.ts); the pace by `paceMs`.
 */
export async function startSandbox(o: SandboxOptions) {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false }));
  const orders = new Map<string, SandboxOrder>();
  const catalogue = o.catalogue ?? new Set(CATALOGUE);
  const pace = o.paceMs ?? 1500;
  const tokens = new Set<string>();
  let nextOrder = 228874;
  let nextRobt = 1;
  const robts = new Map<string, string>();
  const received: Record<string, unknown>[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sent: Record<string, unknown>[] = [];

  app.post('/oauth/accesstoken', (req, res) => {
    if (!req.get('Authorization')?.startsWith('Basic '))
      return res.status(401).json({ fault: { faultstring: 'Invalid client credentials' } });
    const t = randomUUID();
    tokens.add(t);
    res.json({ access_token: t, expires_in: 3599, token_type: 'BearerToken' });
  });
  app.use((req, res, next) => {
    if (req.path === '/oauth/accesstoken' || req.path.startsWith('/sandbox/')) return next();
    const t = req.get('Authorization')?.replace(/^Bearer\s+/, '');
    if (!t || !tokens.has(t)) return res.status(401).json({ fault: { faultstring: 'Invalid access token' } });
    next();
  });

  app.get('/common/geographicAddressManagement/v1/geographicAddress', (req, res) => {
    const pc = String(req.query.postcode ?? '');
    if (!pc && !req.query.uprn) return bb1Error(res, 400, '20', 'postcode or uprn is required');
    const uprn = String(req.query.uprn ?? '10091846447');
    res.json([
      {
        id: 'A15104646284',
        uprn,
        addressSource: 'Openreach',
        districtCode: 'LS',
        qualifier: 'Gold',
        streetNr: '20',
        streetName: 'Kingston Road',
        city: 'Leeds',
        postcode: pc || 'LS1 4AP',
        country: 'UK',
      },
      {
        id: 'R09598326361',
        uprn,
        addressSource: 'ROBT',
        streetNr: '20',
        streetName: 'Kingston Road',
        city: 'Leeds',
        postcode: pc || 'LS1 4AP',
        country: 'UK',
      },
    ]);
  });

  app.post('/hubco/tmf/productOfferingQualification/v4/productOfferingQualification', (req, res) => {
    const a = poqAnswer(req.body ?? {});
    res.status(a.status).json(a.body);
  });

  // seed 000 "POST Create temporary ROBT address record": a RoBT site record for an Openreach (NAD) address.
  app.post('/common/geographicAddressManagement/v1/geographicAddress', (req, res) => {
    const nad = (req.body?.alternateIds ?? []).find((x: { type?: string }) => x.type === 'OpenreachAddressId')?.id;
    if (!nad || !req.body?.districtCode)
      return bb1Error(res, 400, '25', 'alternateIds OpenreachAddressId and districtCode are required');
    const id = `R9${String(nextRobt++).padStart(10, '0')}`;
    robts.set(id, String(nad));
    res.status(201).json({ ...req.body, id, addressSource: 'ROBT', qualifier: 'Temporary' });
  });

  app.post('/common/appointmentManagement/v4/searchTimeSlot', (req, res) => {
    const from = Date.parse(req.body?.requestedTimeSlot?.[0]?.validFor?.startDateTime ?? '') || Date.now();
    if (!req.body?.relatedEntity?.[0]?.product?.place?.[0]?.id) return bb1Error(res, 400, '25', 'place is required');
    const slots = [];
    for (let d = 1; slots.length < 10; d++) {
      const date = new Date(from + d * day).toISOString().slice(0, 10);
      // 08:00-13:00 and 13:00-18:00 UK time: the offset follows BST.
      const off =
        new Date(`${date}T12:00:00Z`).toLocaleString('en-GB', {
          timeZone: 'Europe/London',
          hour: '2-digit',
          hourCycle: 'h23',
        }) === '13'
          ? '+01:00'
          : 'Z';
      slots.push(
        { validFor: { startDateTime: `${date}T08:00:00${off}`, endDateTime: `${date}T13:00:00${off}` } },
        { validFor: { startDateTime: `${date}T13:00:00${off}`, endDateTime: `${date}T18:00:00${off}` } },
      );
    }
    res.json({ availableTimeSlot: slots });
  });

  app.post('/common/appointmentManagement/v4/appointment', (req, res) => {
    const v = req.body?.validFor;
    if (!v?.startDateTime || !v?.endDateTime) return bb1Error(res, 400, '25', 'validFor is required');
    const ref = `A${randomUUID().slice(0, 7).toUpperCase()}FR`;
    res.status(201).json({
      id: ref,
      BESAppointmentId: ref,
      validFor: v,
      status: 'Booked',
      expiryDateTime: new Date(Date.now() + day).toISOString(),
    });
  });

  app.post('/hubco/tmf/productOrderingManagement/v4/productOrder', (req, res) => {
    const body = req.body ?? {};
    const root = body.productOrderItem?.[0];
    const cug = (body.relatedParty ?? []).find((p: { role?: string }) => p.role === 'BtCug')?.id;
    if (!body.externalId) return bb1Error(res, 400, '26', 'externalId is mandatory');
    if ([...orders.values()].some((x) => x.externalId === body.externalId))
      return bb1Error(res, 400, '27', `Duplicate externalId ${body.externalId}`);
    if (!cug) return bb1Error(res, 400, '26', 'relatedParty BtCug is mandatory');
    const all = itemsFrom(body);
    const unknown = all.find((i) => !catalogue.has(i.ecode));
    if (unknown) return bb1Error(res, 400, '28', `Invalid product offering ${unknown.ecode}`);
    const kind = root.action === 'delete' ? 'cease' : root.action === 'add' ? 'provide' : 'modify';
    if (kind === 'provide') {
      const places = root.product?.place ?? [];
      if (
        !places.some((p: { role?: string; id?: string }) => p.role === 'SiteAddress' && p.id) ||
        !places.some((p: { role?: string; id?: string }) => p.role === 'OpenreachAddress' && p.id)
      )
        return bb1Error(res, 400, '25', 'SiteAddress and OpenreachAddress places are mandatory');
      const rid = (root.product?.productCharacteristic ?? []).find(
        (c: { name: string }) => c.name === 'ATT_RT_ResellerID',
      )?.value;
      if (!/^[A-Z0-9]{3}$/.test(String(rid ?? ''))) return bb1Error(res, 400, '28', `Invalid ATT_RT_ResellerID ${rid}`);
      const attr = (name: string) =>
        (root.product?.productCharacteristic ?? []).find((c: { name: string }) => c.name === name)?.value;
      const lineId = attr('ATT_X_AccessLineID');
      if (lineId !== undefined) {
        const state = SANDBOX_LINES[String(lineId)];
        if (!state) return bb1Error(res, 400, '28', `Access line ${lineId} not found at the address`);
        if (attr('ATT_RT_AccessLineType') !== state)
          return bb1Error(res, 400, '28', `Access line ${lineId} is ${state}, not ${attr('ATT_RT_AccessLineType')}`);
      }
      const site = places.find((p: { role?: string }) => p.role === 'SiteAddress')?.id;
      if (String(site).startsWith('R9') && !robts.has(String(site)))
        return bb1Error(res, 400, '28', `Unknown temporary RoBT key ${site}`);
    }
    received.push(body);
    const id = String(nextOrder++).padStart(8, '0');
    const notes = JSON.stringify(root.additionalNotes ?? []) + JSON.stringify(root.note ?? '');
    const appt = root.appointment;
    const order: SandboxOrder = {
      id,
      externalId: body.externalId,
      cugId: cug,
      scenario: scenarioOf(notes),
      kind,
      items: all,
      serviceId: `BBONE${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
      revision: 0,
      appointment: appt
        ? {
            id: appt.id,
            ref: appt.BESAppointmentId,
            start: appt.appointmentStart,
            end: new Date(Date.parse(appt.appointmentStart) + 5 * 3600 * 1000).toISOString(),
          }
        : undefined,
    };
    order.view = (
      ksu(order, { rootState: 'acknowledged', childState: 'acknowledged' }).event as { productOrder: never }
    ).productOrder;
    orders.set(id, order);
    res.status(202).json({ id, externalId: order.externalId, state: 'acknowledged' });
    play(
      order,
      SCENARIOS[order.scenario]!(order).filter((s) => s.kinds.includes(order.kind)),
    );
  });

  // TMF622 product order query (what the connector asks after a send it cannot be sure of, and to reconcile).
  const viewOf = (o: SandboxOrder) => ({
    ...o.view,
    ...(o.cancelled ? { state: 'assessingCancellation' } : {}),
  });
  app.get('/hubco/tmf/productOrderingManagement/v4/productOrder', (req, res) => {
    const externalId = req.query.externalId;
    if (typeof externalId !== 'string' || !externalId) return bb1Error(res, 400, '25', 'externalId is required');
    res.json([...orders.values()].filter((x) => x.externalId === externalId).map(viewOf));
  });
  app.get('/hubco/tmf/productOrderingManagement/v4/productOrder/:id', (req, res) => {
    const order = orders.get(req.params.id);
    if (!order) return bb1Error(res, 404, '60', `Order ${req.params.id} not found`);
    res.json(viewOf(order));
  });

  app.patch('/hubco/tmf/productOrderingManagement/v4/productOrder/:id', (req, res) => {
    const order = orders.get(req.params.id);
    if (!order) return bb1Error(res, 404, '60', `Order ${req.params.id} not found`);
    const root = req.body?.productOrderItem?.[0];
    if (!root?.internalId || root.internalId !== order.items[0]!.internalId)
      return bb1Error(res, 400, '28', `internalId ${root?.internalId} is not the latest revision`);
    if (root.appointment)
      order.appointment = {
        id: root.appointment.id,
        ref: root.appointment.BESAppointmentId,
        start: root.appointment.appointmentStart,
        end: new Date(Date.parse(root.appointment.appointmentStart) + 5 * 3600 * 1000).toISOString(),
      };
    for (const it of order.items) it.internalId = String(Number(it.internalId) + 100).padStart(10, '0');
    // The query shows the new revision at once.
    const revised = new Map(order.items.map((it) => [it.id, it.internalId]));
    for (const it of (order.view?.productOrderItem ?? []) as { id: string; internalId?: string }[])
      if (revised.has(it.id)) it.internalId = revised.get(it.id);
    res.status(202).json({ id: order.id });
    play(
      order,
      afterAmend(order, req.body).filter((s) => s.kinds.includes(order.kind)),
    );
  });

  app.post('/hubco/tmf/productOrderingManagement/v4/cancelOrder', (req, res) => {
    const order = orders.get(req.body?.productOrder?.id);
    if (!order) return bb1Error(res, 404, '60', `Order ${req.body?.productOrder?.id} not found`);
    const valid = [
      'Additional charge not accepted',
      'Unwilling to supply reason',
      'Delivery too long',
      'Chosen different supplier',
      'Placed in error / duplicate',
      'Price',
      'Insufficient lead time',
    ];
    if (!valid.includes(req.body?.cancellationReason))
      return bb1Error(res, 400, '28', `Invalid cancellationReason ${req.body?.cancellationReason}`);
    res.status(201).json({ id: randomUUID(), state: 'acknowledged', productOrder: { id: order.id } });
    order.cancelled = true; // the rest of its scripted journey will not happen
    const cancel = {
      event: {
        cancelProductOrder: {
          id: randomUUID(),
          state: 'done',
          cancellationReason: req.body.cancellationReason,
          productOrder: { id: order.id },
        },
      },
      eventType: 'CancelProductOrderStateChangeEvent',
      eventTime: new Date().toISOString(),
      eventId: randomUUID(),
    };
    schedule(order, cancel, pace);
  });

  app.get('/sandbox/ksus', (_req, res) => {
    res.json(sent);
  });

  const connector = () => (typeof o.connectorBaseUrl === 'function' ? o.connectorBaseUrl() : o.connectorBaseUrl);
  const tokenFor = async (cug: string) => {
    const c = o.ksuClients[cug];
    if (!c) throw new Error(`sandbox has no KSU client for ${cug}`);
    const r = await axios.post(`${connector()}/v1/auth/supplier/access-token`, 'grant_type=client_credentials', {
      auth: { username: c.clientId, password: c.clientSecret },
      timeout: 5000,
    });
    return r.data.access_token as string;
  };
  const post = async (order: SandboxOrder, body: Record<string, unknown>) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const token = await tokenFor(order.cugId);
        await axios.post(`${connector()}/v1/suppliers/BTWHOLESALEBB1/ksus`, body, {
          headers: { Authorization: `Bearer ${token}` },
          timeout: 5000,
        });
        sent.push(body);
        return;
      } catch (e) {
        o.log?.warn({ err: (e as Error).message, attempt }, 'sandbox could not deliver a KSU; retrying');
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  };
  let chain = Promise.resolve();
  function schedule(
    order: SandboxOrder,
    body: Record<string, unknown> | (() => Record<string, unknown>),
    delay: number,
  ) {
    const t = setTimeout(() => {
      timers.delete(t);
      const b = typeof body === 'function' ? body() : body;
      if (order.cancelled && !String(b.eventType).startsWith('Cancel')) return;
      chain = chain.then(() => post(order, b));
    }, delay);
    timers.add(t);
  }
  /** KSUs are built when sent (eventTime = now), so their times are those of a real BB1. */
  function play(order: SandboxOrder, steps: { kinds?: unknown; step: StepOptions & { duplicate?: boolean } }[]) {
    let at = pace;
    for (const { step } of steps) {
      let built: Record<string, unknown> | undefined;
      const body = () => {
        if (!built) {
          built = ksu(order, step);
          order.view = (built.event as { productOrder: Record<string, unknown> }).productOrder;
        }
        return built;
      };
      schedule(order, body, at);
      if (step.duplicate) schedule(order, body, at + 1);
      at += pace;
    }
  }

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(o.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    orders,
    sent,
    /** every order body the sandbox accepted, in order */
    received,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await chain;
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
