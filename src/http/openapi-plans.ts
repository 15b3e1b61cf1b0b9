/**
 * The plans part of the OpenAPI document (src/http/plan-routes.ts, src/http/plan-version-routes.ts):
 * the plan format's JSON Schema; validate, analyse and simulate a plan; publish, list, export,
 * diff, disable and enable plan versions. Spread into src/http/openapi.ts.
 */
import { builtinPlans } from '../../machines/builtin-plans.ts';
import type { HeaderObject, ParameterObject, PathItemObject, ResponseObject, SchemaObject } from './openapi.ts';
import {
  bodyErrors,
  isoTime,
  isoTimeOrNull,
  json,
  problem,
  ref,
  response,
  schema,
  storeErrors,
} from './openapi-parts.ts';

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
};

const responses: Record<string, ResponseObject> = {
  PlanNotFound: problem('No such plan version (`not-found`).'),
  InvalidPlanParameter: problem('A path or query parameter is malformed (`validation`; `errors` names it).'),
};

const parameters: Record<string, ParameterObject> = {
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
};

const headers: Record<string, HeaderObject> = {
  PlanLocation: {
    description: 'The new version’s URL, `/api/v1/plans/{id}/versions/{version}`.',
    required: true,
    schema: { type: 'string', format: 'uri-reference' },
  },
};

const planIdParam = ref('parameters', 'PlanId');
const versionParam = ref('parameters', 'PlanVersion');
/** The answers of an operation on one plan version. */
const planVersionErrors = {
  '404': response('PlanNotFound'),
  '422': response('InvalidPlanParameter'),
  ...storeErrors,
};
/** POST …/versions/{version}/disable or …/enable: both idempotent, both answer the version's new state. */
const planVersionAction = (action: 'disable' | 'enable'): PathItemObject => ({
  parameters: [planIdParam, versionParam],
  post: {
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
  },
});

const paths: Record<string, PathItemObject> = {
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
      description: 'Worst-case times to the first notification and the last escalation, maximum notifications, paths.',
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
  '/api/v1/plans/{id}/versions/{version}/disable': planVersionAction('disable'),
  '/api/v1/plans/{id}/versions/{version}/enable': planVersionAction('enable'),
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
};

/** What openapi.ts spreads into its document. */
export const plansApi = {
  tag: { name: 'plans', description: 'Validate, analyse, simulate, publish, export and disable escalation plans.' },
  paths,
  schemas,
  responses,
  parameters,
  headers,
} as const;
