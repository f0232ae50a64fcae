import { z } from 'zod';

const Client = z
  .object({ clientId: z.string().min(1).max(100), clientSecret: z.string().min(8, 'must be at least 8 characters') })
  .strict();

/** A tenant's BB1 account, as written under `suppliers.BTWHOLESALEBB1` in the tenants file (docs/contract.md §2.1). */
export const Bb1AccountSchema = z
  .object({
    /** the tenant's BB1 app (consumer key / secret) */
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    cugId: z.string().regex(/^CUG\d{10}$/, 'must look like CUG5009999999'),
    retailerId: z.string().regex(/^[A-Z0-9]{3}$/, 'must be a three-character Ofcom RID'),
    billingAccountId: z.string().regex(/^\d{1,20}$/, 'must be digits (quote it in YAML to keep leading zeros)'),
    /** what BB1 uses to get a token before POSTing KSUs */
    ksuClient: Client,
  })
  .strict();

export type Bb1AccountConfig = z.infer<typeof Bb1AccountSchema>;
