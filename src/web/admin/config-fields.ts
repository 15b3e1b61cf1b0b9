/**
 * The configuration kinds as the console edits them: each kind's URL segment and form fields
 * (after src/domain/config-model.ts, which the server checks: this only shapes the form), and
 * the pure conversions between an item and the form's values. Nested fields (a profile's
 * repeat, a group's members, an alarm type's params) are edited as JSON text. Pure.
 */

export const CONFIG_KINDS = ['environment', 'alarmType', 'profile', 'group', 'contact', 'webTemplate'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

/** `/api/v1/config/<segment>`. */
export const KIND_SEGMENT: Readonly<Record<ConfigKind, string>> = {
  environment: 'environments',
  profile: 'profiles',
  group: 'groups',
  contact: 'contacts',
  alarmType: 'alarm-types',
  webTemplate: 'web-templates',
};

export type FieldSpec =
  | {
      readonly name: string;
      readonly type: 'text';
      readonly required?: boolean;
      /** Suggest the ids of this kind (a datalist): the field refers to one. */
      readonly ref?: ConfigKind;
    }
  | {
      readonly name: string;
      readonly type: 'number';
      readonly required?: boolean;
      readonly min: number;
      readonly max: number;
    }
  | { readonly name: string; readonly type: 'boolean'; readonly dflt: boolean }
  | { readonly name: string; readonly type: 'select'; readonly options: readonly string[] }
  /** A number or a name (a profile's tone). */
  | { readonly name: string; readonly type: 'numberOrText' }
  /** Nested JSON; empty leaves it out (the server's default). */
  | { readonly name: string; readonly type: 'json' };

export type FieldName = (typeof FIELDS)[ConfigKind][number]['name'];

const id = { name: 'id', type: 'text', required: true } as const;
const name = { name: 'name', type: 'text', required: true } as const;
const environment = { name: 'environment', type: 'text', ref: 'environment' } as const;

export const FIELDS = {
  environment: [
    id,
    name,
    { name: 'timeZone', type: 'text' },
    { name: 'defaultPlan', type: 'text' },
    { name: 'supervisionAlarmType', type: 'text', ref: 'alarmType' },
  ],
  profile: [
    id,
    name,
    environment,
    { name: 'priority', type: 'select', options: ['emergency', 'high', 'normal', 'low'] },
    { name: 'popup', type: 'boolean', dflt: true },
    { name: 'tone', type: 'numberOrText' },
    { name: 'volume', type: 'number', min: 0, max: 9 },
    { name: 'vibration', type: 'boolean', dflt: false },
    { name: 'confirmation', type: 'json' },
    { name: 'repeat', type: 'json' },
  ],
  group: [
    id,
    name,
    environment,
    { name: 'members', type: 'json' },
    { name: 'presence', type: 'boolean', dflt: false },
    { name: 'fallback', type: 'text', ref: 'group' },
  ],
  contact: [id, name, environment, { name: 'email', type: 'text' }, { name: 'phone', type: 'text' }],
  alarmType: [
    id,
    name,
    environment,
    { name: 'priority', type: 'number', required: true, min: 0, max: 9 },
    { name: 'textTemplate', type: 'text' },
    { name: 'plan', type: 'text' },
    { name: 'params', type: 'json' },
    { name: 'profile', type: 'text', ref: 'profile' },
  ],
  webTemplate: [
    id,
    name,
    environment,
    { name: 'alarmType', type: 'text', required: true, ref: 'alarmType' },
    { name: 'text', type: 'text', required: true },
    { name: 'location', type: 'text' },
  ],
} as const satisfies Record<ConfigKind, readonly FieldSpec[]>;

export const fieldsOf = (kind: ConfigKind): readonly FieldSpec[] => FIELDS[kind];

/** A form's values: text for text, number and JSON fields, a flag for booleans. */
export type FormValues = Record<string, string | boolean>;

/** The form of `item` (undefined: a new item, with the defaults the server would fill in shown empty). */
export function itemToForm(kind: ConfigKind, item: Readonly<Record<string, unknown>> | undefined): FormValues {
  const out: FormValues = {};
  for (const f of fieldsOf(kind)) {
    const v = item?.[f.name];
    switch (f.type) {
      case 'boolean':
        out[f.name] = typeof v === 'boolean' ? v : f.dflt;
        break;
      case 'json':
        out[f.name] = v === undefined ? '' : JSON.stringify(v, null, 2);
        break;
      case 'select':
        out[f.name] = typeof v === 'string' ? v : '';
        break;
      case 'text':
      case 'number':
      case 'numberOrText':
        out[f.name] = v === undefined || v === null ? '' : String(v);
        break;
      default: {
        const never: never = f;
        throw new Error(`unknown field ${String(never)}`);
      }
    }
  }
  if (!item && 'environment' in out) out.environment = 'default';
  return out;
}

export interface FormItem {
  /** The body to PUT (empty fields left out: the server fills in its defaults or names what is missing). */
  readonly item: Record<string, unknown>;
  /** Fields whose JSON text does not parse. */
  readonly badJson: readonly string[];
}

/** The item of a form. Numbers that do not parse are sent as text, so the server names the field. Total. */
export function formToItem(kind: ConfigKind, form: FormValues): FormItem {
  const item: Record<string, unknown> = {};
  const badJson: string[] = [];
  for (const f of fieldsOf(kind)) {
    const v = form[f.name];
    if (f.type === 'boolean') {
      item[f.name] = v === true;
      continue;
    }
    const s = typeof v === 'string' ? v.trim() : '';
    if (s === '') continue;
    if (f.type === 'json') {
      try {
        item[f.name] = JSON.parse(s) as unknown;
      } catch {
        badJson.push(f.name);
      }
    } else if (f.type === 'number' || f.type === 'numberOrText')
      item[f.name] = /^-?[0-9]+(\.[0-9]+)?$/.test(s) ? Number(s) : s;
    else item[f.name] = s;
  }
  return { item, badJson };
}

/** A config item as listed (every kind has an id and a name; all but environments an environment). */
export interface ConfigItem {
  readonly id: string;
  readonly name: string;
  readonly environment?: string;
  readonly version: number;
  readonly presence?: boolean;
  readonly members?: readonly { readonly kind: string; readonly id: string }[];
  readonly [field: string]: unknown;
}

/** The address presence uses for a group member: users plain, devices and contacts prefixed. */
export const memberAddress = (m: { readonly kind: string; readonly id: string }): string =>
  m.kind === 'user' ? m.id : `${m.kind}:${m.id}`;
