/**
 * The console's only way to the server: same-origin fetch with the session cookie, the CSRF
 * token on every change (X-CSRF-Token, from the login answer, kept in sessionStorage so a reload
 * keeps it), and RFC 9457 problems turned into ApiError.
 */

const CSRF_KEY = 'tocsin.csrf';
const LOGIN = '/api/v1/auth/login';
/** Dispatched on `window` when an API call answers 401: the session is gone. */
export const SESSION_LOST = 'tocsin:session-lost';

/** One entry of a problem's `errors`: where (a JSON pointer into the body, or a query parameter) and why. */
export interface ProblemError {
  readonly pointer?: string;
  readonly parameter?: string;
  readonly reason: string;
}

/** An answer other than 2xx: its status, the problem's detail and `errors` (when the server sent them). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: readonly ProblemError[] = [],
  ) {
    super(`${status}: ${detail}`);
  }
}

export function setCsrfToken(token: string | undefined): void {
  if (token === undefined) sessionStorage.removeItem(CSRF_KEY);
  else sessionStorage.setItem(CSRF_KEY, token);
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  extra: Readonly<Record<string, string>> = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json: unknown = text === '' ? undefined : JSON.parse(text);
  // The session ended (expired, logged out elsewhere, password changed): the shell shows the login.
  if (res.status === 401 && path !== LOGIN) dispatchEvent(new Event(SESSION_LOST));
  if (!res.ok) {
    const problem = json as { detail?: unknown; errors?: unknown } | undefined;
    const detail = problem?.detail;
    const errors = Array.isArray(problem?.errors) ? (problem.errors as ProblemError[]) : [];
    throw new ApiError(res.status, typeof detail === 'string' ? detail : res.statusText, errors);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
  /** PATCH; `headers` e.g. `{ 'If-Match': '"3"' }` for a version check. */
  patch: <T>(path: string, body: unknown, headers?: Readonly<Record<string, string>>) =>
    call<T>('PATCH', path, body, headers),
  /** PUT; `headers` e.g. `{ 'If-Match': '"3"' }` for a version check. */
  put: <T>(path: string, body: unknown, headers?: Readonly<Record<string, string>>) =>
    call<T>('PUT', path, body, headers),
  delete: <T>(path: string, headers?: Readonly<Record<string, string>>) => call<T>('DELETE', path, undefined, headers),
};

/** GET /api/v1/auth/me, plus the fields a later server may add (language, startPage, displayName). */
export interface Me {
  readonly userId: string;
  readonly loginName: string;
  readonly permissions: readonly string[];
  readonly mustChangePassword: boolean;
  readonly language?: string;
  readonly startPage?: string;
  readonly displayName?: string;
}

export interface LoginAnswer {
  readonly loginName: string;
  readonly mustChangePassword: boolean;
  readonly csrfToken: string;
}
