/**
 * The published JSON Schema (draft 2020-12) of the plan authoring format: the safe subset of an
 * XState machine config from DESIGN.md ("Plans as statechart JSON"). Action, guard and delay
 * names are enumerated from the registry so editors autocomplete them, with each one's params.
 * The schema is for editors; plan-validate.ts is the authority (it also checks targets,
 * reachability, dead ends, `always` loops, sizes and groups, which a schema cannot).
 */
import { registeredNames } from './registry.ts';
import { paramSpecs, type RegisteredSpec } from './registry-params.ts';

/** Limits shared by the schema and the validator. */
export const PLAN_LIMITS = {
  /** Largest delay: 7 days in milliseconds. */
  maxDelayMs: 7 * 24 * 3600 * 1000,
  /** Deepest nesting of states below the root. */
  maxStateDepth: 12,
  /** Most states in one plan (the root not counted). */
  maxStates: 200,
  /** Largest plan, serialised as JSON, in bytes. */
  maxBytes: 256 * 1024,
  /** Deepest nesting of any JSON value (guards against stack exhaustion in `context`). */
  maxJsonDepth: 64,
} as const;

export const STATE_KEY_PATTERN = '^[A-Za-z0-9_-]+$';

const names = (kind: 'actions' | 'guards' | 'delays'): string[] => [...registeredNames[kind]];
const specOf = (kind: 'actions' | 'guards' | 'delays', name: string): RegisteredSpec | undefined =>
  (paramSpecs[kind] as Record<string, RegisteredSpec>)[name];

/** `name` or `{type: name, params}` for each registered name of `kind`. */
function reference(kind: 'actions' | 'guards') {
  const list = names(kind);
  return {
    anyOf: [
      { $ref: `#/$defs/${kind === 'actions' ? 'actionName' : 'guardName'}` },
      ...list.map((name) => ({
        type: 'object',
        description: specOf(kind, name)?.doc ?? name,
        properties: { type: { const: name }, params: specOf(kind, name)?.params ?? {} },
        required: ['type'],
        additionalProperties: false,
      })),
    ],
  };
}

const stateProperties = {
  description: { type: 'string', maxLength: 2000 },
  entry: { $ref: '#/$defs/actions' },
  exit: { $ref: '#/$defs/actions' },
  on: { $ref: '#/$defs/on' },
  after: { $ref: '#/$defs/after' },
  always: { $ref: '#/$defs/transitions' },
  initial: { type: 'string', pattern: STATE_KEY_PATTERN, description: 'The child state entered first.' },
  states: { $ref: '#/$defs/states' },
};

export const planJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:tocsin:schema:plan',
  title: 'Tocsin escalation plan',
  description:
    'An XState machine config restricted to a safe subset: no invoke, no code; actions, guards and delays by registered name.',
  type: 'object',
  properties: {
    id: { type: 'string', pattern: STATE_KEY_PATTERN, maxLength: 64 },
    context: {
      type: 'object',
      description:
        'Extra context; alarm, groups, params, presence, round, notifications and current are set by the runtime.',
    },
    ...stateProperties,
  },
  required: ['id', 'initial', 'states'],
  additionalProperties: false,
  $defs: {
    actionName: {
      enum: names('actions'),
      description: names('actions')
        .map((n) => `${n}: ${specOf('actions', n)?.doc ?? ''}`)
        .join('\n'),
    },
    guardName: {
      enum: names('guards'),
      description: names('guards')
        .map((n) => `${n}: ${specOf('guards', n)?.doc ?? ''}`)
        .join('\n'),
    },
    delayName: {
      enum: names('delays'),
      description: names('delays')
        .map((n) => `${n}: ${specOf('delays', n)?.doc ?? ''}`)
        .join('\n'),
    },
    action: reference('actions'),
    guard: reference('guards'),
    actions: { anyOf: [{ $ref: '#/$defs/action' }, { type: 'array', items: { $ref: '#/$defs/action' } }] },
    target: {
      type: 'string',
      description:
        'A sibling state (`name` or `name.child`), a child of this state (`.child`), or an absolute `#<plan id>.<path>`.',
      pattern: '^(#[A-Za-z0-9_-]+|\\.?[A-Za-z0-9_-]+)(\\.[A-Za-z0-9_-]+)*$',
    },
    transition: {
      anyOf: [
        { $ref: '#/$defs/target' },
        {
          type: 'object',
          properties: {
            target: {
              anyOf: [{ $ref: '#/$defs/target' }, { type: 'array', items: { $ref: '#/$defs/target' }, minItems: 1 }],
            },
            guard: { $ref: '#/$defs/guard' },
            actions: { $ref: '#/$defs/actions' },
            reenter: { type: 'boolean' },
            description: { type: 'string', maxLength: 2000 },
          },
          additionalProperties: false,
        },
      ],
    },
    transitions: {
      anyOf: [{ $ref: '#/$defs/transition' }, { type: 'array', items: { $ref: '#/$defs/transition' } }],
    },
    on: {
      type: 'object',
      propertyNames: { minLength: 1, maxLength: 128, not: { pattern: '^xstate\\.' } },
      additionalProperties: { $ref: '#/$defs/transitions' },
    },
    after: {
      type: 'object',
      description: `Delays: integer milliseconds 1..${PLAN_LIMITS.maxDelayMs} (7 days) or a registered delay name.`,
      propertyNames: { anyOf: [{ pattern: '^[1-9][0-9]{0,8}$' }, { $ref: '#/$defs/delayName' }] },
      additionalProperties: { $ref: '#/$defs/transitions' },
    },
    states: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: STATE_KEY_PATTERN, not: { enum: ['__proto__', 'constructor', 'prototype'] } },
      additionalProperties: { $ref: '#/$defs/state' },
    },
    state: {
      type: 'object',
      properties: { type: { enum: ['final', 'parallel'] }, ...stateProperties },
      additionalProperties: false,
    },
  },
} as const;
