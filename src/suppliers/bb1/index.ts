import { ConfigError } from '../../config/env.js';
import type { Logger } from 'pino';
import type { Metrics } from '../../platform/metrics.js';
import type { OrderRequest } from '../../orders/order.js';
import type {
  MappingTools,
  Supplier,
  SupplierMappings,
  SupplierStartEnv,
  PlacedOrder,
  SendReceipt,
} from '../supplier.js';
import { Bb1AccountSchema, type Bb1AccountConfig } from './account.js';
import { bb1Config, type Bb1Config } from './config.js';
import { Bb1Connector } from './connector.js';
import { Bb1Error } from './client.js';
import { loadBb1Mappings } from './mappings/load.js';
import type { Bb1Mappings, Technology } from './mappings/indexed.js';
import {
  buildPoqRequest,
  buildTemporaryRobt,
  placeFactsOf,
  translateAddresses,
  translatePoqResponse,
} from './availability.js';
import { identifiers } from './outbound/common.js';
import type { AddressIdentifier } from '../../orders/order.js';
import { buildReservation, buildSlotSearch, translateSlots } from './appointments.js';
import { buildProvide, type PlaceFacts } from './outbound/provide.js';
import { buildModify } from './outbound/modify.js';
import { buildCease } from './outbound/cease.js';
import { buildAmend, buildCancel, type KnownItem } from './outbound/amend-cancel.js';
import { completeIntent } from './outbound/intent.js';
import { parseKsu, type ParsedKsu } from './inbound/parse-ksu.js';
import { interpretKsu, type Bb1AdapterState } from './inbound/interpret-ksu.js';
import { explainFile } from './mappings/tools/explain.js';
import { diffTables } from './mappings/tools/diff.js';
import { coverage } from './mappings/tools/coverage.js';
import { startSandbox } from './sandbox/server.js';
import { foundOrder, showsRequest } from './inbound/found-order.js';

/** BT Wholesale Broadband One's supplier id, everywhere (docs/contract.md §1). */
export const BB1_ID = 'BTWHOLESALEBB1';

export interface Bb1Deps {
  env: Record<string, string | undefined>;
  mappingsDir: string;
  metrics: Metrics;
  log: Logger;
}

/** The order payload a plan is built for, by journey. Pure: the tables decide every value. */
export function planOrder(
  m: Bb1Mappings,
  account: Bb1AccountConfig,
  req: OrderRequest,
  externalId: string,
  slot?: Parameters<typeof buildProvide>[4],
  facts?: PlaceFacts,
) {
  if (req.orderType === 'MODIFY') return buildModify(m, req, account, externalId, slot, facts);
  if (req.orderType === 'CEASE') return buildCease(m, req, account, externalId);
  return buildProvide(m, req, account, externalId, slot, facts);
}

/**
 * Before a provide (or a modify that changes the product at an address it names) is planned, what BB1 must be
 * asked about the place: a temporary ROBT record when the address has
 * a NAD but no ROBT (seed 000), and the availability answer (seed 001) when the order needs it — the offering's
 * minimum guaranteed speed when the tenant sends no MINIMUM_SPEED, the install process of an appointed FTTP order
 * (two-stage KCI2 Assure). An address the tables cannot use is left for planning to name.
 */
export async function prepareOrder(
  m: Bb1Mappings,
  connector: Bb1Connector,
  account: Bb1AccountConfig,
  req: OrderRequest,
  log?: Logger,
): Promise<PlaceFacts> {
  const facts: PlaceFacts = {};
  const ids = identifiers(req.address);
  if (!ids.has('NAD') || !ids.has('DistrictCode') || req.orderType === 'CEASE') return facts;
  const modify = req.orderType === 'MODIFY';
  const chars = (modify ? req.serviceCharacteristics : req.serviceOrderItem?.serviceCharacteristics) ?? [];
  const tech = m.technology(String(req.serviceOrderItem?.serviceSpecification.id ?? '').toUpperCase());
  // a modify asks only when it changes the product (a new LINE_PROFILE, explicitly or by intent)
  const changesProduct =
    !modify || chars.some((c) => c.name === 'LINE_PROFILE' && c.action !== 'NONE' && c.action !== 'DELETE');
  const needsSpeed = changesProduct && !chars.some((c) => c.name === 'MINIMUM_SPEED');
  const needsProcess = !modify && tech?.lineType === 'FIBRE' && req.appointmentReservationId !== undefined;
  if (needsSpeed || needsProcess) {
    const nadOnly: AddressIdentifier = {
      id: ids.get('NAD')!,
      type: 'NAD',
      additionalIdentifiers: [{ id: ids.get('DistrictCode')!, type: 'DistrictCode' }],
    };
    // Best effort: an availability check that fails does not stop the order (BB1 takes it without the speed, and
    // the tenant may have told the end customer already); the order then carries what the tenant sent.
    try {
      const res = await connector.poq(account, buildPoqRequest(m, nadOnly, account.cugId));
      Object.assign(facts, placeFactsOf(translatePoqResponse(m, res.data, BB1_ID)));
    } catch (e) {
      log?.warn({ err: (e as Error).message }, 'availability before the order failed; ordering without its facts');
    }
  }
  if (!ids.has('ROBT') && !modify) {
    const res = await connector.createAddress(account, buildTemporaryRobt(ids.get('NAD')!, ids.get('DistrictCode')!));
    const id = res.data?.id;
    if (typeof id !== 'string' || !id)
      throw new Bb1Error('unavailable', 'BB1 answered the temporary ROBT address request without an id');
    facts.robt = id;
  }
  return facts;
}

/** The BB1 mapping maintainer's tools (`npm run mappings -- … --supplier BTWHOLESALEBB1`). */
export const bb1MappingTools: MappingTools = {
  folder: 'bb1',
  validate(dir) {
    const t = loadBb1Mappings(dir).tables;
    return `${t['line-profiles'].lineProfiles.length} line profiles, ${t['care-levels'].careLevels.length} care levels, ${t['ksu-codes'].codes.length} KSU code rows, ${t['ksu-item-states'].items.length} item-state rows`;
  },
  explain: (dir, body, opts) => explainFile(loadBb1Mappings(dir), body, opts),
  diff: (dir, gitRef) => diffTables(dir, gitRef),
  coverage: (dir, stored) => coverage(loadBb1Mappings(dir), stored),
};

/** The BB1 adapter: BT Wholesale Broadband One behind the supplier port (docs/reference/bt-bb1.md, seeds 000–003). */
export function createBb1Supplier(deps: Bb1Deps): Supplier<Bb1AccountConfig> & { config: Bb1Config } {
  const { config, problems } = bb1Config(deps.env);
  if (!config) throw new ConfigError(problems);
  let baseUrl = config.baseUrl;
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  const ref = { current: loadBb1Mappings(deps.mappingsDir) };
  const connector = new Bb1Connector(
    {
      baseUrl: () => {
        if (!baseUrl) throw new Bb1Error('unavailable', 'BB1 is not reachable: no BB1_BASE_URL and no sandbox running');
        return baseUrl;
      },
      tokenUrl: config.tokenUrl,
      timeoutMs: config.timeoutMs,
    },
    ref,
    deps.metrics,
  );
  const m = () => ref.current;
  const receipt = (res: { status: number; data: unknown }): SendReceipt => {
    const id = (res.data as { id?: unknown } | undefined)?.id;
    return { supplierOrderId: typeof id === 'string' ? id : undefined, answer: { status: res.status, body: res.data } };
  };
  /**
   * BB1's reference for an amendment or a cancellation, where its answer gives one: the cancelOrder task's id
   * (seed 000 "Cancel": a task resource), the order's id for a PATCH (an amendment is a revision of the order).
   */
  const requestReceipt = (res: { status: number; data: unknown }): SendReceipt => {
    const id = (res.data as { id?: unknown } | undefined)?.id;
    const ref = typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
    return { supplierReference: ref, answer: { status: res.status, body: res.data } };
  };
  const stateOf = (o: PlacedOrder) => (o.adapterState ?? {}) as Bb1AdapterState;

  const mappings: SupplierMappings = {
    folder: 'bb1',
    get tableCount() {
      return Object.keys(ref.current.tables).length;
    },
    prepareReload() {
      const next = loadBb1Mappings(deps.mappingsDir);
      return () => {
        ref.current = next;
      };
    },
  };

  return {
    id: BB1_ID,
    config,
    accountSchema: Bb1AccountSchema,
    inboundClient: (a) => a.ksuClient,
    mappings,
    describe: () => (sandbox ? `built-in BB1 sandbox at ${sandbox.url}` : `BB1 at ${baseUrl}`),

    lookups: {
      async addresses(account, q) {
        const params: Record<string, string> = {};
        if (q.postalCode) params.postcode = q.postalCode.replace(/\s+/g, '').toUpperCase();
        if (q.uprn) params.uprn = q.uprn;
        if (q.name) params.buildingName = q.name;
        if (q.streetNumber) params.streetNr = q.streetNumber;
        if (q.streetName) params.streetName = q.streetName;
        const res = await connector.addresses(account, params);
        return translateAddresses(res.data) as never;
      },
      async availability(account, q) {
        const res = await connector.poq(account, buildPoqRequest(m(), q.address, account.cugId));
        return translatePoqResponse(m(), res.data, BB1_ID) as never;
      },
      async slots(account, q) {
        const { payload } = buildSlotSearch(m(), q, q.today);
        const res = await connector.searchSlots(account, payload);
        return translateSlots(res.data, q.standardOnly) as never;
      },
      async reserve(account, req) {
        const { payload, svr } = buildReservation(m(), req);
        const res = await connector.reserve(account, payload);
        const ref = res.data?.BESAppointmentId ?? res.data?.id;
        if (typeof ref !== 'string' && typeof ref !== 'number')
          throw new Bb1Error('unavailable', 'BB1 answered the reservation without an appointment reference');
        const validFor = (res.data?.validFor ?? {}) as { startDateTime?: string; endDateTime?: string };
        return {
          supplierReference: String(ref),
          start: new Date(validFor.startDateTime ?? req.timeslot.timeslotStartDateTime).toISOString(),
          end: new Date(validFor.endDateTime ?? req.timeslot.timeslotEndDateTime).toISOString(),
          expiryDateTime:
            typeof res.data?.expiryDateTime === 'string' ? new Date(res.data.expiryDateTime).toISOString() : undefined,
          siteVisitReason: svr,
        };
      },
    },

    orders: {
      completeIntent: (_account, service, req) => completeIntent(m(), service, req),
      prepare: (account, req) => prepareOrder(m(), connector, account, req, deps.log),
      plan(account, req, { externalId, slot, facts }) {
        const p = planOrder(m(), account, req, externalId, slot, facts as PlaceFacts | undefined);
        const adapterState: Bb1AdapterState = { technology: p.technology, ecode: p.ecode };
        return { payload: p.payload, adapterState };
      },
      planAmend(account, order, req, slot) {
        const state = stateOf(order);
        const items: KnownItem[] = Object.values(state.items ?? {}).map((i) => ({
          id: i.id,
          internalId: i.internalId,
          ecode: i.ecode,
          parentId: i.parentId,
        }));
        const tech = (state.technology ?? 'FTTP') as Technology;
        return { payload: buildAmend(m(), req, account, tech, items, slot) };
      },
      planCancel(_account, order, req) {
        return { payload: buildCancel(m(), req, order.supplierOrderId) };
      },
      async send(account, payload) {
        return receipt(await connector.order(account, payload));
      },
      async sendAmend(account, order, payload) {
        return requestReceipt(await connector.amend(account, order.supplierOrderId ?? '', payload));
      },
      async sendCancel(account, _order, payload) {
        return requestReceipt(await connector.cancel(account, payload));
      },
      // TMF622 product order query: by externalId (a list filter), else by BB1's own order id.
      async find(account, order) {
        const res = await connector.ordersByExternalId(account, order.externalId);
        const list = Array.isArray(res.data) ? res.data : res.data ? [res.data] : [];
        const mine = list.find((o) => (o as { externalId?: unknown })?.externalId === order.externalId);
        if (mine) return foundOrder(mine);
        if (!order.supplierOrderId) return undefined;
        const byId = await connector.orderById(account, order.supplierOrderId);
        return byId ? foundOrder(byId) : undefined;
      },
      shows: (found, kind, payload) => showsRequest(found.view, kind, payload),
    },

    updates: {
      read(body) {
        const k = parseKsu(body);
        return {
          parsed: k,
          keys: {
            eventId: k.eventId,
            eventType: k.eventType,
            eventTime: k.eventTime,
            externalId: k.externalId,
            supplierOrderId: k.bb1OrderId,
          },
        };
      },
      refuses(account, parsed) {
        const k = parsed as ParsedKsu;
        return k.cugIds.length && !k.cugIds.includes(account.cugId)
          ? `CUG ${k.cugIds.join(',')} is not ${account.cugId}`
          : undefined;
      },
      interpret: (parsed, order) => interpretKsu(m(), parsed as ParsedKsu, order),
    },

    async start(env: SupplierStartEnv) {
      if (baseUrl) return;
      // The sandbox calls back with each tenant's KSU client: the demo tenant's secret is known to the
      // caller; other tenants' come from SANDBOX_KSU_CLIENTS ({"CUG…": {clientId, clientSecret}}).
      const ksuClients: Record<string, { clientId: string; clientSecret: string }> = { ...config.sandboxKsuClients };
      for (const { tenantId, account } of env.accounts) {
        const a = account as Bb1AccountConfig;
        const secret = env.inboundSecret?.(tenantId);
        if (secret) ksuClients[a.cugId] = { clientId: a.ksuClient.clientId, clientSecret: secret };
      }
      sandbox = await startSandbox({
        port: 0,
        connectorBaseUrl: env.publicBaseUrl,
        paceMs: config.sandboxPaceMs,
        log: deps.log.child({ component: 'sandbox' }),
        ksuClients,
      });
      baseUrl = sandbox.url;
    },
    async stop() {
      await sandbox?.stop();
    },
  };
}
