/**
 * Users and user groups (security guidelines, "User Account Form" and "User Group Form"): the
 * zod schemas of what an admin may enter, the login-name key that makes names unique without
 * regard to case, and the password and PIN policies. Pure; every input is bounded before
 * anything looks at it closely, so a 10 MB password is refused by its length alone.
 */
import { z } from 'zod';
import { COMMON_PASSWORDS } from './common-passwords.ts';
import { ALL_ENVIRONMENTS } from './environments.ts';
import { ID_PATTERN } from './config-model.ts';
import { isPermission, type Permission } from './permissions.ts';

export const LANGUAGES = ['DE', 'DA', 'EN', 'FR', 'NL'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LOGIN_NAME_MAX = 64;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 255;
export const PIN_PATTERN = /^[0-9]{4,8}$/;

/** Letters and digits of any script, and `. _ @ -`: an e-mail address works as a login name. */
const LOGIN_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}._@-]*$/u;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const printable = /^[^\u0000-\u001f\u007f]*$/;

const id = z.string().regex(ID_PATTERN, 'ids are 1–64 of A–Z a–z 0–9 _ -, starting with a letter or digit');
/** An environment id, or `*` for all of them. */
export const ENVIRONMENT_OR_ALL = z.union([id, z.literal(ALL_ENVIRONMENTS)]);
const text = (max: number) => z.string().trim().min(1).max(max).regex(printable, 'no control characters');

export const loginNameSchema = z
  .string()
  .min(1)
  .max(LOGIN_NAME_MAX)
  .regex(LOGIN_NAME_PATTERN, 'letters, digits and . _ @ -, starting with a letter or digit');

/**
 * The unique key of a login name: Unicode NFC, lower-cased, so `Alice`, `ALICE` and `alice`
 * are one account. Total (never throws); callers bound the length first.
 */
export const loginKey = (loginName: string): string => loginName.normalize('NFC').toLowerCase();

const phone = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^\+?[0-9 ()*#./-]+$/, 'digits, spaces and + ( ) * # . / -');

/** A path inside the web UI (no scheme, no `//host`: never an open redirect). */
const startPage = z
  .string()
  .max(200)
  .regex(/^\/(?!\/)[A-Za-z0-9/_.~%?=&#-]*$/, 'a path inside the web UI, starting with /');

/** What an admin enters for a user (the password and PIN travel separately, never stored as text). */
export const userInputSchema = z.strictObject({
  loginName: loginNameSchema,
  displayName: text(200),
  phone: phone.optional(),
  mobile: phone.optional(),
  email: z.email().max(254).optional(),
  language: z.enum(LANGUAGES).default('EN'),
  startPage: startPage.default('/'),
  userGroup: id,
  /** Environments the user acts in; `*` (ALL_ENVIRONMENTS) for all of them. */
  environments: z
    .array(ENVIRONMENT_OR_ALL)
    .min(1)
    .max(100)
    .refine((a) => new Set(a).size === a.length, 'no environment twice'),
});
export type UserInput = z.infer<typeof userInputSchema>;
export type UserInputRaw = z.input<typeof userInputSchema>;

/** A change to a user: any subset of the input fields; `null` clears an optional one. */
export const userPatchSchema = z.strictObject({
  loginName: loginNameSchema.optional(),
  displayName: text(200).optional(),
  phone: phone.nullable().optional(),
  mobile: phone.nullable().optional(),
  email: z.email().max(254).nullable().optional(),
  language: z.enum(LANGUAGES).optional(),
  startPage: startPage.optional(),
  userGroup: id.optional(),
  environments: userInputSchema.shape.environments.optional(),
});
export type UserPatch = z.infer<typeof userPatchSchema>;

/** A user as stored and shown (no secrets: hashes stay in the store). */
export interface User {
  readonly id: string;
  readonly loginName: string;
  readonly displayName: string;
  readonly phone: string | null;
  readonly mobile: string | null;
  readonly email: string | null;
  readonly language: Language;
  readonly startPage: string;
  readonly userGroup: string;
  readonly environments: readonly string[];
  readonly hasPin: boolean;
  readonly mustChangePassword: boolean;
  /** Locked by too many failed logins or by an admin; only an admin unlocks. */
  readonly locked: boolean;
  /** The built-in `admin`: cannot be deleted, stays in the Administrator group. */
  readonly builtIn: boolean;
  /** Personal data replaced by a pseudonym; the account cannot log in. */
  readonly erased: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** 1 at creation, +1 per change of the record; the HTTP API's ETag. */
  readonly version: number;
}

export const userGroupSchema = z.strictObject({
  id,
  name: text(200),
  description: z.string().trim().max(1000).regex(printable, 'no control characters').default(''),
  permissions: z
    .array(z.string().max(100).refine(isPermission, 'not a known permission'))
    .max(200)
    .refine((a) => new Set(a).size === a.length, 'no permission twice')
    .transform((a) => a as Permission[]),
});
export type UserGroup = z.infer<typeof userGroupSchema>;
export type UserGroupInput = z.input<typeof userGroupSchema>;

/** A user group as stored and shown: with its version (1 at creation, +1 per change; the ETag). */
export interface VersionedUserGroup extends UserGroup {
  readonly version: number;
}

export type PasswordProblem = 'not-a-string' | 'too-short' | 'too-long' | 'admin' | 'login-name' | 'common';

const COMMON = new Set(COMMON_PASSWORDS.map((p) => p.toLowerCase()));

const REASONS: Record<PasswordProblem, string> = {
  'not-a-string': 'the password must be a string',
  'too-short': `the password must have at least ${PASSWORD_MIN} characters`,
  'too-long': `the password must have at most ${PASSWORD_MAX} characters`,
  admin: "the password must not be 'admin'",
  'login-name': 'the password must not be the login name',
  common: 'the password is too common',
};

export type PasswordCheck =
  { readonly ok: true } | { readonly ok: false; readonly problem: PasswordProblem; readonly reason: string };

/** Characters (code points) of `s`, or `max + 1` once there are more than `max`: never walks a huge string. */
export function boundedLength(s: string, max: number): number {
  // A code point takes one or two UTF-16 units: more than 2·max units is surely too long.
  if (s.length > 2 * max) return max + 1;
  let n = 0;
  for (const _ of s) if (++n > max) return n;
  return n;
}

/**
 * The password policy (security guidelines and DESIGN.md): 8–255 characters, case-sensitive,
 * not `admin` and not the login name in any case, not a common password. The length is checked
 * first and in bounded work, so a 10 MB password costs nothing. Never throws.
 */
export function checkPassword(password: unknown, loginName?: string): PasswordCheck {
  const fail = (problem: PasswordProblem): PasswordCheck => ({ ok: false, problem, reason: REASONS[problem] });
  if (typeof password !== 'string') return fail('not-a-string');
  const n = boundedLength(password, PASSWORD_MAX);
  if (n > PASSWORD_MAX) return fail('too-long');
  const lower = password.normalize('NFC').toLowerCase();
  // Before the length rule, which would also refuse it: the first login's change from the
  // default `admin` deserves the specific reason.
  if (lower === 'admin') return fail('admin');
  if (n < PASSWORD_MIN) return fail('too-short');
  if (loginName !== undefined && lower === loginKey(loginName)) return fail('login-name');
  if (COMMON.has(lower)) return fail('common');
  return { ok: true };
}

/** True when `pin` is a phone-menu PIN: 4–8 digits. */
export const isValidPin = (pin: unknown): pin is string => typeof pin === 'string' && PIN_PATTERN.test(pin);

/** True when `s` could be a login name: a string of at most LOGIN_NAME_MAX characters (any content). */
export const isBoundedLoginName = (s: unknown): s is string =>
  typeof s === 'string' && s.length > 0 && boundedLength(s, LOGIN_NAME_MAX) <= LOGIN_NAME_MAX;
