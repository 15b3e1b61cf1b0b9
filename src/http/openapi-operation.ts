/**
 * The operator's part of the OpenAPI document (src/http/operation-routes.ts): forward, cancel
 * all, the forward targets and the contacts. Spread into src/http/openapi.ts.
 */
import type { PathItemObject, SchemaObject } from './openapi.ts';
import { bodyErrors, json, problem, ref, response, schema } from './openapi-parts.ts';

const named = (description: string): SchemaObject => ({
  type: 'object',
  required: ['id', 'name', 'environment'],
  additionalProperties: false,
  description,
  properties: { id: { type: 'string' }, name: { type: 'string' }, environment: { type: 'string' } },
});

const schemas: Record<string, SchemaObject> = {
  ForwardRequest: {
    type: 'object',
    required: ['to'],
    additionalProperties: false,
    properties: {
      to: {
        type: 'string',
        minLength: 1,
        maxLength: 80,
        pattern: '^[^\\s/]+$',
        description:
          'The recipient: a user’s login name, `group:<id>` (its members present now; a bare group id that is ' +
          'no login name works too), `contact:<id>` or `device:<id>`, of the alarm’s environment.',
      },
      text: {
        type: 'string',
        minLength: 1,
        maxLength: 500,
        description: 'Shown to the recipient instead of the alarm’s text.',
      },
    },
    examples: [{ to: 'admin', text: 'Please take over: smoke in hold 2' }],
  },
  Forwarded: {
    type: 'object',
    required: ['forwarded', 'recipients'],
    additionalProperties: false,
    properties: {
      forwarded: { const: true },
      recipients: { type: 'array', items: { type: 'string' }, description: 'The addresses notified.' },
    },
  },
  CancelAllRequest: {
    type: 'object',
    required: ['alarms', 'presences'],
    additionalProperties: false,
    properties: {
      alarms: { type: 'boolean', description: 'Cancel every active alarm of the caller’s environments.' },
      presences: {
        type: 'boolean',
        description: 'Log every member out of the presence-tracked groups of the caller’s environments.',
      },
      reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Recorded with every cancel.' },
    },
    examples: [{ alarms: true, presences: false, reason: 'drill over' }],
  },
  CancelledAll: {
    type: 'object',
    required: ['alarms', 'presences'],
    additionalProperties: false,
    properties: {
      alarms: { type: 'integer', minimum: 0, description: 'Alarms cancelled by this request.' },
      presences: { type: 'integer', minimum: 0, description: 'Members logged out by this request.' },
    },
  },
  ForwardTargets: {
    type: 'object',
    required: ['users', 'groups', 'contacts'],
    additionalProperties: false,
    properties: {
      users: {
        type: 'array',
        description: 'Users who may receive notifications (their `id` is the login name).',
        items: {
          type: 'object',
          required: ['id', 'name', 'environments'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            environments: { type: 'array', items: { type: 'string' } },
          },
        },
      },
      groups: { type: 'array', items: named('A notification group (`group:<id>`).') },
      contacts: { type: 'array', items: named('A contact (`contact:<id>`).') },
    },
  },
  ContactList: {
    type: 'object',
    required: ['contacts'],
    additionalProperties: false,
    properties: {
      contacts: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'name', 'environment'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            environment: { type: 'string' },
            email: { type: 'string' },
            phone: { type: 'string' },
          },
        },
      },
    },
  },
};

const paths: Record<string, PathItemObject> = {
  '/api/v1/alarms/{id}/forward': {
    parameters: [ref('parameters', 'AlarmId')],
    post: {
      operationId: 'forwardAlarm',
      summary: 'Forward an alarm to another recipient',
      description:
        'An operator hands a running alarm to a user, a group, a contact or a device: recorded as a `FORWARD` ' +
        'step in the alarm’s protocol with the operator as actor; each recipient gets a notification (group ' +
        '`forward:<n>`) through the outbox, and may accept or reject it like any other.',
      tags: ['alarms'],
      requestBody: { required: true, content: json(schema('ForwardRequest')) },
      responses: {
        '202': { description: 'Forwarded.', content: json(schema('Forwarded')) },
        ...bodyErrors,
        '404': response('NotFound'),
        '409': response('AlarmEnded'),
        '422': problem(
          'The id or the body is invalid, or the recipient is unknown in the alarm’s environment (`validation`).',
        ),
      },
    },
  },
  '/api/v1/alarms/cancel-all': {
    post: {
      operationId: 'cancelAllAlarms',
      summary: 'Cancel all alarms (and presences)',
      description:
        'Cancels every active alarm of the caller’s environments, each an ordinary cancel recorded in its ' +
        'protocol with the caller as actor, and with `presences` logs every member out of the presence-tracked ' +
        'groups there. A retry does no harm (what has ended is skipped). In the access log (`alarms.cancel-all`).',
      tags: ['alarms'],
      requestBody: { required: true, content: json(schema('CancelAllRequest')) },
      responses: {
        '200': { description: 'What was cancelled.', content: json(schema('CancelledAll')) },
        ...bodyErrors,
        '422': problem('The body is invalid (`validation`).'),
      },
    },
  },
  '/api/v1/forward-targets': {
    get: {
      operationId: 'listForwardTargets',
      summary: 'Whom an alarm can be forwarded to',
      description: 'Users, notification groups and contacts of the caller’s environments.',
      tags: ['alarms'],
      responses: { '200': { description: 'The targets.', content: json(schema('ForwardTargets')) } },
    },
  },
  '/api/v1/contacts': {
    get: {
      operationId: 'listOperatorContacts',
      summary: 'The contacts',
      description: 'The contacts of the caller’s environments, read-only (the configuration edits them).',
      tags: ['alarms'],
      responses: { '200': { description: 'The contacts.', content: json(schema('ContactList')) } },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const operationApi = { paths, schemas } as const;
