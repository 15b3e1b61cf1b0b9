/**
 * The System part of the OpenAPI document (src/http/system-routes.ts): interface status,
 * monitor, restart and supervision alarms; spread into src/http/openapi.ts.
 */
import { ID_PATTERN } from '../domain/config-model.ts';
import { INTERFACE_KINDS, INTERFACE_STATES } from '../ports/system-control.ts';
import type { PathItemObject, SchemaObject } from './openapi.ts';
import { bodyErrors, json, problem, schema } from './openapi-parts.ts';
import { RESTART_REASON_MAX } from './system-routes.ts';

const counts = (description: string): SchemaObject => ({
  type: 'object',
  description,
  additionalProperties: { type: 'number', minimum: 0 },
});
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };

const schemas: Record<string, SchemaObject> = {
  InterfaceStatus: {
    type: 'object',
    required: ['id', 'kind', 'state', 'detail'],
    additionalProperties: false,
    properties: {
      id: {
        type: 'string',
        description: '`dect`, `espa444-<line>`, `espax`, `notifier`, `scheduler`, `store`, `change-feed`, `lease`.',
      },
      kind: { enum: [...INTERFACE_KINDS] },
      state: {
        enum: [...INTERFACE_STATES],
        description:
          '`up` working; `connecting` opening (connecting, logging in, subscribing); `down` failed, retrying by ' +
          'itself; `standby` another node holds the device-link lease; `stopped` not running on this node.',
      },
      since: { ...dateTime, description: 'Since when it is in this state (its last link event or start), when known.' },
      detail: {
        type: 'object',
        description:
          'Kind-specific facts: DECT `omm`, `phase`, `handsets`, `loggedOn`, `switchedOff`; ESPA 4.4.4 `role`, ' +
          '`mode`, `address`; ESPA-X `port`, `connections`; scheduler `scheduler` (embedded or bullmq), `armed`; ' +
          'store `store` (postgres or pglite).',
        additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
      },
    },
  },
  LinkLease: {
    type: 'object',
    required: ['name', 'node', 'heldHere'],
    additionalProperties: false,
    description: 'Cluster mode: the lease under which one node holds the DECT and ESPA 4.4.4 links.',
    properties: {
      name: { type: 'string' },
      node: { type: 'string', description: 'This node as a lease holder (host:pid:random).' },
      heldHere: { type: 'boolean' },
      holder: { type: 'string', description: 'Who holds (or last held) the lease, as the store tells.' },
      expiresAt: { ...dateTime, description: 'When that lease runs out unless renewed.' },
    },
  },
  SystemInterfaces: {
    type: 'object',
    required: ['mode', 'restarting', 'interfaces'],
    additionalProperties: false,
    properties: {
      mode: { enum: ['embedded', 'cluster'] },
      restarting: { enum: ['interfaces', 'server', null], description: 'A restart that is running, if any.' },
      lease: schema('LinkLease'),
      interfaces: { type: 'array', items: schema('InterfaceStatus') },
    },
  },
  MonitorDigest: {
    type: 'object',
    required: [
      'at',
      'uptimeSeconds',
      'memory',
      'alarms',
      'steps',
      'notifications',
      'timerLateness',
      'timersArmed',
      'supervisionEvents',
    ],
    additionalProperties: false,
    properties: {
      at: dateTime,
      uptimeSeconds: { type: 'number', minimum: 0 },
      memory: {
        type: 'object',
        required: ['residentBytes', 'heapUsedBytes'],
        additionalProperties: false,
        properties: {
          residentBytes: { type: ['number', 'null'] },
          heapUsedBytes: { type: ['number', 'null'] },
        },
      },
      alarms: {
        type: 'object',
        required: ['active', 'activeByState'],
        additionalProperties: false,
        properties: {
          active: { type: 'number', minimum: 0 },
          activeByState: counts('`tocsin_alarms_active` by plan state.'),
        },
      },
      steps: counts('`tocsin_events_processed_total` by kind (raised, event, timer) since the process started.'),
      notifications: {
        type: 'object',
        required: ['sent', 'failed'],
        additionalProperties: false,
        properties: {
          sent: counts('Notifications handed to a channel, by channel (`tocsin_notify_latency_seconds_count`).'),
          failed: { type: 'number', minimum: 0, description: 'Failed notification attempts.' },
        },
      },
      timerLateness: {
        type: 'object',
        required: ['count', 'sum', 'p99'],
        additionalProperties: false,
        description: '`tocsin_timer_lateness_seconds`: how late durable timers ran.',
        properties: {
          count: { type: 'number', minimum: 0 },
          sum: { type: 'number', minimum: 0, description: 'Seconds.' },
          p99: {
            type: ['number', 'null'],
            description: 'The upper bound (s) of the bucket holding the 99th percentile.',
          },
        },
      },
      timersArmed: { type: 'number', minimum: 0 },
      supervisionEvents: counts('`tocsin_supervision_events_total` by reason, e.g. `dect-link-down`.'),
    },
  },
  RestartRequest: {
    type: 'object',
    required: ['scope', 'reason'],
    additionalProperties: false,
    properties: {
      scope: {
        enum: ['interfaces', 'server'],
        description:
          '`interfaces`: the device links close and open again in this process (cluster: the lease is released ' +
          'and asked for again). `server`: Tocsin stops gracefully and its process host starts it again.',
      },
      reason: {
        type: 'string',
        minLength: 1,
        maxLength: RESTART_REASON_MAX,
        pattern: '\\S',
        description: 'Why; written to the access log.',
      },
    },
    examples: [{ scope: 'interfaces', reason: 'OMM replaced' }],
  },
  RestartAnswer: {
    type: 'object',
    required: ['scope', 'status'],
    additionalProperties: false,
    properties: {
      scope: { enum: ['interfaces', 'server'] },
      status: { enum: ['restarted', 'restarting'] },
    },
  },
  SupervisedInterface: {
    type: 'object',
    required: ['id', 'title', 'events', 'environment', 'device'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', description: '`dect`, `dect-handsets`, `espa444-<line>`, `espax`, `plans`.' },
      title: { type: 'string' },
      events: { type: 'array', items: { type: 'string' }, description: 'The supervision events it watches.' },
      environment: {
        type: 'string',
        description: 'The environment whose supervision alarm type it raises (`*`: the alarm’s own).',
      },
      device: { type: 'string', description: 'The `source.device` of its alarms (`source.adapter` is `supervision`).' },
    },
  },
  SupervisionEnvironment: {
    type: 'object',
    required: ['id', 'name', 'supervisionAlarmType', 'version', 'alarmTypes'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      supervisionAlarmType: { type: ['string', 'null'], description: 'null: supervision events raise no alarm.' },
      version: { type: 'integer', minimum: 0 },
      alarmTypes: { type: 'array', items: { type: 'string' }, description: 'The alarm types it may choose.' },
    },
  },
  SupervisionAlarm: {
    type: 'object',
    required: ['id', 'type', 'text', 'environment', 'device', 'status', 'raisedAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      type: { type: 'string' },
      text: { type: 'string' },
      environment: { type: 'string' },
      device: { type: 'string' },
      status: { enum: ['active', 'ended'] },
      raisedAt: dateTime,
      endedAt: dateTime,
    },
  },
  Supervision: {
    type: 'object',
    required: ['interfaces', 'environments', 'alarms'],
    additionalProperties: false,
    properties: {
      interfaces: { type: 'array', items: schema('SupervisedInterface') },
      environments: { type: 'array', items: schema('SupervisionEnvironment') },
      alarms: {
        type: 'array',
        items: schema('SupervisionAlarm'),
        description: 'The newest supervision alarms, newest first, at most 50.',
      },
    },
  },
  SupervisionAssignment: {
    type: 'object',
    required: ['alarmType'],
    additionalProperties: false,
    properties: {
      alarmType: {
        type: ['string', 'null'],
        pattern: ID_PATTERN.source,
        description: 'An alarm type of the environment; null: supervision events raise no alarm there.',
      },
    },
    examples: [{ alarmType: 'generic' }],
  },
  SupervisionAssigned: {
    type: 'object',
    required: ['environment', 'supervisionAlarmType', 'version', 'changed'],
    additionalProperties: false,
    properties: {
      environment: { type: 'string' },
      supervisionAlarmType: { type: ['string', 'null'] },
      version: { type: 'integer', minimum: 1, description: 'The environment’s version after the change.' },
      changed: { type: 'boolean', description: 'false: it was assigned already; nothing was recorded.' },
    },
  },
};

const paths: Record<string, PathItemObject> = {
  '/api/v1/system/interfaces': {
    get: {
      operationId: 'getSystemInterfaces',
      summary: 'The state of every interface on this node',
      description:
        'The DECT link (OMM address, handsets), each ESPA 4.4.4 line, the ESPA-X server (port, connections), the ' +
        'notification channel, the scheduler, the store and its change feed, and in cluster mode the device-link ' +
        'lease: whether this node holds it, who does and until when.',
      tags: ['system'],
      responses: { '200': { description: 'The interfaces.', content: json(schema('SystemInterfaces')) } },
    },
  },
  '/api/v1/system/monitor': {
    get: {
      operationId: 'getSystemMonitor',
      summary: 'A digest of the metrics',
      description:
        'What GET /metrics has, as JSON: active alarms, committed steps, notifications sent and failed, timer ' +
        'lateness, supervision events by reason, uptime and memory of this process.',
      tags: ['system'],
      responses: { '200': { description: 'The digest.', content: json(schema('MonitorDigest')) } },
    },
  },
  '/api/v1/system/restart': {
    post: {
      operationId: 'restartSystem',
      summary: 'Restart the device links or the server',
      description:
        '`interfaces` answers 200 once the device links are opening again; alarms, timers and the API keep ' +
        'running. `server` answers 202, then stops Tocsin gracefully (durable state written, the lease released) ' +
        'and exits with code 75 so that its process host (systemd, Docker) starts it again. One restart at a ' +
        'time. Every attempt is in the access log (`maintenance.restart`, with the scope and the reason).',
      tags: ['system'],
      requestBody: { required: true, content: json(schema('RestartRequest')) },
      responses: {
        '200': { description: 'The device links were restarted.', content: json(schema('RestartAnswer')) },
        '202': { description: 'The server is restarting.', content: json(schema('RestartAnswer')) },
        ...bodyErrors,
        '409': problem(
          'A restart is running, or (`server`) this process has no host to start it again, i.e. it was not ' +
            'started by `tocsin start` (`conflict`).',
        ),
        '422': problem('The body is invalid (`validation`).'),
      },
    },
  },
  '/api/v1/system/supervision': {
    get: {
      operationId: 'getSupervision',
      summary: 'Supervision alarms',
      description:
        'Every supervised interface with the events it watches and the environment whose supervision alarm type ' +
        'it raises; each environment of the caller with its supervision alarm type; the recent supervision alarms ' +
        '(source adapter `supervision`) of the caller’s environments.',
      tags: ['system'],
      responses: { '200': { description: 'The supervision alarms.', content: json(schema('Supervision')) } },
    },
  },
  '/api/v1/system/supervision/{environment}': {
    parameters: [
      {
        name: 'environment',
        in: 'path',
        required: true,
        description: 'The environment id.',
        schema: { type: 'string', pattern: ID_PATTERN.source },
        example: 'default',
      },
    ],
    put: {
      operationId: 'assignSupervisionAlarmType',
      summary: 'Choose the alarm type an environment raises for supervision events',
      description:
        'Sets (or with null clears) the environment’s `supervisionAlarmType` through the configuration: a new ' +
        'version of the environment, in GET /api/v1/config/changes and the access log (`config.change`).',
      tags: ['system'],
      requestBody: { required: true, content: json(schema('SupervisionAssignment')) },
      responses: {
        '200': { description: 'Assigned.', content: json(schema('SupervisionAssigned')) },
        ...bodyErrors,
        '404': problem('No such environment, or one the caller does not hold (`not-found`).'),
        '412': problem('The environment changed meanwhile; read it again (`precondition-failed`).'),
        '422': problem('The environment id or the body is invalid, or the alarm type does not exist (`validation`).'),
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const systemApi = {
  tag: {
    name: 'system',
    description: 'Interface status, monitor, restart and supervision alarms.',
  },
  paths,
  schemas,
} as const;
