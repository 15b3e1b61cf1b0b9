/**
 * The replay part of the OpenAPI document (src/http/replay-routes.ts), spread into
 * src/http/openapi.ts.
 */
import type { PathItemObject, SchemaObject } from './openapi.ts';
import { json, problem, ref, response, schema } from './openapi-parts.ts';

const ms = (description: string): SchemaObject => ({ type: 'integer', minimum: 0, description });
const planRef: SchemaObject = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]{1,64}@[1-9][0-9]{0,8}$',
  description: 'A plan version, `id@version`.',
};
const guards: SchemaObject = {
  type: 'array',
  items: {
    type: 'object',
    required: ['guard', 'result'],
    additionalProperties: false,
    properties: { guard: { type: 'string' }, result: { type: 'boolean' } },
  },
};

const schemas: Record<string, SchemaObject> = {
  AlarmPlan: {
    type: 'object',
    required: ['alarmId', 'plan', 'definition'],
    additionalProperties: false,
    properties: {
      alarmId: schema('Id'),
      plan: planRef,
      definition: { type: 'object', description: 'The plan as published (statechart JSON, its key order kept).' },
    },
  },
  ReplayStep: {
    type: ['object', 'null'],
    required: ['state', 'effects', 'guards'],
    additionalProperties: false,
    description: 'One step: the state it led to, its effects and its guard results, as the protocol records them.',
    properties: { state: { type: 'string' }, effects: { type: 'array' }, guards },
  },
  ReplayVerdict: {
    oneOf: [
      {
        type: 'object',
        required: ['alarmId', 'plan', 'ok', 'steps'],
        additionalProperties: false,
        properties: {
          alarmId: schema('Id'),
          plan: planRef,
          ok: { const: true },
          steps: { type: 'integer', minimum: 1, description: 'Protocol entries replayed, all reproduced.' },
        },
      },
      {
        type: 'object',
        required: ['alarmId', 'plan', 'ok', 'seq', 'reason', 'expected', 'actual'],
        additionalProperties: false,
        properties: {
          alarmId: schema('Id'),
          plan: planRef,
          ok: { const: false },
          seq: { type: 'integer', minimum: 0, description: 'The first entry that does not reproduce.' },
          reason: {
            type: 'string',
            description: 'Why: a different state, different effects, different guard results, a broken chain.',
          },
          expected: { ...schema('ReplayStep'), description: 'What the recording says (null for a broken chain).' },
          actual: {
            ...schema('ReplayStep'),
            description: 'What the replay computed (null for a broken chain or a plan that failed).',
          },
        },
      },
    ],
  },
  WhatIfRequest: {
    type: 'object',
    required: ['plan'],
    additionalProperties: false,
    description:
      'The alternative plan version and the alarms: a list of ids, or a time range [from, to) of raise times ' +
      '(at most `limit` alarms in it, default 100, else 422).',
    properties: {
      plan: planRef,
      alarms: { type: 'array', minItems: 1, maxItems: 500, items: schema('Id') },
      from: { type: 'string', format: 'date-time', description: 'Raised at or after (with an offset).' },
      to: { type: 'string', format: 'date-time', description: 'Raised before (with an offset).' },
      limit: { type: 'integer', minimum: 1, maximum: 500, description: 'With a range: the most alarms it may hold.' },
    },
    examples: [{ plan: 'escalate@1', from: '2026-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' }],
  },
  WhatIfOutcome: {
    type: 'object',
    required: ['notifications', 'end'],
    additionalProperties: false,
    properties: {
      notifications: {
        type: 'array',
        items: {
          type: 'object',
          required: ['recipient', 'at', 'group', 'round'],
          additionalProperties: false,
          properties: {
            recipient: { type: 'string' },
            at: ms('Milliseconds after the raise.'),
            group: { type: 'string' },
            round: { type: 'integer', minimum: 0 },
          },
        },
      },
      end: {
        type: 'object',
        required: ['state', 'at', 'status'],
        additionalProperties: false,
        properties: {
          state: { type: 'string' },
          at: ms('The last step, milliseconds after the raise.'),
          status: { enum: ['active', 'ended'] },
        },
      },
      reason: {
        enum: ['final', 'idle', 'horizon', 'maxSteps'],
        description: 'Alternative only: why the virtual run stopped (`horizon`: the present, or 7 days).',
      },
    },
  },
  WhatIfDifference: {
    type: 'object',
    required: ['kind'],
    description:
      '`only-recorded`/`only-alternative` (`recipient`, `at`), `notified-at-another-time` (`recipient`, ' +
      '`recordedAt`, `alternativeAt`), `end-state`/`end-time` (`recorded`, `alternative`), ' +
      '`response-from-not-notified` (`seq`, `by`, `at`: still fed in), `delivery-skipped` (`seq`, `recipient`, ' +
      '`at`: dropped, the alternative had no open notification to them).',
    properties: {
      kind: {
        enum: [
          'only-recorded',
          'only-alternative',
          'notified-at-another-time',
          'end-state',
          'end-time',
          'response-from-not-notified',
          'delivery-skipped',
        ],
      },
    },
  },
  WhatIfReport: {
    type: 'object',
    required: ['plan', 'alarms', 'summary'],
    additionalProperties: false,
    properties: {
      plan: planRef,
      alarms: {
        type: 'array',
        description:
          'Oldest first. An alarm whose protocol does not verify, or under which the plan fails, has `error`.',
        items: {
          type: 'object',
          required: ['alarmId', 'raisedAt', 'plan'],
          additionalProperties: false,
          properties: {
            alarmId: schema('Id'),
            raisedAt: { type: 'string', format: 'date-time' },
            plan: { ...planRef, description: 'The plan the alarm actually ran.' },
            changed: { type: 'boolean' },
            recorded: schema('WhatIfOutcome'),
            alternative: schema('WhatIfOutcome'),
            differences: { type: 'array', items: schema('WhatIfDifference') },
            error: { type: 'string' },
          },
        },
      },
      summary: {
        type: 'object',
        required: [
          'alarms',
          'changed',
          'unchanged',
          'failed',
          'recordedNotifications',
          'alternativeNotifications',
          'endStateChanged',
        ],
        additionalProperties: false,
        properties: Object.fromEntries(
          [
            'alarms',
            'changed',
            'unchanged',
            'failed',
            'recordedNotifications',
            'alternativeNotifications',
            'endStateChanged',
          ].map((k) => [k, { type: 'integer', minimum: 0 }]),
        ),
      },
    },
  },
};

const paths: Record<string, PathItemObject> = {
  '/api/v1/alarms/{id}/replay': {
    parameters: [ref('parameters', 'AlarmId')],
    get: {
      operationId: 'replayAlarm',
      summary: 'Replay an alarm under its pinned plan',
      description:
        'Folds the recorded inputs through the pinned plan version and compares every recomputed state, effect ' +
        'and guard result with the protocol (after checking the hash chain up to the alarm’s head). `ok: false` ' +
        'names the first diverging entry with what the recording says and what the replay computed.',
      tags: ['replay'],
      responses: {
        '200': { description: 'The verdict.', content: json(schema('ReplayVerdict')) },
        '404': response('NotFound'),
        '422': response('InvalidId'),
      },
    },
  },
  '/api/v1/alarms/{id}/plan': {
    parameters: [ref('parameters', 'AlarmId')],
    get: {
      operationId: 'getAlarmPlan',
      summary: 'Read the plan an alarm is pinned to',
      description:
        'The plan version the alarm runs (or ran) under, as published: for the timeline’s statechart and for ' +
        'reading a replay. Needs what reading the alarm’s protocol needs (`operation.protocol`), not the plan ' +
        'editor’s permission; only alarms of the caller’s environments.',
      tags: ['replay'],
      responses: {
        '200': { description: 'The alarm’s plan.', content: json(schema('AlarmPlan')) },
        '404': problem('No such alarm in the caller’s environments, or its plan is gone (`not-found`).'),
        '422': response('InvalidId'),
      },
    },
  },
  '/api/v1/replay/what-if': {
    post: {
      operationId: 'whatIf',
      summary: 'Replay alarms under another plan version',
      description:
        'Re-runs each alarm’s recorded inputs (responses, cancels, signals, delivery results at their recorded ' +
        'times) under the given plan on a virtual timeline whose timers come from that plan’s own delays, and ' +
        'reports who would have been notified and when (ms after the raise) against what happened. A response ' +
        'from someone the alternative did not notify is still fed in (`response-from-not-notified`); a delivery ' +
        'result for a recipient without an open notification there is dropped (`delivery-skipped`). Only alarms ' +
        'and plans of the caller’s environments; every run is written to the access log (`replay.what-if`).',
      tags: ['replay'],
      requestBody: { required: true, content: json(schema('WhatIfRequest')) },
      responses: {
        '200': { description: 'Per alarm and in sum.', content: json(schema('WhatIfReport')) },
        '400': response('BadRequest'),
        '404': problem('No such plan version, or no such alarm (`not-found`).'),
        '413': response('PayloadTooLarge'),
        '415': response('UnsupportedMediaType'),
        '422': problem(
          'The body does not match the schema, or the time range holds more alarms than `limit` (`validation`).',
        ),
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const replayApi = {
  tag: {
    name: 'replay',
    description: 'Replay an alarm exactly under its pinned plan; what-if under another plan version.',
  },
  paths,
  schemas,
} as const;
