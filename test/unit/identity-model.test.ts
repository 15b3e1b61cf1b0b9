// The identity model's pure parts (src/domain/identity.ts, permissions.ts, and the throttle
// decisions of src/runtime/login-throttle.ts): the password policy as a table (a comment per
// case), login-name keys, the user and user-group schemas against bad input, the standard
// groups, and the back-off and lockout arithmetic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { COMMON_PASSWORDS } from '../../src/domain/common-passwords.ts';
import {
  checkPassword,
  isBoundedLoginName,
  isValidPin,
  loginKey,
  userGroupSchema,
  userInputSchema,
  userPatchSchema,
  type PasswordProblem,
} from '../../src/domain/identity.ts';
import { ADMINISTRATOR_GROUP, PERMISSION_IDS, PERMISSIONS, STANDARD_GROUPS } from '../../src/domain/permissions.ts';
import { DEFAULT_THROTTLE, blockOf, nextFailure } from '../../src/runtime/login-throttle.ts';
import type { ThrottleRow } from '../../src/ports/identity-store.ts';

describe('password policy', () => {
  const table: [string, unknown, string | undefined, PasswordProblem | 'ok'][] = [
    // length: 8–255 characters, counted in characters (code points), not bytes
    ['7 characters', 'Abc12!x', undefined, 'too-short'],
    ['exactly 8 characters', 'Abc12!xy', undefined, 'ok'],
    ['exactly 255 characters', 'aB3$'.repeat(63) + 'aB3', undefined, 'ok'],
    ['256 characters', 'aB3$'.repeat(64), undefined, 'too-long'],
    ['10 MB: refused by its length alone', 'x'.repeat(10 * 1024 * 1024), undefined, 'too-long'],
    ['8 emoji are 8 characters (16 UTF-16 units)', '🔔🚨🔔🚨🔔🚨🔔🚨', undefined, 'ok'],
    ['255 emoji: within the limit', '🔔'.repeat(255), undefined, 'ok'],
    ['256 emoji: too long', '🔔'.repeat(256), undefined, 'too-long'],
    ['empty', '', undefined, 'too-short'],
    // not a string at all (bodies are JSON)
    ['a number', 12345678, undefined, 'not-a-string'],
    ['null', null, undefined, 'not-a-string'],
    ['an array', ['password'], undefined, 'not-a-string'],
    // 'admin' in any case, with its own reason (the length rule would refuse it too)
    ['admin', 'admin', undefined, 'admin'],
    ['Admin', 'Admin', undefined, 'admin'],
    ['ADMIN', 'ADMIN', undefined, 'admin'],
    ['admin as the login name admin', 'aDmIn', 'admin', 'admin'],
    // the login name in any case
    ['the login name', 'margarete', 'margarete', 'login-name'],
    ['the login name in other case', 'MargaRete', 'margarete', 'login-name'],
    ['the login name, name given in upper case', 'margarete', 'MARGARETE', 'login-name'],
    ['the login name plus a digit is not the login name', 'margarete1', 'margarete', 'ok'],
    // common passwords, any case
    ['a common password', 'password1', undefined, 'common'],
    ['a common password in other case', 'PassWord1', undefined, 'common'],
    ['a German favourite', 'Passwort123', undefined, 'common'],
    ['a keyboard walk', 'qwertzuiop', undefined, 'common'],
    // case-sensitive: passes when not common, whatever the case
    ['a passphrase', 'Four alarm bells at dawn', undefined, 'ok'],
  ];
  for (const [what, pw, login, expected] of table) {
    it(`${what} → ${expected}`, () => {
      const r = checkPassword(pw, login);
      assert.equal(r.ok ? 'ok' : r.problem, expected);
      if (!r.ok) assert.ok(r.reason.length > 0);
    });
  }

  it('every common password of 8+ characters is refused, in upper case too', () => {
    for (const pw of COMMON_PASSWORDS) {
      assert.equal(checkPassword(pw).ok, false, pw);
      assert.equal(checkPassword(pw.toUpperCase()).ok, false, pw);
    }
    assert.ok(COMMON_PASSWORDS.length >= 150);
  });

  it('property: any string of 8–255 random characters that is not the login name nor common passes', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 255, unit: 'binary' }), (pw) => {
        fc.pre(!COMMON_PASSWORDS.includes(pw.toLowerCase()) && [...pw].length >= 8);
        assert.equal(checkPassword(pw, 'someone').ok, pw.normalize('NFC').toLowerCase() !== 'someone');
      }),
    );
  });
});

describe('login names', () => {
  it('are unique without regard to case: one key for Alice, ALICE and alice', () => {
    assert.equal(loginKey('Alice'), 'alice');
    assert.equal(loginKey('ALICE'), loginKey('alice'));
    assert.equal(loginKey('Ærø'), 'ærø');
  });
  it('are bounded before anything else looks at them', () => {
    assert.equal(isBoundedLoginName('a'.repeat(64)), true);
    assert.equal(isBoundedLoginName('a'.repeat(65)), false);
    assert.equal(isBoundedLoginName('x'.repeat(10_000_000)), false);
    assert.equal(isBoundedLoginName(''), false);
    assert.equal(isBoundedLoginName(42), false);
  });
  it('PINs are 4–8 digits', () => {
    for (const p of ['1234', '12345678']) assert.equal(isValidPin(p), true, p);
    for (const p of ['123', '123456789', '12a4', ' 1234', 1234]) assert.equal(isValidPin(p), false, String(p));
  });
});

describe('user and user-group schemas refuse bad input', () => {
  const user = {
    loginName: 'margarete',
    displayName: 'Margarete Muster',
    userGroup: 'operator',
    environments: ['default'],
  };
  it('a minimal user is valid and gets language EN and start page /', () => {
    const u = userInputSchema.parse(user);
    assert.equal(u.language, 'EN');
    assert.equal(u.startPage, '/');
  });
  const bad: [string, unknown][] = [
    // strict: unknown fields are refused, never dropped
    ['unknown field', { ...user, role: 'admin' }],
    ['a password field in the user body', { ...user, password: 'x' }],
    // login name: 1–64, letters/digits/._@-, starting with a letter or digit
    ['empty login name', { ...user, loginName: '' }],
    ['65-character login name', { ...user, loginName: 'a'.repeat(65) }],
    ['login name with a space', { ...user, loginName: 'mar garete' }],
    ['login name with SQL', { ...user, loginName: "x' or '1'='1" }],
    ['login name with HTML', { ...user, loginName: '<script>' }],
    ['login name starting with a dot', { ...user, loginName: '.hidden' }],
    // language: DE DA EN FR NL only
    ['language SV', { ...user, language: 'SV' }],
    ['language lower case', { ...user, language: 'de' }],
    // environments: at least one, no duplicates, valid ids
    ['no environments', { ...user, environments: [] }],
    ['duplicate environment', { ...user, environments: ['a', 'a'] }],
    ['environment with a slash', { ...user, environments: ['../x'] }],
    // start page: a path inside the UI, never another host
    ['start page on another host', { ...user, startPage: '//evil.example/' }],
    ['start page with a scheme', { ...user, startPage: 'https://evil.example/' }],
    ['start page javascript:', { ...user, startPage: 'javascript:alert(1)' }],
    // contact fields
    ['bad e-mail', { ...user, email: 'not-an-address' }],
    ['phone with letters', { ...user, phone: '0800-CALL-ME' }],
    ['display name with a control character', { ...user, displayName: 'a\u0000b' }],
    ['display name of 201 characters', { ...user, displayName: 'x'.repeat(201) }],
  ];
  for (const [what, input] of bad) {
    it(what, () => assert.equal(userInputSchema.safeParse(input).success, false));
  }
  it('a patch is strict too and may clear optional fields with null', () => {
    assert.equal(userPatchSchema.safeParse({ phone: null, email: null }).success, true);
    assert.equal(userPatchSchema.safeParse({ passwordHash: 'x' }).success, false);
  });
  it('a user group lists only known permissions, each once', () => {
    assert.equal(userGroupSchema.safeParse({ id: 'g', name: 'G', permissions: ['system.restart'] }).success, true);
    assert.equal(userGroupSchema.safeParse({ id: 'g', name: 'G', permissions: ['system.root'] }).success, false);
    assert.equal(
      userGroupSchema.safeParse({ id: 'g', name: 'G', permissions: ['system.restart', 'system.restart'] }).success,
      false,
    );
    assert.equal(userGroupSchema.safeParse({ id: 'g', name: 'G', permissions: [], x: 1 }).success, false);
  });
});

describe('permissions and standard groups', () => {
  it('hold the guidelines tree and the marked Tocsin additions', () => {
    const tocsin = PERMISSION_IDS.filter((p) => PERMISSIONS[p].origin === 'tocsin').sort();
    assert.deepEqual(tocsin, [
      'administration.configuration.edit',
      'administration.plans.edit',
      'operation.alarms.respond',
      'operation.alarms.view',
      'operation.presence',
      'system.access-log',
    ]);
    assert.equal(PERMISSION_IDS.length - tocsin.length, 20);
  });
  it('Administrator holds every permission; the others hold known ones, no user administration', () => {
    const admin = STANDARD_GROUPS.find((g) => g.id === ADMINISTRATOR_GROUP)!;
    assert.deepEqual([...admin.permissions].sort(), [...PERMISSION_IDS].sort());
    assert.deepEqual(STANDARD_GROUPS.map((g) => g.id).sort(), ['administrator', 'operator', 'technician', 'viewer']);
    for (const g of STANDARD_GROUPS.filter((x) => x.id !== ADMINISTRATOR_GROUP)) {
      assert.equal(userGroupSchema.safeParse(g).success, true, g.id);
      for (const p of ['user-administration', 'administration.users.edit', 'administration.user-groups.edit'])
        assert.equal(g.permissions.includes(p as never), false, `${g.id} ${p}`);
    }
  });
});

describe('login throttle decisions', () => {
  const T = 1_000_000;
  const fail = (key: string, n: number, at = T): ThrottleRow => {
    let row: ThrottleRow | undefined;
    for (let i = 0; i < n; i++) row = nextFailure(key, row, at, DEFAULT_THROTTLE);
    return row!;
  };
  it('two failures are free; from the third each failure doubles the wait', () => {
    assert.equal(fail('account:a', 2).blockedUntil, null);
    assert.equal(fail('account:a', 3).blockedUntil, T + 1000);
    assert.equal(fail('account:a', 4).blockedUntil, T + 2000);
    assert.equal(fail('account:a', 9).blockedUntil, T + 64_000);
  });
  it('the tenth account failure locks; a source is never locked, its wait is capped', () => {
    assert.equal(fail('account:a', 9).locked, false);
    assert.equal(fail('account:a', 10).locked, true);
    const src = fail('source:10.0.0.1', 40);
    assert.equal(src.locked, false);
    assert.equal(src.blockedUntil, T + DEFAULT_THROTTLE.maxDelayMs);
  });
  it('a quiet hour resets the count, but never a lock', () => {
    const later = T + DEFAULT_THROTTLE.resetAfterMs;
    assert.equal(nextFailure('account:a', fail('account:a', 5), later, DEFAULT_THROTTLE).failures, 1);
    const locked = nextFailure('account:a', fail('account:a', 10), later, DEFAULT_THROTTLE);
    assert.equal(locked.locked, true);
    assert.equal(locked.failures, 11);
  });
  it('blockOf: a lock wins, otherwise the longest wait; nothing when waits are over', () => {
    const a = fail('account:a', 4);
    const s = fail('source:x', 3);
    assert.deepEqual(blockOf([a, s], T), { reason: 'throttled', retryAfterMs: 2000 });
    assert.deepEqual(blockOf([a, fail('account:b', 10)], T), { reason: 'locked' });
    assert.equal(blockOf([a, s], T + 2000), undefined);
    assert.equal(blockOf([], T), undefined);
  });
});
