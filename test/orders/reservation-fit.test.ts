import { reservationMismatch } from '../../src/orders/reserve-appointment.js';
import { withinOneDay } from '../../src/orders/timeslots.js';

const slot = {
  id: 3,
  supplierReference: 'A1',
  start: '2026-03-02T08:00:00Z',
  end: '2026-03-02T13:00:00Z',
  address: {
    id: '10091846447',
    type: 'UPRN' as const,
    additionalIdentifiers: [{ id: 'A15104646284', type: 'NAD' as const }],
  },
  serviceSpecification: { id: 'FTTP' },
};
const item = (id: string) => ({ serviceSpecification: { id }, serviceCharacteristics: [] });

describe('a reservation fits an order at its address, for its specification', () => {
  it('fits when an identifier is shared and none differs, whatever the case of the specification', () => {
    expect(
      reservationMismatch(slot, { address: { id: 'A15104646284', type: 'NAD' }, serviceOrderItem: item('fttp') }),
    ).toBeUndefined();
  });
  it('names the identifier that differs, or says none is shared', () => {
    expect(reservationMismatch(slot, { address: { id: 'A1', type: 'NAD' } })).toBe(
      'appointmentReservationId: reservation 3 was made for another address (NAD A15104646284, not A1); reserve a slot for this address',
    );
    expect(reservationMismatch(slot, { address: { id: 'R1', type: 'ROBT' } })).toMatch(/no identifier in common/);
  });
  it('names both specifications when they differ', () => {
    expect(reservationMismatch(slot, { serviceOrderItem: item('SOGEA') })).toBe(
      'appointmentReservationId: reservation 3 was made for FTTP, not SOGEA; reserve a slot for SOGEA',
    );
  });
});

describe('singleDayAppointment keeps slots within one UK day', () => {
  it.each([
    ['2026-07-06T07:00:00Z', '2026-07-06T12:00:00Z', true],
    ['2026-07-06T12:00:00Z', '2026-07-06T23:00:00Z', true], // ends at local midnight (BST)
    ['2026-12-05T23:30:00Z', '2026-12-06T03:00:00Z', false],
  ])('%s – %s: %s', (s, e, want) => expect(withinOneDay(s, e)).toBe(want));
});
