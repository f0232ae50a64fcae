import { readFileSync } from 'node:fs';
import { loadBb1Mappings } from '../../../src/suppliers/bb1/mappings/load.js';
import { buildPoqRequest, translatePoqResponse, translateAddresses } from '../../../src/suppliers/bb1/availability.js';
import { classifySlot, translateSlots, buildSlotSearch } from '../../../src/suppliers/bb1/appointments.js';
import { placeFactsOf } from '../../../src/suppliers/bb1/availability.js';
import { seed001PoqResponse } from '../../helpers/seed-payloads.js';

type Nv = { name: string; value: string };
const byName = (l: Nv[] | undefined) => Object.fromEntries((l ?? []).map((c) => [c.name, c.value]));

const m = loadBb1Mappings('mappings');

describe('availability: seed 001 POQ ↔ the normalised answer', () => {
  it('builds the seed 001 address-based POQ request from NAD and DistrictCode', () => {
    const req = buildPoqRequest(
      m,
      {
        id: '10091846447',
        type: 'UPRN',
        additionalIdentifiers: [
          { id: 'A90000423408', type: 'NAD' },
          { id: 'NI', type: 'DistrictCode' },
        ],
      },
      'CUG5023768826',
    );
    expect(req).toEqual({
      '@type': 'btProductOfferingQualification',
      instantSyncQualification: true,
      productOfferingQualificationItem: [
        {
          id: '1',
          action: 'add',
          product: {
            '@type': 'Product',
            productOffering: { id: 'BroadbandOne', '@referredType': 'btProductOfferingFamily' },
            place: [
              {
                id: 'A90000423408',
                districtId: 'NI',
                role: 'install address',
                '@referredType': 'btNADLocationReference',
              },
            ],
          },
          '@type': 'btProductOfferingQualificationItem',
        },
      ],
      provideAlternative: true,
      provideOnlyAvailable: true,
      provideUnavailabilityReason: false,
      relatedParty: [{ id: 'CUG5023768826', role: 'BtCug', '@type': 'BTRelatedParty', '@referredType': 'Customer' }],
    });
  });

  it('translates the seed 001 response: LINE_PROFILEs, new line with STANDARD install, ONT with ports, speeds', () => {
    const poq = JSON.parse(readFileSync('test/fixtures/seed001-poq-response.json', 'utf8'));
    const a = translatePoqResponse(m, poq) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(a.supplier).toBe('BTWHOLESALEBB1');
    expect(a.serviceSpecifications).toMatchObject([
      { id: 'FTTP', name: 'WBCFTTP', serviceCharacteristics: [{ name: 'LINE_PROFILE', values: ['122'] }] },
      { id: 'SOGEA', name: 'WBCSOGEA', serviceCharacteristics: [{ name: 'LINE_PROFILE', values: ['113'] }] },
    ]);
    expect(a.siteInformation.line).toMatchObject({ type: 'NEW', lineType: 'FIBRE', installationType: 'STANDARD' });
    const lc = Object.fromEntries(
      a.siteInformation.line.lineCharacteristics.map((c: { name: string; value: string }) => [c.name, c.value]),
    );
    expect(lc).toMatchObject({
      MAX_DOWNSTREAM_MBPS: '147.2',
      MAX_UPSTREAM_MBPS: '27.6',
      MIN_DOWNSTREAM_MBPS: '61.64',
      AVAILABILITY_FLAG: 'Y',
    });
    expect(a.siteInformation.existingLines).toEqual([
      {
        lineType: 'FIBRE',
        status: 'ACTIVE',
        ont: { ontReference: 'ONT0046482937', ports: [{ portNumber: 1, description: 'Data', status: 'ACTIVE' }] },
      },
    ]);
    expect(a.unavailabilityReasons).toBeUndefined();
  });

  it("seed 001's answer, as the seed prints it: each offering's own figures, above all its guaranteed speed", () => {
    const poq = seed001PoqResponse();
    expect(poq).toEqual(JSON.parse(readFileSync('test/fixtures/seed001-poq-response.json', 'utf8')));
    const a = translatePoqResponse(m, poq) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const fttp = a.serviceSpecifications.find((s: { id: string }) => s.id === 'FTTP');
    const sogea = a.serviceSpecifications.find((s: { id: string }) => s.id === 'SOGEA');
    expect(fttp.lineProfiles.map((l: { value: string; name: string }) => [l.value, l.name])).toEqual([
      ['122', 'FTTP 160_30M'],
    ]);
    // empty values in the seed ("productLowDownloadSpeed": "") are left out, not shown as ""
    expect(byName(fttp.lineProfiles[0].lineCharacteristics)).toEqual({
      MINIMUM_SPEED: '76',
      MAX_DOWNSTREAM_MBPS: '147.2',
      MAX_UPSTREAM_MBPS: '27.6',
      ADVERTISED_DOWNSTREAM_MBPS: '152',
      ADVERTISED_UPSTREAM_MBPS: '28',
      REASON_CODE: 'Z',
      REASON_TEXT: 'No Reason Code',
      REASON_NOTE: '(No textual message returned for this reason code). Line suitable for broadband order.',
    });
    expect(byName(sogea.lineProfiles[0].lineCharacteristics)).toEqual({
      MINIMUM_SPEED: '55.2',
      MAX_DOWNSTREAM_MBPS: '73.6',
      MIN_DOWNSTREAM_MBPS: '61.64',
      MAX_UPSTREAM_MBPS: '18.4',
      MIN_UPSTREAM_MBPS: '17.48',
      MAX_LINE_DOWNSTREAM_MBPS: '75.99',
      MAX_LINE_UPSTREAM_MBPS: '18.99',
      MIN_LINE_UPSTREAM_MBPS: '15.73',
      ADVERTISED_DOWNSTREAM_MBPS: '76',
      ADVERTISED_UPSTREAM_MBPS: '19',
      AVAILABILITY_FLAG: 'Y',
      REASON_CODE: 'Z',
      REASON_TEXT: 'No Reason Code',
      REASON_NOTE: '(No textual message returned for this reason code). Line suitable for broadband order.',
    });
    // every FTTP flag of the place
    expect(byName(a.siteInformation.siteCharacteristics)).toEqual({
      FTTP_EXISTING_ONT_AVAILABLE: 'N',
      FTTP_NEW_ONT_AVAILABLE: 'Y',
      FTTP_PRIORITY_EXCHANGE: 'N',
      FTTP_INSTALL_PROCESS: '1 Stage',
      FTTP_TRANSFER_OR_TAKEOVER_AVAILABLE: 'Y',
    });
    // what an order takes from it when the tenant sends no MINIMUM_SPEED
    expect(placeFactsOf(a)).toEqual({ minimumSpeeds: { '122': '76', '113': '55.2' }, installationType: 'STANDARD' });
  });

  it('reason codes carry their seed 001 meaning; C (cease in progress) is PENDING_CEASE; W is the waiting list', () => {
    const poq = seed001PoqResponse() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const set = (item: number, name: string, value: string) => {
      const list = poq.productOfferingQualificationItem[item].product.productCharacteristic as Nv[];
      list.find((c) => c.name === name)!.value = value;
    };
    set(1, 'REASONCODE', 'C');
    set(0, 'FTTPNEWONTAVAILABLE', 'W');
    const a = translatePoqResponse(m, poq) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const sogea = byName(a.serviceSpecifications[1].lineProfiles[0].lineCharacteristics);
    expect(sogea).toMatchObject({ REASON_CODE: 'C', REASON_TEXT: 'Cease In Progress' });
    expect(sogea.REASON_NOTE).toMatch(/^Note: There is currently a Broadband cease pending or in progress/);
    expect(byName(a.siteInformation.siteCharacteristics)).toMatchObject({
      FTTP_NEW_ONT_AVAILABLE: 'W',
      PENDING_CEASE: 'Y',
    });
    // W: no new ONT now, so the new line is the SOGEA one (AVAILABILITY_FLAG Y), with no FTTP install type
    expect(a.siteInformation.line).toMatchObject({ type: 'NEW', lineType: 'COPPER' });
    expect(a.siteInformation.line.installationType).toBeUndefined();
  });

  it('a line-based check: POQ by directory number or access line id; copper lines with lineId, status, stoppedDate', () => {
    const place = (address: Parameters<typeof buildPoqRequest>[1]) =>
      (buildPoqRequest(m, address, 'CUG1') as any).productOfferingQualificationItem[0].product.place; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(place({ id: '0113 496 0000', type: 'DirectoryNumber' })).toEqual([
      { id: '01134960000', role: 'install address', '@referredType': 'btDirectoryNumberReference' },
    ]);
    expect(
      place({ id: 'A1', type: 'NAD', additionalIdentifiers: [{ id: 'LSA12345678', type: 'AccessLineId' }] }),
    ).toEqual([{ id: 'LSA12345678', role: 'install address', '@referredType': 'btAccessLineReference' }]);
    expect(() => place({ id: '12345', type: 'DirectoryNumber' })).toThrow(/DirectoryNumber "12345" is not a UK number/);
    const poq = seed001PoqResponse() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    poq.productOfferingQualificationItem[1].product.realizingResource = [
      {
        id: '1',
        name: 'Line Data',
        value: {
          ACCESSLINEID: 'LSA12345678',
          LINESTATUS: 'Stopped',
          STOPPEDDATE: '2024-03-01T00:00:00Z',
          PARTIALDN: '960000',
          NTEFLOOR: 'Ground',
          NTEROOM: 'Hall',
          NTEPOSITION: 'Left',
        },
        '@type': 'btAccessLineResourceRef',
      },
      {
        id: '2',
        name: 'Line Data',
        value: { ACCESSLINEID: 'LSA87654321', LINESTATUS: 'Working', PENDINGCEASE: 'Y', PARTIALDN: '960001' },
        '@type': 'btAccessLineResourceRef',
      },
    ];
    const a = translatePoqResponse(m, poq) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(a.siteInformation.existingLines.filter((l: { lineType: string }) => l.lineType === 'COPPER')).toEqual([
      {
        lineId: 'LSA12345678',
        lineType: 'COPPER',
        status: 'STOPPED',
        stoppedDate: '2024-03-01T00:00:00.000Z',
        lineCharacteristics: [
          { name: 'PARTIAL_DN', value: '960000' },
          { name: 'NTE_FLOOR', value: 'Ground' },
          { name: 'NTE_ROOM', value: 'Hall' },
          { name: 'NTE_POSITION', value: 'Left' },
        ],
      },
      {
        lineId: 'LSA87654321',
        lineType: 'COPPER',
        status: 'ACTIVE',
        lineCharacteristics: [
          { name: 'PARTIAL_DN', value: '960001' },
          { name: 'PENDING_CEASE', value: 'Y' },
        ],
      },
    ]);
    expect(byName(a.siteInformation.siteCharacteristics).PENDING_CEASE).toBe('Y');
  });

  it('no availability → OTHER; a KCI2 Assure address → EXTENDED_STANDARD', () => {
    expect(translatePoqResponse(m, { productOfferingQualificationItem: [] }).unavailabilityReasons).toEqual([
      { code: 'OTHER', text: expect.any(String) },
    ]);
    const poq = JSON.parse(readFileSync('test/fixtures/seed001-poq-response.json', 'utf8'));
    poq.productOfferingQualificationItem[0].product.productCharacteristic.find(
      (c: { name: string }) => c.name === 'FTTPINSTALLPROCESS',
    ).value = 'KCI2 Assure';
    expect(
      (translatePoqResponse(m, poq).siteInformation as { line: { installationType: string } }).line.installationType,
    ).toBe('EXTENDED_STANDARD');
  });

  it('addresses: an Openreach and a RoBT record of one UPRN become one address with NAD, DistrictCode, ROBT and UPRN', () => {
    const out = translateAddresses([
      {
        id: 'A15104646284',
        uprn: '10091846447',
        addressSource: 'Openreach',
        districtCode: 'LS',
        qualifier: 'Gold',
        streetNr: '20',
        streetName: 'Kingston Road',
        postcode: 'LS1 4AP',
        city: 'Leeds',
      },
      { id: 'R09598326361', uprn: '10091846447', addressSource: 'ROBT' },
    ]);
    expect(out).toEqual([
      {
        identifier: {
          id: 'A15104646284',
          type: 'NAD',
          additionalIdentifiers: [
            { id: 'LS', type: 'DistrictCode' },
            { id: 'R09598326361', type: 'ROBT' },
            { id: '10091846447', type: 'UPRN' },
          ],
        },
        streetNumber: '20',
        streetName: 'Kingston Road',
        city: 'Leeds',
        postcode: 'LS1 4AP',
        qualifier: 'Gold',
        country: 'UK',
        source: 'OPENREACH',
      },
    ]);
  });
});

describe('appointments: classification in UK local time', () => {
  it.each([
    ['2026-02-02T08:00:00Z', '2026-02-02T13:00:00Z', 'WEEKDAY_AM', true], // GMT Monday
    ['2026-07-06T07:00:00Z', '2026-07-06T12:00:00Z', 'WEEKDAY_AM', true], // BST: 08:00-13:00 local
    ['2026-07-06T12:00:00Z', '2026-07-06T17:00:00Z', 'WEEKDAY_PM', true], // BST: 13:00-18:00 local
    ['2026-03-29T07:00:00Z', '2026-03-29T12:00:00Z', 'SUNDAY_AM', false], // the day BST starts (01:00 UTC)
    ['2026-03-28T08:00:00Z', '2026-03-28T13:00:00Z', 'SATURDAY_AM', false],
    ['2026-10-25T08:00:00Z', '2026-10-25T13:00:00Z', 'SUNDAY_AM', false], // the day BST ends
    ['2026-10-23T07:00:00+01:00', '2026-10-23T13:00:00+01:00', 'WEEKDAY_EARLY', false],
    ['2026-12-01T17:30:00Z', '2026-12-01T20:00:00Z', 'WEEKDAY_EVENING', false],
    ['2026-12-01T08:00:00Z', '2026-12-01T18:00:00Z', 'WEEKDAY', true],
    ['2026-12-05T23:30:00Z', '2026-12-06T03:00:00Z', 'SATURDAY_EVENING', false],
  ])('%s – %s is %s (standard %s)', (start, end, classification, standard) => {
    expect(classifySlot(start, end)).toEqual({ classification, standard });
  });

  it('slot search carries NAD, site visit reason and access technology; slots come back classified', () => {
    const { payload, svr } = buildSlotSearch(
      m,
      {
        address: { id: 'A00062300716', type: 'NAD', additionalIdentifiers: [{ id: 'TH', type: 'DistrictCode' }] },
        serviceSpecification: { id: 'FTTP' },
        serviceCharacteristics: [{ name: 'SITE_VISIT_REASON', value: 'Premium' }],
        appointmentFromDate: '2026-02-02',
      },
      '2026-01-01',
    );
    expect(svr).toBe('Premium');
    expect(payload).toMatchObject({
      relatedEntity: [
        {
          siteVisitReason: 'Premium',
          product: { characteristic: [{ name: 'AccessTechnology', value: 'FTTP' }], place: [{ id: 'A00062300716' }] },
        },
      ],
      requestedTimeSlot: [{ validFor: { startDateTime: '2026-02-02T00:00:00Z' } }],
    });
    expect(
      translateSlots({
        availableTimeSlot: [
          { validFor: { startDateTime: '2026-07-04T08:00:00+01:00', endDateTime: '2026-07-04T13:00:00+01:00' } },
        ],
      }),
    ).toEqual([
      {
        timeslotStartDateTime: '2026-07-04T07:00:00.000Z',
        timeslotEndDateTime: '2026-07-04T12:00:00.000Z',
        classification: 'SATURDAY_AM',
        standard: false,
      },
    ]);
  });
});
