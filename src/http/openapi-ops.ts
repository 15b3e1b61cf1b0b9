/**
 * The operations part of the OpenAPI document (src/http/app.ts): liveness, readiness, the
 * Prometheus metrics and this document itself. Spread into src/http/openapi.ts.
 */
import type { PathItemObject, SchemaObject } from './openapi.ts';
import { json, problem, schema, storeErrors } from './openapi-parts.ts';

const schemas: Record<string, SchemaObject> = {
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

/** GET /healthz, /readyz and /metrics. */
const paths: Record<string, PathItemObject> = {
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
};

/** GET /api/v1/openapi.json; the document lists it after the plans (see openapi.ts). */
const documentPaths: Record<string, PathItemObject> = {
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
};

/** What openapi.ts spreads into its document. */
export const opsApi = {
  tag: { name: 'operations', description: 'Health, readiness, metrics and this document.' },
  paths,
  documentPaths,
  schemas,
} as const;
