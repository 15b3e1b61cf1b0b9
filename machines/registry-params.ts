/**
 * Params of every action, guard and delay in machines/registry.ts, as small JSON-Schema-like
 * objects with a one-line doc each, and a hand-written checker for them (machines/ takes no
 * schema library). The JSON Schema of the plan format (plan-schema.ts) embeds these specs, and
 * the validator (plan-validate.ts) checks every `params` a plan passes against them.
 */

/** The JSON-Schema subset `checkParams` understands. */
export interface ParamSpec {
  readonly type?: 'object' | 'string' | 'number' | 'integer' | 'boolean';
  readonly description?: string;
  readonly enum?: readonly (string | number | boolean)[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly properties?: Readonly<Record<string, ParamSpec>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: false;
}

export interface RegisteredSpec {
  /** One line for editors and the API. */
  readonly doc: string;
  /** The `params` object the implementation accepts. */
  readonly params: ParamSpec;
}

export interface Problem {
  readonly pointer: string;
  readonly reason: string;
}

const none: ParamSpec = { type: 'object', properties: {}, additionalProperties: false };

export const paramSpecs = {
  actions: {
    notify: {
      doc: 'Notifies every member of the group (frozen at raise time) and makes them the current level.',
      params: {
        type: 'object',
        properties: { group: { type: 'string', minLength: 1, description: 'Notification group name.' } },
        required: ['group'],
        additionalProperties: false,
      },
    },
    withdraw: { doc: 'Withdraws every notification nobody has responded to yet.', params: none },
    recordResponse: {
      doc: "Records an accept or reject on the responder's most recent open notification.",
      params: none,
    },
    nextRound: { doc: 'Starts the next round of the plan.', params: none },
    log: {
      doc: "Writes a line into the alarm's protocol.",
      params: {
        type: 'object',
        properties: { message: { type: 'string', maxLength: 2000, description: 'The line to write.' } },
        additionalProperties: false,
      },
    },
  },
  guards: {
    accepted: { doc: 'The event is an accept (from anyone allowed to respond).', params: none },
    allRejected: {
      doc: "Every notification of the current level is rejected, counting this event's reject.",
      params: none,
    },
    roundsLeft: { doc: 'Another round is allowed: round + 1 < plan parameter `rounds` (default 1).', params: none },
  },
  delays: {
    levelTimeout: { doc: 'The plan parameter `levelTimeoutMs` (milliseconds).', params: none },
  },
} as const satisfies Record<'actions' | 'guards' | 'delays', Record<string, RegisteredSpec>>;

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export function escapePointer(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number' && Number.isInteger(v)
        ? 'integer'
        : typeof v;

/** Checks `value` against `spec`; returns every mismatch with its JSON pointer (below `pointer`). */
export function checkParams(spec: ParamSpec, value: unknown, pointer: string): Problem[] {
  const problems: Problem[] = [];
  const actual = typeOf(value);
  if (spec.type !== undefined) {
    const fits = actual === spec.type || (spec.type === 'number' && actual === 'integer');
    if (!fits || (typeof value === 'number' && !Number.isFinite(value))) {
      problems.push({
        pointer,
        reason: `must be ${/^[aeiou]/.test(spec.type) ? 'an' : 'a'} ${spec.type}, not ${actual}`,
      });
      return problems;
    }
  }
  if (spec.enum !== undefined && !spec.enum.includes(value as string | number | boolean)) {
    problems.push({ pointer, reason: `must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (typeof value === 'number') {
    if (spec.minimum !== undefined && value < spec.minimum)
      problems.push({ pointer, reason: `must be at least ${spec.minimum}` });
    if (spec.maximum !== undefined && value > spec.maximum)
      problems.push({ pointer, reason: `must be at most ${spec.maximum}` });
  }
  if (typeof value === 'string') {
    if (spec.minLength !== undefined && value.length < spec.minLength)
      problems.push({ pointer, reason: `must have at least ${spec.minLength} character(s)` });
    if (spec.maxLength !== undefined && value.length > spec.maxLength)
      problems.push({ pointer, reason: `must have at most ${spec.maxLength} characters` });
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of spec.required ?? []) {
      if (!Object.hasOwn(obj, key)) problems.push({ pointer, reason: `missing required '${key}'` });
    }
    const props = spec.properties ?? {};
    for (const key of Object.keys(obj)) {
      const p = `${pointer}/${escapePointer(key)}`;
      const sub = Object.hasOwn(props, key) ? props[key] : undefined;
      if (sub !== undefined) problems.push(...checkParams(sub, obj[key], p));
      else if (spec.additionalProperties === false) problems.push({ pointer: p, reason: `unknown parameter '${key}'` });
    }
  }
  return problems;
}
