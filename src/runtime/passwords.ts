/**
 * Password and PIN hashing with scrypt (node:crypto, async: the work runs on libuv's thread
 * pool and never blocks the event loop). A hash is self-describing,
 * `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`, so the cost can rise later without
 * invalidating stored hashes (`needsRehash`). Verification compares with `timingSafeEqual`.
 * Callers bound the input first (the policy in src/domain/identity.ts); `hashSecret` refuses
 * anything longer than MAX_SECRET_UNITS anyway.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 2^15 · 8 · 128 B = 32 MiB per hash, ~50–100 ms on a server core. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const KEY_LEN = 32;
const SALT_LEN = 16;
/** No secret longer than this (UTF-16 units) is ever hashed: 255 characters of up to two units each. */
export const MAX_SECRET_UNITS = 510;

/** Bounds on parameters read from a stored hash, so a corrupt row cannot make us allocate gigabytes. */
const LIMITS = { minN: 2 ** 14, maxN: 2 ** 20, maxR: 32, maxP: 16 };

const scryptAsync = (secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const opts: ScryptOptions = {
      N: params.N,
      r: params.r,
      p: params.p,
      // Node's default maxmem (32 MiB) is just what N=2^15, r=8 needs; scrypt wants strictly more.
      maxmem: 2 * 128 * params.N * params.r * params.p + 1024 * 1024,
    };
    scrypt(secret.normalize('NFC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });

const b64 = (b: Buffer): string => b.toString('base64url');

/** Hashes `secret` with a fresh random salt. Throws RangeError for a secret over MAX_SECRET_UNITS. */
export async function hashSecret(secret: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  if (secret.length > MAX_SECRET_UNITS) throw new RangeError('secret too long to hash');
  const salt = randomBytes(SALT_LEN);
  const key = await scryptAsync(secret, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${b64(salt)}$${b64(key)}`;
}

interface Parsed {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parse(stored: string): Parsed | undefined {
  const m = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{16,128})$/.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = (N & (N - 1)) === 0;
  if (!powerOfTwo || N < LIMITS.minN || N > LIMITS.maxN || r < 1 || r > LIMITS.maxR || p < 1 || p > LIMITS.maxP)
    return undefined;
  return { params: { N, r, p }, salt: Buffer.from(m[4]!, 'base64url'), key: Buffer.from(m[5]!, 'base64url') };
}

/**
 * True when `secret` hashes to `stored`. False (never throws) for a malformed or out-of-bounds
 * stored hash and for a secret over MAX_SECRET_UNITS, which is not hashed at all.
 */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || secret.length > MAX_SECRET_UNITS) return false;
  const key = await scryptAsync(secret, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when `stored` was made with other parameters than `params` (hash again at the next login). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.N !== params.N || parsed.params.r !== params.r || parsed.params.p !== params.p;
}

/** One dummy hash per parameter set, made once per process. */
const dummies = new Map<string, Promise<string>>();

/**
 * Verifies `secret` against a fixed dummy hash made with `params` (the cost real hashes
 * have) and returns false: the work of a real verification, for a user that does not exist,
 * so the answer time does not tell which login names exist.
 */
export async function verifyDummy(secret: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<false> {
  const id = `${params.N}/${params.r}/${params.p}`;
  let dummy = dummies.get(id);
  if (!dummy) dummies.set(id, (dummy = hashSecret('tocsin-dummy-password-that-no-account-has', params)));
  await verifySecret(secret.length > MAX_SECRET_UNITS ? '' : secret, await dummy);
  return false;
}

/** A random secret of `bytes` bytes, base64url (session ids, CSRF tokens, API tokens). */
export const randomSecret = (bytes = 32): string => b64(randomBytes(bytes));

/**
 * SHA-256 of a high-entropy random secret (hex). Enough for session ids and API tokens, which
 * are 32 random bytes and so need no slow hash; what the database keeps cannot be replayed.
 */
export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Constant-time equality of two hex digests of equal length (false otherwise). */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
