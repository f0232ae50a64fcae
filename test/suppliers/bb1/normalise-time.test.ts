import { normaliseTime } from '../../../src/suppliers/bb1/inbound/parse-ksu.js';

describe('KSU times → canonical UTC ISO', () => {
  it.each([
    ['2024-02-29T10:00:00.000Z', '2024-02-29T10:00:00.000Z'],
    ['2024-12-31T23:59:59.999Z', '2024-12-31T23:59:59.999Z'],
    ['2024-06-01T10:00:00Z', '2024-06-01T10:00:00.000Z'],
    ['2024-06-01T10:00:00.000+01:00', '2024-06-01T09:00:00.000Z'],
    // canonical-looking but not a real date or time: rolled over as Date.parse does
    ['2023-02-29T10:00:00.000Z', '2023-03-01T10:00:00.000Z'],
    ['1900-02-29T00:00:00.000Z', '1900-03-01T00:00:00.000Z'],
    ['2024-04-31T00:00:00.000Z', '2024-05-01T00:00:00.000Z'],
    ['2024-01-01T24:00:00.000Z', '2024-01-02T00:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseTime(input)).toBe(expected);
  });

  it('is undefined for anything that is not a time', () => {
    expect(normaliseTime('2024-13-01T00:00:00.000Z')).toBeUndefined();
    expect(normaliseTime('soon')).toBeUndefined();
    expect(normaliseTime(undefined)).toBeUndefined();
  });
});
