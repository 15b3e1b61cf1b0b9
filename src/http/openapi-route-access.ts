/**
 * What each operation of the OpenAPI document needs (security, the 401 and 403 answers, the
 * sentence naming the permission, the CSRF header of a change), generated from ROUTE_ACCESS in
 * ./route-access.ts, the table the auth middleware enforces, so the two cannot drift apart.
 */
import { CSRF_HEADER } from './auth.ts';
import type { HttpMethod, OperationObject, PathItemObject, ResponseObject } from './openapi.ts';
import { problem, ref, response, storeErrors } from './openapi-parts.ts';
import { ROUTE_ACCESS, WHILE_PASSWORD_MUST_CHANGE, type Access } from './route-access.ts';

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
export function withAccess(paths: Readonly<Record<string, PathItemObject>>): Record<string, PathItemObject> {
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
