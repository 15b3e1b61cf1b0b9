/**
 * The item schemas of the /api/v1/config/… part of the OpenAPI document, two per configuration
 * kind, generated from the zod schemas of src/domain/config-model.ts with `z.toJSONSchema`: the
 * request schemas (`<Kind>Input`) from their input side (defaults shown as `default`, `id`
 * optional because the path names it), the response schemas from their output side (defaults
 * filled in) plus the item's `version`. JSON Schema cannot say what the zod refinements check
 * (time zones, duplicates, template placeholders) nor what the server checks across items
 * (references, plans); each kind's description says it in words. Used by ./openapi-config.ts.
 */
import { z } from 'zod';
import {
  alarmTypeSchema,
  CONFIG_KINDS,
  configSchemas,
  planRefSchema,
  type ConfigKind,
} from '../domain/config-model.ts';
import type { SchemaObject } from './openapi.ts';

/** Per kind: the component schema name, a description, and an example body the test suite PUTs. */
export const KINDS: Readonly<
  Record<ConfigKind, { name: string; description: string; example: Record<string, unknown> }>
> = {
  environment: {
    name: 'Environment',
    description:
      'A site or tenant: its time zone and the plan its alarms fall back to. `timeZone` must be an IANA time ' +
      'zone; `defaultPlan` must exist and be enabled; `supervisionAlarmType` must be a configured alarm type.',
    example: { name: 'Example site', timeZone: 'Europe/Berlin', defaultPlan: 'escalate@1' },
  },
  profile: {
    name: 'Profile',
    description:
      'How a notification is presented on a device. `confirmation` lists each choice at most once; ' +
      '`environment` must exist.',
    example: { name: 'Urgent', priority: 'high', tone: 3, volume: 9, vibration: true, confirmation: ['accept'] },
  },
  group: {
    name: 'Group',
    description:
      'A notification group. Each member is listed at most once; contact members must exist; `fallback` must ' +
      'be a group, without cycles; `environment` must exist. With `presence`, only members logged in to the ' +
      'group (…/presence/{member}) are notified.',
    example: { name: 'Night shift', presence: true, members: [{ kind: 'user', id: 'alice' }], fallback: 'A' },
  },
  contact: {
    name: 'Contact',
    description: 'Someone notified by e-mail or phone rather than a device; `environment` must exist.',
    example: { name: 'Facility manager', email: 'fm@example.org', phone: '+49 30 1234567' },
  },
  alarmType: {
    name: 'AlarmType',
    description:
      'What an alarm of this type is and which plan escalates it. `textTemplate` may use only the placeholders ' +
      '{alarm.text}, {alarm.location}, {alarm.type} and {alarm.priority}. `plan` (`id@version`; ' +
      '`{"id", "version"}` is stored as `id@version`) must exist, be enabled and be valid under the ' +
      'configured names; `profile` and `environment` must exist.',
    example: {
      name: 'Example',
      priority: 2,
      textTemplate: '{alarm.text} at {alarm.location}',
      plan: { id: 'escalate', version: 1 },
      params: { levelTimeoutMs: 60000, rounds: 2 },
    },
  },
  webTemplate: {
    name: 'WebTemplate',
    description: 'A prepared alarm raised from the web UI; `alarmType` and `environment` must exist.',
    example: { name: 'Fire drill', alarmType: 'generic', text: 'Fire drill', location: 'Building A' },
  },
};

/**
 * `z.string().trim().min(1).max(max)` (the `name` of every kind): whitespace around the text is
 * trimmed first, which minLength/maxLength cannot say (the same pattern as trimmedText in
 * openapi-alarms.ts).
 */
const trimmed = (max: number): SchemaObject => ({
  type: 'string',
  pattern: `^\\s*\\S(?:[\\s\\S]{0,${max - 2}}\\S)?\\s*$`,
  description: `1–${max} characters after trimming leading and trailing whitespace; the server stores the trimmed text.`,
});

function fromZod(
  s: z.ZodType,
  io: 'input' | 'output',
): Record<string, unknown> & { properties: Record<string, unknown> } {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, { io }) as Record<string, unknown>;
  const out = rest as Record<string, unknown> & { properties: Record<string, unknown> };
  return { ...out, properties: { ...out.properties, name: trimmed(200) } };
}

const versionSchema: SchemaObject = {
  type: 'integer',
  minimum: 1,
  description: 'The item’s version: 1 at creation, +1 per change (also in the ETag header).',
};

/** The request schema of PUT …/{segment}/{id}. */
function inputSchema(kind: ConfigKind): SchemaObject {
  const s = fromZod(configSchemas[kind], 'input');
  const { name, description, example } = KINDS[kind];
  return {
    ...s,
    description: `${description} Request body of PUT; omitted properties take their \`default\`.`,
    title: `${name}Input`,
    required: (s.required as string[]).filter((r) => r !== 'id'),
    properties: {
      ...s.properties,
      id: { ...(s.properties.id as object), description: 'Optional; when given it must be the id in the path.' },
      version: { description: 'Ignored, so that what GET answered can be sent back as it is.' },
    },
    examples: [example],
  };
}

/** The response schema of one stored item. */
function outputSchema(kind: ConfigKind): SchemaObject {
  // An alarm type's `plan` accepts `{id, version}` but is stored (and answered) as `id@version`.
  const zodSchema = kind === 'alarmType' ? alarmTypeSchema.extend({ plan: planRefSchema }) : configSchemas[kind];
  const s = fromZod(zodSchema, 'output');
  return {
    ...s,
    description: `${KINDS[kind].description} As stored, defaults filled in, with its version.`,
    required: [...(s.required as string[]), 'version'],
    properties: { ...s.properties, version: versionSchema },
  };
}

/** The output and the input schema of every kind, by component name: `Environment`, `EnvironmentInput`, …. */
export const kindSchemas: Record<string, SchemaObject> = Object.fromEntries(
  CONFIG_KINDS.flatMap((kind) => [
    [KINDS[kind].name, outputSchema(kind)],
    [`${KINDS[kind].name}Input`, inputSchema(kind)],
  ]),
);
