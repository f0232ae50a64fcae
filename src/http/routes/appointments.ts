import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { availableAppointments } from '../../orders/lookups.js';
import { reserveAppointment } from '../../orders/reserve-appointment.js';
import type { AddressIdentifier } from '../../suppliers/bb1/outbound/types.js';
import { callingTenant, jsonQuery } from './_shared.js';

export function appointmentRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get('/v1/available-appointments', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    res.json(
      await availableAppointments(ctx, callingTenant(ctx, req), {
        supplier: String(q.supplier),
        address: jsonQuery<AddressIdentifier>(q.address, 'address')!,
        serviceSpecification: jsonQuery<{ id: string }>(q.serviceSpecification, 'serviceSpecification')!,
        serviceCharacteristics: jsonQuery<{ name: string; value: string }[]>(
          q.serviceCharacteristics,
          'serviceCharacteristics',
        ),
        appointmentFromDate: q.appointmentFromDate as string | undefined,
        appointmentPurpose: q.appointmentPurpose as string | undefined,
        standardOnly: q.standardOnly === true || q.standardOnly === 'true',
      }),
    );
  });
  r.post('/v1/appointments', async (req, res) => {
    res.status(201).json(await reserveAppointment(ctx, callingTenant(ctx, req), req.body));
  });
  return r;
}
