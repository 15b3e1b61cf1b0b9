/**
 * The alarms part of the OpenAPI document (src/http/alarm-routes.ts): raise, list, read, respond
 * to, cancel and signal alarms, the live event stream, the web templates to trigger from, and an
 * alarm's protocol. The read model's schemas are in ./openapi-alarm-model.ts. Spread into
 * src/http/openapi.ts.
 */
import type { HeaderObject, ParameterObject, PathItemObject, ResponseObject, SchemaObject } from './openapi.ts';
import { alarmProtocolSchemas, alarmSchemas } from './openapi-alarm-model.ts';
import { bodyErrors, json, problem, ref, response, schema, storeErrors } from './openapi-parts.ts';

/**
 * A zod `z.string().trim().min(1).max(max)`: the server trims leading and trailing whitespace
 * (ECMAScript `\s`, the same set `String.prototype.trim` removes) and then requires 1..max
 * characters. The pattern states exactly that, so padding around the text is allowed.
 */
const trimmedText = (max: number, description: string): SchemaObject => ({
  type: 'string',
  pattern: `^\\s*\\S(?:[\\s\\S]{0,${max - 2}}\\S)?\\s*$`,
  description: `${description} 1–${max} characters after trimming leading and trailing whitespace; the server stores the trimmed text.`,
});

const schemas: Record<string, SchemaObject> = {
  AlarmStatus: { type: 'string', enum: ['active', 'ended'] },
  AlarmSource: {
    type: 'object',
    required: ['adapter'],
    additionalProperties: false,
    properties: {
      adapter: trimmedText(64, 'The adapter that raised the alarm.'),
      device: trimmedText(128, 'The device or line within the adapter.'),
    },
  },
  RaiseAlarmRequest: {
    type: 'object',
    required: ['type', 'text'],
    additionalProperties: false,
    properties: {
      type: {
        type: 'string',
        minLength: 1,
        maxLength: 64,
        description: 'A configured alarm type id; an unknown one is refused with 422 unknown-alarm-type.',
      },
      text: trimmedText(1000, 'What happened.'),
      location: trimmedText(200, 'Where it happened.'),
      source: {
        ...schema('AlarmSource'),
        description: 'Omitted: `{"adapter": "http"}`.',
      },
      id: {
        ...schema('Id'),
        description:
          'Caller-chosen alarm id for idempotent ingress: raising the same id again raises nothing and answers 200 ' +
          'with `created: false` (the body of the repeat is not compared with the first). Omitted: a random UUID.',
      },
    },
    examples: [{ type: 'generic', text: 'Fire in cabin 7', location: 'Deck 3', id: 'fire-cabin-7' }],
  },
  RaiseAlarmResponse: {
    type: 'object',
    required: ['id', 'created'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', description: 'The alarm id (the given one, or a generated UUID).' },
      created: { type: 'boolean', description: 'False when an alarm with this id already existed.' },
    },
  },
  ...alarmSchemas,
  RespondRequest: {
    type: 'object',
    required: ['response', 'by'],
    additionalProperties: false,
    properties: {
      response: { type: 'string', enum: ['accept', 'reject'] },
      by: { ...schema('Id'), description: 'The responding user.' },
    },
    examples: [{ response: 'accept', by: 'alice' }],
  },
  RespondAccepted: {
    type: 'object',
    required: ['accepted'],
    additionalProperties: false,
    properties: { accepted: { const: true } },
  },
  CancelRequest: {
    type: 'object',
    required: ['by'],
    additionalProperties: false,
    properties: {
      by: { ...schema('Id'), description: 'The cancelling user.' },
      reason: trimmedText(500, 'Why the alarm is cancelled.'),
    },
    examples: [{ by: 'alice', reason: 'false alarm' }],
  },
  SignalRequest: {
    type: 'object',
    required: ['signal', 'by'],
    additionalProperties: false,
    properties: {
      signal: {
        type: 'string',
        pattern: '^[A-Z][A-Z0-9_]{0,31}$',
        description:
          'The event name the plan listens for, e.g. PRESENCE (staff at the location) or LINK_UP. RAISE, RESPONSE, CANCEL, DELIVERY and FORWARD are refused: they have their own routes.',
      },
      by: { ...schema('Id'), description: 'Who or what signals.' },
    },
    examples: [{ signal: 'PRESENCE', by: 'alice' }],
  },
  SignalAccepted: {
    type: 'object',
    required: ['signalled'],
    additionalProperties: false,
    properties: { signalled: { type: 'string' } },
  },
  CancelAccepted: {
    type: 'object',
    required: ['cancelled'],
    additionalProperties: false,
    properties: { cancelled: { const: true } },
  },
  ...alarmProtocolSchemas,
};

/** GET /api/v1/alarms/templates; the document lists it among the auth schemas (see openapi.ts). */
const templateSchemas: Record<string, SchemaObject> = {
  WebTemplateList: {
    type: 'object',
    required: ['templates'],
    additionalProperties: false,
    properties: {
      templates: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'name', 'environment', 'alarmType', 'text'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            environment: { type: 'string' },
            alarmType: { type: 'string' },
            text: { type: 'string' },
            location: { type: 'string' },
          },
        },
      },
    },
  },
};

const responses: Record<string, ResponseObject> = {
  NotFound: problem('No alarm with this id (`not-found`).'),
  AlarmEnded: problem(
    'The alarm has ended (`alarm-ended`), or steps on it conflicted too often to be applied (`conflict`); nothing was written.',
  ),
};

const parameters: Record<string, ParameterObject> = {
  AlarmId: { name: 'id', in: 'path', required: true, description: 'The alarm id.', schema: schema('Id') },
};

const headers: Record<string, HeaderObject> = {
  Location: {
    description: 'The alarm’s URL, `/api/v1/alarms/{id}`.',
    required: true,
    schema: { type: 'string', format: 'uri-reference' },
  },
};

const idParam = ref('parameters', 'AlarmId');

const INVALID_COMMAND =
  'The id in the path or the body does not match the schema (`validation`); `errors` lists every offending field.';

/** POST /api/v1/alarms/{id}/<command>: a JSON body, 202 when the step is done, and the answers every command shares. */
const alarmCommand = (
  op: { readonly operationId: string; readonly summary: string; readonly description: string },
  body: string,
  accepted: ResponseObject,
  invalid: string,
): PathItemObject => ({
  parameters: [idParam],
  post: {
    ...op,
    tags: ['alarms'],
    requestBody: { required: true, content: json(schema(body)) },
    responses: {
      '202': accepted,
      ...bodyErrors,
      '404': response('NotFound'),
      '409': response('AlarmEnded'),
      '422': problem(invalid),
      ...storeErrors,
    },
  },
});

const paths: Record<string, PathItemObject> = {
  '/api/v1/alarms': {
    post: {
      operationId: 'raiseAlarm',
      summary: 'Raise an alarm',
      description:
        'Raises an alarm of a configured type and runs its first step (the first notifications go out before ' +
        'the answer). Idempotent when `id` is given.',
      tags: ['alarms'],
      requestBody: { required: true, content: json(schema('RaiseAlarmRequest')) },
      responses: {
        '201': {
          description: 'Raised.',
          headers: { Location: ref('headers', 'Location') },
          content: json(schema('RaiseAlarmResponse')),
        },
        '200': {
          description: 'An alarm with this `id` already existed; nothing was raised (`created: false`).',
          headers: { Location: ref('headers', 'Location') },
          content: json(schema('RaiseAlarmResponse')),
        },
        ...bodyErrors,
        '409': problem('The alarm could not be created (`conflict`); nothing was written, try again.'),
        '422': problem(
          'The body does not match the schema (`validation`, `errors` lists every offending field), or `type` ' +
            'is not a configured alarm type (`unknown-alarm-type`).',
        ),
        ...storeErrors,
      },
    },
    get: {
      operationId: 'listAlarms',
      summary: 'List alarms',
      description: 'At most 200 alarms. Any other `status` value than the two listed is refused (422).',
      tags: ['alarms'],
      parameters: [
        {
          name: 'status',
          in: 'query',
          required: false,
          description: 'Only active or only ended alarms.',
          schema: schema('AlarmStatus'),
        },
      ],
      responses: {
        '200': { description: 'The alarms.', content: json(schema('AlarmList')) },
        ...storeErrors,
      },
    },
  },
  '/api/v1/alarms/templates': {
    get: {
      operationId: 'listAlarmTemplates',
      summary: 'Web alarm templates to trigger from',
      description:
        'The web alarm templates of the caller’s environments, for operators who may trigger alarms ' +
        '(reading the configuration itself needs more).',
      tags: ['alarms'],
      responses: {
        '200': { description: 'The templates.', content: json(schema('WebTemplateList')) },
        ...storeErrors,
      },
    },
  },
  '/api/v1/alarms/events': {
    get: {
      operationId: 'alarmEvents',
      summary: 'Live alarm events (server-sent events)',
      description:
        'A `text/event-stream` that stays open. First `event: snapshot` with `{"alarms": [Alarm, …]}` (the ' +
        'caller’s active alarms, newest 200), then `event: alarm` with the `Alarm` each time one of the ' +
        'caller’s alarms changes (ended ones included), and a `: ping` comment every 15 s. Alarms of ' +
        'environments the caller does not act in are never sent. A slow client is sent each changed alarm ' +
        'once, as it is by then; past 1 000 waiting, a new snapshot.',
      tags: ['alarms'],
      responses: {
        '200': {
          description: 'The event stream.',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        ...storeErrors,
      },
    },
  },
  '/api/v1/alarms/{id}': {
    parameters: [idParam],
    get: {
      operationId: 'getAlarm',
      summary: 'Read an alarm',
      description: 'Facts, plan state, pinned plan, recipients with their statuses and the armed timers.',
      tags: ['alarms'],
      responses: {
        '200': { description: 'The alarm.', content: json(schema('Alarm')) },
        '404': response('NotFound'),
        '422': response('InvalidId'),
        ...storeErrors,
      },
    },
  },
  '/api/v1/alarms/{id}/responses': alarmCommand(
    {
      operationId: 'respondToAlarm',
      summary: 'Accept or reject an alarm',
      description: 'Records a recipient’s answer; the plan decides what follows (the first accept ends the alarm).',
    },
    'RespondRequest',
    { description: 'Recorded.', content: json(schema('RespondAccepted')) },
    INVALID_COMMAND,
  ),
  '/api/v1/alarms/{id}/cancel': alarmCommand(
    {
      operationId: 'cancelAlarm',
      summary: 'Cancel an alarm',
      description: 'Ends the alarm; its plan withdraws every open notification.',
    },
    'CancelRequest',
    { description: 'Cancelled.', content: json(schema('CancelAccepted')) },
    INVALID_COMMAND,
  ),
  '/api/v1/alarms/{id}/signals': alarmCommand(
    {
      operationId: 'signalAlarm',
      summary: 'Send a named signal to the alarm’s plan',
      description:
        'Delivers `{type: signal, by, at}` to the plan (e.g. PRESENCE ends a nurse call in tpl-presence-cancels, LINK_UP clears tpl-supervision). A plan that does not listen ignores it; the step is recorded in the protocol either way.',
    },
    'SignalRequest',
    { description: 'Delivered to the plan.', content: json(schema('SignalAccepted')) },
    'The id or the body does not match the schema (`validation`), or the signal is reserved.',
  ),
  '/api/v1/alarms/{id}/protocol': {
    parameters: [idParam],
    get: {
      operationId: 'getAlarmProtocol',
      summary: 'Read an alarm’s protocol',
      description: 'Every committed step in order, and whether the hash chain verifies.',
      tags: ['alarms'],
      responses: {
        '200': { description: 'The protocol.', content: json(schema('Protocol')) },
        '404': response('NotFound'),
        '422': response('InvalidId'),
        ...storeErrors,
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const alarmsApi = {
  tag: { name: 'alarms', description: 'Raise, read, respond to and cancel alarms; read their protocol.' },
  paths,
  schemas,
  templateSchemas,
  responses,
  parameters,
  headers,
} as const;
