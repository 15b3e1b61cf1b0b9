/**
 * The OM AXI link as a pure state machine (DESIGN.md "Adapters"): what the adapter does next
 * on each thing that happens to the link. No IO and no clock: the transport feeds inputs
 * (connected, a response, a timer fired, the socket closed) and carries out the effects
 * (connect, send, close, arm or disarm a timer, report supervision, reconcile open messages).
 *
 *   idle ─start→ connecting ─connected→ opening ─open ok→ subscribing ─subscribe ok→ up
 *                    ↑                    │ refused / timeout / closed        │ closed, no PingResp
 *                    └──── waiting ←──────┴───────────────────────────────────┘
 *
 * - On a new link the OMM accepts only `Open`; a refused Open (bad credentials, EAuth) is a
 *   supervision event and waits at least `loginRefusedMinMs`: never a tight loop.
 * - Subscriptions die with the TCP link, so every (re)connect subscribes again; a refused
 *   subscription is a supervision event too.
 * - Keep-alive: a Ping every `pingEveryMs` while up; a Ping still unanswered at the next one
 *   closes the link (the OMM closes links silent for 5 minutes).
 * - Reconnect back-off doubles from `baseMs` to `maxMs` per failure since the link was last
 *   up; the transport may add jitter below the delay it is given.
 * - `link-down` is reported once per outage (also when the very first connect fails), and
 *   `link-up` when the link is usable again; `reconcile` then asks the adapter to re-check
 *   its open messages.
 */

export interface LinkPolicy {
  /** How long Open and Subscribe may take before the link is given up. */
  readonly responseTimeoutMs: number;
  readonly pingEveryMs: number;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  /** The least wait after a refused Open (bad credentials are not fixed by retrying quickly). */
  readonly loginRefusedMinMs: number;
}

export const DEFAULT_LINK_POLICY: LinkPolicy = {
  responseTimeoutMs: 10_000,
  pingEveryMs: 60_000,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  loginRefusedMinMs: 30_000,
};

export type LinkPhase = 'idle' | 'connecting' | 'opening' | 'subscribing' | 'up' | 'waiting' | 'stopped';
export type LinkTimer = 'response' | 'ping' | 'reconnect';

export interface LinkState {
  readonly phase: LinkPhase;
  /** Failures since the link was last up: the back-off exponent. */
  readonly failures: number;
  readonly pingOutstanding: boolean;
  /** Whether `link-down` was reported for the current outage. */
  readonly downReported: boolean;
}

export const INITIAL_LINK: LinkState = { phase: 'idle', failures: 0, pingOutstanding: false, downReported: false };

export type LinkInput =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'connected' }
  /** The socket closed or could not be opened (refused, TLS failure, framing overflow). */
  | { readonly type: 'closed'; readonly reason: string }
  | { readonly type: 'open-ok' }
  | { readonly type: 'open-refused'; readonly errCode: string }
  | { readonly type: 'subscribe-ok' }
  | { readonly type: 'subscribe-refused'; readonly errCode: string; readonly eventType?: string }
  | { readonly type: 'pong' }
  | { readonly type: 'timer'; readonly timer: LinkTimer };

export type SupervisionKind = 'link-up' | 'link-down' | 'login-refused' | 'subscription-refused';

export type LinkEffect =
  | { readonly kind: 'connect' }
  | { readonly kind: 'send'; readonly what: 'open' | 'subscribe' | 'ping' }
  | { readonly kind: 'close'; readonly reason: string }
  | { readonly kind: 'arm'; readonly timer: LinkTimer; readonly ms: number }
  | { readonly kind: 'disarm'; readonly timer: LinkTimer }
  | { readonly kind: 'supervision'; readonly event: SupervisionKind; readonly detail: string }
  | { readonly kind: 'reconcile' };

export interface LinkStep {
  readonly state: LinkState;
  readonly effects: readonly LinkEffect[];
}

/** The wait before reconnect attempt `failures` (1 = after the first failure). */
export function backoffMs(failures: number, policy: LinkPolicy): number {
  const { baseMs, maxMs } = policy.backoff;
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}

const same = (state: LinkState): LinkStep => ({ state, effects: [] });

/**
 * The link gave up (refused, timed out, closed): close the socket if open, report the outage
 * once, and wait before connecting again.
 */
function fail(s: LinkState, policy: LinkPolicy, reason: string, extra: readonly LinkEffect[], minWaitMs = 0): LinkStep {
  const failures = s.failures + 1;
  const socketOpen = s.phase === 'opening' || s.phase === 'subscribing' || s.phase === 'up';
  return {
    state: { phase: 'waiting', failures, pingOutstanding: false, downReported: true },
    effects: [
      ...extra,
      ...(socketOpen ? [{ kind: 'close', reason } as const] : []),
      { kind: 'disarm', timer: 'response' },
      { kind: 'disarm', timer: 'ping' },
      ...(s.downReported ? [] : [{ kind: 'supervision', event: 'link-down', detail: reason } as const]),
      { kind: 'arm', timer: 'reconnect', ms: Math.max(minWaitMs, backoffMs(failures, policy)) },
    ],
  };
}

/** One input → the next state and what to do. Pure; an input that does not apply is ignored. */
export function linkStep(s: LinkState, input: LinkInput, policy: LinkPolicy = DEFAULT_LINK_POLICY): LinkStep {
  if (s.phase === 'stopped') return same(s);
  switch (input.type) {
    case 'start':
      return s.phase === 'idle' ? { state: { ...s, phase: 'connecting' }, effects: [{ kind: 'connect' }] } : same(s);
    case 'stop':
      return {
        state: { ...s, phase: 'stopped', pingOutstanding: false },
        effects: [
          { kind: 'disarm', timer: 'response' },
          { kind: 'disarm', timer: 'ping' },
          { kind: 'disarm', timer: 'reconnect' },
          { kind: 'close', reason: 'stopped' },
        ],
      };
    case 'connected':
      if (s.phase !== 'connecting') return same(s);
      return {
        state: { ...s, phase: 'opening' },
        effects: [
          { kind: 'send', what: 'open' },
          { kind: 'arm', timer: 'response', ms: policy.responseTimeoutMs },
        ],
      };
    case 'open-ok':
      if (s.phase !== 'opening') return same(s);
      return {
        state: { ...s, phase: 'subscribing' },
        effects: [
          { kind: 'send', what: 'subscribe' },
          { kind: 'arm', timer: 'response', ms: policy.responseTimeoutMs },
        ],
      };
    case 'open-refused':
      if (s.phase !== 'opening') return same(s);
      return fail(
        s,
        policy,
        `login refused (${input.errCode})`,
        [{ kind: 'supervision', event: 'login-refused', detail: input.errCode }],
        policy.loginRefusedMinMs,
      );
    case 'subscribe-ok':
      if (s.phase !== 'subscribing') return same(s);
      return {
        state: { phase: 'up', failures: 0, pingOutstanding: false, downReported: false },
        effects: [
          { kind: 'disarm', timer: 'response' },
          { kind: 'arm', timer: 'ping', ms: policy.pingEveryMs },
          { kind: 'supervision', event: 'link-up', detail: 'opened and subscribed' },
          { kind: 'reconcile' },
        ],
      };
    case 'subscribe-refused': {
      if (s.phase !== 'subscribing') return same(s);
      const what = `${input.errCode}${input.eventType ? ` for ${input.eventType}` : ''}`;
      return fail(s, policy, `subscription refused (${what})`, [
        { kind: 'supervision', event: 'subscription-refused', detail: what },
      ]);
    }
    case 'pong':
      return s.phase === 'up' ? same({ ...s, pingOutstanding: false }) : same(s);
    case 'closed':
      if (s.phase === 'idle' || s.phase === 'waiting') return same(s);
      // The socket is gone already: nothing to close.
      return fail({ ...s, phase: 'connecting' }, policy, input.reason, []);
    case 'timer':
      switch (input.timer) {
        case 'reconnect':
          return s.phase === 'waiting'
            ? { state: { ...s, phase: 'connecting' }, effects: [{ kind: 'connect' }] }
            : same(s);
        case 'response':
          return s.phase === 'opening' || s.phase === 'subscribing'
            ? fail(
                s,
                policy,
                `no answer to ${s.phase === 'opening' ? 'Open' : 'Subscribe'} in ${policy.responseTimeoutMs} ms`,
                [],
              )
            : same(s);
        case 'ping':
          if (s.phase !== 'up') return same(s);
          if (s.pingOutstanding) return fail(s, policy, `no PingResp within ${policy.pingEveryMs} ms`, []);
          return {
            state: { ...s, pingOutstanding: true },
            effects: [
              { kind: 'send', what: 'ping' },
              { kind: 'arm', timer: 'ping', ms: policy.pingEveryMs },
            ],
          };
      }
  }
}
