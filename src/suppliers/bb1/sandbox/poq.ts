/**
 * The sandbox's availability (POQ) answers, in seed 001's shape. Which answer a place gets is chosen by how its
 * NAD ends (documented for demos and tests):
 *   …0000  nothing available (qualificationResult unqualified)
 *   …2222  FTTP by a two-stage install (FTTPINSTALLPROCESS "KCI2 Assure", SERVICENOTES → INSTALL_NOTES)
 *   …3333  FTTP waiting list (FTTPNEWONTAVAILABLE "W"), SOGEA only
 *   …4444  copper lines: a stopped one and a working one with a cease pending (REASONCODE C on SOGEA)
 *   other  seed 001's FTTP 160_30M and SOGEA 80_20M, with an FTTP 1000_115M beside them
 * A line-based check (a directory number or an access line id, seed 001) answers SOGEA with the line itself: the
 * stopped line SANDBOX_STOPPED_LINE for any directory number, or the line asked for.
 */
export const SANDBOX_STOPPED_LINE = 'LSA00000001';
export const SANDBOX_WORKING_LINE = 'LSA00000002';

type Json = Record<string, unknown>;
const c = (name: string, value: string) => ({ name, value });

const copperLine = (id: string, status: 'Working' | 'Stopped', extra: Json = {}) => ({
  id,
  name: 'Line Data',
  value: {
    ACCESSLINEID: id,
    LINESTATUS: status,
    ...(status === 'Stopped' ? { STOPPEDDATE: '2025-06-30T00:00:00Z' } : {}),
    PARTIALDN: id === SANDBOX_STOPPED_LINE ? '960123' : '960456',
    NTEFLOOR: 'Ground',
    NTEROOM: 'Hallway',
    NTEPOSITION: 'Behind front door',
    ...extra,
  },
  valueType: 'object',
  '@type': 'btAccessLineResourceRef',
});

/** Lines the sandbox knows, by access line id: what a START (stopped) or TAKEOVER (working) may name. */
export const SANDBOX_LINES: Record<string, 'Working' | 'Stopped'> = {
  [SANDBOX_STOPPED_LINE]: 'Stopped',
  [SANDBOX_WORKING_LINE]: 'Working',
};

function fttp(place: Json, variant: string, figures: [string, string, string, string], flags: Record<string, string>) {
  const [high, min, up, advertised] = figures;
  return {
    id: variant,
    product: {
      place: [place],
      productCharacteristic: [
        c('AccessTechnology', 'FTTP'),
        c('productHighDownloadSpeed', high),
        c('productLowDownloadSpeed', ''),
        c('productMinimumGuaranteedSpeed', min),
        c('productHighUploadSpeed', up),
        c('productLowUploadSpeed', ''),
        c('productAdvertisedDownloadSpeed', advertised),
        c('FTTPEXISTINGONTAVAILABLE', 'N'),
        c('REASONCODE', 'Z'),
        c('FTTPNEWONTAVAILABLE', flags.FTTPNEWONTAVAILABLE ?? 'Y'),
        c('FTTPPriorityExchange', 'N'),
        c('FTTPINSTALLPROCESS', flags.FTTPINSTALLPROCESS ?? '1 Stage'),
        c('FTTPCPTRANSFERORWLTOAVAILABLE', 'Y'),
        c('MINIMUMSITEVISITREASON', 'Standard'),
        ...(flags.SERVICENOTES ? [c('SERVICENOTES', flags.SERVICENOTES)] : []),
        ...(flags.FTTPNEWONTAVAILABLE === 'W' ? [c('AVAILABILITYDATE', '2027-03-31')] : []),
        c('RECOMMENDEDMINIMUMLEADTIME', flags.FTTPINSTALLPROCESS === 'KCI2 Assure' ? '30' : '10'),
      ],
      productOffering: { id: variant, name: 'FTTP' },
      realizingResource: [
        {
          id: '1',
          name: 'ONT Data',
          value: {
            ONTREFNUMBER: 'ONT0046482937',
            ONTFLOOR: '',
            ONTROOM: '',
            ONTPOSITION: '',
            BBUSTATUS: 'Not Supplied',
            MAXSPEED: 'Up to 1000',
            PORTLIST: {
              ONTPORT: [
                { ONTPORTNUMBER: '1', ONTPORTSTATUS: 'Working', ONTPORTTYPE: 'Data', VOICEWIRINGSTATUS: '' },
                { ONTPORTNUMBER: '2', ONTPORTSTATUS: 'Spare', ONTPORTTYPE: 'Data', VOICEWIRINGSTATUS: '' },
              ],
            },
          },
          valueType: 'object',
          '@baseType': 'ResourceRef',
          '@type': 'btONTResourceRef',
        },
      ],
    },
    '@type': 'btProductOfferingQualificationItem',
  };
}

function sogea(place: Json, reasonCode: string, lines: Json[]) {
  return {
    id: 'SOGEA 80_20M',
    product: {
      place: [place],
      productCharacteristic: [
        c('AccessTechnology', 'SOGEA'),
        c('productHighDownloadSpeed', '73.6'),
        c('productLowDownloadSpeed', '61.64'),
        c('productMinimumGuaranteedSpeed', '55.2'),
        c('productHighUploadSpeed', '18.4'),
        c('productLowUploadSpeed', '17.48'),
        c('productMaximumUploadSpeed', '18.99'),
        c('productMinimumUploadSpeed', '15.73'),
        c('productMaximumDownloadSpeed', '75.99'),
        c('productAdvertisedDownloadSpeed', '76'),
        c('productAdvertisedUploadSpeed', '19'),
        c('REASONCODE', reasonCode),
        c('AVAILABILITY_FLAG', 'Y'),
      ],
      productOffering: { id: 'SOGEA 80_20M', name: 'SOGEA' },
      ...(lines.length ? { realizingResource: lines } : {}),
    },
    '@type': 'btProductOfferingQualificationItem',
  };
}

/** The POQ answer for a request, or a BB1-style error (status, code, message). */
export function poqAnswer(body: Json): { status: number; body: Json } {
  const items = body.productOfferingQualificationItem as { product?: { place?: Json[] } }[] | undefined;
  const place = items?.[0]?.product?.place?.[0];
  const bad = (message: string) => ({ status: 400, body: { code: '25', reason: 'Bad Request', message } });
  if (!place?.id) return bad('place id is required');
  const kind = place['@referredType'];
  const answer = (list: Json[]) => ({
    status: 200,
    body: {
      expirationDate: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      instantSyncQualification: true,
      productOfferingQualificationDate: new Date().toISOString(),
      provideAlternative: true,
      provideOnlyAvailable: true,
      provideUnavailabilityReason: false,
      qualificationResult: list.length ? 'qualified' : 'unqualified',
      productOfferingQualificationItem: list.map((x, i) => ({ ...x, id: String(i + 1) })),
      relatedParty: body.relatedParty,
      state: 'done',
      '@type': 'btProductOfferingQualification',
    },
  });
  const where = { id: place.id, role: 'install address', '@referredType': kind };
  if (kind === 'btDirectoryNumberReference' || kind === 'btAccessLineReference') {
    const id = String(place.id);
    if (kind === 'btDirectoryNumberReference' && !/^0\d{9,10}$/.test(id)) return bad(`Invalid directory number ${id}`);
    const lineId = kind === 'btAccessLineReference' ? id : SANDBOX_STOPPED_LINE;
    const status = SANDBOX_LINES[lineId];
    if (!status) return { status: 404, body: { code: '60', reason: 'Not Found', message: `Line ${id} not found` } };
    return answer([sogea(where, status === 'Working' ? 'J' : 'Z', [copperLine(lineId, status)])]);
  }
  if (!place.districtId) return bad('place id and districtId are required');
  const nad = String(place.id);
  if (nad.endsWith('0000')) return answer([]);
  if (nad.endsWith('2222'))
    return answer([
      fttp(where, 'FTTP 160_30M', ['147.2', '76', '27.6', '152'], {
        FTTPINSTALLPROCESS: 'KCI2 Assure',
        SERVICENOTES: 'Underground feed from the footway box; external survey visit first',
      }),
      sogea(where, 'Z', []),
    ]);
  if (nad.endsWith('3333'))
    return answer([
      fttp(where, 'FTTP 160_30M', ['147.2', '76', '27.6', '152'], { FTTPNEWONTAVAILABLE: 'W' }),
      sogea(where, 'Z', []),
    ]);
  if (nad.endsWith('4444'))
    return answer([
      sogea(where, 'C', [
        copperLine(SANDBOX_STOPPED_LINE, 'Stopped'),
        copperLine(SANDBOX_WORKING_LINE, 'Working', { PENDINGCEASE: 'Y' }),
      ]),
    ]);
  return answer([
    fttp(where, 'FTTP 160_30M', ['147.2', '76', '27.6', '152'], {}),
    fttp(where, 'FTTP 1000_115M', ['900', '500', '110', '900'], {}),
    sogea(where, 'Z', []),
  ]);
}
