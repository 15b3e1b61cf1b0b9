/**
 * The OpenAPI 3.1 description of the HTTP API, served at GET /api/v1/openapi.json. It describes
 * what src/http/app.ts and its routers do (the /api/v1/config part is in ./openapi-config.ts, users,
 * user groups, permissions and API tokens in ./openapi-identity.ts);
 * test/unit/openapi.test.ts keeps the two in step (every router path documented and vice versa,
 * request schemas judged like the zod schemas, live responses valid against the response schemas).
 * What each operation needs (security, the 401 and 403 answers, the sentence naming the
 * permission) is generated from ROUTE_ACCESS in ./route-access.ts, the table the auth middleware
 * enforces, so the two cannot drift apart.
 */
import { builtinPlans } from '../../machines/builtin-plans.ts';
import { PASSWORD_MAX, PASSWORD_MIN } from '../domain/identity.ts';
import { PERMISSION_IDS } from '../domain/permissions.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './auth.ts';
import { configApi } from './openapi-config.ts';
import { identityApi } from './openapi-identity.ts';
import { accessLogApi } from './openapi-access-log.ts';
import { phonesApi } from './openapi-phones.ts';
import { replayApi } from './openapi-replay.ts';
import { protocolApi } from './openapi-protocol.ts';
import { systemApi } from './openapi-system.ts';
import { operationApi } from './openapi-operation.ts';
import { ROUTE_ACCESS, WHILE_PASSWORD_MUST_CHANGE, type Access } from './route-access.ts';

/** A JSON Schema (2020-12, the OpenAPI 3.1 dialect) or a reference to one. */
export interface SchemaObject {
  readonly [keyword: string]: unknown;
}
export interface Reference {
  readonly $ref: string;
}
export interface MediaTypeObject {
  readonly schema: SchemaObject | Reference;
  readonly example?: unknown;
}
export interface HeaderObject {
  readonly description: string;
  readonly required?: boolean;
  readonly schema: SchemaObject | Reference;
}
export interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderObject | Reference>>;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
}
export interface ParameterObject {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly description?: string;
  readonly schema: SchemaObject | Reference;
  /** A value the operation answers to with success (test/unit/openapi.test.ts sends it). */
  readonly example?: unknown;
}
export interface RequestBodyObject {
  readonly required: boolean;
  readonly description?: string;
  readonly content: Readonly<Record<string, MediaTypeObject>>;
}
/** Scheme names of `components.securitySchemes`, each with its (empty) scope list. */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;
export type SecuritySchemeObject =
  | { readonly type: 'http'; readonly scheme: 'bearer'; readonly description: string }
  | { readonly type: 'apiKey'; readonly in: 'cookie' | 'header'; readonly name: string; readonly description: string };
export interface OperationObject {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters?: readonly (ParameterObject | Reference)[];
  readonly requestBody?: RequestBodyObject;
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
  /** `[]` on the public operations; the others inherit the document's requirement. */
  readonly security?: readonly SecurityRequirement[];
}
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';
export type PathItemObject = { readonly [M in HttpMethod]?: OperationObject } & {
  readonly parameters?: readonly (ParameterObject | Reference)[];
};
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly jsonSchemaDialect: string;
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly summary: string;
    readonly description: string;
    readonly license: { readonly name: string; readonly identifier: string };
  };
  readonly servers: readonly { readonly url: string; readonly description: string }[];
  readonly security: readonly SecurityRequirement[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, PathItemObject>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, SchemaObject>>;
    readonly responses: Readonly<Record<string, ResponseObject>>;
    readonly parameters: Readonly<Record<string, ParameterObject>>;
    readonly headers: Readonly<Record<string, HeaderObject>>;
    readonly securitySchemes: Readonly<Record<string, SecuritySchemeObject>>;
  };
}

const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string): Reference => ({
  $ref: `#/components/${kind}/${name}`,
});
const schema = (name: string): Reference => ref('schemas', name);
const response = (name: string): Reference => ref('responses', name);
const json = (s: SchemaObject | Reference): Readonly<Record<string, MediaTypeObject>> => ({
  'application/json': { schema: s },
});
const problemJson = { 'application/problem+json': { schema: schema('Problem') } };

/** The id pattern of alarm-routes.ts (alarm ids, responder and canceller ids). */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

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

const isoTime = (description: string): SchemaObject => ({ type: 'string', format: 'date-time', description });
const isoTimeOrNull = (description: string): SchemaObject => ({
  type: ['string', 'null'],
  format: 'date-time',
  description,
});
const hex64 = (description: string): SchemaObject => ({ type: 'string', pattern: '^[0-9a-f]{64}$', description });

const notificationStatuses = ['pending', 'sent', 'delivered', 'read', 'accepted', 'rejected', 'failed', 'withdrawn'];

const escalateExample = builtinPlans[0]!.definition as unknown as Record<string, unknown>;

const planVersionProps = {
  version: { type: 'integer', minimum: 1 },
  publishedAt: isoTime('When the version was published.'),
  publishedBy: { type: 'string', description: 'Who published it (`system` for the built-in plans).' },
  disabledAt: isoTimeOrNull('When the version was disabled; null while it is enabled.'),
  environment: {
    type: 'string',
    description:
      "The environment the plan belongs to (every version has the first one's); `*`: shared by all environments, published, disabled and enabled only by a holder of every environment.",
  },
};
const planVersionRequired = ['version', 'publishedAt', 'publishedBy', 'disabledAt', 'environment'];

const schemas: Record<string, SchemaObject> = {
  PublishPlanRequest: {
    type: 'object',
    required: ['plan'],
    additionalProperties: false,
    description:
      'A plan in the authoring format; its `id` names the plan whose next version this becomes. ' +
      'Import: `id` stores it under another id; `version` keeps a version number (the same definition again answers 200, a different one or a gap 409).',
    properties: {
      plan: { type: 'object', description: 'The plan.' },
      id: { ...schema('Id'), description: "Publish under this id instead of the plan's own." },
      version: { type: 'integer', minimum: 1, description: 'Import as exactly this version.' },
      environment: {
        type: 'string',
        description:
          "The environment of a new plan id (`*`: shared; only a holder of every environment). Default: the caller's only environment, or `*` for a holder of all. An existing id keeps its environment; another one is 409.",
      },
    },
    examples: [{ plan: escalateExample }],
  },
  PublishedPlan: {
    type: 'object',
    required: ['id', 'version'],
    additionalProperties: false,
    properties: { id: schema('Id'), version: { type: 'integer', minimum: 1 } },
  },
  PlanVersion: {
    type: 'object',
    required: planVersionRequired,
    additionalProperties: false,
    properties: planVersionProps,
  },
  PlanList: {
    type: 'object',
    required: ['plans'],
    additionalProperties: false,
    properties: {
      plans: {
        type: 'array',
        description: 'Every plan id in name order, with its versions in ascending order.',
        items: {
          type: 'object',
          required: ['id', 'versions'],
          additionalProperties: false,
          properties: { id: schema('Id'), versions: { type: 'array', items: schema('PlanVersion') } },
        },
      },
    },
  },
  PlanVersionState: {
    type: 'object',
    required: ['id', ...planVersionRequired],
    additionalProperties: false,
    properties: { id: schema('Id'), ...planVersionProps },
  },
  PlanExport: {
    type: 'object',
    required: ['id', ...planVersionRequired, 'definition'],
    additionalProperties: false,
    properties: {
      id: schema('Id'),
      ...planVersionProps,
      definition: { type: 'object', description: 'The plan exactly as published (import it with POST /api/v1/plans).' },
    },
  },
  PlanDiff: {
    type: 'object',
    required: ['id', 'from', 'to', 'changes'],
    additionalProperties: false,
    properties: {
      id: schema('Id'),
      from: { type: 'integer', minimum: 1 },
      to: { type: 'integer', minimum: 1 },
      changes: {
        type: 'array',
        description: 'The changes that turn version `from` into version `to`, applicable in order; empty when equal.',
        items: {
          type: 'object',
          required: ['op', 'pointer'],
          additionalProperties: false,
          properties: {
            op: { type: 'string', enum: ['add', 'remove', 'replace'] },
            pointer: { type: 'string', description: 'RFC 6901 JSON pointer into the definition.' },
            from: { description: 'The old value (remove, replace).' },
            to: { description: 'The new value (add, replace).' },
          },
        },
      },
    },
  },
  PlanValidateRequest: {
    type: 'object',
    required: ['plan'],
    additionalProperties: false,
    description:
      'A plan in the authoring format (statechart JSON; its JSON Schema is served at `/api/v1/schemas/plan.json`). ' +
      "Names it references are checked against the caller's environments' groups, profiles, contacts and alarm types.",
    properties: { plan: { type: 'object', description: 'The plan.' } },
    examples: [{ plan: escalateExample }],
  },
  PlanRequest: {
    type: 'object',
    required: ['plan'],
    additionalProperties: false,
    description:
      'A plan in the authoring format (statechart JSON; its JSON Schema is served at `/api/v1/schemas/plan.json`), ' +
      'and optionally the alarm type whose groups and parameters the analysis uses.',
    properties: {
      plan: { type: 'object', description: 'The plan.' },
      alarmType: { type: 'string', description: 'Alarm type id; default: the first type pinning this plan id.' },
    },
    examples: [{ plan: escalateExample, alarmType: 'generic' }],
  },
  PlanSimulateRequest: {
    type: 'object',
    required: ['plan', 'scenario'],
    additionalProperties: false,
    properties: {
      plan: { type: 'object', description: 'The plan.' },
      alarmType: { type: 'string' },
      scenario: {
        type: 'object',
        required: ['steps'],
        description:
          'Steps at milliseconds after the raise: `{at, event: accept|reject|cancel, by}` or `{at, event: deliveryFailed, user}`.',
        properties: { steps: { type: 'array', items: { type: 'object' } } },
      },
    },
    examples: [
      {
        plan: escalateExample,
        alarmType: 'generic',
        scenario: {
          steps: [
            { at: 60000, event: 'reject', by: 'carol' },
            { at: 90000, event: 'accept', by: 'carol' },
          ],
        },
      },
    ],
  },
  PlanValidation: {
    type: 'object',
    required: ['ok'],
    properties: { ok: { type: 'boolean', const: true } },
  },
  PlanAnalysis: {
    type: 'object',
    required: [
      'reachableStates',
      'worstCaseFirstNotificationMs',
      'worstCaseLastEscalationMs',
      'maxNotificationsPerAlarm',
      'truncated',
    ],
    description:
      'Reachable, unreachable and final states, shortest paths to final states, worst-case times and counts.',
  },
  Timeline: {
    type: 'object',
    required: ['entries', 'end', 'notifications'],
    description: 'The predicted timeline: every step with its trigger, transition and effects, and how it ended.',
  },
  Problem: {
    type: 'object',
    description:
      'An RFC 9457 problem. Only 4xx answers carry a specific detail; 5xx answers carry a generic one, never a stack trace.',
    required: ['type', 'title', 'status'],
    properties: {
      type: {
        type: 'string',
        format: 'uri',
        pattern: '^urn:tocsin:problem:[a-z-]+$',
        description:
          'Stable, machine-readable problem type: urn:tocsin:problem: followed by bad-request, unauthorized, ' +
          'forbidden, validation, not-found, method-not-allowed, unknown-alarm-type, alarm-ended, conflict, ' +
          'precondition-failed, payload-too-large, unsupported-media-type, too-many-requests, unavailable or internal.',
        examples: ['urn:tocsin:problem:validation'],
      },
      title: {
        type: 'string',
        description: 'The HTTP reason phrase of `status`.',
        examples: ['Unprocessable Content'],
      },
      status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status code of this answer.' },
      detail: { type: 'string', description: 'What went wrong with this request.' },
      instance: { type: 'string', format: 'uri-reference', description: 'The request path.' },
      errors: {
        type: 'array',
        description:
          'For validation problems: every offending field, one entry each (at most 100; `detail` then says how many there were).',
        items: schema('ProblemError'),
      },
    },
  },
  ProblemError: {
    type: 'object',
    required: ['reason'],
    additionalProperties: false,
    properties: {
      pointer: {
        type: 'string',
        description:
          'Where the offending value is, as a JSON Pointer (RFC 6901) into the request body, e.g. `/text` or `/source/adapter`.',
      },
      parameter: {
        type: 'string',
        description: 'The offending path or query parameter, e.g. `id` (instead of `pointer`).',
      },
      reason: { type: 'string', description: 'Why the value was refused.' },
    },
  },
  Id: {
    type: 'string',
    pattern: ID_PATTERN,
    description: '1–64 of A–Z a–z 0–9 _ -',
    examples: ['boiler-room-7'],
  },
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
  AlarmSummary: {
    type: 'object',
    required: ['id', 'type', 'status', 'state', 'text', 'raisedAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      type: { type: 'string' },
      status: schema('AlarmStatus'),
      state: { type: 'string', description: 'The plan state value (JSON text for a nested state).' },
      text: { type: 'string' },
      raisedAt: isoTime('When the alarm was raised.'),
    },
  },
  AlarmList: {
    type: 'object',
    required: ['alarms'],
    additionalProperties: false,
    properties: {
      alarms: { type: 'array', maxItems: 200, items: schema('AlarmSummary') },
    },
  },
  PlanRef: {
    type: 'object',
    required: ['id', 'version'],
    additionalProperties: false,
    description: 'The escalation plan the alarm pinned when it was raised.',
    properties: {
      id: { type: 'string' },
      version: { type: 'integer', minimum: 1 },
    },
  },
  Recipient: {
    type: 'object',
    description: 'One notification of one recipient in one round.',
    required: [
      'notificationId',
      'recipient',
      'group',
      'round',
      'channel',
      'status',
      'sentAt',
      'deliveredAt',
      'respondedAt',
      'response',
    ],
    additionalProperties: false,
    properties: {
      notificationId: { type: 'string', description: 'Id inside the alarm, e.g. `A.0.alice`.' },
      recipient: { type: 'string' },
      group: { type: 'string' },
      round: { type: 'integer', minimum: 0 },
      channel: { type: 'string' },
      status: { type: 'string', enum: notificationStatuses },
      sentAt: isoTimeOrNull('When the channel took the notification.'),
      deliveredAt: isoTimeOrNull('When the channel reported delivery.'),
      respondedAt: isoTimeOrNull('When the recipient answered.'),
      response: { type: ['string', 'null'], enum: ['accept', 'reject', null] },
    },
  },
  PendingTimer: {
    type: 'object',
    required: ['id', 'event', 'dueAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      event: {
        type: 'string',
        description: 'The machine event the timer delivers, e.g. `xstate.after.levelTimeout…`.',
      },
      dueAt: isoTime('When the timer fires.'),
    },
  },
  Alarm: {
    type: 'object',
    description: 'The read model of one alarm: facts, plan state, recipients with their statuses, armed timers.',
    required: [
      'id',
      'type',
      'priority',
      'text',
      'location',
      'source',
      'environment',
      'status',
      'state',
      'plan',
      'seq',
      'raisedAt',
      'updatedAt',
      'endedAt',
      'recipients',
      'pendingTimers',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      type: { type: 'string' },
      priority: { type: 'integer' },
      text: { type: 'string' },
      location: { type: ['string', 'null'] },
      source: {
        type: 'object',
        required: ['adapter'],
        additionalProperties: false,
        properties: { adapter: { type: 'string' }, device: { type: 'string' } },
      },
      environment: { type: 'string' },
      status: schema('AlarmStatus'),
      state: { type: 'string', description: 'The plan state value (JSON text for a nested state).' },
      plan: schema('PlanRef'),
      seq: { type: 'integer', minimum: 1, description: 'Number of protocol entries; grows by one per committed step.' },
      raisedAt: isoTime('When the alarm was raised.'),
      updatedAt: isoTime('When the last step was committed.'),
      endedAt: isoTimeOrNull('When the alarm ended (accepted or cancelled); null while active.'),
      recipients: { type: 'array', items: schema('Recipient') },
      pendingTimers: { type: 'array', items: schema('PendingTimer') },
    },
  },
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
  Actor: {
    type: 'object',
    required: ['kind', 'id'],
    additionalProperties: false,
    properties: {
      kind: { type: 'string', enum: ['user', 'device', 'system'] },
      id: { type: 'string' },
    },
  },
  ProtocolEntry: {
    type: 'object',
    description: 'One committed step of an alarm, hash-chained to the one before.',
    required: [
      'alarmId',
      'seq',
      'at',
      'kind',
      'event',
      'fromState',
      'toState',
      'guards',
      'effects',
      'actor',
      'note',
      'lateMs',
      'prevHash',
      'hash',
    ],
    additionalProperties: false,
    properties: {
      alarmId: { type: 'string' },
      seq: { type: 'integer', minimum: 1 },
      at: isoTime('When the step ran.'),
      kind: { type: 'string', enum: ['raised', 'event', 'timer'] },
      event: { description: 'The machine event (for `raised`: the raise request and the plan input).' },
      fromState: { type: ['string', 'null'], description: 'Null for the first entry.' },
      toState: { type: 'string' },
      guards: {
        type: 'array',
        description: 'Guards evaluated on the way, with their results, in order.',
        items: {
          type: 'object',
          required: ['guard', 'result'],
          additionalProperties: false,
          properties: { guard: { type: 'string' }, result: { type: 'boolean' } },
        },
      },
      effects: {
        type: 'array',
        description: 'Effects decided by this step (notify, withdraw, timer.set, timer.cancel, …); times in epoch ms.',
        items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
      },
      actor: schema('Actor'),
      note: { type: 'string', description: 'Why the step happened, in words.' },
      lateMs: {
        type: ['integer', 'null'],
        minimum: 0,
        description: 'For fired timers: how late the step ran, in ms; null otherwise.',
      },
      prevHash: hex64('The previous entry’s hash (64 zeros for the first entry).'),
      hash: hex64('SHA-256 over prevHash and this entry’s canonical JSON.'),
    },
  },
  ChainCheck: {
    description: 'The result of re-verifying the hash chain on this request.',
    oneOf: [
      {
        type: 'object',
        required: ['ok'],
        additionalProperties: false,
        properties: { ok: { const: true } },
      },
      {
        type: 'object',
        required: ['ok', 'seq', 'reason'],
        additionalProperties: false,
        properties: {
          ok: { const: false },
          seq: { type: 'integer', description: 'The first entry that does not verify.' },
          reason: { type: 'string' },
        },
      },
    ],
  },
  Protocol: {
    type: 'object',
    required: ['alarmId', 'chain', 'entries'],
    additionalProperties: false,
    properties: {
      alarmId: { type: 'string' },
      chain: schema('ChainCheck'),
      entries: { type: 'array', minItems: 1, items: schema('ProtocolEntry') },
    },
  },
  LoginRequest: {
    type: 'object',
    required: ['loginName', 'password'],
    additionalProperties: false,
    properties: {
      loginName: { type: 'string', maxLength: 64, description: 'The login name; case does not matter.' },
      password: { type: 'string', maxLength: 1024, description: 'The password.' },
    },
    examples: [{ loginName: 'alice', password: 'example-passphrase' }],
  },
  LoginResponse: {
    type: 'object',
    required: ['loginName', 'mustChangePassword', 'csrfToken'],
    additionalProperties: false,
    properties: {
      loginName: { type: 'string' },
      mustChangePassword: {
        type: 'boolean',
        description:
          'True: until the password is changed (POST /api/v1/auth/password), every other operation but ' +
          'GET /api/v1/auth/me and logout answers 403.',
      },
      csrfToken: {
        type: 'string',
        description: `Send it in the \`${CSRF_HEADER}\` header with every change (any method but GET, HEAD and OPTIONS) made with this session's cookie.`,
      },
    },
  },
  Me: {
    type: 'object',
    required: ['userId', 'loginName', 'permissions', 'environments', 'mustChangePassword', 'via'],
    additionalProperties: false,
    properties: {
      userId: { type: 'string' },
      loginName: { type: 'string' },
      permissions: {
        type: 'array',
        description: 'What this principal may do (for an API token: those of its scope the owner still holds).',
        items: { type: 'string', enum: [...PERMISSION_IDS] },
      },
      environments: { type: 'array', description: 'The environments it may act in.', items: { type: 'string' } },
      mustChangePassword: { type: 'boolean' },
      via: {
        type: 'string',
        enum: ['session', 'token'],
        description: 'How the request authenticated: the session cookie or an API token.',
      },
      displayName: { type: 'string' },
      language: { type: 'string', enum: ['DE', 'DA', 'EN', 'FR', 'NL'] },
      startPage: { type: 'string', description: 'The console page the user starts on.' },
    },
  },
  MeChange: {
    type: 'object',
    required: ['language'],
    additionalProperties: false,
    properties: { language: { type: 'string', enum: ['DE', 'DA', 'EN', 'FR', 'NL'] } },
    examples: [{ language: 'DE' }],
  },
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
  PasswordChangeRequest: {
    type: 'object',
    required: ['oldPassword', 'newPassword'],
    additionalProperties: false,
    properties: {
      oldPassword: { type: 'string', maxLength: 1024, description: 'The current password.' },
      newPassword: {
        type: 'string',
        maxLength: 1024,
        description:
          `The policy (refused with 422 at \`/newPassword\`): ${PASSWORD_MIN}–${PASSWORD_MAX} characters, ` +
          'case-sensitive, not `admin`, not the login name in any case, not a common password, and not the current one.',
      },
    },
    examples: [{ oldPassword: 'example-passphrase', newPassword: 'another-example-passphrase' }],
  },
  Health: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    additionalProperties: false,
    properties: {
      status: { const: 'ready' },
      checks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'ok'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', examples: ['database (pglite)', 'scheduler (in-process)'] },
            ok: { type: 'boolean' },
            error: { type: 'string' },
          },
        },
      },
    },
  },
};

const problem = (description: string): ResponseObject => ({ description, content: problemJson });

const responses: Record<string, ResponseObject> = {
  BadRequest: problem('Malformed JSON, or a JSON body that is not an object or array (`bad-request`).'),
  NotFound: problem('No alarm with this id (`not-found`).'),
  AlarmEnded: problem(
    'The alarm has ended (`alarm-ended`), or steps on it conflicted too often to be applied (`conflict`); nothing was written.',
  ),
  PayloadTooLarge: problem('The body is larger than 64 KiB (`payload-too-large`).'),
  UnsupportedMediaType: problem('The body is not `application/json` (`unsupported-media-type`).'),
  InvalidBody: problem('The body does not match the schema (`validation`); `errors` lists every offending field.'),
  InvalidId: problem('The id in the path does not match the id pattern (`validation`).'),
  Unavailable: {
    description:
      'The database or the scheduler cannot be reached (`unavailable`); the request did not complete; retry it (a raise with an `id` is safe to retry).',
    headers: { 'Retry-After': ref('headers', 'RetryAfter') },
    content: problemJson,
  },
  Internal: problem('The server failed (`internal`); the error is logged, the answer carries no details.'),
  Unauthorized: {
    description:
      'No credentials, an unknown or expired session, a malformed `Authorization` header, or an unknown, ' +
      'revoked or expired API token (`unauthorized`). Log in (POST /api/v1/auth/login) or send an API token.',
    headers: { 'WWW-Authenticate': ref('headers', 'WWWAuthenticate') },
    content: problemJson,
  },
  PlanNotFound: problem('No such plan version (`not-found`).'),
  InvalidPlanParameter: problem('A path or query parameter is malformed (`validation`; `errors` names it).'),
};

const planIdParam = ref('parameters', 'PlanId');
const versionParam = ref('parameters', 'PlanVersion');
/** The answers of an operation on one plan version. */
const planVersionErrors = {
  '404': response('PlanNotFound'),
  '422': response('InvalidPlanParameter'),
  ...{ '500': response('Internal'), '503': response('Unavailable') },
};
const planVersionAction = (action: 'disable' | 'enable'): OperationObject => ({
  operationId: `${action}PlanVersion`,
  summary: action === 'disable' ? 'Disable a plan version' : 'Re-enable a plan version',
  description:
    action === 'disable'
      ? 'Idempotent. Alarms of a type pinning a disabled version are still raised, under the built-in ' +
        '`escalate@1`; their protocol says so. Running alarms keep their plan.'
      : 'Idempotent. New alarms of types pinning this version run it again.',
  tags: ['plans'],
  responses: {
    '200': { description: 'The version with its new state.', content: json(schema('PlanVersionState')) },
    ...planVersionErrors,
  },
});

const idParam = ref('parameters', 'AlarmId');

/** The error answers of an operation that reads a JSON body. */
const bodyErrors = {
  '400': response('BadRequest'),
  '413': response('PayloadTooLarge'),
  '415': response('UnsupportedMediaType'),
};
const storeErrors = { '500': response('Internal'), '503': response('Unavailable') };

const SAFE_METHODS: ReadonlySet<string> = new Set(['get', 'head', 'options']);

/** The ROUTE_ACCESS key of a documented operation: `POST /api/v1/alarms/:id/cancel`. */
export const accessKey = (method: string, path: string): string =>
  `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;

/** What a principal needs, in words, for the end of an operation's description. */
function needsSentence(access: Access, key: string): string {
  const needs =
    access.kind === 'permission'
      ? `Needs the permission \`${access.permission}\`.`
      : access.kind === 'any'
        ? `Needs one of the permissions ${access.permissions.map((p) => `\`${p}\``).join(', ')}.`
        : 'Needs a logged-in user or an API token, no particular permission.';
  return WHILE_PASSWORD_MUST_CHANGE.has(key) ? `${needs} Allowed while the password must be changed.` : needs;
}

/** Why the auth middleware may refuse the operation with 403; empty when it never does. */
function forbiddenReasons(access: Access, key: string, method: string): string[] {
  return [
    ...(access.kind === 'permission' ? [`the principal lacks the permission \`${access.permission}\``] : []),
    ...(access.kind === 'any'
      ? [`the principal holds none of the permissions ${access.permissions.map((p) => `\`${p}\``).join(', ')}`]
      : []),
    ...(WHILE_PASSWORD_MUST_CHANGE.has(key) ? [] : ['the password must be changed first (POST /api/v1/auth/password)']),
    ...(SAFE_METHODS.has(method) ? [] : [`a change made with the session cookie lacks its \`${CSRF_HEADER}\` header`]),
  ];
}

/**
 * Every operation as ROUTE_ACCESS says: a public one gets `security: []`; any other inherits the
 * document's security, names what it needs in its description, and documents 401, 403 (when the
 * middleware can refuse it: a permission, the pending password change, a missing CSRF token; an
 * operation's own 403 is kept and its description extended), the CSRF header of a change, and
 * 500/503 (the middleware reads the session or token from the store). An operation without an
 * access rule is refused to everyone by the middleware: documenting one is an error here.
 */
function withAccess(paths: Readonly<Record<string, PathItemObject>>): Record<string, PathItemObject> {
  const secure = (path: string, method: HttpMethod, op: OperationObject): OperationObject => {
    const key = accessKey(method, path);
    const access = ROUTE_ACCESS[key];
    if (!access) throw new Error(`openapi: ${key} has no access rule in route-access.ts`);
    if (access.kind === 'public') return { ...op, security: [] };
    const reasons = forbiddenReasons(access, key, method);
    const own = op.responses['403'] as ResponseObject | undefined;
    const forbidden: ResponseObject | undefined =
      reasons.length === 0
        ? own
        : problem(
            own
              ? `${own.description} Also refused (\`forbidden\`) when ${reasons.join('; or when ')}.`
              : `Refused (\`forbidden\`): ${reasons.join('; or ')}.`,
          );
    return {
      ...op,
      description: [op.description, needsSentence(access, key)].filter(Boolean).join(' '),
      ...(SAFE_METHODS.has(method) ? {} : { parameters: [...(op.parameters ?? []), ref('parameters', 'CsrfToken')] }),
      responses: {
        ...storeErrors,
        ...op.responses,
        '401': response('Unauthorized'),
        ...(forbidden ? { '403': forbidden } : {}),
      },
    };
  };
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([k, v]) =>
          k === 'parameters' ? [k, v] : [k, secure(path, k as HttpMethod, v as OperationObject)],
        ),
      ) as PathItemObject,
    ]),
  );
}

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
  info: {
    title: 'Tocsin',
    version: '0.1.0',
    summary: 'Open, on-premise alarm server.',
    description:
      'Every alarm is an actor with durable escalation timers and a tamper-evident, hash-chained protocol.\n\n' +
      '**Authentication.** Every operation but liveness, readiness, this document and login needs ' +
      'credentials: an API token (`Authorization: Bearer <token>`, scheme `bearer`) or the session cookie ' +
      `\`${SESSION_COOKIE}\` that POST /api/v1/auth/login sets (scheme \`cookie\`). A change (any method but ` +
      `GET, HEAD and OPTIONS) made with the cookie must also send the session's CSRF token in \`${CSRF_HEADER}\`. ` +
      'Without valid credentials an operation answers 401 (`WWW-Authenticate: Bearer realm="tocsin"`); ' +
      'without the permission its description names, or before a required password change, 403.\n\n' +
      '**Loopback only without TLS.** Authentication is always required; the server binds to another address ' +
      'than loopback (127.0.0.1, ::1 or localhost) only with `TOCSIN_TLS=on`, so that passwords, session cookies ' +
      'and tokens never cross a network in clear.\n\n' +
      'Request bodies are JSON only (`Content-Type: application/json`), at most 64 KiB. Every error answer ' +
      'is `application/problem+json` (RFC 9457, schema `Problem`); a method a path does not support answers ' +
      '405 with an `Allow` header, an unknown path 404. A refused request changes no data (refused logins and ' +
      'permissions are recorded in the access log, and failed logins count towards throttling).',
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  servers: [
    {
      url: 'http://127.0.0.1:8080',
      description: 'The default bind address (loopback; another address needs TOCSIN_TLS=on).',
    },
  ],
  security: [{ bearer: [] }, { cookie: [] }],
  tags: [
    { name: 'alarms', description: 'Raise, read, respond to and cancel alarms; read their protocol.' },
    { name: 'auth', description: 'Log in and out, who am I, change my password.' },
    { name: 'operations', description: 'Health, readiness, metrics and this document.' },
    { name: 'plans', description: 'Validate, analyse, simulate, publish, export and disable escalation plans.' },
    configApi.tag,
    ...identityApi.tags,
    accessLogApi.tag,
    phonesApi.tag,
    replayApi.tag,
    protocolApi.tag,
    systemApi.tag,
  ],
  paths: withAccess({
    '/healthz': {
      get: {
        operationId: 'getHealth',
        summary: 'Liveness',
        description: 'Answers while the process serves HTTP; checks no dependency.',
        tags: ['operations'],
        responses: { '200': { description: 'The process is alive.', content: json(schema('Health')) } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        summary: 'Readiness',
        description: 'Pings the database and the scheduler.',
        tags: ['operations'],
        responses: {
          '200': { description: 'Both dependencies answer.', content: json(schema('Readiness')) },
          '503': problem('A dependency is unreachable (`unavailable`); `detail` names which.'),
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        description:
          'Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4; charset=utf-8`), e.g. ' +
          '`tocsin_events_processed_total`, `tocsin_alarms_active`, `tocsin_timer_lateness_seconds`.',
        tags: ['operations'],
        responses: {
          '200': {
            description: 'The metrics.',
            content: {
              'text/plain': {
                schema: { type: 'string' },
                example: '# TYPE tocsin_alarms_active gauge\ntocsin_alarms_active{state="levelA"} 1\n',
              },
            },
          },
          ...storeErrors,
        },
      },
    },
    '/api/v1/schemas/plan.json': {
      get: {
        operationId: 'getPlanSchema',
        summary: 'JSON Schema of the plan format',
        description: 'For editors: autocompletes registered action, guard and delay names.',
        tags: ['plans'],
        responses: {
          '200': { description: 'The schema.', content: { 'application/schema+json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/api/v1/plans/validate': {
      post: {
        operationId: 'validatePlan',
        summary: 'Validate a plan',
        description: 'Nothing is written. An invalid plan gets 422 with every problem as a JSON pointer under `/plan`.',
        tags: ['plans'],
        requestBody: { required: true, content: json(schema('PlanValidateRequest')) },
        responses: {
          '200': { description: 'The plan is valid.', content: json(schema('PlanValidation')) },
          ...bodyErrors,
          '422': problem('The plan is invalid (`validation`; `errors` lists every problem).'),
        },
      },
    },
    '/api/v1/plans/analyse': {
      post: {
        operationId: 'analysePlan',
        summary: 'Analyse a plan',
        description:
          'Worst-case times to the first notification and the last escalation, maximum notifications, paths.',
        tags: ['plans'],
        requestBody: { required: true, content: json(schema('PlanRequest')) },
        responses: {
          '200': { description: 'The analysis.', content: json(schema('PlanAnalysis')) },
          ...bodyErrors,
          '422': problem('The plan is invalid (`validation`), or the alarm type is unknown (`unknown-alarm-type`).'),
        },
      },
    },
    '/api/v1/plans/simulate': {
      post: {
        operationId: 'simulatePlan',
        summary: 'Simulate a plan against a scenario',
        description: "Runs the plan with the runtime's own pure step on a virtual clock. Nothing is written.",
        tags: ['plans'],
        requestBody: { required: true, content: json(schema('PlanSimulateRequest')) },
        responses: {
          '200': { description: 'The predicted timeline.', content: json(schema('Timeline')) },
          ...bodyErrors,
          '422': problem('The plan or the scenario is invalid (`validation`), or the alarm type is unknown.'),
        },
      },
    },
    '/api/v1/plans': {
      post: {
        operationId: 'publishPlan',
        summary: 'Publish a plan version',
        description:
          'Validates the plan and stores it as the next immutable version of its `id` (1 for a new id). ' +
          'An invalid plan gets 422 with every problem under `/plan`, and nothing is written.',
        tags: ['plans'],
        requestBody: { required: true, content: json(schema('PublishPlanRequest')) },
        responses: {
          '200': {
            description: 'Import with `version`: that version already holds this definition; nothing written.',
            headers: { Location: ref('headers', 'PlanLocation') },
            content: json(schema('PublishedPlan')),
          },
          '201': {
            description: 'Published.',
            headers: { Location: ref('headers', 'PlanLocation') },
            content: json(schema('PublishedPlan')),
          },
          ...bodyErrors,
          '409': problem(
            'Import with `version`: that version holds another definition, or the plan continues at another version (`conflict`).',
          ),
          '422': problem('The plan is invalid (`validation`; `errors` lists every problem).'),
          ...storeErrors,
        },
      },
      get: {
        operationId: 'listPlans',
        summary: 'List plans and their versions',
        tags: ['plans'],
        responses: { '200': { description: 'Every plan.', content: json(schema('PlanList')) }, ...storeErrors },
      },
    },
    '/api/v1/plans/{id}/versions/{version}': {
      parameters: [planIdParam, versionParam],
      get: {
        operationId: 'exportPlanVersion',
        summary: 'Export a plan version',
        description: 'The definition as published, with who published it when and whether it is disabled.',
        tags: ['plans'],
        responses: {
          '200': { description: 'The version.', content: json(schema('PlanExport')) },
          ...planVersionErrors,
        },
      },
    },
    '/api/v1/plans/{id}/versions/{version}/disable': {
      parameters: [planIdParam, versionParam],
      post: planVersionAction('disable'),
    },
    '/api/v1/plans/{id}/versions/{version}/enable': {
      parameters: [planIdParam, versionParam],
      post: planVersionAction('enable'),
    },
    '/api/v1/plans/{id}/diff': {
      parameters: [planIdParam],
      get: {
        operationId: 'diffPlanVersions',
        summary: 'Diff two versions of a plan',
        tags: ['plans'],
        parameters: [
          { name: 'from', in: 'query', required: true, schema: { type: 'integer', minimum: 1 }, example: 1 },
          { name: 'to', in: 'query', required: true, schema: { type: 'integer', minimum: 1 }, example: 1 },
        ],
        responses: {
          '200': { description: 'The changes from `from` to `to`.', content: json(schema('PlanDiff')) },
          ...planVersionErrors,
        },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        tags: ['operations'],
        responses: {
          '200': {
            description: 'The OpenAPI 3.1 description of this API.',
            content: json({ type: 'object', required: ['openapi', 'info', 'paths'] }),
          },
        },
      },
    },
    '/api/v1/auth/login': {
      post: {
        operationId: 'login',
        summary: 'Log in',
        description:
          'Opens a server-side session (a new id each time) and sets its cookie (httpOnly, SameSite=Lax, ' +
          'Secure under TLS). An unknown name, a wrong password and a locked account get the same 401; ' +
          'after repeated failures the account is locked until an administrator unlocks it, and further ' +
          'attempts from the account or the address are throttled (429).',
        tags: ['auth'],
        requestBody: { required: true, content: json(schema('LoginRequest')) },
        responses: {
          '200': {
            description: 'Logged in.',
            headers: { 'Set-Cookie': ref('headers', 'SessionCookie') },
            content: json(schema('LoginResponse')),
          },
          ...bodyErrors,
          '401': problem('The login failed (`unauthorized`); the answer does not say why.'),
          '422': response('InvalidBody'),
          '429': {
            description: 'Too many failed logins from this account or address (`too-many-requests`).',
            headers: { 'Retry-After': ref('headers', 'RetryAfterRequired') },
            content: problemJson,
          },
          ...storeErrors,
        },
      },
    },
    '/api/v1/auth/me': {
      get: {
        operationId: 'getMe',
        summary: 'Who am I',
        description: 'The principal of the request: its user, permissions and environments, and how it authenticated.',
        tags: ['auth'],
        responses: { '200': { description: 'The principal.', content: json(schema('Me')) } },
      },
      patch: {
        operationId: 'changeMe',
        summary: 'Change my own settings',
        description: 'Only the language (the console’s language switch); recorded in the access log as `user.update`.',
        tags: ['auth'],
        requestBody: { required: true, content: json(schema('MeChange')) },
        responses: {
          '200': { description: 'Changed.', content: json(schema('Me')) },
          ...bodyErrors,
          '422': problem('Not a language Tocsin speaks, or another field (`validation`).'),
          ...storeErrors,
        },
      },
    },
    '/api/v1/auth/password': {
      post: {
        operationId: 'changePassword',
        summary: 'Change my password',
        description:
          'Checks the current password (a wrong one counts towards throttling like a failed login), ' +
          'clears a required password change, and ends every other session of the user (the one that ' +
          'sent the request stays).',
        tags: ['auth'],
        requestBody: { required: true, content: json(schema('PasswordChangeRequest')) },
        responses: {
          '204': { description: 'Changed.' },
          ...bodyErrors,
          '403': problem('The current password is wrong (`forbidden`).'),
          '422': problem(
            'The body does not match the schema, or the policy refuses the new password (`validation`, at `/newPassword`).',
          ),
          '429': problem('Too many failed attempts (`too-many-requests`); try again later.'),
          ...storeErrors,
        },
      },
    },
    '/api/v1/auth/logout': {
      post: {
        operationId: 'logout',
        summary: 'Log out',
        description: 'Ends the session of the cookie and clears the cookie. With an API token it ends nothing.',
        tags: ['auth'],
        responses: {
          '204': {
            description: 'Logged out.',
            headers: { 'Set-Cookie': ref('headers', 'ClearSessionCookie') },
          },
        },
      },
    },
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
    '/api/v1/alarms/{id}/responses': {
      parameters: [idParam],
      post: {
        operationId: 'respondToAlarm',
        summary: 'Accept or reject an alarm',
        description: 'Records a recipient’s answer; the plan decides what follows (the first accept ends the alarm).',
        tags: ['alarms'],
        requestBody: { required: true, content: json(schema('RespondRequest')) },
        responses: {
          '202': { description: 'Recorded.', content: json(schema('RespondAccepted')) },
          ...bodyErrors,
          '404': response('NotFound'),
          '409': response('AlarmEnded'),
          '422': problem(
            'The id in the path or the body does not match the schema (`validation`); `errors` lists every offending field.',
          ),
          ...storeErrors,
        },
      },
    },
    '/api/v1/alarms/{id}/cancel': {
      parameters: [idParam],
      post: {
        operationId: 'cancelAlarm',
        summary: 'Cancel an alarm',
        description: 'Ends the alarm; its plan withdraws every open notification.',
        tags: ['alarms'],
        requestBody: { required: true, content: json(schema('CancelRequest')) },
        responses: {
          '202': { description: 'Cancelled.', content: json(schema('CancelAccepted')) },
          ...bodyErrors,
          '404': response('NotFound'),
          '409': response('AlarmEnded'),
          '422': problem(
            'The id in the path or the body does not match the schema (`validation`); `errors` lists every offending field.',
          ),
          ...storeErrors,
        },
      },
    },
    '/api/v1/alarms/{id}/signals': {
      parameters: [idParam],
      post: {
        operationId: 'signalAlarm',
        summary: 'Send a named signal to the alarm’s plan',
        description:
          'Delivers `{type: signal, by, at}` to the plan (e.g. PRESENCE ends a nurse call in tpl-presence-cancels, LINK_UP clears tpl-supervision). A plan that does not listen ignores it; the step is recorded in the protocol either way.',
        tags: ['alarms'],
        requestBody: { required: true, content: json(schema('SignalRequest')) },
        responses: {
          '202': { description: 'Delivered to the plan.', content: json(schema('SignalAccepted')) },
          ...bodyErrors,
          '404': response('NotFound'),
          '409': response('AlarmEnded'),
          '422': problem('The id or the body does not match the schema (`validation`), or the signal is reserved.'),
          ...storeErrors,
        },
      },
    },
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
    ...configApi.paths,
    ...identityApi.paths,
    ...accessLogApi.paths,
    ...phonesApi.paths,
    ...replayApi.paths,
    ...protocolApi.paths,
    ...systemApi.paths,
    ...operationApi.paths,
  }),
  components: {
    schemas: {
      ...schemas,
      ...configApi.schemas,
      ...identityApi.schemas,
      ...accessLogApi.schemas,
      ...phonesApi.schemas,
      ...replayApi.schemas,
      ...protocolApi.schemas,
      ...systemApi.schemas,
      ...operationApi.schemas,
    },
    responses: { ...responses, ...configApi.responses, ...identityApi.responses },
    parameters: {
      ...configApi.parameters,
      ...identityApi.parameters,
      CsrfToken: {
        name: CSRF_HEADER,
        in: 'header',
        required: false,
        description:
          "The session's CSRF token (`csrfToken` of the login answer); required when the request authenticates " +
          'with the session cookie, ignored with an API token.',
        schema: { type: 'string' },
      },
      AlarmId: { name: 'id', in: 'path', required: true, description: 'The alarm id.', schema: schema('Id') },
      PlanId: {
        name: 'id',
        in: 'path',
        required: true,
        description: 'The plan id.',
        schema: schema('Id'),
        example: 'escalate',
      },
      PlanVersion: {
        name: 'version',
        in: 'path',
        required: true,
        description: 'The version.',
        schema: { type: 'integer', minimum: 1, maximum: 999999999 },
        example: 1,
      },
    },
    headers: {
      Location: {
        description: 'The alarm’s URL, `/api/v1/alarms/{id}`.',
        required: true,
        schema: { type: 'string', format: 'uri-reference' },
      },
      PlanLocation: {
        description: 'The new version’s URL, `/api/v1/plans/{id}/versions/{version}`.',
        required: true,
        schema: { type: 'string', format: 'uri-reference' },
      },
      RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
      RetryAfterRequired: {
        description: 'Seconds to wait before trying again.',
        required: true,
        schema: { type: 'integer', minimum: 1 },
      },
      WWWAuthenticate: {
        description:
          'The scheme to authenticate with, `Bearer realm="tocsin"`; sent when the request carried no valid ' +
          'session and no Authorization header.',
        schema: { type: 'string' },
      },
      SessionCookie: {
        description: `The session: \`${SESSION_COOKIE}=<id>; path=/; samesite=lax; httponly\` (and \`secure\` under TLS).`,
        required: true,
        schema: { type: 'string' },
      },
      ClearSessionCookie: {
        description: `Clears \`${SESSION_COOKIE}\` (an empty value that has expired).`,
        required: true,
        schema: { type: 'string' },
      },
      ...configApi.headers,
    },
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API token: `Authorization: Bearer <token>`. It acts for its owner, limited to its scope ' +
          '(permissions and environments), until it expires or is revoked.',
      },
      cookie: {
        type: 'apiKey',
        in: 'cookie',
        name: SESSION_COOKIE,
        description:
          'The session cookie of POST /api/v1/auth/login. A change made with it (any method but GET, HEAD and ' +
          `OPTIONS) must also carry the session's CSRF token (\`csrfToken\` of the login answer) in \`${CSRF_HEADER}\`; ` +
          'a session ends after a while idle, after a fixed lifetime, at logout, and when its password changes elsewhere.',
      },
    },
  },
};
