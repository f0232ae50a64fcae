import { randomUUID } from 'node:crypto';

/** A sandbox order as BB1 would hold it. */
export interface SandboxOrder {
  id: string;
  externalId: string;
  cugId: string;
  scenario: string;
  kind: 'provide' | 'modify' | 'cease';
  items: { id: string; internalId: string; ecode: string; productId: string; action: string }[];
  serviceId: string;
  appointment?: { id: string; ref: string; start: string; end: string };
  revision: number;
  cancelled?: boolean;
  /** the order as BB1's query shows it: the productOrder of the latest KSU built for it */
  view?: Record<string, unknown>;
}

const n = (i: number) => String(i).padStart(10, '0');
let seq = 1_000_000;

/** Item list from the order payload BB1 received (root and children), with BB1's ids. */
export function itemsFrom(payload: Record<string, unknown>): SandboxOrder['items'] {
  const out: SandboxOrder['items'] = [];
  const walk = (list: unknown) => {
    for (const it of (list as Record<string, unknown>[] | undefined) ?? []) {
      const product = (it.product ?? {}) as Record<string, unknown>;
      out.push({
        id: String(it.id),
        internalId: n(seq++),
        ecode: String((product.productOffering as { id?: string })?.id ?? ''),
        productId: String(product.id ?? randomUUID()),
        action: String(it.action ?? 'add'),
      });
      walk(it.productOrderItem);
    }
  };
  walk(payload.productOrderItem);
  return out;
}

export interface StepOptions {
  codes?: { subCode: string; message: string | null }[];
  rootState?: string;
  rootSubStatus?: string;
  childState?: string;
  appointmentStatus?: string;
  expectedCompletionDate?: string;
  untidy?: boolean;
  eventTime?: string;
  eventType?: string;
  characteristics?: { name: string; value: string }[];
  /** send with an eventTime this many ms in the past (an out-of-order delivery) */
  lateByMs?: number;
  /**
   * Openreach moves the appointment this many days when the KSU is built (a new reference), or books one where the
   * order had none: what a KSU after an unsolicited reappointment shows.
   */
  reappointDays?: number;
}

const DAY = 86400000;

/** Moves the order's appointment (or books one) as Openreach would, when the KSU saying so is built. */
function reappoint(o: SandboxOrder, days: number): void {
  if (o.appointment) {
    o.appointment = {
      ...o.appointment,
      ref: `${o.appointment.ref}X`,
      start: new Date(Date.parse(o.appointment.start) + days * DAY).toISOString(),
      end: new Date(Date.parse(o.appointment.end) + days * DAY).toISOString(),
    };
    return;
  }
  const date = new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
  const ref = `OR${randomUUID().slice(0, 6).toUpperCase()}FR`;
  o.appointment = { id: ref, ref, start: `${date}T08:00:00.000Z`, end: `${date}T13:00:00.000Z` };
}

/** A ProductOrderStateChangeEvent (or create event) in seed 003's shape, untidiness optional. */
export function ksu(o: SandboxOrder, s: StepOptions): Record<string, unknown> {
  if (s.reappointDays !== undefined) reappoint(o, s.reappointDays);
  const rootId = o.items[0]!.id;
  const items = o.items.map((it, i) => {
    const root = i === 0;
    const item: Record<string, unknown> = {
      id: it.id,
      internalId: it.internalId,
      action: it.action,
      ...(s.eventType === 'ProductOrderCreateEvent'
        ? {}
        : {
            state: root ? (s.rootState ?? 'inProgress') : (s.childState ?? 'inProgress'),
            subStatus: root ? (s.rootSubStatus ?? (s.untidy ? 'In Progress' : 'inProgress')) : 'inProgress',
          }),
      product: {
        productOffering: { id: it.ecode },
        '@type': 'BTProductRefOrValue',
        customerFacingServiceId: { value: o.serviceId, previousValue: '' },
        id: it.productId,
        productCharacteristic: root
          ? (s.characteristics ?? []).map((c) => ({ ...c, '@type': 'BTCharacteristic' }))
          : [],
      },
      '@type': 'BTProductOrderItem',
    };
    if (root && s.expectedCompletionDate) item.expectedCompletionDate = s.expectedCompletionDate;
    if (root && o.appointment && s.appointmentStatus) {
      item.appointment = {
        id: o.appointment.id,
        BESAppointmentId: o.appointment.ref,
        appointmentStatus: s.appointmentStatus,
        appointmentStart: o.appointment.start,
        appointmentFinish: o.appointment.end,
      };
    }
    return item;
  });
  if (s.untidy) items.reverse(); // the root item need not come first
  const errorMessage = (s.codes ?? []).map((c, i) => ({
    subCode: c.subCode,
    message: i === 0 && s.untidy ? null : c.message,
    productOrderItem: s.untidy ? { itemId: rootId } : [{ itemId: rootId }],
  }));
  const cug = { '@referredType': 'Customer', '@type': 'BTRelatedParty', role: 'BtCug', id: o.cugId };
  return {
    event: {
      productOrder: {
        errorMessage,
        externalId: o.externalId,
        id: o.id,
        productOrderItem: items,
        relatedParty: s.untidy ? cug : [cug],
        '@type': 'BTProductOrder',
      },
    },
    eventType: s.eventType ?? 'ProductOrderStateChangeEvent',
    eventTime: s.eventTime ?? new Date(Date.now() - (s.lateByMs ?? 0)).toISOString(),
    eventId: randomUUID(),
  };
}
