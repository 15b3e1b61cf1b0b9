/**
 * Pseudonyms for personal values in the protocol. The protocol is append-only and hash-chained,
 * so a name written in clear could never be erased without breaking the chain. Instead every
 * person's address (login name, responder, recipient) is written as `p-` + 16 hex digits of
 * HMAC-SHA256(installation key, value), and the store keeps the mapping pseudonym → value in a
 * mutable table. Erasing a person nulls the mapping; the chain, computed over the pseudonyms,
 * verifies forever. Pure: the key comes in, nothing is read or written here.
 */
import { createHmac } from 'node:crypto';

/** Maps a personal value to its pseudonym; deterministic for one key, idempotent on pseudonyms. */
export type Pseudonymise = (value: string) => string;

/** One mapping row the store keeps (until the value is erased). */
export interface PseudonymPair {
  readonly pseudonym: string;
  readonly value: string;
}

const PSEUDONYM = /^p-[0-9a-f]{16}$/;
/** Every pseudonym inside a longer string (a note, a notification id). */
export const PSEUDONYM_IN_TEXT = /p-[0-9a-f]{16}(?![0-9a-f])/g;

/** True for a string of the pseudonym form. */
export const isPseudonym = (v: string): boolean => PSEUDONYM.test(v);

/**
 * The pseudonymiser of one installation key. A value already of the pseudonym form maps to
 * itself, so a replay over recorded (pseudonymised) inputs maps them to the same pseudonyms.
 */
export function pseudonymiser(key: string | Uint8Array): Pseudonymise {
  return (value) =>
    isPseudonym(value) ? value : `p-${createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 16)}`;
}

/** Characters of a login name: a value is replaced in text only where it stands as a word. */
const NAME_CHAR = '[\\p{L}\\p{N}_@-]';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Pseudonymises the personal values of one protocol entry and remembers which it produced.
 * Addresses `device:<id>` are devices, not people, and stay in clear.
 */
export class EntryPseudonymiser {
  private readonly made = new Map<string, string>();
  /** Whole strings to replace in free text: the values, and notification ids holding them. */
  private readonly inText = new Map<string, string>();

  constructor(private readonly ps: Pseudonymise) {}

  /** A recipient, responder or user actor. */
  address(a: string): string {
    if (a.startsWith('device:') || a === '') return a;
    const p = this.ps(a);
    if (p !== a) {
      this.made.set(a, p);
      this.inText.set(a, p);
    }
    return p;
  }

  /** A notification id `<group>.<round>.<address>` (the group `@<address>` for a single recipient). */
  notificationId(id: string): string {
    const single = /^@(.+)\.(\d+)\.\1$/s.exec(id);
    const grouped = /^([^.@][^.]*)\.(\d+)\.(.+)$/s.exec(id);
    let out = id;
    if (single) {
      const a = this.address(single[1]!);
      out = `@${a}.${single[2]!}.${a}`;
    } else if (grouped) out = `${grouped[1]!}.${grouped[2]!}.${this.address(grouped[3]!)}`;
    if (out !== id) this.inText.set(id, out);
    return out;
  }

  /** An actor: users by their address; the loopback device's `loopback:<recipient>` too. */
  actor<A extends { readonly kind: string; readonly id: string }>(actor: A): A {
    if (actor.kind === 'user') return { ...actor, id: this.address(actor.id) };
    const loop = /^loopback:(.+)$/s.exec(actor.id);
    if (actor.kind === 'device' && loop) {
      const id = `loopback:${this.address(loop[1]!)}`;
      this.inText.set(actor.id, id);
      return { ...actor, id };
    }
    return actor;
  }

  /**
   * A machine event: `by` (RESPONSE, CANCEL, signals), `user` (PRESENCE), `notificationId`
   * (DELIVERY, and its `reason` text), `recipients` and the `text` (FORWARD), and for a raise the
   * frozen group members and presence in `input`. Free text is pseudonymised for the people named
   * in this entry only; other personal data typed into it stays as typed.
   */
  event(event: unknown): unknown {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) return event;
    const e = { ...(event as Record<string, unknown>) };
    if (typeof e.by === 'string') e.by = this.address(e.by);
    if (typeof e.user === 'string') e.user = this.address(e.user);
    if (typeof e.notificationId === 'string') e.notificationId = this.notificationId(e.notificationId);
    // An operator's FORWARD names the people it hands the alarm to.
    if (Array.isArray(e.recipients) && e.recipients.every((a) => typeof a === 'string'))
      e.recipients = e.recipients.map((a: string) => this.address(a));
    if (e.input !== null && typeof e.input === 'object') {
      const input = { ...(e.input as Record<string, unknown>) };
      for (const k of ['groups', 'presence'] as const) if (isMembers(input[k])) input[k] = this.members(input[k]);
      e.input = input;
    }
    // A delivery failure's reason is the notifier's text, which may name the recipient; an
    // operator's forward text may name the people of the step (the forwarder, the recipients).
    if (e.type === 'DELIVERY' && typeof e.reason === 'string') e.reason = this.text(e.reason);
    if (e.type === 'FORWARD' && typeof e.text === 'string') e.text = this.text(e.text);
    return e;
  }

  private members(m: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
    return Object.fromEntries(Object.entries(m).map(([g, list]) => [g, list.map((a) => this.address(a))]));
  }

  /** An effect: the `recipients` of notify and withdraw. */
  effect(effect: unknown): unknown {
    if (effect === null || typeof effect !== 'object' || Array.isArray(effect)) return effect;
    const r = (effect as { recipients?: unknown }).recipients;
    if (!Array.isArray(r) || !r.every((a) => typeof a === 'string')) return effect;
    return { ...effect, recipients: r.map((a: string) => this.address(a)) };
  }

  /** Free text the runtime wrote (the note): every value seen so far, where it stands as a word. */
  text(s: string): string {
    let out = s;
    // Longest first, so `A.0.alice` is replaced whole before `alice`.
    for (const [value, p] of [...this.inText].sort((a, b) => b[0].length - a[0].length)) {
      if (!out.includes(value)) continue; // a raise knows every group member; most are not in the note
      const re = new RegExp(`(?<!${NAME_CHAR}|\\.)${escape(value)}(?!${NAME_CHAR}|\\.${NAME_CHAR})`, 'gu');
      out = out.replace(re, p);
    }
    return out;
  }

  /** The pseudonyms made so far, for the store's mapping table. */
  pairs(): PseudonymPair[] {
    return [...this.made].map(([value, pseudonym]) => ({ pseudonym, value }));
  }
}

function isMembers(v: unknown): v is Record<string, string[]> {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.values(v).every((l) => Array.isArray(l) && l.every((a) => typeof a === 'string'))
  );
}

/**
 * Replaces every pseudonym inside the strings of `value` by its resolved value; pseudonyms
 * without one (erased, or never mapped) stay. Returns a copy; pure.
 */
export function resolveDeep<T>(value: T, resolved: ReadonlyMap<string, string>): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(PSEUDONYM_IN_TEXT, (p) => resolved.get(p) ?? p);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Every distinct pseudonym inside the strings of `value`. */
export function pseudonymsIn(value: unknown): string[] {
  return [...new Set(JSON.stringify(value).match(PSEUDONYM_IN_TEXT) ?? [])];
}

/** Replaces `values` (value → pseudonym) in free text the runtime wrote, where they stand as words. */
export function replaceInText(s: string, values: ReadonlyMap<string, string>): string {
  const pz = new EntryPseudonymiser((v) => values.get(v) ?? v);
  for (const v of values.keys()) if (s.includes(v)) pz.address(v);
  return pz.text(s);
}

/**
 * Replaces erased values inside stored JSON (an alarm snapshot, a timer event, an outbox
 * payload) by their pseudonyms: strings equal to a value, notification ids (and idempotency
 * keys) holding one, and the loopback device `loopback:<value>`. Object keys are left alone (they are group names and
 * fixed fields). Returns a copy; pure.
 */
export function replaceValues<T>(value: T, pseudonymOf: ReadonlyMap<string, string>): T {
  const pz = new EntryPseudonymiser((v) => pseudonymOf.get(v) ?? v);
  const one = (s: string): string => {
    if (pseudonymOf.has(s)) return pseudonymOf.get(s)!;
    const id = pz.notificationId(s);
    if (id !== s) return id;
    // An idempotency key `<alarmId>/<notificationId>`.
    const slash = s.indexOf('/');
    if (slash > 0) {
      const key = pz.notificationId(s.slice(slash + 1));
      if (key !== s.slice(slash + 1)) return `${s.slice(0, slash)}/${key}`;
    }
    return pz.actor({ kind: 'device', id: s }).id;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return one(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
