import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import type { Db } from '../store/database.js';

export type Audience = 'tenant-api' | 'supplier-api';
export const TOKEN_TTL_SECONDS: Record<Audience, number> = { 'tenant-api': 3600, 'supplier-api': 900 };
const ISSUER = 'bb1-connector';
const ALG = 'ES256';
type CryptoKey = Parameters<jose.SignJWT['sign']>[0];

/** The tenantId of a supplier-wide client's token: it calls back for every tenant, and each update names its own. */
export const SUPPLIER_WIDE = '';

export interface TokenClaims {
  /** the tenant the client acts for (SUPPLIER_WIDE for a supplier's own client) */
  tenantId: string;
  clientId: string;
  audience: Audience;
  /** supplier tokens: the supplier whose client this is */
  supplier?: string;
}

export class InvalidTokenError extends Error {}

/**
 * Issues and verifies short-lived ES256 JWTs. The key pair lives in the database so every
 * instance sharing a Postgres database accepts every other instance's tokens.
 */
export class TokenService {
  private constructor(
    private readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKeys: Map<string, CryptoKey>,
  ) {}

  static async create(db: Db): Promise<TokenService> {
    let rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    if (rows.length === 0) {
      const { privateKey, publicKey } = await jose.generateKeyPair(ALG, { extractable: true });
      const kid = randomUUID();
      await db
        .insertInto('signing_keys')
        .values({
          kid,
          private_jwk: JSON.stringify(await jose.exportJWK(privateKey)),
          public_jwk: JSON.stringify(await jose.exportJWK(publicKey)),
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    }
    const newest = rows[0]!;
    const privateKey = (await jose.importJWK(newest.private_jwk as jose.JWK, ALG)) as CryptoKey;
    const publicKeys = new Map<string, CryptoKey>();
    for (const r of rows) publicKeys.set(r.kid, (await jose.importJWK(r.public_jwk as jose.JWK, ALG)) as CryptoKey);
    return new TokenService(newest.kid, privateKey, publicKeys);
  }

  async issue(
    claims: TokenClaims,
    ttlSeconds = TOKEN_TTL_SECONDS[claims.audience],
    now = Date.now(),
  ): Promise<{ token: string; expiresIn: number }> {
    const iat = Math.floor(now / 1000);
    const token = await new jose.SignJWT({
      tenant: claims.tenantId,
      client_id: claims.clientId,
      ...(claims.supplier ? { supplier: claims.supplier } : {}),
    })
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(claims.audience)
      .setSubject(claims.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresIn: ttlSeconds };
  }

  /** Verified tokens, so a client reusing its token (as BB1 does for every KSU) is not re-verified each call. */
  private readonly verified = new Map<string, { claims: TokenClaims; exp: number }>();

  async verify(token: string, audience: Audience): Promise<TokenClaims> {
    const hit = this.verified.get(token);
    if (hit && hit.claims.audience === audience && hit.exp > Date.now() / 1000) return hit.claims;
    const claims = await this.verifySignature(token, audience);
    if (this.verified.size >= 10000) this.verified.clear();
    this.verified.set(token, { claims, exp: this.expiryOf(token) });
    return claims;
  }

  private expiryOf(token: string): number {
    try {
      return Number(jose.decodeJwt(token).exp ?? 0);
    } catch {
      return 0;
    }
  }

  private async verifySignature(token: string, audience: Audience): Promise<TokenClaims> {
    try {
      const { payload } = await jose.jwtVerify(
        token,
        async (header) => {
          const key = header.kid ? this.publicKeys.get(header.kid) : undefined;
          if (!key) throw new InvalidTokenError('unknown key');
          return key;
        },
        { issuer: ISSUER, audience, algorithms: [ALG], clockTolerance: 30 },
      );
      if (typeof payload.tenant !== 'string' || typeof payload.client_id !== 'string')
        throw new InvalidTokenError('token names no tenant');
      return {
        tenantId: payload.tenant,
        clientId: payload.client_id,
        audience,
        ...(typeof payload.supplier === 'string' ? { supplier: payload.supplier } : {}),
      };
    } catch (e) {
      if (e instanceof jose.errors.JWTExpired) throw new InvalidTokenError('token expired');
      if (e instanceof InvalidTokenError) throw e;
      throw new InvalidTokenError('token invalid');
    }
  }
}
