/**
 * Delivery slots: at most `max` deliveries in flight, and at most `perTenant` of them for one tenant, so a
 * tenant whose endpoint hangs until the timeout holds only its share and delays nobody else.
 */
export class DeliverySlots {
  private inFlight = 0;
  private readonly byTenant = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly perTenant: number,
  ) {}

  /** Free slots overall. */
  get free(): number {
    return this.max - this.inFlight;
  }

  /** Tenants at their share: a claim skips their KCIs. */
  full(): string[] {
    return [...this.byTenant].filter(([, n]) => n >= this.perTenant).map(([t]) => t);
  }

  /** Takes a slot for the tenant (true), unless it is at its share (false). */
  take(tenantId: string): boolean {
    const n = this.byTenant.get(tenantId) ?? 0;
    if (n >= this.perTenant) return false;
    this.inFlight += 1;
    this.byTenant.set(tenantId, n + 1);
    return true;
  }

  release(tenantId: string): void {
    this.inFlight -= 1;
    const n = (this.byTenant.get(tenantId) ?? 1) - 1;
    if (n > 0) this.byTenant.set(tenantId, n);
    else this.byTenant.delete(tenantId);
  }
}
