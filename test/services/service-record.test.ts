import { serviceAfter, type OrderProgress, type ServiceRecord } from '../../src/services/service.js';

const provide = (status: OrderProgress['status'], statusBefore: OrderProgress['status']): OrderProgress => ({
  tenantId: 'T',
  id: 1,
  supplier: 'S',
  orderType: 'NEW',
  status,
  statusBefore,
  entity: {
    id: 1,
    orderType: 'NEW',
    supplier: 'S',
    status,
    serviceId: 'SVC1',
    serviceOrderItem: {
      serviceSpecification: { id: 'FTTP' },
      serviceCharacteristics: [{ name: 'SERVICE_ASSET_ID', value: 'a1' }],
    },
    created: 'c',
    updated: 'u',
  },
  request: {
    orderType: 'NEW',
    supplier: 'S',
    serviceOrderItem: {
      serviceSpecification: { id: 'FTTP' },
      serviceCharacteristics: [{ name: 'LINE_PROFILE', value: '122' }],
    },
  },
});

describe('a service record follows its orders, never backwards', () => {
  it('is made when the provide completes, not before', () => {
    expect(serviceAfter(undefined, provide('IN_PROGRESS', 'ACKNOWLEDGED'), 'now')).toBeUndefined();
    expect(serviceAfter(undefined, provide('COMPLETED', 'IN_PROGRESS'), 'now')).toMatchObject({
      status: 'ACTIVE',
      characteristics: { LINE_PROFILE: '122', SERVICE_ASSET_ID: 'a1' },
    });
  });

  it('a late or repeated update of the provide (its status unchanged) does not undo a later modify', () => {
    const modified: ServiceRecord = {
      ...serviceAfter(undefined, provide('COMPLETED', 'IN_PROGRESS'), 'now')!,
      characteristics: { LINE_PROFILE: '129', SERVICE_ASSET_ID: 'a1' },
    };
    expect(serviceAfter(modified, provide('COMPLETED', 'COMPLETED'), 'later')!.characteristics).toEqual({
      LINE_PROFILE: '129',
      SERVICE_ASSET_ID: 'a1',
    });
  });

  it('a ceased service stays ceased', () => {
    const ceased: ServiceRecord = {
      ...serviceAfter(undefined, provide('COMPLETED', 'IN_PROGRESS'), 'now')!,
      status: 'CEASED',
    };
    expect(serviceAfter(ceased, provide('COMPLETED', 'IN_PROGRESS'), 'later')).toBe(ceased);
  });
});
