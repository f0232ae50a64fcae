import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Metrics } from '../platform/metrics.js';
import type { MappingTools, Supplier, SupplierStartEnv } from './supplier.js';
import { MappingsError } from './supplier.js';
import { Bb1AccountSchema } from './bb1/account.js';
import { BB1_ID, bb1MappingTools, createBb1Supplier } from './bb1/index.js';
import { FIBRECAFE_KIND, fibreCafeKind } from './fibrecafe/index.js';

/** What the registry needs to build a supplier's adapter. */
export interface SupplierDeps {
  env: Record<string, string | undefined>;
  mappingsDir: string;
  metrics: Metrics;
  log: Logger;
}

/** A supplier as the tenants file knows it (its account schema) and how to build its adapter. */
export interface SupplierModule {
  id: string;
  accountSchema: Supplier['accountSchema'];
  inboundClient?: Supplier['inboundClient'];
  /** the client the supplier as a whole calls back with (each update names its tenant), if it has one */
  supplierClient?: { clientId: string; clientSecret: string };
  /** the supplier's mapping tables' tools, for the CLI */
  mappingTools?: MappingTools;
  create(deps: SupplierDeps): Supplier;
}

/** Every supplier the connector can use: one line each. */
export const SUPPLIER_MODULES: SupplierModule[] = [
  {
    id: BB1_ID,
    accountSchema: Bb1AccountSchema,
    inboundClient: (a) => (a as { ksuClient: { clientId: string; clientSecret: string } }).ksuClient,
    mappingTools: bb1MappingTools,
    create: (d) => createBb1Supplier(d) as Supplier,
  },
];

/**
 * A kind of supplier the tenants file's top-level `suppliers:` list may name: any number of them, each with its
 * own id, base URL and credentials, from configuration alone.
 */
export interface SupplierKind {
  /** validates an entry of the top-level `suppliers:` list (without `id` and `kind`) */
  configSchema: z.ZodType<unknown, z.ZodTypeDef, unknown>;
  module(id: string, config: unknown): SupplierModule;
  /** the tools for a folder of this kind's tables (the CLI offers every folder no built-in supplier owns) */
  mappingTools?(folder: string): MappingTools;
}

/** Every kind of configured supplier: one line each. */
export const SUPPLIER_KINDS: Record<string, SupplierKind> = {
  [FIBRECAFE_KIND]: fibreCafeKind,
};

/** The running suppliers, by id. */
export class SupplierRegistry {
  private readonly byId: Map<string, Supplier>;
  constructor(readonly list: Supplier[]) {
    this.byId = new Map(list.map((s) => [s.id, s]));
  }

  get(id: string): Supplier | undefined {
    return this.byId.get(id);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  /** Reloads every supplier's tables: all or nothing (a supplier whose tables fail keeps its old ones, and so do the rest). */
  reloadMappings(): { supplier: string; tables: number }[] {
    const problems: string[] = [];
    const commits: (() => void)[] = [];
    for (const s of this.list) {
      try {
        if (s.mappings) commits.push(s.mappings.prepareReload());
      } catch (e) {
        problems.push(...((e as MappingsError).problems ?? [String(e)]));
      }
    }
    if (problems.length) throw new MappingsError(problems);
    for (const commit of commits) commit();
    return this.list.filter((s) => s.mappings).map((s) => ({ supplier: s.id, tables: s.mappings!.tableCount }));
  }

  /** Starts what each supplier runs beside the connector (e.g. a sandbox), with the accounts of its tenants. */
  async start(
    env: Omit<SupplierStartEnv, 'accounts'> & { accountsOf(supplierId: string): SupplierStartEnv['accounts'] },
  ): Promise<void> {
    for (const s of this.list) await s.start?.({ ...env, accounts: env.accountsOf(s.id) });
  }

  async stop(): Promise<void> {
    for (const s of this.list) await s.stop?.();
  }
}

export function createSuppliers(deps: SupplierDeps, modules: SupplierModule[] = SUPPLIER_MODULES): SupplierRegistry {
  return new SupplierRegistry(modules.map((m) => m.create(deps)));
}
