/**
 * The vocabulary of the ESPA 4.4.4 link state machine (espa444-link.ts `linkStep`): its
 * configuration with the defaults of protocols.md §2.3, its state and the initial one, the
 * inputs the transport feeds it and the outputs the transport carries out.
 */
import type { EspaBlock } from './espa444-codec.ts';
import type { Token } from './espa444-scanner.ts';

export type Role = 'control' | 'paging';

export interface LinkConfig {
  readonly role: Role;
  /** Our address ('1' control station, '2' paging system by default). */
  readonly ownAddress: string;
  readonly peerAddress: string;
  readonly ackTimeoutMs: number;
  readonly retries: number;
  readonly trafficTimeoutMs: number;
  /** Control station only: how often the peer is polled. */
  readonly pollIntervalMs: number;
  /** NAKs in a row on our blocks that make a `repeated-naks` supervision event. */
  readonly repeatedNaks: number;
}

/** The defaults of protocols.md §2.3 for a role, with overrides. */
export function linkConfig(role: Role, o: Partial<Omit<LinkConfig, 'role'>> = {}): LinkConfig {
  return {
    role,
    ownAddress: role === 'control' ? '1' : '2',
    peerAddress: role === 'control' ? '2' : '1',
    ackTimeoutMs: 3_000,
    retries: 3,
    trafficTimeoutMs: 10_000,
    pollIntervalMs: 2_000,
    repeatedNaks: 3,
    ...o,
  };
}

export type Phase = 'offline' | 'idle' | 'polling' | 'selecting' | 'sending' | 'receiving' | 'deciding';
export type LinkTimer = 'poll' | 'reply' | 'traffic';
export type Decision = 'accepted' | 'busy' | 'invalid';
export type SupervisionEvent = 'link-up' | 'link-down' | 'repeated-naks';

export interface QueuedBlock {
  readonly id: number;
  readonly bytes: Uint8Array;
}

export interface LinkState {
  readonly phase: Phase;
  readonly up: boolean;
  /** `link-down` was reported for the current outage. */
  readonly downReported: boolean;
  readonly outbox: readonly QueuedBlock[];
  /** Failed tries of `outbox[0]` (NAK, timeout, refused select). */
  readonly tries: number;
  /** NAKs in a row on our blocks. */
  readonly naks: number;
  /** The `rx` of the last block handed up. */
  readonly rx: number;
  /** Paging role: the last token was EOT, so an ENQ now is a poll rather than a select. */
  readonly sawEot: boolean;
}

export const INITIAL_LINK: LinkState = {
  phase: 'offline',
  up: false,
  downReported: false,
  outbox: [],
  tries: 0,
  naks: 0,
  rx: 0,
  sawEot: false,
};

export type LinkInput =
  | { readonly type: 'connected' }
  | { readonly type: 'disconnected'; readonly reason: string }
  | { readonly type: 'token'; readonly token: Token }
  | { readonly type: 'timer'; readonly timer: LinkTimer }
  | { readonly type: 'enqueue'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly type: 'decision'; readonly rx: number; readonly decision: Decision };

export type WriteWhat = 'poll' | 'select' | 'block' | 'ack' | 'nak' | 'eot';

export type LinkOutput =
  | { readonly kind: 'write'; readonly what: WriteWhat; readonly bytes: Uint8Array }
  | { readonly kind: 'set-timer'; readonly timer: LinkTimer; readonly ms: number }
  | { readonly kind: 'clear-timer'; readonly timer: LinkTimer }
  | { readonly kind: 'received'; readonly rx: number; readonly block: EspaBlock }
  | { readonly kind: 'sent'; readonly id: number }
  | { readonly kind: 'send-failed'; readonly id: number; readonly reason: string }
  | { readonly kind: 'supervision'; readonly event: SupervisionEvent; readonly detail: string }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn'; readonly msg: string };

export interface LinkStep {
  readonly state: LinkState;
  readonly outputs: readonly LinkOutput[];
}
