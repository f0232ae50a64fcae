import type { Db } from '../store/database.js';
import { importedRecord, type ImportRow } from './import-file.js';
import { getService, putServices } from './service-store.js';

/**
 * Writes checked import rows in one transaction: all or nothing. A service with a change in flight is not
 * overwritten (nothing is written and they are listed); a row that says what the record says changes nothing.
 */
export async function importRows(
  db: Db,
  rows: ImportRow[],
): Promise<{ created: number; updated: number; unchanged: number } | { inFlight: string[] }> {
  try {
    return await db.transaction().execute(async (trx) => {
      const c = { created: 0, updated: 0, unchanged: 0 };
      const inFlight: string[] = [];
      const now = new Date().toISOString();
      for (const row of rows) {
        const prior = await getService(trx, row.tenant, row.serviceId, true);
        if (prior?.status === 'CHANGING') {
          inFlight.push(`${row.tenant}/${row.serviceId} (order ${prior.changingOrderId})`);
          continue;
        }
        const next = importedRecord(prior, row, now);
        if (!next) c.unchanged += 1;
        else {
          await putServices(trx, [next]);
          c[prior ? 'updated' : 'created'] += 1;
        }
      }
      if (inFlight.length) throw new InFlight(inFlight);
      return c;
    });
  } catch (e) {
    if (e instanceof InFlight) return { inFlight: e.services };
    throw e;
  }
}

class InFlight extends Error {
  constructor(readonly services: string[]) {
    super('services with a change in flight');
  }
}
