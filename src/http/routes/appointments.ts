import { Router } from 'express';
import type { AppContext } from '../../context.js';
import type { AddressIdentifier } from '../../orders/order.js';
import { callingTenant, jsonQuery } from './_shared.js';

export function appointmentRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get('/v1/available-appointments', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    res.json(
      await ctx.orders.availableAppointments(
        callingTenant(ctx, req),
        {
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
          singleDayAppointment: q.singleDayAppointment === true || q.singleDayAppointment === 'true',
        },
        req.get('X-Conversation-ID'),
      ),
    );
  });
  r.post('/v1/appointments', async (req, res) => {
    res.status(201).json(await ctx.orders.reserve(callingTenant(ctx, req), req.body, req.get('X-Conversation-ID')));
  });
  return r;
}
