import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';

export interface SecretHash {
  salt: Buffer;
  hash: Buffer;
}

const KEY_LENGTH = 32;

/** Client secrets are kept only as scrypt hashes (made once, at start-up) and compared in constant time. */
export function hashSecret(secret: string): SecretHash {
  const salt = randomBytes(16);
  return { salt, hash: scryptSync(secret, salt, KEY_LENGTH) };
}

// At most this many checks at once, the rest wait their turn: a flood of guesses then uses one core (on this
// 2-core machine) and leaves the other to the event loop, and never fills libuv's pool that fs and dns share.
const MAX_CONCURRENT = Math.max(1, Math.floor(availableParallelism() / 2));
let running = 0;
const waiting: (() => void)[] = [];

/** scrypt on libuv's thread pool: a check (~30 ms of CPU) never holds the event loop. */
async function derive(secret: string, salt: Buffer): Promise<Buffer> {
  if (running >= MAX_CONCURRENT)
    await new Promise<void>((r) => waiting.push(r)); // handed a slot
  else running += 1;
  try {
    return await new Promise((resolve, reject) =>
      scrypt(secret, salt, KEY_LENGTH, (err, key) => (err ? reject(err) : resolve(key))),
    );
  } finally {
    const next = waiting.shift();
    if (next)
      next(); // the slot passes on
    else running -= 1;
  }
}

export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  return timingSafeEqual(await derive(secret, stored.salt), stored.hash);
}

// A hash of a secret nobody knows, checked when the client id is unknown: an unknown id then costs the same
// scrypt as a known one, so the answer's timing does not tell which ids exist.
let dummy: SecretHash | undefined;

/**
 * Whether `secret` matches one of a client's secrets. Every candidate is checked (no early exit), and a
 * client with none (an unknown id) is checked against the dummy hash, so the cost does not depend on the id.
 */
export async function verifyClientSecret(secret: string, candidates: SecretHash[]): Promise<boolean> {
  if (!candidates.length) {
    dummy ??= hashSecret(randomBytes(24).toString('base64url'));
    await verifySecret(secret, dummy);
    return false;
  }
  const results = await Promise.all(candidates.map((c) => verifySecret(secret, c)));
  return results.includes(true);
}
