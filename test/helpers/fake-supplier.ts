import { z } from 'zod';
import type { SupplierModule } from '../../src/suppliers/registry.js';
import type { Supplier, SupplierUpdate, UpdateSignal } from '../../src/suppliers/supplier.js';
import { SupplierError } from '../../src/suppliers/errors.js';
import { UpdateShapeError } from '../../src/suppliers/supplier.js';
import { InvalidRequest } from '../../src/orders/errors.js';

/**
 * A test-only supplier behind the same port as BB1: proof that the connector's routes, lifecycle and outbox
 * need nothing supplier-specific. Its orders are `{ ref, speed }` payloads kept in memory; its updates are
 * `{ id, order, supplierOrder?, state, at }` posted to /v1/suppliers/FAKE/ksus.
 */
export const FAKE_ID = 'FAKE';

const Account = z
  .object({ accountRef: z.string(), callback: z.object({ clientId: z.string(), clientSecret: z.string() }) })
  .strict();
type Account = z.infer<typeof Account>;

const STATES: Record<string, Omit<UpdateSignal, 'source' | 'key'>> = {
  accepted: {
    kci: { updateType: 'INFORMATIONAL', type: 'ACKNOWLEDGED' },
    status: 'ACKNOWLEDGED',
    priority: 10,
    text: 'accepted by the fake',
  },
  planned: {
    kci: { updateType: 'INFORMATIONAL', type: 'COMMITTED' },
    status: 'IN_PROGRESS',
    priority: 20,
    setsCommittedDate: true,
  },
  done: { kci: { updateType: 'INFORMATIONAL', type: 'COMPLETED' }, status: 'COMPLETED', priority: 100, text: 'live' },
};

export interface FakeUpdate {
  id: string;
  order: string;
  supplierOrder?: string;
  state: keyof typeof STATES;
  at: string;
  date?: string;
  serviceId?: string;
}

export function fakeSupplier() {
  const sent: { account: Account; payload: unknown }[] = [];
  let n = 0;
  const supplier: Supplier<Account> = {
    id: FAKE_ID,
    accountSchema: Account,
    inboundClient: (a) => a.callback,
    lookups: {
      addresses: async () => [],
      availability: async () =>
        ({
          supplier: FAKE_ID,
          serviceSpecifications: [
            { id: 'FTTP', name: 'Fake fibre', serviceCharacteristics: [{ name: 'LINE_PROFILE', values: ['FAST'] }] },
          ],
        }) as never,
      slots: async () => [],
      reserve: async () => {
        throw new SupplierError(FAKE_ID, 'rejected', 'the fake has no engineers');
      },
    },
    orders: {
      plan(account, req, { externalId }) {
        const speed = req.serviceOrderItem?.serviceCharacteristics.find((c) => c.name === 'LINE_PROFILE')?.value;
        if (speed !== 'FAST')
          throw new InvalidRequest([
            `serviceCharacteristics LINE_PROFILE: "${speed}" is not offered by FAKE; allowed: FAST`,
          ]);
        return { payload: { ref: externalId, account: account.accountRef, speed }, adapterState: { planned: true } };
      },
      planAmend: () => ({ payload: {} }),
      planCancel: () => ({ payload: {} }),
      async send(account, payload) {
        sent.push({ account, payload });
        n += 1;
        return { supplierOrderId: `F-${n}`, answer: { status: 201, body: { id: `F-${n}` } } };
      },
      sendAmend: async () => ({ answer: { status: 202 } }),
      sendCancel: async () => ({ answer: { status: 202 } }),
    },
    updates: {
      read(body) {
        const u = body as Partial<FakeUpdate>;
        if (!u || typeof u.id !== 'string' || typeof u.state !== 'string' || !(u.state in STATES))
          throw new UpdateShapeError('not a fake update');
        return {
          parsed: u,
          keys: {
            eventId: u.id,
            eventType: `fake.${u.state}`,
            eventTime: u.at,
            externalId: u.order,
            supplierOrderId: u.supplierOrder,
          },
        };
      },
      refuses: () => undefined,
      interpret(parsed, ctx): SupplierUpdate {
        const u = parsed as FakeUpdate;
        return {
          eventTime: u.at,
          signals: [{ ...STATES[u.state]!, key: `state:${u.state}`, source: `fake ${u.state}` }],
          codes: [],
          unmapped: [],
          codeTexts: [],
          facts: {
            supplierOrderId: u.supplierOrder,
            characteristics: u.serviceId ? [['SERVICE_ID', u.serviceId]] : [],
            serviceId: u.serviceId,
            expectedCompletionDate: u.date,
            notes: [],
          },
          adapterState: { ...(ctx.adapterState as object), last: u.state },
        };
      },
    },
  };
  const module: SupplierModule = {
    id: FAKE_ID,
    accountSchema: Account,
    inboundClient: (a) => (a as Account).callback,
    create: () => supplier as Supplier,
  };
  return { module, sent };
}

/** The fake's accounts in the test tenants file ({T} is the tenant: T1 or T2). */
export const FAKE_ACCOUNTS = `      ${FAKE_ID}: { accountRef: acct-{T}, callback: { clientId: fake-cb-{T}, clientSecret: fake-callback-secret } }`;
