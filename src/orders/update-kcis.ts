import type { KciSignal, SupplierNote, UpdateSignal } from '../suppliers/supplier.js';
import type { OrderStatus } from './order.js';
import type { ProblemCode } from './vocabulary.js';

/** A KCI an update gives, before the outbox numbers and wraps it. */
export interface KciDraft {
  updateType: 'INFORMATIONAL' | 'ACTION_REQUIRED';
  type: KciSignal['type'];
  problemCode?: ProblemCode;
  text?: string;
  supplierCodes: string[];
  supplierNotes: SupplierNote[];
}

/** Milestones reported at most once per order. */
export const ONCE: ReadonlySet<string> = new Set(['ACKNOWLEDGED', 'COMMITTED', 'COMPLETED', 'CANCELLED', 'TERMINATED']);

/** Of one update's KCIs the earlier step of an order's story is sent first: acknowledged, committed, news, asks, the end. */
const STAGE: Record<string, number> = { ACKNOWLEDGED: 0, COMMITTED: 1, COMPLETED: 4, CANCELLED: 4, TERMINATED: 4 };
const stageOf = (k: KciSignal) => STAGE[k.type] ?? (k.updateType === 'ACTION_REQUIRED' ? 3 : 2);

/** The Fibre Cafe wants a problem code on every off-happy-path KCI: delays, warnings and every action. */
const needsProblemCode = (k: KciSignal) =>
  k.updateType === 'ACTION_REQUIRED' || k.type === 'DELAY' || k.type === 'WARNING';

/** The generic type: it carries what no more specific KCI of the update says, and folds into one when there is one. */
const GENERIC = 'UPDATE';

export interface UpdateForKcis {
  /** the update's signals the order has not acted on before, highest priority first */
  signals: UpdateSignal[];
  /** the signal that decided the status (undefined: the status did not move) */
  statusSignal?: UpdateSignal;
  /** a late update, or one for an order already closed: it cannot announce a milestone or ask for action */
  closed: boolean;
  /** the update ended the order (its status became terminal) */
  ends: boolean;
  statusAfter: OrderStatus;
  /** milestones already announced */
  milestones: ReadonlySet<string>;
  /** every code of the update, and those not reported before */
  codes: string[];
  newCodes: ReadonlySet<string>;
  unmapped: { code: string; text?: string }[];
  codeTexts: { code: string; text?: string }[];
  /** whether the tenant sees anything new in the order entity */
  entityChanged: boolean;
  characteristics: [string, string][];
  notes: SupplierNote[];
}

interface Group {
  kci: KciSignal;
  signals: UpdateSignal[];
  texts: string[];
}

/** Texts once each: the same words in another case or without the full stop are the same text. */
function unique(list: (string | undefined)[]): string[] {
  const seen = new Set<string>();
  return list.filter((t): t is string => {
    const key = t?.trim().replace(/\.$/, '').toLowerCase();
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A group's texts: the supplier's own words for its signals, else the table's text of its first signal. */
function textsOf(signals: UpdateSignal[]): string[] {
  const own = unique(signals.filter((s) => s.ownText).map((s) => s.text));
  return own.length ? own : unique([signals[0]?.text]);
}

/**
 * The KCIs one supplier update gives: one per kind of thing it says (a milestone, a reappointment, a delay, an
 * action), none swallowed by another, in the order of an order's story; every new code's text reaches the tenant
 * on one of them. Pure.
 */
export function kcisOfUpdate(u: UpdateForKcis): KciDraft[] {
  let groups: Group[] = [];
  for (const s of u.signals) {
    if (!s.kci) continue;
    let kci: KciSignal = s.kci;
    if (u.closed && (ONCE.has(kci.type) || kci.updateType === 'ACTION_REQUIRED' || s.status)) continue;
    // A milestone already announced: what it comes with (a new code, its text) is still news.
    if (ONCE.has(kci.type) && u.milestones.has(kci.type)) kci = { updateType: 'INFORMATIONAL', type: GENERIC };
    // A hold that another signal of the same update keeps is not over.
    if (kci.type === 'RESUMED' && u.statusAfter === 'HELD') continue;
    const g = groups.find((x) => x.kci.updateType === kci.updateType && x.kci.type === kci.type);
    if (g) {
      g.signals.push(s);
      if (!g.kci.problemCode && kci.problemCode) g.kci = { ...g.kci, problemCode: kci.problemCode } as KciSignal;
    } else groups.push({ kci, signals: [s], texts: [] });
  }
  for (const g of groups) g.texts = textsOf(g.signals);

  // An update that ends the order says so with its milestones (and the signal that ended it); what the rest say
  // in the supplier's own words is told on the first of them, as is a generic UPDATE's beside a more specific KCI.
  const keep = (g: Group) =>
    (!u.ends || ONCE.has(g.kci.type) || (u.statusSignal !== undefined && g.signals.includes(u.statusSignal))) &&
    (g.kci.type !== GENERIC || groups.every((x) => x.kci.type === GENERIC));
  const kept = groups.filter(keep);
  if (kept.length) {
    const first = kept[0]!;
    for (const g of groups)
      if (!kept.includes(g))
        first.texts = unique([...first.texts, ...g.signals.filter((s) => s.ownText).map((s) => s.text)]);
    groups = kept;
  } else groups = [];

  // Every new code's own text reaches the tenant, on the first KCI when no KCI is about that code.
  const told = new Set(groups.flatMap((g) => g.signals.map((s) => s.code)));
  const newTexts = (filter: (code: string) => boolean) =>
    unique(u.codeTexts.filter((c) => u.newCodes.has(c.code) && filter(c.code)).map((c) => c.text));
  if (groups.length) {
    groups[0]!.texts = unique([...groups[0]!.texts, ...newTexts((c) => !told.has(c))]);
  } else if (u.unmapped.some((c) => u.newCodes.has(c.code)) || (!u.entityChanged && u.newCodes.size)) {
    groups.push({ kci: { updateType: 'INFORMATIONAL', type: GENERIC }, signals: [], texts: newTexts(() => true) });
  } else if (u.entityChanged) {
    const updated = u.characteristics.length ? `Updated: ${u.characteristics.map(([k]) => k).join(', ')}` : undefined;
    groups.push({
      kci: { updateType: 'INFORMATIONAL', type: 'ADDITIONAL' },
      signals: [],
      texts: unique([updated, ...newTexts(() => true)]),
    });
  }

  const order = new Map(groups.map((g, i) => [g, i]));
  return groups
    .sort((a, b) => stageOf(a.kci) - stageOf(b.kci) || order.get(a)! - order.get(b)!)
    .map((g) => ({
      updateType: g.kci.updateType,
      type: g.kci.type,
      problemCode: g.kci.problemCode ?? (needsProblemCode(g.kci) ? 'OTHER' : undefined),
      text: g.texts.join(' / ') || undefined,
      supplierCodes: u.codes,
      supplierNotes: u.notes,
    }));
}
