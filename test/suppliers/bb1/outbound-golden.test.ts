import { readFileSync } from 'node:fs';
import { loadBb1Mappings } from '../../../src/suppliers/bb1/mappings/load.js';
import { buildProvide } from '../../../src/suppliers/bb1/outbound/provide.js';
import { buildModify } from '../../../src/suppliers/bb1/outbound/modify.js';
import { buildCease } from '../../../src/suppliers/bb1/outbound/cease.js';
import { buildAmend, buildCancel } from '../../../src/suppliers/bb1/outbound/amend-cancel.js';
import type { OrderRequest } from '../../../src/suppliers/bb1/outbound/types.js';
import { goldenDiff } from '../../helpers/golden.js';
import { SEED_000_PAYLOADS, seed000Payload } from '../../helpers/seed-payloads.js';

const m = loadBb1Mappings('mappings');
const seed = (name: string) => JSON.parse(readFileSync(`test/fixtures/seed000/${name}.json`, 'utf8'));
const seedPayload = (k: keyof typeof SEED_000_PAYLOADS) => seed000Payload(SEED_000_PAYLOADS[k]);
const ACCOUNT = { cugId: 'CUG5009999999', retailerId: 'ZYX', billingAccountId: '0455821481' };
const ADDRESS = {
  id: 'A15104999999',
  type: 'NAD' as const,
  additionalIdentifiers: [
    { id: 'LS', type: 'DistrictCode' as const },
    { id: 'R09761999999', type: 'ROBT' as const },
  ],
};
const ch = (name: string, value: string, action?: 'NONE' | 'ADD' | 'DELETE') =>
  action ? { name, value, action } : { name, value };

/** Values the connector chooses: its externalId, item ids, appointment ids and party ids. */
const CHOSEN = [
  '$.externalId',
  '$.productOrderItem[*].id',
  '$.productOrderItem[*].productOrderItem[*].id',
  '$.productOrderItem[*].appointment.id',
  '$.relatedParty[*].id',
  '$.productOrderItem[*].product.relatedParty[*].id',
];

describe('golden: tenant requests reproduce the seed 000 BB1 payloads, compared with the seed as it is', () => {
  it('every seed 000 payload is the same as its copy in test/fixtures/seed000 (the CLI tools use the copies)', () => {
    const files: Record<keyof typeof SEED_000_PAYLOADS, string> = {
      provide: 'provide-fttp-new-ont',
      modifyTechnologyChange: 'modify-technology-change',
      modifyRegrade: 'modify-regrade',
      modifyRootAttributeAndChildren: 'modify-root-attribute-and-children',
      modifyCareLevel: 'modify-care-level',
      cease: 'cease',
      amend: 'amend',
      cancel: 'cancel',
    };
    for (const [k, file] of Object.entries(files))
      expect([k, seedPayload(k as keyof typeof SEED_000_PAYLOADS)]).toEqual([k, seed(file)]);
  });

  it('provide: FTTP new line on a new ONT with a Premium managed install, EndCustomer and order contacts', () => {
    const req: OrderRequest = {
      orderType: 'NEW',
      supplier: 'BTWHOLESALEBB1',
      address: ADDRESS,
      serviceOrderItem: {
        serviceSpecification: { id: 'FTTP' },
        serviceCharacteristics: [
          ch('LINE_PROFILE', '122'),
          ch('END_USER_TYPE', 'Residential'),
          ch('CONTRACT_TERM', '12'),
          ch('MINIMUM_SPEED', '76'),
          ch('CARE_LEVEL', 'Enhanced'),
          ch('SITE_VISIT_REASON', 'Premium'),
        ],
      },
      // seed 000: the site contact (abc.com, with a phone) is not the order's contacts (xyz.com)
      primaryContact: { name: 'Saipriya Reddy', email: 'msaipriya.reddy@abc.com', phoneNumber: '07700900099' },
      orderContact: { name: 'Saipriya Reddy', email: 'msaipriya.reddy@xyz.com' },
      secondaryContact: { name: 'Saipriya Reddy', email: 'msaipriya.reddy@xyz.com' },
      endCustomerReference: '0003086103',
      appointmentReservationId: 7,
    };
    const slot = {
      id: 7,
      supplierReference: 'A42D0BDFR',
      start: '2022-11-29T08:00:00Z',
      end: '2022-11-29T13:00:00Z',
      siteVisitReason: 'Premium',
    };
    const plan = buildProvide(m, req, ACCOUNT, 'X-1-abc', slot);
    expect(goldenDiff(plan.payload, seedPayload('provide'), CHOSEN)).toEqual([]);
    expect(plan.payload.externalId).toBe('X-1-abc');
    expect(plan.technology).toBe('FTTP');
  });

  it('provide without MINIMUM_SPEED: the offering’s guaranteed speed from the availability answer goes on the order', () => {
    const req: OrderRequest = {
      orderType: 'NEW',
      supplier: 'BTWHOLESALEBB1',
      address: ADDRESS,
      serviceOrderItem: {
        serviceSpecification: { id: 'FTTP' },
        serviceCharacteristics: [
          ch('LINE_PROFILE', '122'),
          ch('END_USER_TYPE', 'Residential'),
          ch('CONTRACT_TERM', '12'),
          ch('CARE_LEVEL', 'Enhanced'),
          ch('SITE_VISIT_REASON', 'Premium'),
        ],
      },
      primaryContact: { name: 'Saipriya Reddy', email: 'msaipriya.reddy@abc.com', phoneNumber: '07700900099' },
      orderContact: { name: 'Saipriya Reddy', email: 'msaipriya.reddy@xyz.com' },
      secondaryContact: { name: 'Saipriya Reddy', email: 'msaipriya.reddy@xyz.com' },
      endCustomerReference: '0003086103',
    };
    const slot = { id: 7, supplierReference: 'A42D0BDFR', start: '2022-11-29T08:00:00Z', end: '2022-11-29T13:00:00Z' };
    // seed 001: FTTP 160_30M (LINE_PROFILE 122) guarantees 76, SOGEA 80_20M (113) 55.2
    const plan = buildProvide(m, req, ACCOUNT, 'X-1-abc', slot, {
      minimumSpeeds: { '122': '76', '113': '55.2' },
      installationType: 'STANDARD',
    });
    expect(goldenDiff(plan.payload, seedPayload('provide'), CHOSEN)).toEqual([]);
  });

  const ORDER_CONTACTS = {
    primaryContact: { name: 'PT One', email: 'ptemail1@gmail.com' },
    secondaryContact: { name: 'PT Two', email: 'ptemail2@gmail.com' },
  };
  // Where seed 000 contradicts itself the comparison leaves the value out: it spells contactType "PrimaryWork"
  // (provide) and "Primary Work" (modifies, cease) — the connector always sends "PrimaryWork"; and the modify
  // payloads put "@type": "BTCharacteristic" on some characteristics and not on others of the same item.
  const SEED_INCONSISTENT = [
    '$.relatedParty[*].contactMedium[*].characteristic.contactType',
    '$.productOrderItem[*].product.relatedParty[*].contactMedium[*].characteristic.contactType',
    '$.productOrderItem[*].product.productCharacteristic[*].@type',
    '$.productOrderItem[*].productOrderItem[*].product.productCharacteristic[*].@type',
  ];

  it('modify: care level only (root noChange, delete the old care product, add the new)', () => {
    const req: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE0005347',
      requestedCompletionDate: '2022-11-25',
      ...ORDER_CONTACTS,
      serviceCharacteristics: [
        ch('LINE_PROFILE', '121', 'NONE'),
        ch('SERVICE_ASSET_ID', '8f59edae-fb5c-4438-a402-f2c7f8d4b802', 'NONE'),
        ch('CARE_LEVEL_ASSET_ID', 'a8a55e86-b81d-436f-aab7-998de4ade3d1', 'DELETE'),
        ch('CARE_LEVEL', '2', 'DELETE'),
        ch('CARE_LEVEL', '3', 'ADD'),
      ],
    };
    const { payload } = buildModify(m, req, ACCOUNT, 'X-2', undefined);
    expect(goldenDiff(payload, seedPayload('modifyCareLevel'), [...CHOSEN, ...SEED_INCONSISTENT])).toEqual([]);
  });

  // Seed 000's "Modify root product attribute" and "Modify root and child products" are one payload ("Payload:
  // Shown above"): traffic weighting with the care and IP child products. One request reproduces both.
  it('modify: root attribute (traffic weighting) and root with child products (care, dynamic → 6 static IPs)', () => {
    const req: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE0005347',
      requestedCompletionDate: '2022-11-25',
      ...ORDER_CONTACTS,
      serviceCharacteristics: [
        ch('LINE_PROFILE', '121', 'NONE'),
        ch('SERVICE_ASSET_ID', '472270c9-46cb-4d3f-8e39-46c7093ff024', 'NONE'),
        ch('TRAFFIC_WEIGHTING', 'Elevated', 'ADD'),
        ch('CARE_LEVEL', 'Standard', 'DELETE'),
        ch('CARE_LEVEL_ASSET_ID', 'd90936db-a191-4c65-a4bb-a1cc67b0400f', 'DELETE'),
        ch('CARE_LEVEL', 'Enhanced', 'ADD'),
        ch('DYNAMIC_IP_ASSET_ID', 'a7a5352d-3905-43c7-9def-15cb6789e92f', 'DELETE'),
        ch('STATIC_IP_REQUESTED', '6', 'ADD'),
      ],
    };
    const { payload } = buildModify(m, req, ACCOUNT, 'X-3', undefined);
    expect(
      goldenDiff(payload, seedPayload('modifyRootAttributeAndChildren'), [...CHOSEN, ...SEED_INCONSISTENT]),
    ).toEqual([]);
  });

  it('modify: regrade to FTTC 80_20M (E0000529, changeOffer) with its guaranteed speed 62', () => {
    const req: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE0005347',
      requestedCompletionDate: '2022-11-25',
      ...ORDER_CONTACTS,
      serviceCharacteristics: [
        ch('LINE_PROFILE', '141', 'DELETE'),
        ch('LINE_PROFILE', '143', 'ADD'),
        ch('SERVICE_ASSET_ID', 'd90936db-a191-4c65-a4bb-a1cc67b04fff', 'NONE'),
        ch('MINIMUM_SPEED', '62', 'ADD'),
      ],
    };
    const { payload, technology } = buildModify(m, req, ACCOUNT, 'X-4', undefined);
    expect(goldenDiff(payload, seedPayload('modifyRegrade'), [...CHOSEN, ...SEED_INCONSISTENT])).toEqual([]);
    expect(technology).toBe('FTTC');
  });

  it('modify: the same regrade without MINIMUM_SPEED takes FTTC 80_20M’s guaranteed speed from the availability answer', () => {
    const req: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE0005347',
      requestedCompletionDate: '2022-11-25',
      ...ORDER_CONTACTS,
      serviceCharacteristics: [
        ch('LINE_PROFILE', '141', 'DELETE'),
        ch('LINE_PROFILE', '143', 'ADD'),
        ch('SERVICE_ASSET_ID', 'd90936db-a191-4c65-a4bb-a1cc67b04fff', 'NONE'),
      ],
    };
    const { payload } = buildModify(m, req, ACCOUNT, 'X-4', undefined, { minimumSpeeds: { '143': '62' } });
    expect(goldenDiff(payload, seedPayload('modifyRegrade'), [...CHOSEN, ...SEED_INCONSISTENT])).toEqual([]);
  });

  it('modify: provider migration with a technology change FTTC → FTTP (changeTechnology, Migration, managed install)', () => {
    const req: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE0005347',
      appointmentReservationId: 1,
      address: {
        id: 'A99923776374',
        type: 'NAD',
        additionalIdentifiers: [
          { id: 'LS', type: 'DistrictCode' },
          { id: 'R00000521994', type: 'ROBT' },
        ],
      },
      // the site contact, and the order's own two contacts (seed 000 gives them other addresses)
      primaryContact: { name: 'TawareSite Pranjali', email: 'ptemailsite@gmail.com', phoneNumber: '0123451243' },
      orderContact: { name: 'PT One', email: 'ptemail1@gmail.com' },
      secondaryContact: { name: 'PT Two', email: 'ptemail2@gmail.com' },
      serviceCharacteristics: [
        ch('LINE_PROFILE', '143', 'DELETE'),
        ch('LINE_PROFILE', '121', 'ADD'),
        ch('SERVICE_ASSET_ID', '472270c9-46cb-4d3f-8e39-46c7093ccccc', 'NONE'),
        ch('MINIMUM_SPEED', '70', 'ADD'),
        ch('CONTRACT_TERM', '12', 'ADD'),
        ch('SITE_VISIT_REASON', 'Premium', 'ADD'),
      ],
    };
    const slot = { id: 1, supplierReference: 'A57C0BDFR', start: '2022-11-25T08:00:00Z', end: '2022-11-25T13:00:00Z' };
    const { payload } = buildModify(m, req, { ...ACCOUNT, cugId: 'CUG5002237010' }, 'X-5', slot);
    // Seed 000 contradicts itself on the Premium managed install: its provide example orders E0000152 ("Premium
    // Managed Install") with ATT_RT_SiteVisitReason Premium, this migration example E0000153 with the same
    // Premium. The connector follows the provide example's table (site-visit-reasons.yaml), so that one ecode is
    // left out of this comparison and checked on its own.
    const PREMIUM_ECODE = '$.productOrderItem[*].productOrderItem[*].product.productOffering.id';
    expect(
      goldenDiff(payload, seedPayload('modifyTechnologyChange'), [...CHOSEN, ...SEED_INCONSISTENT, PREMIUM_ECODE]),
    ).toEqual([]);
    const install = (payload.productOrderItem as any)[0].productOrderItem[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(install.product.productOffering.id).toBe('E0000152');
  });

  it('cease: root delete with the asset id and a valid cessation reason', () => {
    const req: OrderRequest = {
      orderType: 'CEASE',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE0005347',
      requestedCompletionDate: '2022-12-20',
      ceaseReason: 'PRICE_ISSUE',
      primaryContact: { name: 'PT One', email: 'ptemail1@xyz.com' },
      secondaryContact: { name: 'PT Two', email: 'ptemail2@xyz.com' },
      serviceCharacteristics: [
        ch('LINE_PROFILE', '121', 'NONE'),
        ch('SERVICE_ASSET_ID', '7682204c-c580-b2d6-80ed-370e0827a583', 'NONE'),
      ],
    };
    const { payload } = buildCease(m, req, ACCOUNT, 'X-6');
    expect(goldenDiff(payload, seedPayload('cease'), [...CHOSEN, ...SEED_INCONSISTENT])).toEqual([]);
  });

  it('cease of an FTTC service (FTTC 80_20M): the same shape with its ecode', () => {
    const req: OrderRequest = {
      orderType: 'CEASE',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE0005347',
      requestedCompletionDate: '2022-12-20',
      ceaseReason: 'PRICE_ISSUE',
      primaryContact: { name: 'PT One', email: 'ptemail1@xyz.com' },
      secondaryContact: { name: 'PT Two', email: 'ptemail2@xyz.com' },
      serviceCharacteristics: [
        ch('LINE_PROFILE', '143', 'NONE'),
        ch('SERVICE_ASSET_ID', '7682204c-c580-b2d6-80ed-370e0827a583', 'NONE'),
      ],
    };
    const { payload, technology } = buildCease(m, req, ACCOUNT, 'X-7');
    expect(technology).toBe('FTTC');
    expect(
      goldenDiff(payload, seedPayload('cease'), [
        ...CHOSEN,
        ...SEED_INCONSISTENT,
        '$.productOrderItem[*].product.productOffering.id',
      ]),
    ).toEqual([]);
    expect((payload.productOrderItem as any)[0].product.productOffering.id).toBe('E0000529'); // eslint-disable-line @typescript-eslint/no-explicit-any
  });

  it('amend: PATCH with the latest internalIds, new appointment, hazard note and ECC band', () => {
    const items = [
      { id: '100', internalId: '00012233', ecode: 'E0000186' },
      { id: '100.1', internalId: '0003479230', ecode: 'E0000028', parentId: '100' },
      { id: '100.3', internalId: '0003479233', ecode: 'E0000152', parentId: '100' },
    ];
    const slot = { id: 3, supplierReference: 'A42D0BDFR', start: '2022-12-14T08:00:00Z', end: '2022-12-14T13:00:00Z' };
    const payload = buildAmend(
      m,
      {
        orderId: 1,
        requestedCompletionDate: '2022-12-22',
        appointmentReservationId: 3,
        hazards: 'This is hazard note',
        serviceCharacteristics: [ch('ECC_CHARGEBAND', '4')],
      },
      ACCOUNT,
      'FTTP',
      items,
      slot,
    );
    expect(goldenDiff(payload, seedPayload('amend'), [])).toEqual([]);
  });

  it("cancel: one of BB1's seven reasons and the BB1 order id", () => {
    expect(
      goldenDiff(buildCancel(m, { orderId: 4, reasonCode: 'PLACED_IN_ERROR' }, 'O-20211120210'), seedPayload('cancel')),
    ).toEqual([]);
  });
});

describe('the golden comparison itself', () => {
  it('reports a changed ecode, a missing field and an extra field by path', () => {
    const expected = seed('cancel');
    const wrong = { ...expected, cancellationReason: 'Price', extra: 1 } as Record<string, unknown>;
    delete wrong['@type'];
    expect(goldenDiff(wrong, expected)).toEqual([
      '$.cancellationReason: expected "Placed in error / duplicate", got "Price"',
      '$.@type: missing (seed has "CancelProductOrder_Create")',
      '$.extra: not in the seed (got 1)',
    ]);
  });
});

describe("seed 002's worked example", () => {
  it('FTTP on LINE_PROFILE 123 moved from CARE_LEVEL 1 to 2 by asset ids: the seed 000 care-level modify shape', () => {
    // seed 002 "Asset Information", verbatim: LINE_PROFILE=123 NONE, SERVICE_ASSET_ID NONE, CARE_LEVEL_ASSET_ID
    // DELETE, CARE_LEVEL=1 DELETE, CARE_LEVEL=2 ADD. CARE_LEVEL 1 is Basic, which BB1 does not sell on FTTP
    // (seed 002's defaults); the care level being deleted is whatever the service has, so it is accepted.
    const req: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE0005347',
      serviceCharacteristics: [
        ch('LINE_PROFILE', '123', 'NONE'),
        ch('SERVICE_ASSET_ID', '548a7b96-4c23-4ce3-b614-6c3f0f357b6d', 'NONE'),
        ch('CARE_LEVEL_ASSET_ID', 'a833c22c-35f3-4b2d-b5f0-e40db4f549bb', 'DELETE'),
        ch('CARE_LEVEL', '1', 'DELETE'),
        ch('CARE_LEVEL', '2', 'ADD'),
      ],
    };
    const { payload, technology } = buildModify(m, req, ACCOUNT, 'X-8', undefined);
    expect(technology).toBe('FTTP');
    expect(payload.productOrderItem).toEqual([
      {
        id: '100',
        action: 'noChange',
        product: {
          id: '548a7b96-4c23-4ce3-b614-6c3f0f357b6d',
          productOffering: { id: 'E0000174' },
          '@type': 'BTProductRefOrValue',
        },
        productOrderItem: [
          {
            id: '100.1',
            action: 'delete',
            product: {
              id: 'a833c22c-35f3-4b2d-b5f0-e40db4f549bb',
              productOffering: { id: 'E0000154' },
              '@type': 'BTProductRefOrValue',
            },
            '@type': 'BTProductOrderItem',
          },
          {
            id: '100.2',
            action: 'add',
            product: { productOffering: { id: 'E0000028' }, '@type': 'BTProductRefOrValue' },
            '@type': 'BTProductOrderItem',
          },
        ],
        '@type': 'BTProductOrderItem',
      },
    ]);
  });
});
