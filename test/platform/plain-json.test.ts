import { cloneJson, jsonEqual } from '../../src/platform/plain-json.js';

const entity = {
  id: 7,
  status: 'IN_PROGRESS',
  serviceOrderItem: {
    serviceCharacteristics: [
      { name: 'LINE_PROFILE', value: '122' },
      { name: 'X', value: '' },
    ],
  },
  notes: null,
  flag: false,
  nested: [[1, 2], { a: [] }],
  updated: '2024-06-01T00:00:00.000Z',
};

describe('plain JSON copy and comparison', () => {
  it('copies deeply: the copy serialises alike and shares nothing', () => {
    const c = cloneJson(entity);
    expect(JSON.stringify(c)).toBe(JSON.stringify(entity));
    c.serviceOrderItem.serviceCharacteristics[0]!.value = '999';
    (c.nested[1] as { a: number[] }).a.push(1);
    expect(entity.serviceOrderItem.serviceCharacteristics[0]!.value).toBe('122');
    expect((entity.nested[1] as { a: number[] }).a).toEqual([]);
  });

  it('drops undefined members as JSON does (null inside arrays)', () => {
    expect(cloneJson({ a: undefined, b: [undefined, 1] })).toEqual(
      JSON.parse(JSON.stringify({ a: undefined, b: [undefined, 1] })),
    );
  });

  it('compares as serialised JSON, ignoring key order, undefined members and the key left out', () => {
    const reordered = { ...entity, id: 7, status: 'IN_PROGRESS', extra: undefined };
    expect(jsonEqual(reordered, entity)).toBe(true);
    expect(jsonEqual({ ...entity, updated: 'later' }, entity, 'updated')).toBe(true);
    expect(jsonEqual({ ...entity, updated: 'later' }, entity)).toBe(false);
    expect(jsonEqual({ ...entity, status: 'COMPLETED' }, entity, 'updated')).toBe(false);
    const deeper = cloneJson(entity);
    deeper.serviceOrderItem.serviceCharacteristics.push({ name: 'Y', value: '1' });
    expect(jsonEqual(deeper, entity)).toBe(false);
    expect(jsonEqual({ a: [] }, { a: {} })).toBe(false);
    expect(jsonEqual({ a: null }, { a: undefined })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});
