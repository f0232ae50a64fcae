/**
 * Normalises a KSU as BB1 really sends it (docs/contract.md §7.1): arrays that arrive as single objects,
 * `message: null`, codes joined with ".~", subStatus casing, times with or without offset and
 * milliseconds, items in any order, nested or flat. Pure: no I/O.
 */

export interface KsuItem {
  id: string;
  parentId?: string;
  internalId?: string;
  action?: string;
  state?: string;
  subStatus?: string;
  ecode?: string;
  productId?: string;
  serviceId?: string;
  characteristics: { name: string; value: string }[];
  expectedCompletionDate?: string;
  appointment?: { id?: string; reference?: string; status?: string; start?: string; end?: string };
}

export interface KsuCode {
  code: string;
  severity?: string;
  text?: string;
  itemIds: string[];
}

export interface ParsedKsu {
  eventId?: string;
  eventType: string;
  eventTime?: string;
  externalId?: string;
  bb1OrderId?: string;
  orderState?: string;
  cugIds: string[];
  items: KsuItem[];
  subCodes: string[];
  codes: KsuCode[];
  notes: { note: string; type?: string; created?: string }[];
}

export class KsuShapeError extends Error {}

const asArray = <T>(v: T | T[] | null | undefined): T[] => (v == null ? [] : Array.isArray(v) ? v : [v]);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** `inProgress`, `In Progress`, `INPROGRESS` → `inprogress`: the key used to match tables. */
export const normaliseKey = (s: string | undefined) => {
  if (!s) return '';
  // Translation compares table rows and item states many times per KSU; their vocabulary is small.
  let k = keys.get(s);
  if (k === undefined) {
    k = s.replace(/[\s_-]+/g, '').toLowerCase();
    if (keys.size < 1000) keys.set(s, k);
  }
  return k;
};
const keys = new Map<string, string>();

/** Any ISO-like time (Z, +01:00, no milliseconds) → canonical UTC ISO, or undefined. */
export function normaliseTime(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  if (isCanonicalTime(s)) return s; // what the round trip below would give back, without building it
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const CANONICAL = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
/** Already canonical UTC ISO with a real calendar date (2024-02-30 is not: Date.parse rolls it over). */
function isCanonicalTime(s: string): boolean {
  const m = CANONICAL.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  const y = Number(m[1]);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= days;
}

/** "Informational : 101158 : End Customer missed… .~ Informational : 101147 : Engineer…" → codes with their text. */
export function parseMessage(message: string | null | undefined): { code: string; severity?: string; text?: string }[] {
  if (!message) return [];
  return message
    .split('.~')
    .map((part) => part.trim())
    .filter(Boolean)
    .flatMap((part): { code: string; severity?: string; text?: string }[] => {
      const m = part.match(/^\s*([A-Za-z ]+?)\s*:\s*(\d{1,8})\s*:\s*(.*)$/s);
      if (m)
        return [
          {
            severity: m[1]!.trim(),
            code: m[2]!,
            text:
              m[3]!
                .trim()
                .replace(/\s+\.$/, '')
                .trim() || undefined,
          },
        ];
      const bare = part.match(/\b(\d{3,8})\b/);
      return bare ? [{ code: bare[1]!, text: part }] : [];
    });
}

function flattenItems(raw: unknown, parentId: string | undefined, out: KsuItem[]): void {
  for (const it of asArray(raw as Obj | Obj[])) {
    const o = obj(it);
    const product = obj(o.product);
    const appt = obj(o.appointment);
    const id = str(o.id) ?? `${parentId ?? 'item'}#${out.length}`;
    const item: KsuItem = {
      id,
      parentId,
      internalId: str(o.internalId),
      action: str(o.action),
      state: str(o.state),
      subStatus: str(o.subStatus),
      ecode: str(obj(product.productOffering).id),
      productId: str(product.id),
      serviceId: str(obj(product.customerFacingServiceId).value),
      characteristics: asArray(product.productCharacteristic as Obj[])
        .map(obj)
        .flatMap((c) => {
          const name = str(c.name);
          const value = str(c.value);
          return name && value !== undefined ? [{ name, value }] : [];
        }),
      expectedCompletionDate: normaliseTime(o.expectedCompletionDate),
      appointment: Object.keys(appt).length
        ? {
            id: str(appt.id),
            reference: str(appt.BESAppointmentId),
            status: str(appt.appointmentStatus),
            start: normaliseTime(appt.appointmentStart),
            end: normaliseTime(appt.appointmentFinish),
          }
        : undefined,
    };
    out.push(item);
    if (o.productOrderItem) flattenItems(o.productOrderItem, id, out);
  }
}

/** Derives the parent from dotted ids ("13008684.2" → "13008684") when BB1 sends items flat. */
function inferParents(items: KsuItem[]): void {
  const ids = new Set(items.map((i) => i.id));
  for (const i of items) {
    if (i.parentId) continue;
    const dot = i.id.lastIndexOf('.');
    if (dot > 0 && ids.has(i.id.slice(0, dot))) i.parentId = i.id.slice(0, dot);
  }
}

export function parseKsu(body: unknown): ParsedKsu {
  const root = obj(body);
  const event = obj(root.event);
  const po = obj(event.productOrder ?? event.cancelProductOrder ?? root.productOrder);
  if (!Object.keys(po).length) throw new KsuShapeError('event.productOrder is missing');
  const items: KsuItem[] = [];
  flattenItems(po.productOrderItem, undefined, items);
  inferParents(items);
  const subCodes: string[] = [];
  const codes = new Map<string, KsuCode>();
  for (const em of asArray(po.errorMessage as Obj[]).map(obj)) {
    const itemIds = asArray(em.productOrderItem as Obj[])
      .map(obj)
      .map((x) => str(x.itemId) ?? str(x.id))
      .filter((x): x is string => Boolean(x));
    const sub = str(em.subCode) ?? str(em.code);
    if (sub && !subCodes.includes(sub)) subCodes.push(sub);
    const parsed = parseMessage(typeof em.message === 'string' ? em.message : undefined);
    if (sub && !parsed.some((c) => c.code === sub)) parsed.unshift({ code: sub, severity: undefined, text: undefined });
    for (const c of parsed) {
      const known = codes.get(c.code);
      if (known) {
        known.text ??= c.text;
        known.severity ??= c.severity;
        for (const id of itemIds) if (!known.itemIds.includes(id)) known.itemIds.push(id);
      } else codes.set(c.code, { code: c.code, severity: c.severity, text: c.text, itemIds: [...itemIds] });
    }
  }
  const notes = asArray(po.note as Obj[])
    .map(obj)
    .flatMap((n) => {
      const text = str(n.text);
      return text ? [{ note: text, type: str(n.type), created: normaliseTime(n.date ?? n.created) }] : [];
    });
  const eventType =
    str(root.eventType) ?? (items.some((i) => i.state) ? 'ProductOrderStateChangeEvent' : 'ProductOrderCreateEvent');
  return {
    eventId: str(root.eventId),
    eventType,
    eventTime: normaliseTime(root.eventTime),
    externalId: str(po.externalId),
    bb1OrderId:
      str(obj(po.productOrder).id) && eventType.startsWith('Cancel') ? str(obj(po.productOrder).id) : str(po.id),
    orderState: str(po.state),
    cugIds: asArray(po.relatedParty as Obj[])
      .map(obj)
      .filter((p) => str(p.role) === 'BtCug')
      .map((p) => str(p.id))
      .filter((x): x is string => Boolean(x)),
    items,
    subCodes,
    codes: [...codes.values()],
    notes,
  };
}
