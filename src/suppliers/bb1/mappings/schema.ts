import { z } from 'zod';
import { ACTION_TYPES, INFORMATION_TYPES, ORDER_STATUSES, PROBLEM_CODES } from '../../../orders/vocabulary.js';

export const TECHNOLOGIES = ['FTTP', 'SOGEA', 'SOADSL', 'SOGFAST', 'FTTC'] as const;
/** The tenant characteristics an amendment may change on BB1 (seed 002 "Orders": the chargebands). */
export const AMENDABLE_CHARACTERISTICS = ['ECC_CHARGEBAND', 'TRC_CHARGEBAND'] as const;

const ecode = z.string().regex(/^E\d{7}$/, 'must be an ecode like E0000160');
const technology = z.enum(TECHNOLOGIES);
const band = z.record(z.string().regex(/^\d$/, 'band must be a digit'), z.string());

export const KciSignal = z.discriminatedUnion('updateType', [
  z
    .object({
      updateType: z.literal('INFORMATIONAL'),
      type: z.enum(INFORMATION_TYPES),
      problemCode: z.enum(PROBLEM_CODES).optional(),
    })
    .strict(),
  z
    .object({
      updateType: z.literal('ACTION_REQUIRED'),
      type: z.enum(ACTION_TYPES),
      problemCode: z.enum(PROBLEM_CODES).optional(),
    })
    .strict(),
]);
export type KciSignal = z.infer<typeof KciSignal>;

const statusEffect = z.enum([...ORDER_STATUSES, 'PREVIOUS']);
const ruleFields = {
  kci: KciSignal,
  status: statusEffect.optional(),
  priority: z.number().int().min(0).max(1000),
  text: z.string().min(1),
};

export const Tables = {
  'line-profiles': z
    .object({
      lineProfiles: z
        .array(
          z
            .object({
              lineProfile: z.string().regex(/^\d{1,4}$/),
              variant: z.string().min(1),
              /** absent: the seeds name the product but give no ecode; it can be a service's current profile, never a target */
              ecode: ecode.optional(),
              technology,
            })
            .strict(),
        )
        .min(1),
    })
    .strict(),
  technologies: z
    .object({
      technologies: z
        .array(
          z
            .object({
              id: technology,
              accessTechnology: z.string().min(1),
              serviceSpecification: z.object({ id: z.string(), name: z.string() }).strict(),
              lineType: z.enum(['FIBRE', 'COPPER']),
              defaultCareLevel: z.string(),
              appointmentTechnology: z.string(),
              /** false: BB1 still serves it (modify, cease, migrate away) but sells no new provide of it */
              newProvide: z.boolean().optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict(),
  'care-levels': z
    .object({
      careLevels: z
        .array(
          z
            .object({
              careLevel: z.string().regex(/^[A-Z][a-z]+$/),
              legacy: z.string().regex(/^\d$/),
              ecode,
              description: z.string(),
              technologies: z.array(technology).min(1),
            })
            .strict(),
        )
        .min(1),
    })
    .strict(),
  'charge-bands': z
    .object({
      ecc: z.object({ attribute: z.string(), default: z.string(), bands: z.record(technology, band) }).strict(),
      trc: z.object({ attribute: z.string(), default: z.string(), bands: z.record(technology, band) }).strict(),
    })
    .strict(),
  'site-visit-reasons': z
    .object({
      default: z.string(),
      attribute: z.string(),
      fttpInstallTypeAttribute: z.string(),
      defaultFttpInstallType: z.string(),
      fttpInstallTypes: z.record(z.enum(['STANDARD', 'EXTENDED_STANDARD', 'NON_STANDARD']), z.string()),
      appointmentTypes: z.object({ PROVIDE: z.string(), MODIFY: z.string(), REPAIR: z.string() }).strict(),
      siteVisitReasons: z.array(z.object({ siteVisitReason: z.string(), bb1Value: z.string(), ecode }).strict()).min(1),
    })
    .strict(),
  'ip-products': z
    .object({
      static: z
        .object({ ecode, countAttribute: z.string(), allowedCounts: z.array(z.string().regex(/^\d+$/)).min(1) })
        .strict(),
      dynamic: z.object({ ecode }).strict(),
    })
    .strict(),
  journeys: z
    .object({
      journeys: z
        .array(
          z
            .object({
              orderType: z.enum(['NEW', 'START', 'TAKEOVER', 'TRANSFER']),
              journeyType: z.string(),
              requires: z.object({ FIBRE: z.array(z.string()), COPPER: z.array(z.string()) }).strict(),
              lineState: z.string().optional(),
              fromCopper: z.array(z.string()).optional(),
            })
            .strict(),
        )
        .length(4, 'must list NEW, START, TAKEOVER and TRANSFER'),
      reuseAttributes: z.record(z.string(), z.string()),
      lineStateAttribute: z.string(),
      ontTypeAttribute: z.string(),
      ontType: z.object({ newOnt: z.string(), existingOnt: z.string() }).strict(),
      technologyChange: z
        .object({
          journeyType: z.string(),
          migrationReasonAttribute: z.string(),
          migrationReasons: z.record(technology, z.string()),
        })
        .strict(),
    })
    .strict(),
  'order-attributes': z
    .object({
      characteristics: z
        .object({
          END_USER_TYPE: z.string(),
          CONTRACT_TERM: z.string(),
          MINIMUM_SPEED: z.string(),
          RETAILER_ID: z.string(),
          TRAFFIC_WEIGHTING: z.string(),
          DN_PORT_NUMBER: z.string(),
          DN_PORT_DATETIME: z.string(),
        })
        .strict(),
      values: z
        .object({ END_USER_TYPE: z.array(z.string()).min(1), TRAFFIC_WEIGHTING: z.array(z.string()).min(1) })
        .strict(),
      attributes: z
        .object({
          installType: z.string(),
          accessTechnology: z.string(),
          journeyType: z.string(),
          contractTermUnit: z.string(),
          portingRequired: z.string(),
        })
        .strict(),
      installType: z.object({ managed: z.string(), self: z.string() }).strict(),
      defaults: z
        .object({ TRAFFIC_WEIGHTING: z.string(), contractTermUnit: z.string(), portingRequired: z.string() })
        .strict(),
    })
    .strict(),
  'cessation-reasons': z
    .object({
      default: z.string(),
      cessationReasons: z
        .array(
          z
            .object({
              reason: z.string().regex(/^[A-Z_]{1,40}$/),
              bb1Text: z.string().min(1),
              technologies: z.array(technology).optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict(),
  'cancellation-reasons': z
    .object({
      cancellationReasons: z
        .array(
          z
            .object({
              reasonCode: z.string().regex(/^[A-Z_]{1,25}$/, 'must match ^[A-Z_]{1,25}$'),
              bb1Reason: z.string().min(1),
            })
            .strict(),
        )
        .min(1),
    })
    .strict(),
  availability: z
    .object({
      offeringCharacteristics: z.record(z.string(), z.string().regex(/^[A-Z_]+$/)),
      siteCharacteristics: z.record(z.string(), z.string().regex(/^[A-Z_]+$/)),
      copperLines: z
        .object({
          resourceType: z.string().min(1),
          lineId: z.string().min(1),
          status: z.string().min(1),
          stoppedDate: z.string().min(1),
          statuses: z.record(z.string(), z.enum(['ACTIVE', 'STOPPED'])),
          lineCharacteristics: z.record(z.string(), z.string().regex(/^[A-Z_]+$/)),
        })
        .strict(),
      lineChecks: z.record(z.enum(['DirectoryNumber', 'AccessLineId']), z.string().min(1)),
      lineCharacteristics: z.record(z.string(), z.string().regex(/^[A-Z_]+$/)),
      installProcess: z.record(z.string(), z.enum(['STANDARD', 'EXTENDED_STANDARD', 'NON_STANDARD'])),
      newLineFlags: z.array(z.string()),
      ontPortStatus: z.record(z.string(), z.enum(['ACTIVE', 'STOPPED', 'SPARE'])),
      unavailableReason: z.string(),
    })
    .strict(),
  'reason-codes': z
    .object({
      reasonCodes: z
        .array(
          z
            .object({
              code: z.string().regex(/^[A-Z]$/),
              definition: z.string().min(1),
              note: z.string().min(1).optional(),
              pendingCease: z.boolean().optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict(),
  'ksu-codes': z
    .object({
      codes: z
        .array(
          z
            .object({
              code: z
                .string()
                .regex(/^\d{1,8}$/, 'must be digits')
                .optional(),
              range: z.tuple([z.string().regex(/^\d{1,8}$/), z.string().regex(/^\d{1,8}$/)]).optional(),
              ...ruleFields,
              setsCommittedDate: z.boolean().optional(),
              targetDateInText: z.boolean().optional(),
            })
            .strict()
            .refine((r) => (r.code === undefined) !== (r.range === undefined), 'needs exactly one of code or range'),
        )
        .min(1),
      severities: z.array(
        z
          .object({ severity: z.string().min(1), events: z.array(z.string().min(1)).min(1).optional(), ...ruleFields })
          .strict(),
      ),
    })
    .strict(),
  'ksu-item-states': z
    .object({
      items: z.array(
        z
          .object({
            item: z.enum(['root', 'any']),
            ecode: ecode.optional(),
            state: z.string().optional(),
            subStatus: z.string().optional(),
            ...ruleFields,
            amends: z.array(z.enum(AMENDABLE_CHARACTERISTICS)).min(1).optional(),
            unamendableText: z.string().min(1).optional(),
          })
          .strict()
          .refine((r) => r.state || r.subStatus, 'needs a state or a subStatus')
          .refine((r) => !r.amends === !r.unamendableText, 'amends and unamendableText go together'),
      ),
      endedSubStatuses: z.array(z.object({ subStatus: z.string(), ...ruleFields }).strict()),
      createAccepted: z.object(ruleFields).strict(),
      orderStates: z.array(z.object({ state: z.string(), ...ruleFields }).strict()),
      cancelStates: z.array(z.object({ state: z.string(), ...ruleFields }).strict()),
      quietSubStatuses: z.array(z.string()),
    })
    .strict(),
  'appointment-statuses': z
    .object({
      appointmentStatuses: z.array(
        z.object({ appointmentStatus: z.string(), ...ruleFields, onlyIfChanged: z.boolean().optional() }).strict(),
      ),
      quietStatuses: z.array(z.string()),
      clearedStatuses: z.array(z.string()),
    })
    .strict(),
  'asset-ids': z
    .object({
      serviceId: z.string(),
      rootAssetId: z.string(),
      careLevelAssetId: z.string(),
      byEcode: z.record(ecode, z.string().regex(/^[A-Z_]+$/)),
      productCharacteristics: z.record(z.string(), z.string().regex(/^[A-Z_]+$/)),
    })
    .strict(),
} as const;

export type TableName = keyof typeof Tables;
export type Bb1Tables = { [K in TableName]: z.infer<(typeof Tables)[K]> };
export type CodeRule = Bb1Tables['ksu-codes']['codes'][number];
export type SignalRule = {
  kci: KciSignal;
  status?: string;
  priority: number;
  text: string;
  setsCommittedDate?: boolean;
  targetDateInText?: boolean;
  amends?: readonly (typeof AMENDABLE_CHARACTERISTICS)[number][];
  unamendableText?: string;
};
export type SeverityRule = Bb1Tables['ksu-codes']['severities'][number];
