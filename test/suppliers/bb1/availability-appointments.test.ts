import { readFileSync } from 'node:fs';
import { loadBb1Mappings } from '../../../src/suppliers/bb1/mappings/load.js';
import { buildPoqRequest, translatePoqResponse, translateAddresses } from '../../../src/suppliers/bb1/availability.js';
import { classifySlot, translateSlots, buildSlotSearch } from '../../../src/suppliers/bb1/appointments.js';

const m = loadBb1Mappings('mappings');

describe('availability: seed 001 POQ ↔ the normalised answer', () => {
  it('builds the seed 001 address-based POQ request from NAD and DistrictCode', () => {
    const req = buildPoqRequest(
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
    expect(a.serviceSpecifications).toEqual([
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
