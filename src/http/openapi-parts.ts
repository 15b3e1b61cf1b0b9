/**
 * The small builders every part of the OpenAPI document uses (openapi-alarms.ts, openapi-plans.ts,
 * openapi-config.ts, openapi-users.ts and the others): component references, a JSON body, a
 * problem answer, the body's and the store's error answers, time schemas. Types only from
 * openapi.ts, so that the parts can be spread into it without an import cycle at run time.
 */
import type { Reference, ResponseObject, SchemaObject } from './openapi.ts';

export const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string): Reference => ({
  $ref: `#/components/${kind}/${name}`,
});
export const schema = (name: string): Reference => ref('schemas', name);
export const response = (name: string): Reference => ref('responses', name);
export const json = (s: SchemaObject | Reference) => ({ 'application/json': { schema: s } });
/** The content of every error answer: an RFC 9457 problem. */
export const problemJson = { 'application/problem+json': { schema: schema('Problem') } };
export const problem = (description: string): ResponseObject => ({ description, content: problemJson });
/** The error answers of an operation that reads a JSON body. */
export const bodyErrors = {
  '400': response('BadRequest'),
  '413': response('PayloadTooLarge'),
  '415': response('UnsupportedMediaType'),
};
/** What any route that reads or writes the database may answer besides its own statuses. */
export const storeErrors = { '500': response('Internal'), '503': response('Unavailable') };

export const isoTime = (description: string): SchemaObject => ({ type: 'string', format: 'date-time', description });
export const isoTimeOrNull = (description: string): SchemaObject => ({
  type: ['string', 'null'],
  format: 'date-time',
  description,
});

/** The 200 answer of a CSV-or-JSON export (an attachment named `tocsin-<what>-<UTC time>.<format>`). */
export const exportAnswer = (what: string, jsonSchema: string): ResponseObject => ({
  description: 'The export (text/csv for `format=csv`, application/json for `format=json`).',
  headers: {
    'Content-Disposition': {
      description: `\`attachment; filename="tocsin-${what}-<UTC time>.<format>"\`.`,
      required: true,
      schema: { type: 'string' },
    },
  },
  content: {
    'text/csv': { schema: { type: 'string', description: 'RFC 4180 CSV with a header row.' } },
    'application/json': { schema: schema(jsonSchema) },
  },
});
