import { z } from 'zod';

/** The kind a tenants file's top-level `suppliers:` entry names for a supplier that speaks the Fibre Cafe Supplier API. */
export const FIBRECAFE_KIND = 'fibrecafe-supplier-api';

const Client = z.object({ clientId: z.string().min(1).max(100), clientSecret: z.string().min(8) }).strict();

const Auth = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('oauth2'),
      tokenUrl: z.string().url(),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      scope: z.string().optional(),
    })
    .strict(),
  z.object({ type: z.literal('none') }).strict(),
]);

/**
 * An entry of the tenants file's top-level `suppliers:` list of this kind (its `id` and `kind` are read by the
 * tenants file). `baseUrl: sandbox` runs the built-in sandbox altnet in-process instead.
 */
export const FibreCafeConfigSchema = z
  .object({
    baseUrl: z.union([z.string().url(), z.literal('sandbox')]),
    auth: Auth.default({ type: 'none' }),
    /** what the supplier uses to get a token before POSTing Supplier Updates to /v1/suppliers/{id}/kcis */
    updatesClient: Client.optional(),
    /** each call's time limit, and the availability check's for this supplier (ms) */
    timeoutMs: z.number().int().min(50).max(120000).default(10000),
    /** the folder of its optional tables under the mappings directory (default: the id in lower case) */
    mappings: z
      .string()
      .regex(/^[\w-]{1,40}$/)
      .optional(),
    /** the sandbox's pace between the updates it posts (ms), when baseUrl is `sandbox` */
    sandboxPaceMs: z.number().int().min(0).max(60000).default(300),
  })
  .strict();
export type FibreCafeConfig = z.infer<typeof FibreCafeConfigSchema>;

/**
 * A tenant's entry under `suppliers.<id>`: empty (`FIBRECO: {}`): the altnet knows the tenant by its id here, sent
 * in the `Tenant` header and named by its updates.
 */
export const FibreCafeAccountSchema = z.object({}).strict();
export type FibreCafeAccount = z.infer<typeof FibreCafeAccountSchema>;
