import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export interface SecretHash {
  salt: Buffer;
  hash: Buffer;
}

/** Client secrets are kept only as scrypt hashes and compared in constant time. */
export function hashSecret(secret: string): SecretHash {
  const salt = randomBytes(16);
  return { salt, hash: scryptSync(secret, salt, 32) };
}

export function verifySecret(secret: string, stored: SecretHash): boolean {
  const candidate = scryptSync(secret, stored.salt, 32);
  return timingSafeEqual(candidate, stored.hash);
}
