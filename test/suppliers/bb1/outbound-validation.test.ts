import { loadBb1Mappings } from '../../../src/suppliers/bb1/mappings/load.js';
import { buildProvide } from '../../../src/suppliers/bb1/outbound/provide.js';
import { buildModify } from '../../../src/suppliers/bb1/outbound/modify.js';
import { buildCease } from '../../../src/suppliers/bb1/outbound/cease.js';
import { buildAmend, buildCancel } from '../../../src/suppliers/bb1/outbound/amend-cancel.js';
import { TranslationError } from '../../../src/suppliers/bb1/outbound/translation-error.js';
import type { OrderRequest } from '../../../src/suppliers/bb1/outbound/types.js';

const m = loadBb1Mappings('mappings');
const ACCOUNT = { cugId: 'CUG5009999999', retailerId: 'ZYX', billingAccountId: '0455821481' };
const ADDRESS = {
  id: '1',
  type: 'UPRN' as const,
  additionalIdentifiers: [
    { id: 'A15104646284', type: 'NAD' as const },
    { id: 'LS', type: 'DistrictCode' as const },
    { id: 'R09598326361', type: 'ROBT' as const },
  ],
};
const CONTACT = { name: 'Ann Example', email: 'ann@example.com' };
const provide = (orderType: OrderRequest['orderType'], tech: string, chars: [string, string][]): OrderRequest => ({
  orderType,
  supplier: 'BTWHOLESALEBB1',
  address: ADDRESS,
  primaryContact: CONTACT,
  serviceOrderItem: {
    serviceSpecification: { id: tech },
    serviceCharacteristics: [['END_USER_TYPE', 'Business'], ['CONTRACT_TERM', '12'], ...chars].map(([name, value]) => ({
      name: name!,
      value: value!,
    })),
  },
});
function messages(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof TranslationError) return e.messages;
    throw e;
  }
  throw new Error('expected a TranslationError');
}
const chars = (o: { productOrderItem: { product: { productCharacteristic: { name: string; value: string }[] } }[] }) =>
  Object.fromEntries(o.productOrderItem[0]!.product.productCharacteristic.map((c) => [c.name, c.value]));

describe('outbound validation explains itself', () => {
  it("unknown LINE_PROFILE names the characteristic and lists the technology's profiles", () => {
    const msgs = messages(() =>
      buildProvide(m, provide('NEW', 'SOGEA', [['LINE_PROFILE', '122']]), ACCOUNT, 'E', undefined),
    );
    expect(msgs).toEqual([
      'serviceCharacteristics LINE_PROFILE: "122" is not allowed for SOGEA; allowed: 111 (SOGEA 0.5_0.5M), 112 (SOGEA 40_10M), 113 (SOGEA 80_20M)',
    ]);
  });

  it('a care level for the wrong technology is refused; legacy numbers are accepted', () => {
    expect(
      messages(() =>
        buildProvide(
          m,
          provide('NEW', 'FTTP', [
            ['LINE_PROFILE', '122'],
            ['CARE_LEVEL', 'Basic'],
          ]),
          ACCOUNT,
          'E',
          undefined,
        ),
      ),
    ).toEqual([
      expect.stringMatching(
        /^serviceCharacteristics CARE_LEVEL: "Basic" is not allowed for FTTP; allowed: Standard \(or 2\), Enhanced \(or 3\), Prompt \(or 4\)$/,
      ),
    ]);
    const plan = buildProvide(
      m,
      provide('NEW', 'FTTP', [
        ['LINE_PROFILE', '122'],
        ['CARE_LEVEL', '4'],
      ]),
      ACCOUNT,
      'E',
      undefined,
    );
    expect(
      (plan.payload.productOrderItem as { productOrderItem: { product: { productOffering: { id: string } } }[] }[])[0]!
        .productOrderItem[0]!.product.productOffering.id,
    ).toBe('E0000029');
  });

  it('defaults: FTTP Standard care, SOGEA Basic care, dynamic IP, self install without an appointment', () => {
    const fttp = buildProvide(m, provide('NEW', 'FTTP', [['LINE_PROFILE', '121']]), ACCOUNT, 'E', undefined)
      .payload as never;
    const sogea = buildProvide(m, provide('NEW', 'SOGEA', [['LINE_PROFILE', '113']]), ACCOUNT, 'E', undefined)
      .payload as {
      productOrderItem: {
        productOrderItem: { product: { productOffering: { id: string } } }[];
        appointment?: unknown;
      }[];
    };
    const kids = (p: typeof sogea) => p.productOrderItem[0]!.productOrderItem.map((i) => i.product.productOffering.id);
    expect(kids(fttp)).toEqual(['E0000028', 'E0000703']);
    expect(kids(sogea)).toEqual(['E0000154', 'E0000703']);
    expect(chars(fttp).ATT_RT_InstallType).toBe('S');
    expect(sogea.productOrderItem[0]!.appointment).toBeUndefined();
  });

  it('START without LINE_ID (copper) or ONT_REFERENCE/ONT_PORT (fibre) is a 400 naming them; with them, the journey attributes are sent', () => {
    expect(
      messages(() => buildProvide(m, provide('START', 'SOGEA', [['LINE_PROFILE', '113']]), ACCOUNT, 'E', undefined)),
    ).toEqual(['serviceCharacteristics LINE_ID: required for a START SOGEA order']);
    expect(
      messages(() => buildProvide(m, provide('TAKEOVER', 'FTTP', [['LINE_PROFILE', '122']]), ACCOUNT, 'E', undefined)),
    ).toEqual([
      'serviceCharacteristics ONT_REFERENCE: required for a TAKEOVER FTTP order',
      'serviceCharacteristics ONT_PORT: required for a TAKEOVER FTTP order',
    ]);
    const start = chars(
      buildProvide(
        m,
        provide('START', 'SOGEA', [
          ['LINE_PROFILE', '113'],
          ['LINE_ID', 'OHP5738089O3'],
        ]),
        ACCOUNT,
        'E',
        undefined,
      ).payload as never,
    );
    expect(start).toMatchObject({
      ATT_X_JOURNEYTYPE: 'StartOfStoppedLine',
      ATT_X_AccessLineID: 'OHP5738089O3',
      ATT_RT_AccessLineType: 'Stopped',
      ATT_RT_AccessTechnology: 'SOGEA',
    });
    const transfer = chars(
      buildProvide(
        m,
        provide('TRANSFER', 'FTTP', [
          ['LINE_PROFILE', '129'],
          ['ONT_REFERENCE', 'ONT0046482937'],
          ['ONT_PORT', '2'],
        ]),
        ACCOUNT,
        'E',
        undefined,
      ).payload as never,
    );
    expect(transfer).toMatchObject({
      ATT_X_JOURNEYTYPE: 'Migration',
      ATT_RT_ONTReferenceNumber: 'ONT0046482937',
      ATT_RT_ONTPortNumber: '2',
      ATT_RT_ONTType: 'Existing ONT',
    });
    const soadsl = buildProvide(
      m,
      provide('NEW', 'SOADSL', [
        ['LINE_PROFILE', '132'],
        ['STATIC_IP_REQUESTED', '2'],
        ['RETAILER_ID', 'QRS'],
      ]),
      ACCOUNT,
      'E',
      undefined,
    ).payload as never;
    expect(chars(soadsl)).toMatchObject({ ATT_RT_AccessTechnology: 'SOADSL', ATT_RT_ResellerID: 'QRS' });
  });

  it('missing address identifiers and required characteristics are all listed at once', () => {
    const req = provide('NEW', 'FTTP', []);
    req.address = { id: '100', type: 'UPRN' };
    expect(messages(() => buildProvide(m, req, ACCOUNT, 'E', undefined))).toEqual([
      'serviceCharacteristics LINE_PROFILE: required on every provide order',
      'address: a NAD identifier is required by BTWHOLESALEBB1 (send it in additionalIdentifiers)',
      'address: a DistrictCode identifier is required by BTWHOLESALEBB1',
      'address: a ROBT identifier is required by BTWHOLESALEBB1 when ordering',
    ]);
  });

  it('modify and cease without the asset ids they need name them', () => {
    const mod: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE1',
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '121', action: 'NONE' },
        { name: 'CARE_LEVEL', value: 'Standard', action: 'DELETE' },
        { name: 'CARE_LEVEL', value: 'Prompt', action: 'ADD' },
      ],
    };
    expect(messages(() => buildModify(m, mod, ACCOUNT, 'E', undefined))).toEqual([
      "serviceCharacteristics SERVICE_ASSET_ID: required with action NONE (the asset id from the provide order's KCIs)",
    ]);
    mod.serviceCharacteristics!.push({ name: 'SERVICE_ASSET_ID', value: 'a1', action: 'NONE' });
    expect(messages(() => buildModify(m, mod, ACCOUNT, 'E', undefined))).toEqual([
      'serviceCharacteristics CARE_LEVEL_ASSET_ID: required with action DELETE to replace care level Standard',
    ]);
    const noAction: OrderRequest = {
      orderType: 'CEASE',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE1',
      serviceCharacteristics: [{ name: 'LINE_PROFILE', value: '121' }],
    };
    expect(messages(() => buildCease(m, noAction, ACCOUNT, 'E'))).toEqual(
      expect.arrayContaining([
        'serviceCharacteristics LINE_PROFILE: action is required on MODIFY and CEASE orders (NONE, ADD or DELETE)',
      ]),
    );
    const sogeaOnly: OrderRequest = {
      orderType: 'CEASE',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE1',
      ceaseReason: 'CHANGE_OF_CP',
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '121', action: 'NONE' },
        { name: 'SERVICE_ASSET_ID', value: 'a1', action: 'NONE' },
      ],
    };
    expect(messages(() => buildCease(m, sogeaOnly, ACCOUNT, 'E'))[0]).toMatch(
      /^ceaseReason: "CHANGE_OF_CP" is not allowed for FTTP; allowed: MOVER_RETAINING_SERVICE, OTHER/,
    );
  });

  it('a technology change to FTTP without an appointment is refused; static IP counts come from the table', () => {
    const tc: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'B',
      address: ADDRESS,
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '113', action: 'DELETE' },
        { name: 'LINE_PROFILE', value: '122', action: 'ADD' },
        { name: 'SERVICE_ASSET_ID', value: 'a', action: 'NONE' },
      ],
    };
    expect(messages(() => buildModify(m, tc, ACCOUNT, 'E', undefined))).toEqual([
      'appointmentReservationId: a technology change to FTTP needs an engineer appointment (a new ONT)',
    ]);
    expect(
      messages(() =>
        buildProvide(
          m,
          provide('NEW', 'FTTP', [
            ['LINE_PROFILE', '122'],
            ['STATIC_IP_REQUESTED', '4'],
          ]),
          ACCOUNT,
          'E',
          undefined,
        ),
      ),
    ).toEqual(['serviceCharacteristics STATIC_IP_REQUESTED: "4" is not allowed for FTTP; allowed: 1, 2, 6']);
    expect(
      messages(() =>
        buildProvide(
          m,
          provide('NEW', 'FTTP', [
            ['LINE_PROFILE', '122'],
            ['TRC_CHARGEBAND', '1'],
          ]),
          ACCOUNT,
          'E',
          { id: 1, supplierReference: 'R', start: '2026-12-01T08:00:00Z', end: '2026-12-01T13:00:00Z' },
        ),
      ),
    ).toEqual([
      'serviceCharacteristics TRC_CHARGEBAND: "1" is not allowed for FTTP; allowed: none (TRC_CHARGEBAND does not apply to FTTP)',
    ]);
  });

  it("amend refuses what BB1 cannot amend, and cancel needs BB1's order id and a known reason", () => {
    const items = [{ id: '100', internalId: '1', ecode: 'E0000160' }];
    expect(
      messages(() =>
        buildAmend(
          m,
          { orderId: 1, serviceCharacteristics: [{ name: 'LINE_PROFILE', value: '123' }] },
          ACCOUNT,
          'FTTP',
          items,
          undefined,
        ),
      )[0],
    ).toBe(
      'serviceCharacteristics LINE_PROFILE: cannot be amended on BTWHOLESALEBB1; allowed: ECC_CHARGEBAND, TRC_CHARGEBAND',
    );
    expect(messages(() => buildAmend(m, { orderId: 1, notes: 'x' }, ACCOUNT, 'FTTP', [], undefined))[0]).toMatch(
      /^orderId: BTWHOLESALEBB1 has not yet acknowledged/,
    );
    expect(messages(() => buildCancel(m, { orderId: 1, reasonCode: 'BORED' }, null))).toEqual([
      expect.stringMatching(/^reasonCode: "BORED" is not allowed; allowed: CUSTOMER_CHANGED_MIND/),
      expect.stringMatching(/^orderId: BTWHOLESALEBB1 has not yet acknowledged the order/),
    ]);
  });
});

describe('FTTC and SOGFAST in the tables', () => {
  it('a new FTTC provide is refused naming the field (BB1 serves FTTC services, sells no new ones)', () => {
    expect(
      messages(() => buildProvide(m, provide('NEW', 'FTTC', [['LINE_PROFILE', '143']]), ACCOUNT, 'E', undefined)),
    ).toEqual([
      'serviceOrderItem.serviceSpecification.id: BTWHOLESALEBB1 sells no new FTTC service (existing ones can be modified, migrated or ceased); allowed: FTTP, SOGEA, SOADSL, SOGFAST',
    ]);
  });

  it('a profile with no ecode can be what a service has, never what is ordered', () => {
    const req: OrderRequest = {
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE1',
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '143', action: 'DELETE' },
        { name: 'LINE_PROFILE', value: '141', action: 'ADD' },
        { name: 'SERVICE_ASSET_ID', value: 'a-1', action: 'NONE' },
      ],
    };
    expect(messages(() => buildModify(m, req, ACCOUNT, 'E', undefined))).toEqual([
      'serviceCharacteristics LINE_PROFILE: 141 (FTTC 40_10M) has no ecode in the tables, so BTWHOLESALEBB1 cannot be sent an order for it',
    ]);
    const cease: OrderRequest = {
      orderType: 'CEASE',
      supplier: 'BTWHOLESALEBB1',
      serviceId: 'BBONE1',
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '141', action: 'NONE' },
        { name: 'SERVICE_ASSET_ID', value: 'a-1', action: 'NONE' },
      ],
    };
    expect(messages(() => buildCease(m, cease, ACCOUNT, 'E'))).toEqual([
      'serviceCharacteristics LINE_PROFILE: 141 (FTTC 40_10M) has no ecode in the tables, so BTWHOLESALEBB1 cannot be sent a cease of it',
    ]);
  });
});

describe('provider-to-provider migration with a change of technology', () => {
  const slot = { id: 9, supplierReference: 'A1B2C3DFR', start: '2026-03-02T08:00:00Z', end: '2026-03-02T13:00:00Z' };
  it('TRANSFER to FTTP from another provider’s copper line: Migration, FTTPMigration, a new ONT, the access line', () => {
    const req = provide('TRANSFER', 'FTTP', [
      ['LINE_PROFILE', '122'],
      ['LINE_ID', 'LSA00000002'],
      ['MINIMUM_SPEED', '76'],
    ]);
    const plan = buildProvide(m, req, ACCOUNT, 'E', slot);
    expect(chars(plan.payload as never)).toMatchObject({
      ATT_RT_AccessTechnology: 'FTTP',
      ATT_X_JOURNEYTYPE: 'Migration',
      ATT_RT_MigrationReason: 'FTTPMigration',
      ATT_RT_ONTType: 'New ONT',
      ATT_X_AccessLineID: 'LSA00000002',
      ATT_RT_AccessLineType: 'Working',
      ATT_RT_InstallType: 'M',
    });
    expect(chars(plan.payload as never).ATT_RT_ONTReferenceNumber).toBeUndefined();
  });

  it('without an appointment it is refused naming the field; a TRANSFER on the same ONT is the one without a visit', () => {
    const req = provide('TRANSFER', 'FTTP', [
      ['LINE_PROFILE', '122'],
      ['LINE_ID', 'LSA00000002'],
    ]);
    expect(messages(() => buildProvide(m, req, ACCOUNT, 'E', undefined))).toEqual([
      'appointmentReservationId: a TRANSFER from a copper line (LINE_ID) to FTTP needs an engineer appointment (a new ONT)',
    ]);
    const sameOnt = provide('TRANSFER', 'FTTP', [
      ['LINE_PROFILE', '122'],
      ['ONT_REFERENCE', 'ONT0046482937'],
      ['ONT_PORT', '1'],
    ]);
    expect(chars(buildProvide(m, sameOnt, ACCOUNT, 'E', undefined).payload as never)).toMatchObject({
      ATT_X_JOURNEYTYPE: 'Migration',
      ATT_RT_ONTType: 'Existing ONT',
      ATT_RT_ONTReferenceNumber: 'ONT0046482937',
    });
  });
});
