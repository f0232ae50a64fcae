import type { SandboxOrder, StepOptions } from './ksu-builder.js';

export type Step = { kinds: ('provide' | 'modify' | 'cease')[]; step: StepOptions & { duplicate?: boolean } };
const ALL: Step['kinds'] = ['provide', 'modify', 'cease'];

const plusDays = (d: number) => `${new Date(Date.now() + d * 86400000).toISOString().slice(0, 10)}T23:59:59.000Z`;
const create: Step = { kinds: ALL, step: { eventType: 'ProductOrderCreateEvent' } };
const ack: Step = {
  kinds: ['provide', 'modify'],
  step: {
    codes: [{ subCode: '510', message: 'Informational : 510 : Order Acknowledge' }],
    rootSubStatus: 'AcceptedByBTWwBC',
    untidy: true,
  },
};
const commit: Step = {
  kinds: ['provide', 'modify'],
  step: {
    codes: [{ subCode: '520', message: 'Informational : 520 : Order Committed' }],
    rootSubStatus: 'CommittedByBTWwBC',
    appointmentStatus: 'Confirmed',
    expectedCompletionDate: plusDays(7),
  },
};
const complete: Step = {
  kinds: ALL,
  step: {
    codes: [{ subCode: '530', message: 'Informational : 530 : Order Complete' }],
    rootState: 'completed',
    rootSubStatus: 'CompletedBTWwBCService',
    childState: 'completed',
    appointmentStatus: 'Closed',
    characteristics: [
      { name: 'ATT_RT_ONTReferenceNumber', value: 'ONT0046482937' },
      { name: 'ATT_RT_ONTPortNumber', value: '1' },
    ],
  },
};

/**
 * Scenario per order, chosen by "SCENARIO:<name>" anywhere in the order's notes (tenant `notes`,
 * `hazards`, …); default `happy`. Each is a list of KSUs the sandbox POSTs, `paceMs` apart.
 */
export const SCENARIOS: Record<string, (o: SandboxOrder) => Step[]> = {
  happy: () => [create, ack, commit, complete],
  'missed-appointment': () => [
    create,
    ack,
    commit,
    {
      kinds: ALL,
      step: {
        codes: [
          {
            subCode: '101158',
            message:
              'Informational : 101158 : End Customer missed appointment. Please reappoint .~ Informational : 101147 : Engineer unable to access. No response',
          },
        ],
        rootSubStatus: 'FlaggedForAttention',
        appointmentStatus: 'CustomerMissed',
      },
    },
  ],
  // Openreach moves the appointment as the order is committed (seed 003 #11: 521 with 520 in the message).
  'supplier-reappoint': () => [
    create,
    ack,
    {
      kinds: ALL,
      step: {
        codes: [
          {
            subCode: '521',
            message:
              'Informational : 520 : Your order will be delivered as soon as possible. .~ Warning : 521 : The appointment date has been changed by the supplier',
          },
        ],
        rootSubStatus: 'CommittedByBTWwBC',
        appointmentStatus: 'SupplierChanged',
        reappointDays: 2,
        expectedCompletionDate: plusDays(9),
      },
    },
    complete,
  ],
  // A delay (seed 003 #13), then the delay ends with a new appointment and no code: RESUMED and REAPPOINTED.
  delay: () => [
    create,
    ack,
    commit,
    {
      kinds: ALL,
      step: {
        codes: [
          {
            subCode: '101105',
            message: `Informational : 101105 : The Order Target Date has been amended to ${new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10).split('-').reverse().join('-')}. Subsequent messages will provide new appointment details or ask you to re-appoint the order. This is due to a delay, usually provision of ducts.`,
          },
        ],
        rootSubStatus: 'DelayedBySupplier',
        appointmentStatus: 'Confirmed',
      },
    },
    {
      kinds: ALL,
      step: { rootSubStatus: 'CommittedByBTWwBC', appointmentStatus: 'Booked', reappointDays: 21 },
    },
    complete,
  ],
  ecc: () => [create, ack, { kinds: ALL, step: { rootSubStatus: 'AwaitingECCConfirmation' } }],
  'bt-cancel': () => [
    create,
    ack,
    {
      kinds: ALL,
      step: {
        codes: [{ subCode: '100205', message: 'Informational : 100205 : Cancelled by BT Wholesale' }],
        childState: 'failed',
        appointmentStatus: 'Cancelled',
      },
    },
  ],
  'unknown-code': () => [
    create,
    ack,
    {
      kinds: ALL,
      step: {
        codes: [
          {
            subCode: '9569',
            message:
              'Informational : 9569 : Notification only. External visit has been completed. The order is progressing as normal.',
          },
        ],
        appointmentStatus: 'Booked',
      },
    },
    commit,
    complete,
  ],
  duplicates: () => [create, { ...ack, step: { ...ack.step, duplicate: true } }, commit, complete],
  'out-of-order': () => [create, ack, complete, { ...commit, step: { ...commit.step, lateByMs: 60_000 } }],
  rejected: () => [
    {
      kinds: ALL,
      step: {
        eventType: 'ProductOrderCreateEvent',
        codes: [{ subCode: '28', message: 'Error : 28 : Invalid address key' }],
      },
    },
  ],
};

const amended: Step = {
  kinds: ALL,
  step: {
    codes: [{ subCode: '540', message: 'Informational : 540 : Your amend request has been actioned' }],
    rootSubStatus: 'AmendedByBTWwBC',
    appointmentStatus: 'Booked',
  },
};

type Json = Record<string, unknown>;
const rootOf = (patch: Json) => ((patch.productOrderItem as Json[] | undefined) ?? [])[0] ?? {};
/**
 * What the sandbox does after an amendment (PATCH) it accepted: BB1's 540, then, when the amendment answers what
 * the scenario waits for, the rest of the journey — a new appointment after a missed one, a chargeband after
 * the ECC question.
 */
export function afterAmend(o: SandboxOrder, patch: Json): Step[] {
  const root = rootOf(patch);
  if (o.scenario === 'missed-appointment' && root.appointment) return [amended, complete];
  const bands = ((root.productOrderItem as Json[] | undefined) ?? []).flatMap(
    (i) => ((i.product as Json | undefined)?.productCharacteristic as { name: string }[] | undefined) ?? [],
  );
  if (o.scenario === 'ecc' && bands.some((c) => c.name === 'ATT_RT_ECCChargeband')) return [amended, commit, complete];
  return [amended];
}

export function scenarioOf(notes: string): string {
  const m = notes.match(/SCENARIO:([a-z-]+)/);
  return m && SCENARIOS[m[1]!] ? m[1]! : 'happy';
}
