/**
 * The access log part of the OpenAPI document (src/http/access-log-routes.ts), spread into
 * src/http/openapi.ts. Times in a listed entry are ISO 8601; in the JSON export epoch
 * milliseconds, as stored and hashed.
 */
import { ACCESS_LOG_LIMIT } from './access-log-routes.ts';
import type { ParameterObject, PathItemObject, SchemaObject } from './openapi.ts';
import { exportAnswer, schema, json, problem, storeErrors } from './openapi-parts.ts';

const HASH: SchemaObject = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const nullableText: SchemaObject = { type: ['string', 'null'] };

/** The fields of an entry; `at` differs between the list (ISO) and the JSON export (epoch ms). */
const entry = (at: SchemaObject): SchemaObject => ({
  type: 'object',
  required: [
    'seq',
    'at',
    'actor',
    'source',
    'action',
    'outcome',
    'target',
    'environment',
    'details',
    'prevHash',
    'hash',
  ],
  additionalProperties: false,
  properties: {
    seq: { type: 'integer', minimum: 1, description: 'The place in the chain: 1, 2, … without gaps.' },
    at,
    actor: { type: 'string', description: 'A login name, an API token’s owner, or `system`.' },
    source: { ...nullableText, description: 'The client address, when there is one.' },
    action: {
      type: 'string',
      description:
        'What was done: `login`, `user.create`, `permission.denied`, `maintenance.restart`, `audit.export`, …',
    },
    outcome: { enum: ['success', 'failure', 'denied'] },
    target: { ...nullableText, description: 'What was acted on (`user/alice`, a route for a denial).' },
    environment: { ...nullableText, description: 'The environment; null for system-wide entries such as logins.' },
    details: { description: 'Any JSON value; never a secret.' },
    prevHash: { ...HASH, description: 'The previous entry’s hash (64 zeros before the first).' },
    hash: { ...HASH, description: 'SHA-256 over prevHash, a newline and the entry’s canonical JSON without hash.' },
  },
});

const schemas: Record<string, SchemaObject> = {
  AccessLogEntry: entry({ type: 'string', format: 'date-time', description: 'When, ISO 8601 UTC.' }),
  AccessLogStoredEntry: entry({ type: 'integer', minimum: 0, description: 'When, epoch milliseconds.' }),
  AccessLogPage: {
    type: 'object',
    required: ['entries', 'nextBefore'],
    additionalProperties: false,
    properties: {
      entries: { type: 'array', items: schema('AccessLogEntry'), description: 'Newest first.' },
      nextBefore: {
        type: ['integer', 'null'],
        minimum: 1,
        description: 'Pass as `before` for the next (older) page; null on the last page.',
      },
    },
  },
  AccessLogExport: {
    type: 'array',
    items: schema('AccessLogStoredEntry'),
    description: 'The entries as stored, oldest first.',
  },
  AccessLogCheck: {
    description:
      'The chain from seq 1 to the head: `ok` with the number of entries and the head (keep its hash elsewhere: ' +
      'a later check must reach it), or the first broken entry’s seq and why.',
    oneOf: [
      {
        type: 'object',
        required: ['ok', 'entries'],
        additionalProperties: false,
        properties: {
          ok: { const: true },
          entries: { type: 'integer', minimum: 0 },
          head: {
            type: 'object',
            required: ['seq', 'hash'],
            additionalProperties: false,
            properties: { seq: { type: 'integer', minimum: 1 }, hash: HASH },
          },
        },
      },
      {
        type: 'object',
        required: ['ok', 'entries', 'seq', 'reason'],
        additionalProperties: false,
        properties: {
          ok: { const: false },
          entries: { type: 'integer', minimum: 0, description: 'Entries verified before the broken one.' },
          seq: { type: 'integer', minimum: 1 },
          reason: { type: 'string' },
        },
      },
    ],
  },
};

const time = (name: 'from' | 'to', description: string): ParameterObject => ({
  name,
  in: 'query',
  required: false,
  description: `${description} An ISO 8601 date (midnight UTC) or date-time with offset, e.g. 2026-11-26 or 2026-11-26T08:00:00Z.`,
  schema: { type: 'string' },
});
const seq = (name: 'before' | 'after', description: string): ParameterObject => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'integer', minimum: 0, maximum: 999999999999999 },
});
const from = time('from', 'Entries at or after this time.');
const to = time('to', 'Entries before this time.');

const invalid = problem(
  'A query parameter is malformed, repeated or unknown (`validation`; `errors` names each parameter).',
);

const SCOPE =
  'Only entries of the environments the caller holds; entries of no environment (logins, maintenance, ' +
  'denials) only for holders of every environment (`*`).';

const paths: Record<string, PathItemObject> = {
  '/api/v1/access-log': {
    get: {
      operationId: 'listAccessLog',
      summary: 'Read the access log',
      description: `The newest \`limit\` entries matching the filter, newest first; page back with \`before\`. ${SCOPE}`,
      tags: ['access-log'],
      parameters: [
        from,
        to,
        { name: 'actor', in: 'query', required: false, description: 'Exactly this actor.', schema: { type: 'string' } },
        {
          name: 'action',
          in: 'query',
          required: false,
          description: 'Exactly this action, or a family: `user.*` matches every action starting with `user.`.',
          schema: { type: 'string', maxLength: 64 },
        },
        {
          name: 'outcome',
          in: 'query',
          required: false,
          description: 'Only this outcome.',
          schema: { enum: ['success', 'failure', 'denied'] },
        },
        {
          name: 'environment',
          in: 'query',
          required: false,
          description: 'Only this environment (within the caller’s).',
          schema: { type: 'string' },
        },
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: `At most this many entries (default ${ACCESS_LOG_LIMIT.default}).`,
          schema: { type: 'integer', minimum: 1, maximum: ACCESS_LOG_LIMIT.max, default: ACCESS_LOG_LIMIT.default },
        },
        seq('before', 'Only entries with a lower seq (the `nextBefore` of the previous page).'),
        seq('after', 'Only entries with a higher seq (e.g. the newest seq already seen).'),
      ],
      responses: {
        '200': { description: 'A page of entries.', content: json(schema('AccessLogPage')) },
        '422': invalid,
        ...storeErrors,
      },
    },
  },
  '/api/v1/access-log/export': {
    get: {
      operationId: 'exportAccessLog',
      summary: 'Export the access log',
      description:
        'Streamed as an attachment, oldest first, up to and including the export’s own entry: the export is ' +
        'recorded (`audit.export`, with the actor, the address and the filter) before the first byte. ' +
        '`format=csv`: `text/csv; charset=utf-8`, RFC 4180 with a header row; a cell a spreadsheet would run as ' +
        "a formula starts with `'`. `format=json`: `application/json`, the entries as stored; a full export " +
        `(no filter, by a holder of \`*\`) verifies like \`tocsin audit verify\`. ${SCOPE}`,
      tags: ['access-log'],
      parameters: [
        {
          name: 'format',
          in: 'query',
          required: true,
          description: 'csv or json.',
          schema: { enum: ['csv', 'json'] },
          example: 'csv',
        },
        from,
        to,
      ],
      responses: {
        '200': exportAnswer('access-log', 'AccessLogExport'),
        '422': invalid,
        ...storeErrors,
      },
    },
  },
  '/api/v1/access-log/verify': {
    get: {
      operationId: 'verifyAccessLog',
      summary: 'Verify the access log’s hash chain',
      description:
        'Re-verifies the whole chain from seq 1 to the head read first, like `tocsin audit verify`. Answers 200 ' +
        'also when the chain is broken (`ok: false`). Counts only, whatever the caller’s environments.',
      tags: ['access-log'],
      responses: {
        '200': { description: 'The verdict.', content: json(schema('AccessLogCheck')) },
        '422': invalid,
        ...storeErrors,
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const accessLogApi = {
  tag: {
    name: 'access-log',
    description: 'Who did what, from where, with which outcome: read, export and verify the access log.',
  },
  paths,
  schemas,
} as const;
