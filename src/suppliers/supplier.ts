import type { z } from 'zod';
import type {
  Address,
  AddressIdentifier,
  AmendmentRequest,
  CancellationRequest,
  OrderEntity,
  OrderRequest,
  OrderStatus,
  ReservationRequest,
  ReservedSlot,
  ServiceAvailability,
  Timeslot,
} from '../orders/order.js';
import type { ActionType, InformationType, ProblemCode } from '../orders/vocabulary.js';

/**
 * The supplier port: what the connector needs from a wholesaler, in the connector's words. Each supplier is
 * an adapter (a folder under src/suppliers/) behind this type and one line in registry.ts. Translation is
 * pure (`plan*`, `read`, `interpret`): a mapping maintainer can run it with no network and no database;
 * I/O is in `lookups` and `send*`. Failures of a call are thrown as SupplierError (./errors.ts); requests
 * the supplier's tables cannot express as InvalidRequest (../orders/errors.ts), every problem at once.
 */
export interface Supplier<Account = unknown> {
  readonly id: string;
  /** Validates (and types) a tenant's entry under `suppliers.<id>` in the tenants file. */
  readonly accountSchema: z.ZodType<Account, z.ZodTypeDef, unknown>;
  /** The credentials this supplier uses to call the connector back for a tenant (e.g. to POST order updates). */
  inboundClient?(account: Account): { clientId: string; clientSecret: string } | undefined;
  readonly lookups: SupplierLookups<Account>;
  readonly orders: SupplierOrders<Account>;
  readonly updates?: SupplierUpdates<Account>;
  /** The supplier's mapping tables, if it has any: reloaded together with every other supplier's. */
  readonly mappings?: SupplierMappings;
  /** Runs what the adapter needs beside the connector (a built-in sandbox when no real endpoint is set). */
  start?(env: SupplierStartEnv): Promise<void>;
  stop?(): Promise<void>;
  /** One line for the start-up banner: where the supplier is reached. */
  describe?(): string;
  /** How long the tenant's availability check waits for this supplier before answering without it (ms). */
  readonly availabilityTimeoutMs?: number;
}

export interface SupplierStartEnv {
  /** how the supplier (or its sandbox) reaches the connector */
  publicBaseUrl: string | (() => string);
  /** the tenants entitled to this supplier, with their validated accounts */
  accounts: { tenantId: string; account: unknown }[];
  /** the plain inbound client secret of a tenant, where the caller knows it (the demo tenant) */
  inboundSecret?(tenantId: string): string | undefined;
}

// ---- Lookups (synchronous for the tenant) -------------------------------------------------------------

export interface AddressQuery {
  postalCode?: string;
  uprn?: string;
  name?: string;
  streetNumber?: string;
  streetName?: string;
}

export interface SlotQuery {
  address: AddressIdentifier;
  serviceSpecification: { id: string };
  serviceCharacteristics?: { name: string; value: string }[];
  appointmentFromDate?: string;
  appointmentPurpose?: string;
  standardOnly?: boolean;
  /** today in the UK (YYYY-MM-DD): the default first day */
  today: string;
}

/** What the supplier answered to a reservation, in the connector's words. */
export interface ReservedAppointment {
  supplierReference: string;
  start: string;
  end: string;
  expiryDateTime?: string;
  /** the normalised SITE_VISIT_REASON the slot was reserved for, when the supplier's slots depend on it */
  siteVisitReason?: string;
}

/** Who asks a look-up (suppliers that take the tenant's id in each call, e.g. the Fibre Cafe Supplier API's `Tenant`). */
export interface LookupContext {
  tenantId: string;
  conversationId?: string;
  /** the connector's id for what is being created (a reservation), where the supplier takes it */
  id?: number;
}

export interface SupplierLookups<Account> {
  addresses(account: Account, query: AddressQuery, context?: LookupContext): Promise<Address[]>;
  /** One element of the tenant's availability answer (`supplier` filled in). */
  availability(
    account: Account,
    query: { address: AddressIdentifier },
    context?: LookupContext,
  ): Promise<ServiceAvailability>;
  slots(account: Account, query: SlotQuery, context?: LookupContext): Promise<Timeslot[]>;
  reserve(account: Account, request: ReservationRequest, context?: LookupContext): Promise<ReservedAppointment>;
}

// ---- Orders (asynchronous for the tenant: planned now, sent by the dispatcher) -------------------------

/** An order planned for the supplier: the payload to send and the adapter's own state to keep with it. */
export interface OrderPlan {
  payload: unknown;
  adapterState: unknown;
}

/** An order the supplier may already know, as the adapter sees it when planning a follow-up. */
export interface PlacedOrder {
  externalId: string;
  supplierOrderId: string | null;
  orderType: string;
  entity: OrderEntity;
  adapterState: unknown;
  /** the X-Conversation-ID the tenant created the order with */
  conversationId?: string;
}

/** What the supplier answered when it took a request. */
export interface SendReceipt {
  /** the supplier's id for the order, when the answer carries it */
  supplierOrderId?: string;
  /** the supplier's reference for what it took (an amendment, a cancellation), when the answer gives one */
  supplierReference?: string;
  answer: SupplierAnswer;
  /**
   * What the answer itself reports of the order (a synchronous acknowledgement), as a body `updates.read` takes:
   * applied as if the supplier had posted it.
   */
  update?: unknown;
}

export interface SupplierAnswer {
  status: number;
  body?: unknown;
}

/** A service as the connector keeps it, for completing a modify or cease the tenant asked for by intent. */
export interface KnownService {
  serviceId: string;
  technology?: string;
  characteristics: Record<string, string>;
}

export interface SupplierOrders<Account> {
  /**
   * Pure. A MODIFY or CEASE that names only the service and the target characteristics (no actions, no asset
   * ids), completed from what the connector knows of the service into the explicit request the supplier needs.
   */
  completeIntent?(account: Account, service: KnownService, request: OrderRequest): OrderRequest;
  /**
   * Optional I/O before planning an order: what the supplier must be asked about the place for the order
   * (e.g. the offering's minimum guaranteed speed, the install process, an address record to create). Its
   * answer is opaque to everyone else and given to `plan` as `facts`.
   */
  prepare?(account: Account, request: OrderRequest): Promise<unknown>;
  /** Pure. Throws InvalidRequest naming every field the tables cannot express. */
  plan(
    account: Account,
    request: OrderRequest,
    context: { externalId: string; slot?: ReservedSlot; facts?: unknown; conversationId?: string },
  ): OrderPlan;
  /** `context.id`: the connector's id for the amendment or cancellation (suppliers that take it are passed it). */
  planAmend(
    account: Account,
    order: PlacedOrder,
    request: AmendmentRequest,
    slot?: ReservedSlot,
    context?: { id: number },
  ): { payload: unknown };
  planCancel(
    account: Account,
    order: PlacedOrder,
    request: CancellationRequest,
    context?: { id: number },
  ): { payload: unknown };
  send(account: Account, payload: unknown): Promise<SendReceipt>;
  sendAmend(account: Account, order: PlacedOrder, payload: unknown): Promise<SendReceipt>;
  sendCancel(account: Account, order: PlacedOrder, payload: unknown): Promise<SendReceipt>;
  /**
   * Asks the supplier whether it holds an order: by the connector's externalId, else by its own order id.
   * Undefined: it has no such order (so a send that may have reached it did not, and may be made again).
   * Throws SupplierError when it cannot tell. Without it, an uncertain send is reported to the tenant.
   */
  find?(
    account: Account,
    order: { externalId: string; supplierOrderId?: string | null },
  ): Promise<FoundOrder | undefined>;
  /** Pure. Whether what the supplier holds shows an amendment or cancellation (its planned payload) as taken. */
  shows?(found: FoundOrder, kind: 'AMENDMENT' | 'CANCELLATION', payload: unknown): boolean;
}

/** An order as the supplier holds it, from its query (`orders.find`). */
export interface FoundOrder {
  supplierOrderId: string;
  /**
   * The supplier's view of the order as an update its `updates.read` accepts, with an eventId that is the same
   * for the same view: reconciliation stores it with the updates the supplier sent, and applies it as one.
   */
  update: unknown;
  /** the view as the supplier answered it (for the adapter's `shows`) */
  view: unknown;
}

// ---- Updates (the supplier tells the connector how an order is going) ---------------------------------

/** What the connector needs to store an inbound update and find its order. */
export interface UpdateKeys {
  eventId?: string;
  eventType: string;
  eventTime?: string;
  /** the connector's own order reference, when the update carries it */
  externalId?: string;
  /** the supplier's id for the order */
  supplierOrderId?: string;
  /**
   * The connector's own numeric order id and its tenant, when the update names the order that way (the Fibre
   * Cafe Supplier Updates API) rather than by externalId: the receiver finds the externalId from them.
   */
  gatewayOrder?: { tenantId: string; id: number };
  /** the supplier's sequence number of the update for its order: updates arriving together are applied in it */
  sequence?: number;
}

export interface SupplierUpdates<Account> {
  /** The inbound route the supplier posts to: `/v1/suppliers/{id}/ksus` (the default) or `/v1/suppliers/{id}/kcis`. */
  readonly endpoint?: 'ksus' | 'kcis';
  /** Pure. Reads a body far enough to store and route it; throws UpdateShapeError when it is not an update. */
  read(body: unknown): { keys: UpdateKeys; parsed: unknown };
  /** Why the authenticated account may not send this update (undefined: it may). */
  refuses(account: Account, parsed: unknown): string | undefined;
  /** Pure. What the update says about one order, in the connector's words. */
  interpret(parsed: unknown, order: UpdateContext): SupplierUpdate;
}

export class UpdateShapeError extends Error {}
/** Well formed but breaking a rule of the supplier's update API (e.g. a DELAY without problemCode): refused 422. */
export class UpdateRuleError extends UpdateShapeError {}

export interface UpdateContext {
  orderType: string;
  entity: OrderEntity;
  adapterState: unknown;
  /** an update older than one already applied: its facts must not overwrite newer ones */
  stale: boolean;
}

/** A KCI an update asks for, as a table row says it. */
export type KciSignal =
  | { updateType: 'INFORMATIONAL'; type: InformationType; problemCode?: ProblemCode }
  | { updateType: 'ACTION_REQUIRED'; type: ActionType; problemCode?: ProblemCode };

/** One thing the update says, with what it means for the tenant (decided by the supplier's tables). */
export interface UpdateSignal {
  kci?: KciSignal;
  /** the status the order moves to; PREVIOUS = the status before the tenant's amendment or cancellation */
  status?: OrderStatus | 'PREVIOUS';
  priority: number;
  /**
   * What the signal is about (a code, an item entering a state, an appointment): a later update with the same
   * key says nothing new (suppliers repeat earlier codes and states), so the lifecycle does not act on it again.
   */
  key: string;
  /** the supplier's own words for it, else the table's */
  text?: string;
  /** whether `text` is the supplier's own (else it is the table's) */
  ownText?: boolean;
  /** the supplier code the signal comes from, if any */
  code?: string;
  setsCommittedDate?: boolean;
  /** a date the signal itself carries (e.g. in the supplier's text): the new target date */
  targetDate?: string;
  /** where it came from, for people (table and row) */
  source: string;
  /** the table row itself (the mapping tools show its file:line) */
  row?: unknown;
}

export interface SupplierNote {
  note: string;
  type?: string;
  created?: string;
}

/** What a supplier learnt, in the connector's words: the lifecycle turns it into a status, an entity and a KCI. */
export interface SupplierUpdate {
  eventTime?: string;
  /** highest priority first; the first with a KCI decides it */
  signals: UpdateSignal[];
  /** every distinct code the update carries */
  codes: string[];
  /** codes no table row knows, with the supplier's text */
  unmapped: { code: string; text?: string }[];
  /** every code with the supplier's text (for a KCI about codes no row maps to a signal) */
  codeTexts: { code: string; text?: string }[];
  facts: {
    supplierOrderId?: string;
    /** service characteristics the supplier reports (asset ids, ONT reference, …) */
    characteristics: [string, string][];
    serviceId?: string;
    /** the appointment now; null: the supplier cancelled it (the order shows none); undefined: not mentioned */
    appointment?: { reference?: string; start?: string; end?: string } | null;
    expectedCompletionDate?: string;
    notes: SupplierNote[];
  };
  /** the adapter's own state after this update (opaque to everyone else) */
  adapterState: unknown;
}

// ---- Mapping tables and their tools ---------------------------------------------------------------------

export interface SupplierMappings {
  /** the folder under MAPPINGS_DIR */
  readonly folder: string;
  /** how many tables are loaded */
  readonly tableCount: number;
  /**
   * Reads and validates the tables again (throws MappingsError if they are invalid) and returns the step that
   * puts them in use, so that the registry swaps every supplier's tables or none.
   */
  prepareReload(): () => void;
}

/** What a mapping maintainer runs from the CLI (`npm run mappings`): pure, over a mappings directory. */
export interface MappingTools {
  /** the folder under the mappings directory */
  readonly folder: string;
  /** Checks the tables without using them (throws MappingsError); a summary of what is there. */
  validate(mappingsDir: string): string;
  /** A stored update or a tenant request, explained: what it becomes and which rows fired. */
  explain(mappingsDir: string, body: Record<string, unknown>, opts: { status?: string; orderType?: string }): string;
  /** For each of the adapter's fixtures: what changes between the tables at a git ref and these. */
  diff(mappingsDir: string, ref: string): { text: string; changed: string[] };
  /** Codes and statuses in stored updates that no row matches, from their bodies. */
  coverage(mappingsDir: string, bodies: AsyncIterable<{ body: unknown; receivedAt: string }>): Promise<string>;
}

/** Tables that do not validate: every problem, with file:line where known. */
export class MappingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Mapping tables are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
