import type { SandboxOrder, StepOptions } from './ksu-builder.js';

type Step = { kinds: ('provide' | 'modify' | 'cease')[]; step: StepOptions & { duplicate?: boolean } };
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
  'supplier-reappoint': (o) => [
    create,
    ack,
    commit,
    {
      kinds: ALL,
      step: (() => {
        if (o.appointment) {
          o.appointment = {
            ...o.appointment,
            ref: `${o.appointment.ref}X`,
            start: new Date(Date.parse(o.appointment.start) + 2 * 86400000).toISOString(),
            end: new Date(Date.parse(o.appointment.end) + 2 * 86400000).toISOString(),
          };
        }
        return {
          codes: [
            {
              subCode: '521',
              message:
                'Informational : 520 : Your order will be delivered as soon as possible. .~ Warning : 521 : The appointment date has been changed by the supplier',
            },
          ],
          appointmentStatus: 'SupplierChanged',
          expectedCompletionDate: plusDays(9),
        };
      })(),
    },
    complete,
  ],
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
            message: `Informational : 101105 : The Order Target Date has been amended to ${new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10).split('-').reverse().join('-')}. This is due to a delay, usually provision of ducts.`,
          },
        ],
        rootSubStatus: 'DelayedBySupplier',
        appointmentStatus: 'Confirmed',
      },
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

export function scenarioOf(notes: string): string {
  const m = notes.match(/SCENARIO:([a-z-]+)/);
  return m && SCENARIOS[m[1]!] ? m[1]! : 'happy';
}
