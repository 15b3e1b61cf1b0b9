/**
 * Which events the OMM simulator sends to which link (protocols.md §1.3). Pure.
 *
 * A link's subscription is a list of `<e cmd="On" eventType=… scope…/>` entries. An event goes
 * to the link when some entry names its type and one of the entry's scope attributes covers it:
 * - `eventType` is the event's base type (`PPTransaction` for `EventPPTransaction`) or the base
 *   type plus its variant (`PPTransactionLocReg` for `trType="LocReg"`).
 * - `ppn`, `uid`, `rfpId`, `omm`: `-1` covers every value (and events that have none, such as
 *   WrongURI progress for an unknown address [I]); otherwise the values must be equal.
 * - `trigger`: `*` or a case-insensitive pattern where `*` stands for any text (`LOC-*`).
 * - `scheme`: `*` or the scheme of the event's address (`tel`, compared case-insensitively).
 * - An entry without any scope attribute covers nothing.
 * `cmd="Off"` removes the entries of that type with the same scope attributes.
 */
import type { SimElement } from './dect-simulator-xml.ts';

export const SCOPE_KEYS = ['ppn', 'uid', 'rfpId', 'omm', 'trigger', 'scheme'] as const;
export type ScopeKey = (typeof SCOPE_KEYS)[number];

export interface SubscriptionEntry {
  readonly eventType: string;
  readonly scope: Readonly<Partial<Record<ScopeKey, string>>>;
}

/** What an event is, for matching: base type, optional variant, and its scope values. */
export interface EventScope {
  readonly type: string;
  readonly variant?: string;
  readonly values: Readonly<Partial<Record<ScopeKey, string>>>;
}

/** Why a Subscribe was refused: the error code and the first failing entry's eventType. */
export interface SubscribeRefusal {
  readonly errCode: 'EInval' | 'EMissing' | 'EPerm';
  readonly eventType?: string;
  readonly info: string;
}

export const MAX_SUBSCRIBE_ENTRIES = 20;

function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`, 'i').test(value);
}

function covers(key: ScopeKey, want: string, have: string | undefined): boolean {
  switch (key) {
    case 'ppn':
    case 'uid':
    case 'rfpId':
    case 'omm':
      return want === '-1' || (have !== undefined && want === have);
    case 'trigger':
      return have !== undefined && globMatch(want, have);
    case 'scheme':
      return have !== undefined && (want === '*' || want.toLowerCase() === have.toLowerCase());
    default: {
      const never: never = key;
      return never;
    }
  }
}

/** True when `entries` let an event with `scope` through. */
export function subscribed(entries: readonly SubscriptionEntry[], scope: EventScope): boolean {
  const names = scope.variant === undefined ? [scope.type] : [scope.type, scope.type + scope.variant];
  return entries.some(
    (e) =>
      names.includes(e.eventType) &&
      SCOPE_KEYS.some((k) => e.scope[k] !== undefined && covers(k, e.scope[k], scope.values[k])),
  );
}

/**
 * Applies a Subscribe request's `<e>` entries atomically: the new entry list, or a refusal
 * (1–20 entries, `cmd` On/Off, `eventType` present and not in `refused`).
 */
export function applySubscribe(
  current: readonly SubscriptionEntry[],
  request: SimElement,
  refused: ReadonlySet<string>,
): { readonly entries: readonly SubscriptionEntry[] } | { readonly refusal: SubscribeRefusal } {
  const es = request.children.filter((c) => c.name === 'e');
  if (es.length === 0 || es.length > MAX_SUBSCRIBE_ENTRIES || es.length !== request.children.length) {
    return { refusal: { errCode: 'EInval', info: `1 to ${MAX_SUBSCRIBE_ENTRIES} <e> entries expected` } };
  }
  let entries = [...current];
  for (const e of es) {
    const eventType = e.attrs.eventType;
    if (eventType === undefined || eventType === '') {
      return { refusal: { errCode: 'EMissing', info: 'eventType missing' } };
    }
    const cmd = e.attrs.cmd;
    if (cmd !== 'On' && cmd !== 'Off')
      return { refusal: { errCode: 'EInval', eventType, info: 'cmd must be On or Off' } };
    if (refused.has(eventType)) return { refusal: { errCode: 'EPerm', eventType, info: 'not permitted' } };
    const scope: Partial<Record<ScopeKey, string>> = {};
    for (const k of SCOPE_KEYS) if (e.attrs[k] !== undefined) scope[k] = e.attrs[k];
    const same = (x: SubscriptionEntry) =>
      x.eventType === eventType && SCOPE_KEYS.every((k) => x.scope[k] === scope[k]);
    entries = entries.filter((x) => !same(x));
    if (cmd === 'On') entries.push({ eventType, scope });
  }
  return { entries };
}
