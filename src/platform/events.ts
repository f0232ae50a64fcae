/**
 * A small typed event emitter: work committed in one place wakes the worker that takes it up
 * (an order stored → the dispatcher; a KSU stored → the applier; a KCI enqueued → delivery).
 * Listeners run synchronously and must not throw; a listener's error is reported, never propagated.
 */
export class TypedEvents<E extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof E, Set<(...args: unknown[]) => void>>();
  constructor(private readonly onListenerError: (event: keyof E, err: unknown) => void = () => {}) {}

  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    const l = listener as unknown as (...args: unknown[]) => void;
    set.add(l);
    this.listeners.set(event, set);
    return () => set.delete(l);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(...args);
      } catch (e) {
        this.onListenerError(event, e);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** What the connector's parts tell each other. */
export type ConnectorEvents = {
  /** orders, amendments or cancellations were stored and wait to be sent */
  'sends-due': [];
  /** updates from a supplier were stored and wait to be applied */
  'updates-stored': [];
  /** orders learnt their supplier order id: updates stored before may now match them */
  'orders-identified': [orders: { tenantId: string; id: number }[]];
  /** KCIs were committed to the outbox */
  'kcis-enqueued': [];
};

export type Events = TypedEvents<ConnectorEvents>;
