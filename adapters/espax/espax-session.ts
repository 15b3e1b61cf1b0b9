/**
 * One ESPA-X connection's session as a pure state machine (DESIGN.md "Adapters"): what the
 * server does on each thing that happens on the connection. No IO and no clock: the server
 * (espax-server.ts) feeds inputs (a decoded document, a bad one, a broken stream, the result of
 * a credentials check, the timer, the socket closing) and carries out the effects (send, close,
 * arm or disarm the timer, check credentials, hand a request to the adapter, supervision).
 *
 *   login ─REQ.LOGIN→ authenticating ─ok→ up ─REQ.LOGOUT / heartbeat timeout / closed→ closed
 *     ↑                     │ refused (3rd time: closed)
 *     └─────────────────────┘
 *
 * Decisions (the codes are protocols.md §3.2's):
 * - Before login every request but REQ.LOGIN gets its RSP with 407; a refused login gets
 *   RSP.LOGIN 401 and `login-refused`; the third refusal closes the connection. A connection
 *   that does not log in within `loginTimeoutMs` is closed.
 * - After login a request with a missing or wrong sessionID gets 401 (it is not authenticated;
 *   403 would say the session may not do this). It does not count as a heartbeat.
 * - Any request with the right sessionID re-arms the heartbeat supervision; none for
 *   `heartbeatTimeoutMs` drops the session with `heartbeat-missed`.
 * - An invokeID already used in this session (among the last `rememberInvokeIds`) gets 450
 *   Duplicate and is not carried out (it still counts as a sign of life).
 * - REQ.LOGIN again → 409; REQ.S-PARAMETERS → 501; an unknown element → IND.ERROR 602;
 *   malformed XML → IND.ERROR 601, the connection stays; `maxBadDocuments` bad documents in a
 *   row close it. A broken header → IND.ERROR 600 and close.
 * - `link-up` on login; `link-down` when a logged-in session ends any other way than a
 *   heartbeat timeout (logout, CMD.SHUTDOWN from the client, the socket closing, 600).
 */
import type { EspaxDocument } from './espax-codec.ts';
import type { ServerMessage } from './espax-encode.ts';
import { responseTo, type RequestName, type RspCode } from './espax-protocol.ts';

export interface SessionConfig {
  /** LI-SERVER and LI-SERVERSW. */
  readonly serverName: string;
  readonly serverSw: string;
  readonly heartbeatTimeoutMs: number;
  readonly loginTimeoutMs: number;
  readonly maxLoginFailures: number;
  readonly maxBadDocuments: number;
  readonly rememberInvokeIds: number;
}

/**
 * Heartbeat timeout 60 s: the ESP32 client beats every 50 s, the Icinga client every 5–10 s
 * (protocols.md §3.2); 60 s lets both through and still notices a dead client within a minute.
 */
export const DEFAULT_SESSION_CONFIG: SessionConfig = {
  serverName: 'Tocsin',
  serverSw: 'Tocsin ESPA-X 1.00',
  heartbeatTimeoutMs: 60_000,
  loginTimeoutMs: 60_000,
  maxLoginFailures: 3,
  maxBadDocuments: 20,
  rememberInvokeIds: 1024,
};

export type SessionPhase = 'login' | 'authenticating' | 'up' | 'closed';

export interface SessionState {
  readonly phase: SessionPhase;
  readonly sessionId?: string | undefined;
  readonly client?: string | undefined;
  readonly loginFailures: number;
  readonly badDocuments: number;
  /** The invokeIDs of this session, oldest first (at most `rememberInvokeIds`). */
  readonly invokeIds: readonly string[];
}

export const INITIAL_SESSION: SessionState = { phase: 'login', loginFailures: 0, badDocuments: 0, invokeIds: [] };

export type SessionInput =
  | { readonly type: 'open' }
  | { readonly type: 'document'; readonly doc: EspaxDocument }
  | { readonly type: 'bad-document'; readonly code: 601 | 602; readonly reason: string }
  | { readonly type: 'framing-error'; readonly reason: string }
  | {
      readonly type: 'login-result';
      readonly invokeId: string;
      readonly client: string;
      /** The new session's id when the credentials were right, else undefined. */
      readonly sessionId: string | undefined;
    }
  | { readonly type: 'timer' }
  | { readonly type: 'closed'; readonly reason: string }
  | { readonly type: 'shutdown' };

export type EspaxSupervision = 'link-up' | 'link-down' | 'heartbeat-missed' | 'login-refused';

export type SessionEffect =
  | { readonly kind: 'send'; readonly message: ServerMessage }
  | { readonly kind: 'close'; readonly reason: string }
  | { readonly kind: 'arm'; readonly ms: number }
  | { readonly kind: 'disarm' }
  | {
      readonly kind: 'authenticate';
      readonly invokeId: string;
      readonly client: string;
      readonly user: string;
      readonly password: string;
    }
  /** The session is up: indications for `client` go to this connection from now on. */
  | { readonly kind: 'attach'; readonly client: string; readonly sessionId: string }
  | { readonly kind: 'detach'; readonly client: string; readonly sessionId: string }
  /** A process or system request for the adapter, which answers it (RSP-CODE and all). */
  | { readonly kind: 'request'; readonly doc: EspaxDocument; readonly client: string; readonly sessionId: string }
  | { readonly kind: 'supervision'; readonly event: EspaxSupervision; readonly detail: string }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn'; readonly msg: string };

export interface SessionStep {
  readonly state: SessionState;
  readonly effects: readonly SessionEffect[];
}

const ADAPTER_REQUESTS = new Set(['REQ.S-CONDITION', 'REQ.P-START', 'REQ.P-STOP', 'REQ.P-GETSTAT']);

const same = (state: SessionState, ...effects: SessionEffect[]): SessionStep => ({ state, effects });
const warn = (msg: string): SessionEffect => ({ kind: 'log', level: 'warn', msg });

/** The RSP that answers `doc` (RSP.LOGIN gets the server's name too). */
function reply(c: SessionConfig, doc: EspaxDocument, code: RspCode, info: string, sessionId?: string): SessionEffect {
  const type = responseTo(doc.name as RequestName);
  const base = { invokeId: doc.invokeId ?? '0', sessionId, code, info };
  const message =
    type === 'RSP.LOGIN' ? { type, ...base, server: c.serverName, serverSw: c.serverSw } : { type, ...base };
  return { kind: 'send', message: message as ServerMessage };
}

/** The session ends: detach and report it if it was up, stop the timer, close the socket. */
function end(
  s: SessionState,
  reason: string,
  event: EspaxSupervision | undefined,
  first: SessionEffect[] = [],
): SessionStep {
  const up = s.phase === 'up' && s.client !== undefined && s.sessionId !== undefined;
  return {
    state: { ...s, phase: 'closed' },
    effects: [
      ...first,
      { kind: 'disarm' },
      ...(up ? [{ kind: 'detach', client: s.client!, sessionId: s.sessionId! } as const] : []),
      ...(up && event ? [{ kind: 'supervision', event, detail: `${s.client}: ${reason}` } as const] : []),
      { kind: 'close', reason },
    ],
  };
}

/** One input → the next state and what to do. Pure; an input that does not apply is ignored. */
export function sessionStep(
  s: SessionState,
  input: SessionInput,
  c: SessionConfig = DEFAULT_SESSION_CONFIG,
): SessionStep {
  if (s.phase === 'closed') return same(s);
  switch (input.type) {
    case 'open':
      return same(s, { kind: 'arm', ms: c.loginTimeoutMs });
    case 'closed': {
      // The socket is gone already: nothing to close.
      const step = end(s, input.reason, 'link-down');
      return { state: step.state, effects: step.effects.filter((e) => e.kind !== 'close') };
    }
    case 'shutdown': {
      const cmd: SessionEffect[] =
        s.phase === 'up' && s.sessionId
          ? [
              {
                kind: 'send',
                message: { type: 'CMD.SHUTDOWN', sessionId: s.sessionId, reason: 'Normal', mode: 'Immediate' },
              },
            ]
          : [];
      return end(s, 'the server is stopping', undefined, cmd);
    }
    case 'timer':
      return s.phase === 'up'
        ? end(s, `no request for ${c.heartbeatTimeoutMs} ms`, 'heartbeat-missed')
        : end(s, `no login within ${c.loginTimeoutMs} ms`, undefined, [warn('closing: no login in time')]);
    case 'framing-error':
      return end(s, `invalid header: ${input.reason}`, 'link-down', [
        { kind: 'send', message: { type: 'IND.ERROR', server: c.serverName, code: 600, info: input.reason } },
        warn(`invalid header, closing: ${input.reason}`),
      ]);
    case 'bad-document': {
      const badDocuments = s.badDocuments + 1;
      const effects: SessionEffect[] = [
        { kind: 'send', message: { type: 'IND.ERROR', server: c.serverName, code: input.code, info: input.reason } },
        warn(`bad document (${input.code}): ${input.reason}`),
      ];
      if (badDocuments >= c.maxBadDocuments)
        return end(s, `${badDocuments} bad documents in a row`, 'link-down', effects);
      return { state: { ...s, badDocuments }, effects };
    }
    case 'login-result':
      return loginResult(s, input, c);
    case 'document':
      return document({ ...s, badDocuments: 0 }, input.doc, c);
  }
}

function loginResult(
  s: SessionState,
  r: Extract<SessionInput, { type: 'login-result' }>,
  c: SessionConfig,
): SessionStep {
  if (s.phase !== 'authenticating') return same(s);
  const rsp = (code: RspCode, info: string, sessionId?: string): SessionEffect => ({
    kind: 'send',
    message: {
      type: 'RSP.LOGIN',
      invokeId: r.invokeId,
      sessionId,
      server: c.serverName,
      serverSw: c.serverSw,
      code,
      info,
    },
  });
  if (r.sessionId === undefined) {
    const loginFailures = s.loginFailures + 1;
    const effects: SessionEffect[] = [
      rsp(401, 'wrong client, user or password'),
      { kind: 'supervision', event: 'login-refused', detail: `${r.client}: wrong credentials (${loginFailures})` },
    ];
    if (loginFailures >= c.maxLoginFailures)
      return end({ ...s, loginFailures }, `${loginFailures} failed logins`, undefined, effects);
    return { state: { ...s, phase: 'login', loginFailures }, effects };
  }
  return {
    state: { ...s, phase: 'up', sessionId: r.sessionId, client: r.client, invokeIds: [r.invokeId] },
    effects: [
      rsp(200, 'logged in', r.sessionId),
      { kind: 'arm', ms: c.heartbeatTimeoutMs },
      { kind: 'attach', client: r.client, sessionId: r.sessionId },
      { kind: 'supervision', event: 'link-up', detail: `${r.client}: logged in` },
    ],
  };
}

function document(s: SessionState, doc: EspaxDocument, c: SessionConfig): SessionStep {
  const name = doc.name;
  if (name === 'CMD.SHUTDOWN') return end(s, 'the client sent CMD.SHUTDOWN', 'link-down');
  if (!name.startsWith('REQ.')) return same(s, warn(`ignored ${name} from the client`));
  if (s.phase !== 'up') {
    if (name !== 'REQ.LOGIN') return same(s, reply(c, doc, 407, 'log in first (REQ.LOGIN)'));
    if (s.phase === 'authenticating') return same(s, reply(c, doc, 409, 'a login is being checked'));
    const client = field(doc, 'LI-CLIENT');
    const user = field(doc, 'LI-USER');
    const password = field(doc, 'LI-PASSWORD');
    if (!client || !user || password === undefined) {
      const loginFailures = s.loginFailures + 1;
      const effects = [reply(c, doc, 400, 'LI-CLIENT, LI-USER and LI-PASSWORD are required')];
      if (loginFailures >= c.maxLoginFailures)
        return end({ ...s, loginFailures }, `${loginFailures} failed logins`, undefined, effects);
      return { state: { ...s, loginFailures }, effects };
    }
    return {
      state: { ...s, phase: 'authenticating' },
      effects: [{ kind: 'authenticate', invokeId: doc.invokeId!, client, user, password }],
    };
  }
  const sessionId = s.sessionId!;
  if (doc.sessionId !== sessionId) return same(s, reply(c, doc, 401, 'unknown or missing sessionID'));
  const alive: SessionEffect = { kind: 'arm', ms: c.heartbeatTimeoutMs };
  const invokeId = doc.invokeId!;
  if (s.invokeIds.includes(invokeId))
    return same(s, alive, reply(c, doc, 450, `invokeID ${invokeId} was already used in this session`, sessionId));
  const state = { ...s, invokeIds: [...s.invokeIds, invokeId].slice(-c.rememberInvokeIds) };
  switch (name) {
    case 'REQ.HEARTBEAT':
      return same(state, alive, reply(c, doc, 200, 'alive', sessionId));
    case 'REQ.LOGIN':
      return same(state, alive, reply(c, doc, 409, 'already logged in', sessionId));
    case 'REQ.LOGOUT':
      return end(state, `logout (${field(doc, 'LO-REASON') ?? 'no reason'})`, 'link-down', [
        reply(c, doc, 200, 'logged out', sessionId),
      ]);
    default:
      if (ADAPTER_REQUESTS.has(name)) return same(state, alive, { kind: 'request', doc, client: s.client!, sessionId });
      return same(state, alive, reply(c, doc, 501, `${name} is not implemented`, sessionId));
  }
}

function field(doc: EspaxDocument, name: string): string | undefined {
  const v = doc.fields[name];
  return typeof v === 'string' ? v : v?.[0];
}
