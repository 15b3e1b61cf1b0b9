/**
 * The small builders every part of the OpenAPI document uses (openapi-config.ts,
 * openapi-identity.ts, openapi-access-log.ts, openapi-phones.ts): component references, a JSON
 * body, a problem answer, the store's error answers. Types only from openapi.ts, so that the
 * parts can be spread into it without an import cycle at run time.
 */
import type { Reference, ResponseObject, SchemaObject } from './openapi.ts';

export const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string): Reference => ({
  $ref: `#/components/${kind}/${name}`,
});
export const schema = (name: string): Reference => ref('schemas', name);
export const response = (name: string): Reference => ref('responses', name);
export const json = (s: SchemaObject | Reference) => ({ 'application/json': { schema: s } });
export const problem = (description: string): ResponseObject => ({
  description,
  content: { 'application/problem+json': { schema: schema('Problem') } },
});
/** What any route that reads or writes the database may answer besides its own statuses. */
export const storeErrors = { '500': response('Internal'), '503': response('Unavailable') };

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
