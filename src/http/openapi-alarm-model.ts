/**
 * The read side of the alarms part of the OpenAPI document: the schemas of the alarm read model
 * that GET /api/v1/alarms and GET /api/v1/alarms/{id} answer (facts, plan state, recipients, armed
 * timers) and of an alarm's hash-chained protocol. Spread into the schemas of ./openapi-alarms.ts.
 */
import type { SchemaObject } from './openapi.ts';
import { isoTime, isoTimeOrNull, schema } from './openapi-parts.ts';

const hex64 = (description: string): SchemaObject => ({ type: 'string', pattern: '^[0-9a-f]{64}$', description });

const notificationStatuses = ['pending', 'sent', 'delivered', 'read', 'accepted', 'rejected', 'failed', 'withdrawn'];

/** AlarmSummary, AlarmList, PlanRef, Recipient, PendingTimer and Alarm. */
export const alarmSchemas: Record<string, SchemaObject> = {
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
};

/** Actor, ProtocolEntry, ChainCheck and Protocol: GET /api/v1/alarms/{id}/protocol. */
export const alarmProtocolSchemas: Record<string, SchemaObject> = {
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
};
