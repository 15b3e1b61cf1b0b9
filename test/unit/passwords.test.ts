// Password hashing (src/runtime/passwords.ts): the stored format, verification, the bounds on
// what is hashed and on what a stored hash may ask for, the dummy verification, and a
// property: a hash verifies its own secret and no other.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_SCRYPT,
  MAX_SECRET_UNITS,
  digestsEqual,
  hashSecret,
  needsRehash,
  randomSecret,
  sha256,
  verifyDummy,
  verifySecret,
} from '../../src/runtime/passwords.ts';

describe('scrypt hashes', () => {
  it('are self-describing: scrypt$N$r$p$salt$hash with N ≥ 2^15, r=8, p=1', async () => {
    const h = await hashSecret('correct horse battery');
    const parts = h.split('$');
    assert.equal(parts.length, 6);
    assert.deepEqual(parts.slice(0, 4), ['scrypt', String(2 ** 15), '8', '1']);
    assert.ok(DEFAULT_SCRYPT.N >= 2 ** 15);
    assert.equal(Buffer.from(parts[4]!, 'base64url').length, 16);
    assert.equal(Buffer.from(parts[5]!, 'base64url').length, 32);
  });

  it('use a fresh salt each time, so one password hashes differently twice', async () => {
    const [a, b] = await Promise.all([hashSecret('same password'), hashSecret('same password')]);
    assert.notEqual(a, b);
    assert.equal(await verifySecret('same password', a), true);
    assert.equal(await verifySecret('same password', b), true);
  });

  it('are case-sensitive and compare NFC-normalised text', async () => {
    const h = await hashSecret('Passwort-Prüfung');
    assert.equal(await verifySecret('passwort-prüfung', h), false);
    // "ü" as u + combining diaeresis is the same password as the precomposed "ü".
    assert.equal(await verifySecret('Passwort-Pru\u0308fung', h), true);
  });

  it('refuse to hash a secret longer than MAX_SECRET_UNITS, and never verify one', async () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    await assert.rejects(hashSecret(huge), RangeError);
    const h = await hashSecret('x'.repeat(MAX_SECRET_UNITS));
    assert.equal(await verifySecret('x'.repeat(MAX_SECRET_UNITS), h), true);
    assert.equal(await verifySecret(huge, h), false);
  });

  it('a malformed or out-of-bounds stored hash verifies nothing and never throws', async () => {
    const good = await hashSecret('secret-one');
    const salt = good.split('$')[4]!;
    const key = good.split('$')[5]!;
    const bad = [
      '', // empty
      'plain-text-password', // not a hash at all
      `argon2id$${salt}$${key}`, // another algorithm
      `scrypt$32768$8$1$${salt}`, // a part missing
      `scrypt$30000$8$1$${salt}$${key}`, // N not a power of two
      `scrypt$1024$8$1$${salt}$${key}`, // N below the floor: too cheap to accept
      `scrypt$${2 ** 24}$8$1$${salt}$${key}`, // N above the ceiling: would allocate gigabytes
      `scrypt$32768$99$1$${salt}$${key}`, // r out of bounds
      `scrypt$32768$8$1$${salt}$${key}$extra`, // trailing garbage
    ];
    for (const b of bad) assert.equal(await verifySecret('secret-one', b), false, b);
  });

  it('needsRehash: true for other parameters or a malformed hash, false for the defaults', async () => {
    const h = await hashSecret('rehash me');
    assert.equal(needsRehash(h), false);
    assert.equal(needsRehash(h, { N: 2 ** 16, r: 8, p: 1 }), true);
    assert.equal(needsRehash('junk'), true);
  });

  it('verifyDummy does the work and always answers false, even for over-long input', async () => {
    assert.equal(await verifyDummy('anything'), false);
    assert.equal(await verifyDummy('x'.repeat(1_000_000)), false);
  });

  it('random secrets are 32 bytes base64url; sha256 is hex; digestsEqual is exact', () => {
    const s = randomSecret();
    assert.equal(Buffer.from(s, 'base64url').length, 32);
    assert.notEqual(randomSecret(), s);
    assert.match(sha256(s), /^[0-9a-f]{64}$/);
    assert.equal(digestsEqual(sha256('a'), sha256('a')), true);
    assert.equal(digestsEqual(sha256('a'), sha256('b')), false);
    assert.equal(digestsEqual(sha256('a'), 'short'), false);
  });

  it('property: a hash verifies its own secret and never a different one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }),
        fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }),
        async (a, b) => {
          fc.pre(a.normalize('NFC') !== b.normalize('NFC'));
          const h = await hashSecret(a);
          assert.equal(await verifySecret(a, h), true);
          assert.equal(await verifySecret(b, h), false);
        },
      ),
      { numRuns: 6 },
    );
  });
});
