/**
 * The operation protocol part of the OpenAPI document (src/http/protocol-routes.ts), spread into
 * src/http/openapi.ts.
 */
import type { ParameterObject, PathItemObject, SchemaObject } from './openapi.ts';
import { exportAnswer, json, problem, schema, storeErrors } from './openapi-parts.ts';
import { PROTOCOL_LIMIT } from './protocol-routes.ts';

const isoTime: SchemaObject = { type: 'string', format: 'date-time' };

const schemas: Record<string, SchemaObject> = {
  ProtocolRow: {
    type: 'object',
    required: [
      'id',
      'type',
      'priority',
      'text',
      'location',
      'environment',
      'status',
      'state',
      'raisedAt',
      'endedAt',
      'notified',
      'responses',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      type: { type: 'string', description: 'The alarm type’s id.' },
      priority: { type: 'integer', description: '1 is the most urgent.' },
      text: { type: 'string' },
      location: { type: ['string', 'null'] },
      environment: { type: 'string' },
      status: { enum: ['active', 'ended'] },
      state: { type: 'string', description: 'The plan state: its name, or JSON for a compound state.' },
      raisedAt: { ...isoTime, description: 'When the alarm was raised, ISO 8601 UTC.' },
      endedAt: { type: ['string', 'null'], format: 'date-time', description: 'Null while active.' },
      notified: {
        type: 'array',
        description: 'Everyone notified, in the order they were notified.',
        items: {
          type: 'object',
          required: ['recipient', 'group', 'round', 'channel', 'status'],
          additionalProperties: false,
          properties: {
            recipient: { type: 'string', description: 'A pseudonym once the person’s data was erased.' },
            group: { type: 'string' },
            round: { type: 'integer', minimum: 0 },
            channel: { type: 'string' },
            status: { type: 'string', description: 'pending, sent, delivered, read, accepted, rejected, failed, …' },
          },
        },
      },
      responses: {
        type: 'array',
        description: 'Who accepted or rejected, and when, oldest first.',
        items: {
          type: 'object',
          required: ['by', 'response', 'at'],
          additionalProperties: false,
          properties: {
            by: { type: 'string' },
            response: { enum: ['accept', 'reject'] },
            at: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      },
    },
  },
  ProtocolPage: {
    type: 'object',
    required: ['alarms', 'nextBefore'],
    additionalProperties: false,
    properties: {
      alarms: { type: 'array', items: schema('ProtocolRow'), description: 'Newest raised first.' },
      nextBefore: {
        type: ['string', 'null'],
        description: 'Pass as `before` for the next (older) page; null on the last page.',
      },
    },
  },
  ProtocolExport: { type: 'array', items: schema('ProtocolRow'), description: 'Newest raised first.' },
};

const q = (name: string, description: string, s: SchemaObject = { type: 'string' }): ParameterObject => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: s,
});
const TIME = 'An ISO 8601 date (midnight UTC) or date-time with offset, e.g. 2026-11-26 or 2026-11-26T08:00:00Z.';
const filters: ParameterObject[] = [
  q('from', `Alarms raised at or after this time. ${TIME}`),
  q('to', `Alarms raised before this time. ${TIME}`),
  q('type', 'Exactly this alarm type (its id).', { type: 'string', maxLength: 64 }),
  q('location', 'The location contains this text (case-insensitive).', { type: 'string', maxLength: 200 }),
  q('user', 'Someone of this name (case-insensitive, whole name) was notified or responded.', {
    type: 'string',
    maxLength: 200,
  }),
  q('status', 'Only active or only ended alarms.', { enum: ['active', 'ended'] }),
  q('state', 'The alarm is in this plan state (or a compound state naming it).', { type: 'string', maxLength: 200 }),
];

const invalid = problem(
  'A query parameter is malformed, repeated or unknown (`validation`; `errors` names each parameter).',
);
const SCOPE = 'Only alarms of the environments the caller holds.';

const paths: Record<string, PathItemObject> = {
  '/api/v1/protocol': {
    get: {
      operationId: 'listProtocol',
      summary: 'Read the operation protocol',
      description:
        'Alarms with who was notified and who responded, newest raised first; `limit` per page, page back with ' +
        `\`before\`. ${SCOPE}`,
      tags: ['protocol'],
      parameters: [
        ...filters,
        q(`limit`, `At most this many alarms (default ${PROTOCOL_LIMIT.default}).`, {
          type: 'integer',
          minimum: 1,
          maximum: PROTOCOL_LIMIT.max,
          default: PROTOCOL_LIMIT.default,
        }),
        q('before', 'The `nextBefore` of the previous page.', { type: 'string', maxLength: 220 }),
      ],
      responses: {
        '200': { description: 'A page of alarms.', content: json(schema('ProtocolPage')) },
        '422': invalid,
        ...storeErrors,
      },
    },
  },
  '/api/v1/protocol/export': {
    get: {
      operationId: 'exportProtocol',
      summary: 'Export the operation protocol',
      description:
        'Every alarm matching the filter (no paging), streamed as an attachment, newest raised first, ONE ROW PER ' +
        'ALARM. The export is recorded in the access log (`protocol.export`, with the actor, the address and the ' +
        'filter) before the first byte. `format=csv`: `text/csv; charset=utf-8`, RFC 4180 with a header row ' +
        '(id, type, priority, text, location, environment, status, state, raised_at, ended_at, notified, ' +
        'responses); `notified` lists `recipient (status)` and `responses` `recipient: accept|reject at <time>`, ' +
        "each joined by `; `; a cell a spreadsheet would run as a formula starts with `'`. `format=json`: " +
        `\`application/json\`, an array of the rows as the list answers them. ${SCOPE}`,
      tags: ['protocol'],
      parameters: [
        {
          name: 'format',
          in: 'query',
          required: true,
          description: 'csv or json.',
          schema: { enum: ['csv', 'json'] },
          example: 'csv',
        },
        ...filters,
      ],
      responses: {
        '200': exportAnswer('protocol', 'ProtocolExport'),
        '422': invalid,
        ...storeErrors,
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const protocolApi = {
  tag: {
    name: 'protocol',
    description: 'The operation protocol: alarms, who was notified and who responded; filter and export.',
  },
  paths,
  schemas,
} as const;
