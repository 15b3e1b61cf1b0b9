/**
 * Params of every action, guard and delay in machines/registry.ts, as small JSON-Schema-like
 * objects with a one-line doc each, and a hand-written checker for them (machines/ takes no
 * schema library). The JSON Schema of the plan format (plan-schema.ts) embeds these specs, and
 * the validator (plan-validate.ts) checks every `params` a plan passes against them.
 */

/** The JSON-Schema subset `checkParams` understands. */
export interface ParamSpec {
  readonly type?: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array';
  readonly description?: string;
  /** The value must match at least one of these. */
  readonly anyOf?: readonly ParamSpec[];
  /** The value must match exactly one of these (used as "exactly one of these keys" with `required`). */
  readonly oneOf?: readonly ParamSpec[];
  /** An ECMAScript regular expression a string must match. */
  readonly pattern?: string;
  /** Arrays: the spec of every item, bounds on the length, and no duplicates. */
  readonly items?: ParamSpec;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
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
const name = (description: string): ParamSpec => ({ type: 'string', minLength: 1, maxLength: 200, description });
const template = (description: string): ParamSpec => ({
  type: 'string',
  minLength: 1,
  maxLength: 2000,
  description: `${description} {alarm.<field>} placeholders are filled from the alarm (id, type, priority, text, location, environment, raisedAt, source.adapter, source.device); an unknown one is an error.`,
});
const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const paramSpecs = {
  actions: {
    notify: {
      doc: 'Notifies every member of `group` (frozen at raise time), or one `user`, `device` or `contact`, optionally with a notification `profile` and a `text` template, and makes them the current level.',
      params: {
        type: 'object',
        properties: {
          group: { type: 'string', minLength: 1, description: 'Notification group name.' },
          user: name('User id.'),
          device: name('Device id (notified as device:<id>).'),
          contact: name('Contact id (notified as contact:<id>).'),
          profile: name('Notification profile id.'),
          text: template('The notification text (default: the alarm text).'),
        },
        oneOf: [{ required: ['group'] }, { required: ['user'] }, { required: ['device'] }, { required: ['contact'] }],
        additionalProperties: false,
      },
    },
    withdraw: { doc: 'Withdraws every notification nobody has responded to yet.', params: none },
    recordResponse: {
      doc: "Records an accept or reject on the responder's most recent open notification.",
      params: none,
    },
    nextRound: { doc: 'Starts the next round of the plan.', params: none },
    recordPresence: {
      doc: 'Records a PRESENCE event {group, user, present} in the presence of a presence-tracked group (others are ignored).',
      params: none,
    },
    forward: {
      doc: 'Raises a linked alarm of type `alarmType` (returns tocsin.forward for the runtime); `text` defaults to the alarm text.',
      params: {
        type: 'object',
        properties: {
          alarmType: name('Alarm type id of the linked alarm.'),
          text: template("The text of the linked alarm (default: this alarm's text)."),
        },
        required: ['alarmType'],
        additionalProperties: false,
      },
    },
    notifyUser: {
      doc: 'Notifies one user and makes that notification the current level (as notify with `user`).',
      params: {
        type: 'object',
        properties: { user: name('User id.') },
        required: ['user'],
        additionalProperties: false,
      },
    },
    setOutput: {
      doc: 'Sets an output (e.g. a relay or Modbus coil) to a value; carried out by an output adapter.',
      params: {
        type: 'object',
        properties: {
          output: name('Output name.'),
          value: { anyOf: [{ type: 'boolean' }, { type: 'number' }], description: 'On/off or a number.' },
        },
        required: ['output', 'value'],
        additionalProperties: false,
      },
    },
    raiseEvent: {
      doc: 'Raises an internal event at once (XState raise); it is processed before the next external event.',
      params: {
        type: 'object',
        properties: {
          event: {
            type: 'string',
            minLength: 1,
            maxLength: 128,
            pattern: '^(?!xstate\\.)',
            description: 'Event type.',
          },
        },
        required: ['event'],
        additionalProperties: false,
      },
    },
    recordDelivery: {
      doc: "Marks the notification named by a DELIVERY event 'failed' when its status is failed.",
      params: none,
    },
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
    acceptedCountAtLeast: {
      doc: "At least n notifications of the current level are accepted, counting this event's accept.",
      params: {
        type: 'object',
        properties: { n: { type: 'integer', minimum: 1, maximum: 10_000, description: 'How many accepts.' } },
        required: ['n'],
        additionalProperties: false,
      },
    },
    anyRejected: {
      doc: "A notification of the current level is rejected, counting this event's reject.",
      params: none,
    },
    deliveryFailed: {
      doc: "The event is a DELIVERY with status 'failed' for one of this alarm's notifications that is still pending.",
      params: none,
    },
    priorityAtLeast: {
      doc: 'The alarm is at least as urgent as `priority` (1 most urgent, 9 least): alarm.priority <= priority.',
      params: {
        type: 'object',
        properties: { priority: { type: 'integer', minimum: 0, maximum: 9, description: '1 most urgent … 9 least.' } },
        required: ['priority'],
        additionalProperties: false,
      },
    },
    environmentIs: {
      doc: "The alarm's environment is `environment`.",
      params: {
        type: 'object',
        properties: { environment: name('Environment id.') },
        required: ['environment'],
        additionalProperties: false,
      },
    },
    sourceIs: {
      doc: "The alarm's source adapter is `adapter` (and its device is `device`, when given).",
      params: {
        type: 'object',
        properties: { adapter: name('Source adapter.'), device: name('Source device.') },
        required: ['adapter'],
        additionalProperties: false,
      },
    },
    inTimeWindow: {
      doc: "The event's time (the raise time for the first step) is within from..to (to exclusive; may cross midnight) on one of `days`, in `timeZone`.",
      params: {
        type: 'object',
        properties: {
          from: { type: 'string', pattern: HHMM, description: 'Start, HH:MM (inclusive).' },
          to: { type: 'string', pattern: HHMM, description: 'End, HH:MM (exclusive); before `from` crosses midnight.' },
          timeZone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin.' },
          days: {
            type: 'array',
            items: { type: 'string', enum: WEEKDAYS },
            minItems: 1,
            maxItems: 7,
            uniqueItems: true,
            description: 'Days the window starts on (default: every day).',
          },
        },
        required: ['from', 'to', 'timeZone'],
        additionalProperties: false,
      },
    },
    nobodyPresent: {
      doc: 'Nobody is present in `group`, counting this event when it is a PRESENCE for it; a group without presence tracking counts as present unless it has no members.',
      params: {
        type: 'object',
        properties: { group: name('Notification group name.') },
        required: ['group'],
        additionalProperties: false,
      },
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
  if (spec.anyOf !== undefined && !spec.anyOf.some((alt) => checkParams(alt, value, pointer).length === 0)) {
    const kinds = spec.anyOf.map((alt) => alt.type ?? 'a value').join(' or ');
    problems.push({ pointer, reason: `must be ${kinds}, not ${actual}` });
    return problems;
  }
  if (spec.oneOf !== undefined) {
    const matching = spec.oneOf.filter((alt) => checkParams(alt, value, pointer).length === 0);
    if (matching.length !== 1) {
      const keysOnly = spec.oneOf.every((alt) => alt.required?.length === 1 && Object.keys(alt).length === 1);
      if (!keysOnly) problems.push({ pointer, reason: `must match exactly one of ${spec.oneOf.length} alternatives` });
      else if (actual === 'object') {
        const keys = spec.oneOf.map((alt) => `'${alt.required![0]}'`);
        const list = `${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}`;
        const given = matching.map((alt) => `'${alt.required![0]}'`);
        problems.push({
          pointer,
          reason:
            matching.length === 0
              ? `missing required ${list} (exactly one)`
              : `exactly one of ${list}, not ${given.join(' and ')}`,
        });
      }
    }
  }
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
    if (spec.pattern !== undefined && !new RegExp(spec.pattern, 'u').test(value))
      problems.push({ pointer, reason: `must match ${spec.pattern}` });
  }
  if (Array.isArray(value)) {
    if (spec.minItems !== undefined && value.length < spec.minItems)
      problems.push({ pointer, reason: `must have at least ${spec.minItems} item(s)` });
    if (spec.maxItems !== undefined && value.length > spec.maxItems)
      problems.push({ pointer, reason: `must have at most ${spec.maxItems} items` });
    if (spec.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
      problems.push({ pointer, reason: 'must not repeat an item' });
    if (spec.items !== undefined) {
      const items = spec.items;
      value.forEach((v, i) => problems.push(...checkParams(items, v, `${pointer}/${i}`)));
    }
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
