/**
 * The /api/v1/config/… part of the OpenAPI document (src/http/config-routes.ts), spread into
 * src/http/openapi.ts. The item schemas, generated from the zod schemas of
 * src/domain/config-model.ts, are in ./openapi-config-kinds.ts; this module has the paths, the
 * schemas of deletion, presence and the change record, and the shared components (the `IfMatch`
 * parameter and the `ETag` header the identity parts use too).
 */
import { CONFIG_KINDS, ID_PATTERN, KIND_SEGMENT, type ConfigKind } from '../domain/config-model.ts';
import type {
  HeaderObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ResponseObject,
  SchemaObject,
} from './openapi.ts';
import { KINDS, kindSchemas } from './openapi-config-kinds.ts';
import { ref, schema, response, json, problem, storeErrors } from './openapi-parts.ts';

const planProblem: SchemaObject = {
  type: 'object',
  description: 'An alarm type whose plan cannot run as configured; its alarms fall back to the environment’s plan.',
  required: ['alarmType', 'environment', 'plan', 'reasons'],
  additionalProperties: false,
  properties: {
    alarmType: { type: 'string' },
    environment: { type: 'string' },
    plan: { type: 'string', description: '`id@version`.' },
    reasons: { type: 'array', minItems: 1, items: { type: 'string' } },
  },
};

const hex64: SchemaObject = { type: 'string', pattern: '^[0-9a-f]{64}$' };

const presenceChange: SchemaObject = {
  type: 'object',
  required: ['group', 'member', 'present', 'changed'],
  additionalProperties: false,
  properties: {
    group: { type: 'string' },
    member: { type: 'string' },
    present: { type: 'boolean', description: 'Whether the member is now logged in.' },
    changed: { type: 'boolean', description: 'False when the member already was (or was not) logged in.' },
  },
};

const schemas: Record<string, SchemaObject> = {
  ...kindSchemas,
  ConfigDeleted: {
    type: 'object',
    required: ['deleted', 'warnings'],
    additionalProperties: false,
    properties: {
      deleted: { const: true },
      warnings: {
        type: 'array',
        description:
          'Alarm types whose plan cannot run any more as configured (e.g. it notified the deleted group); ' +
          'always empty when deleting an alarm type or a web template.',
        items: schema('ConfigPlanProblem'),
      },
    },
  },
  ConfigPlanProblem: planProblem,
  ConfigProblems: {
    type: 'object',
    required: ['alarmTypes'],
    additionalProperties: false,
    properties: { alarmTypes: { type: 'array', items: schema('ConfigPlanProblem') } },
  },
  GroupPresence: {
    type: 'object',
    required: ['group', 'present'],
    additionalProperties: false,
    properties: {
      group: { type: 'string' },
      present: { type: 'array', items: { type: 'string' }, description: 'Member addresses logged in to the group.' },
    },
  },
  GroupPresenceChange: presenceChange,
  ConfigChange: {
    type: 'object',
    description: 'One entry of the append-only, hash-chained record of configuration changes.',
    required: ['seq', 'at', 'actor', 'kind', 'id', 'op', 'before', 'after', 'prevHash', 'hash'],
    additionalProperties: false,
    properties: {
      seq: { type: 'integer', minimum: 1 },
      at: { type: 'string', format: 'date-time' },
      actor: {
        type: 'string',
        description:
          'Who made the change: `http` for this API (until authentication lands), else the configuration file.',
      },
      kind: { type: 'string', enum: [...CONFIG_KINDS, 'presence'] },
      id: { type: 'string', description: 'The item id (for `presence`: the group id).' },
      op: { type: 'string', enum: ['create', 'update', 'delete', 'presence-in', 'presence-out'] },
      before: { description: 'The item before the change; null for create and presence entries.' },
      after: { description: 'The item after the change; null for delete; `{"member"}` for presence entries.' },
      prevHash: { ...hex64, description: 'The previous entry’s hash (64 zeros for the first entry).' },
      hash: { ...hex64, description: 'SHA-256 over prevHash and this entry’s canonical JSON.' },
    },
  },
  ConfigChanges: {
    type: 'object',
    required: ['changes'],
    additionalProperties: false,
    properties: { changes: { type: 'array', items: schema('ConfigChange') } },
  },
  ConfigChainCheck: {
    description: 'The result of re-verifying the whole change record, and how many entries it has.',
    oneOf: [
      {
        type: 'object',
        required: ['entries', 'ok'],
        additionalProperties: false,
        properties: { entries: { type: 'integer', minimum: 0 }, ok: { const: true } },
      },
      {
        type: 'object',
        required: ['entries', 'ok', 'seq', 'reason'],
        additionalProperties: false,
        properties: {
          entries: { type: 'integer', minimum: 0 },
          ok: { const: false },
          seq: { type: 'integer', description: 'The first entry that does not verify.' },
          reason: { type: 'string' },
        },
      },
    ],
  },
};

const parameters: Record<string, ParameterObject> = {
  ConfigItemId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'The item id (alarm type ids: lower-case letters, digits and -).',
    schema: { type: 'string', pattern: ID_PATTERN.source },
    example: 'example',
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description:
      'Optimistic concurrency: the version read (from ETag), e.g. `"3"`; `"0"`: the item must not exist yet. ' +
      'Anything but one quoted version is refused (400); another version than the current one answers 412.',
    schema: { type: 'string', pattern: '^"(0|[1-9][0-9]{0,8})"$' },
  },
  PresenceMember: {
    name: 'member',
    in: 'path',
    required: true,
    description: 'A member address: a user id, `device:<id>` or `contact:<id>`.',
    schema: { type: 'string', pattern: '^(?:(?:device|contact):)?[A-Za-z0-9._-]{1,64}$' },
    example: 'alice',
  },
};

const headers: Record<string, HeaderObject> = {
  ETag: {
    description: 'The item’s version as a strong entity tag, e.g. `"3"`; send it back in If-Match.',
    required: true,
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
};

const responses: Record<string, ResponseObject> = {
  ConfigNotFound: problem('No such item (`not-found`).'),
  ConfigInvalidParameter: problem('A path or query parameter is malformed (`validation`; `errors` names it).'),
  ConfigVersionMismatch: problem('If-Match names another version than the current one (`precondition-failed`).'),
  ConfigBadIfMatch: problem(
    'Malformed JSON or a body that is not an object or array, or If-Match is not one quoted version (`bad-request`).',
  ),
};

const idErrors = { '404': response('ConfigNotFound'), '422': response('ConfigInvalidParameter'), ...storeErrors };

function kindPaths(kind: ConfigKind): Record<string, PathItemObject> {
  const { name } = KINDS[kind];
  const seg = KIND_SEGMENT[kind];
  const item = (description: string): ResponseObject => ({
    description,
    headers: { ETag: ref('headers', 'ETag') },
    content: json(schema(name)),
  });
  const list: OperationObject = {
    operationId: `list${name}s`,
    summary: `List ${seg}`,
    description: 'Every item in id order, each with its version.',
    tags: ['configuration'],
    responses: {
      '200': {
        description: `Every ${kind}.`,
        content: json({
          type: 'object',
          required: ['items'],
          additionalProperties: false,
          properties: { items: { type: 'array', items: schema(name) } },
        }),
      },
      ...storeErrors,
    },
  };
  return {
    [`/api/v1/config/${seg}`]: { get: list },
    [`/api/v1/config/${seg}/{id}`]: {
      parameters: [ref('parameters', 'ConfigItemId')],
      get: {
        operationId: `get${name}`,
        summary: `Read a ${kind}`,
        tags: ['configuration'],
        responses: { '200': item(`The ${kind}.`), ...idErrors },
      },
      put: {
        operationId: `put${name}`,
        summary: `Create or replace a ${kind}`,
        description:
          'The whole item (omitted properties take their defaults). Checked with the whole configuration as ' +
          'it would be afterwards; a refused change writes nothing. Sending the stored item again changes ' +
          'nothing (200, same version). Recorded in the change record.',
        tags: ['configuration'],
        parameters: [ref('parameters', 'IfMatch')],
        requestBody: { required: true, content: json(schema(`${name}Input`)) },
        responses: {
          '200': item('Replaced (or unchanged).'),
          '201': item('Created.'),
          '400': response('ConfigBadIfMatch'),
          '412': response('ConfigVersionMismatch'),
          '413': response('PayloadTooLarge'),
          '415': response('UnsupportedMediaType'),
          '422': problem(
            'The id in the path, or the item, is invalid (`validation`): `errors` lists every problem with its ' +
              'JSON pointer into the body: schema violations, dangling references, a missing, disabled or invalid plan.',
          ),
          ...storeErrors,
        },
      },
      delete: {
        operationId: `delete${name}`,
        summary: `Delete a ${kind}`,
        description:
          'Refused while another item refers to it. Deleting something a published plan needs (e.g. a group it ' +
          'notifies) is allowed, but answered with `warnings`: those alarm types fall back to their ' +
          'environment’s default plan until fixed.',
        tags: ['configuration'],
        parameters: [ref('parameters', 'IfMatch')],
        responses: {
          '200': { description: 'Deleted.', content: json(schema('ConfigDeleted')) },
          '400': problem('If-Match is not one quoted version (`bad-request`).'),
          '404': response('ConfigNotFound'),
          '409': problem('Other items still refer to it (`conflict`); `errors` lists each reference.'),
          '412': response('ConfigVersionMismatch'),
          '422': response('ConfigInvalidParameter'),
          ...storeErrors,
        },
      },
    },
  };
}

const presenceErrors = (what: string) => ({
  '404': problem('No such group (`not-found`).'),
  '422': problem(`${what} (\`validation\`; \`errors\` names the parameter).`),
  ...storeErrors,
});
const presenceOp = (present: boolean): OperationObject => ({
  operationId: present ? 'logInToGroup' : 'logOutOfGroup',
  summary: present ? 'Log a member in to a group' : 'Log a member out of a group',
  description:
    (present
      ? 'Idempotent. Running alarms that notify the group notify the member from now on. '
      : 'Idempotent. Running alarms no longer notify the member through this group. ') +
    'Recorded in the change record.',
  tags: ['configuration'],
  responses: {
    '200': { description: 'The member’s presence.', content: json(schema('GroupPresenceChange')) },
    ...presenceErrors(
      present
        ? 'A malformed parameter, a group without presence, or someone who is not a member'
        : 'A malformed parameter, or a group without presence',
    ),
  },
});

const paths: Record<string, PathItemObject> = {
  ...Object.assign({}, ...CONFIG_KINDS.map(kindPaths)),
  '/api/v1/config/groups/{id}/presence': {
    parameters: [ref('parameters', 'ConfigItemId')],
    get: {
      operationId: 'getGroupPresence',
      summary: 'Who is logged in to a group',
      description: 'Empty for a group that does not track presence.',
      tags: ['configuration'],
      responses: {
        '200': { description: 'The members logged in.', content: json(schema('GroupPresence')) },
        ...presenceErrors('The id is malformed'),
      },
    },
  },
  '/api/v1/config/groups/{id}/presence/{member}': {
    parameters: [ref('parameters', 'ConfigItemId'), ref('parameters', 'PresenceMember')],
    put: presenceOp(true),
    delete: presenceOp(false),
  },
  '/api/v1/config/changes': {
    get: {
      operationId: 'listConfigChanges',
      summary: 'Read the configuration change record',
      description: 'In order, from the entry after `after`; at most `limit` entries. Page on with the last `seq`.',
      tags: ['configuration'],
      parameters: [
        {
          name: 'after',
          in: 'query',
          required: false,
          description: 'Start after this seq (default 0: from the start).',
          schema: { type: 'integer', minimum: 0, maximum: 1e12, default: 0 },
        },
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: 'At most this many entries (default 100; 0 counts as 1).',
          schema: { type: 'integer', minimum: 0, maximum: 1000, default: 100 },
        },
      ],
      responses: {
        '200': { description: 'The entries.', content: json(schema('ConfigChanges')) },
        '422': response('ConfigInvalidParameter'),
        ...storeErrors,
      },
    },
  },
  '/api/v1/config/changes/verify': {
    get: {
      operationId: 'verifyConfigChanges',
      summary: 'Verify the configuration change record',
      description: 'Re-verifies the hash chain of the whole record on this request.',
      tags: ['configuration'],
      responses: {
        '200': { description: 'Whether the chain verifies.', content: json(schema('ConfigChainCheck')) },
        ...storeErrors,
      },
    },
  },
  '/api/v1/config/problems': {
    get: {
      operationId: 'listConfigProblems',
      summary: 'Alarm types whose plan cannot run',
      description:
        'Plans that do not exist, are disabled, or are invalid under the configured names (e.g. after a group ' +
        'was deleted); alarms of these types fall back to their environment’s default plan.',
      tags: ['configuration'],
      responses: {
        '200': { description: 'The problems; empty when every plan can run.', content: json(schema('ConfigProblems')) },
        ...storeErrors,
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const configApi = {
  tag: {
    name: 'configuration',
    description:
      'Environments, profiles, groups, contacts, alarm types and web templates; group presence; the change record.',
  },
  paths,
  schemas,
  responses,
  parameters,
  headers,
} as const;
