import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { TokenService } from '../../auth/tokens.js';
import type { makeReceiveUpdate } from '../../ksus/receive.js';
import { requireBearer } from '../middleware/bearer-auth.js';
import { ApiError, sendError } from '../errors.js';
import { LIMITS } from '../middleware/limits.js';

/** 202 with a small JSON body, written directly (no ETag: nobody revalidates an acknowledgement). */
function accepted(res: Response, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = 202;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * POST /v1/suppliers/{supplier}/ksus: stored before the 202 (raw body always kept), duplicates by eventId
 * answered 202 without change, another tenant's order refused (403) and recorded.
 */
export function supplierKsuRoutes(
  tokens: TokenService,
  receive: ReturnType<typeof makeReceiveUpdate>,
  log: Logger,
): Router {
  const r = Router();
  type Receipt = Awaited<ReturnType<typeof receive>>;
  /** The update stored (or kept, whatever it is), or the 503 already sent when the database could not take it. */
  const stored = async (req: Request, res: Response, endpoint: 'ksus' | 'kcis', what: string) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      return await receive(req.auth!, String(req.params.supplier), body, endpoint);
    } catch (e) {
      (req.log ?? log).error({ err: e }, `${what} could not be stored`);
      sendError(
        res,
        new ApiError(503, 'GATEWAY_FAULT', [`the ${what} could not be stored; retry`], { 'Retry-After': '5' }),
      );
      return undefined;
    }
  };
  /** What both endpoints answer alike: an unknown supplier, a body that is not JSON, keys the inbox cannot hold. */
  const common = (receipt: Receipt, supplier: string): ApiError | undefined => {
    switch (receipt.kind) {
      case 'unknown-supplier':
        return new ApiError(404, 'NOT_FOUND', [`supplier ${supplier} not found`]);
      case 'unparseable':
        return new ApiError(400, 'MALFORMED_REQUEST', [`body: is ${receipt.why} (kept as inbox entry ${receipt.id})`]);
      case 'unstorable':
        return ApiError.invalid(`${receipt.why} (kept as inbox entry ${receipt.id})`);
      default:
        return undefined;
    }
  };
  r.post(
    '/v1/suppliers/:supplier/ksus',
    requireBearer(tokens, 'supplier-api'),
    express.raw({ type: () => true, limit: LIMITS.ksuBodyBytes }),
    async (req, res, next) => {
      const supplier = String(req.params.supplier);
      const receipt = await stored(req, res, 'ksus', 'KSU');
      if (!receipt) return;
      const refusal = common(receipt, supplier);
      if (refusal) return next(refusal);
      switch (receipt.kind) {
        case 'malformed':
          return sendError(res, ApiError.invalid(`${receipt.why} (kept as inbox entry ${receipt.id})`));
        case 'refused':
          req.log?.warn({ tenant: req.auth!.tenantId, supplier }, 'KSU for another tenant refused');
          return sendError(
            res,
            new ApiError(403, 'NOT_AUTHORISED', [
              'this KSU names an order that does not belong to the authenticated client',
            ]),
          );
        case 'stored':
          accepted(res, { id: receipt.id, duplicate: receipt.duplicate, status: 'RECEIVED' });
      }
    },
  );
  /**
   * POST /v1/suppliers/{supplier}/kcis (the Fibre Cafe Supplier Updates API): stored before the 204, duplicates
   * by id answered 204 without change; a body that is not an update → 400 (422 for a reasonCode rule) naming the field.
   */
  r.post(
    '/v1/suppliers/:supplier/kcis',
    requireBearer(tokens, 'supplier-api'),
    express.raw({ type: () => true, limit: LIMITS.ksuBodyBytes }),
    async (req, res, next) => {
      const supplier = String(req.params.supplier);
      const receipt = await stored(req, res, 'kcis', 'update');
      if (!receipt) return;
      const refusal = common(receipt, supplier);
      if (refusal) return next(refusal);
      switch (receipt.kind) {
        case 'malformed':
          return sendError(
            res,
            new ApiError(receipt.rule ? 422 : 400, 'INVALID_REQUEST', [
              `${receipt.why} (kept as inbox entry ${receipt.id})`,
            ]),
          );
        case 'refused':
          req.log?.warn({ tenant: req.auth!.tenantId, supplier, reason: receipt.reason }, 'supplier update refused');
          return sendError(res, new ApiError(403, 'NOT_AUTHORISED', [`this update is refused: ${receipt.reason}`]));
        case 'stored':
          res.status(204).end();
      }
    },
  );
  return r;
}
