/**
 * Action and guard references of the plan validator (plan-validate.ts), pure: a registered name
 * or `{type, params}`, params against registry-params.ts, named groups, profiles, devices,
 * contacts and alarm types against the sets `ValidateOptions` gives, `{alarm.<field>}`
 * placeholders of text templates, and `inTimeWindow`'s time zone.
 */
import { ALARM_PLACEHOLDERS, unknownPlaceholders } from './alarm-text.ts';
import { registeredNames } from './registry.ts';
import { checkParams, paramSpecs, type Problem, type RegisteredSpec } from './registry-params.ts';
import { at, describe, FORBIDDEN, has, isObj, own } from './plan-validate-json.ts';
import type { ValidateOptions } from './plan-validate.ts';

export type Kind = 'actions' | 'guards';

/** The sets of ValidateOptions; an absent one (undefined) is not checked. */
export type KnownSets = Readonly<Record<keyof ValidateOptions, ReadonlySet<string> | undefined>>;

/** Where reference checks report: the problems found, the known sets, the groups the plan names. */
export interface RefScope {
  readonly problems: Problem[];
  readonly sets: KnownSets;
  readonly usedGroups: Set<string>;
}

/** Which string params of which name refer to which set of ValidateOptions, and its noun. */
const REFERENCES: readonly {
  kind: Kind;
  name: string;
  param: string;
  set: keyof ValidateOptions;
  noun: string;
}[] = [
  { kind: 'actions', name: 'notify', param: 'group', set: 'groups', noun: 'notification group' },
  { kind: 'actions', name: 'notify', param: 'profile', set: 'profiles', noun: 'notification profile' },
  { kind: 'actions', name: 'notify', param: 'device', set: 'devices', noun: 'device' },
  { kind: 'actions', name: 'notify', param: 'contact', set: 'contacts', noun: 'contact' },
  { kind: 'actions', name: 'forward', param: 'alarmType', set: 'alarmTypes', noun: 'alarm type' },
  { kind: 'guards', name: 'nobodyPresent', param: 'group', set: 'groups', noun: 'notification group' },
];

/** Text params that are `{alarm.<field>}` templates. */
const TEMPLATES: readonly { kind: Kind; name: string; param: string }[] = [
  { kind: 'actions', name: 'notify', param: 'text' },
  { kind: 'actions', name: 'forward', param: 'text' },
];

const specOf = (kind: Kind, name: string): RegisteredSpec | undefined =>
  (paramSpecs[kind] as Record<string, RegisteredSpec>)[name];

/** Checks one action or guard reference at pointer `p`, reporting into `scope`. */
export function checkRef(scope: RefScope, item: unknown, p: string, kind: Kind): void {
  const { problems, usedGroups, sets } = scope;
  const noun = kind === 'actions' ? 'action' : 'guard';
  let name: unknown;
  let params: unknown;
  let hasParams = false;
  if (typeof item === 'string') name = item;
  else if (isObj(item)) {
    for (const k of Object.keys(item)) {
      if (!FORBIDDEN.has(k) && k !== 'type' && k !== 'params')
        problems.push({ pointer: at(p, k), reason: `unknown key '${k}' in ${noun} (allowed: type, params)` });
    }
    if (!has(item, 'type')) {
      problems.push({ pointer: p, reason: `missing '${noun}' name: {"type": "<name>", "params": {...}}` });
      return;
    }
    name = own(item, 'type');
    hasParams = has(item, 'params');
    params = own(item, 'params');
    if (typeof name !== 'string') {
      problems.push({ pointer: at(p, 'type'), reason: `${noun} name must be a string, not ${describe(name)}` });
      return;
    }
  } else {
    problems.push({
      pointer: p,
      reason: `${noun} must be a registered name or {type, params}, not ${describe(item)}`,
    });
    return;
  }
  const n = name as string;
  if (!registeredNames[kind].has(n)) {
    problems.push({
      pointer: typeof item === 'string' ? p : at(p, 'type'),
      reason: `unknown ${noun} '${n}' (registered: ${[...registeredNames[kind]].join(', ')})`,
    });
    return;
  }
  const spec = specOf(kind, n);
  if (spec === undefined) return;
  if (hasParams) problems.push(...checkParams(spec.params, params, at(p, 'params')));
  else {
    for (const q of checkParams(spec.params, {}, p))
      problems.push({ pointer: q.pointer, reason: `${noun} '${n}' needs params: ${q.reason}` });
  }
  if (kind === 'guards' && n === 'inTimeWindow' && isObj(params) && typeof own(params, 'timeZone') === 'string') {
    const zone = own(params, 'timeZone') as string;
    if (!isTimeZone(zone))
      problems.push({ pointer: at(p, 'params', 'timeZone'), reason: `unknown IANA time zone '${zone}'` });
  }
  if (!isObj(params)) return;
  for (const r of REFERENCES) {
    const value = own(params, r.param);
    if (r.kind !== kind || r.name !== n || typeof value !== 'string') continue;
    if (r.set === 'groups') usedGroups.add(value);
    if (sets[r.set] !== undefined && !sets[r.set]!.has(value))
      problems.push({ pointer: at(p, 'params', r.param), reason: `unknown ${r.noun} '${value}'` });
  }
  for (const t of TEMPLATES) {
    const value = own(params, t.param);
    if (t.kind !== kind || t.name !== n || typeof value !== 'string') continue;
    const unknown = unknownPlaceholders(value);
    if (unknown.length > 0)
      problems.push({
        pointer: at(p, 'params', t.param),
        reason: `unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${ALARM_PLACEHOLDERS.join(', ')})`,
      });
  }
}

/** checkRef for one reference or a list of them. */
export function checkRefs(scope: RefScope, v: unknown, p: string, kind: Kind): void {
  if (Array.isArray(v)) v.forEach((item, i) => checkRef(scope, item, at(p, i), kind));
  else checkRef(scope, v, p, kind);
}

/** Whether Intl knows `zone` as a time zone (IANA name or UTC). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
