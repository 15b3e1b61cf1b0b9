/**
 * The SystemControl port: what the System pages of the console read and do on this node — the
 * state of every configured interface (the device links, the ESPA-X server, the notification
 * channel, the scheduler, the store and its change feed), a digest of the metrics, restarting
 * the device links or the whole server, and which alarm type each environment raises for the
 * supervision events of its interfaces. Implemented in src/app/system-control.ts; served by
 * src/http/system-routes.ts.
 */

/**
 * The state of an interface, one stable vocabulary for all kinds:
 * - `up`: working (a link opened and answering, a server listening, a store reachable);
 * - `connecting`: trying to open (connecting, logging in, subscribing, waiting for the peer's first answer);
 * - `down`: failed; it tries again by itself (a link waiting to reconnect, a store that does not answer);
 * - `standby`: configured, but another node of the cluster holds the device links' lease;
 * - `stopped`: not running on this node (being restarted, or stopped).
 */
export const INTERFACE_STATES = ['up', 'connecting', 'down', 'standby', 'stopped'] as const;
export type InterfaceState = (typeof INTERFACE_STATES)[number];

export const INTERFACE_KINDS = [
  'dect',
  'espa444',
  'espax',
  'notifier',
  'scheduler',
  'store',
  'change-feed',
  'lease',
] as const;
export type InterfaceKind = (typeof INTERFACE_KINDS)[number];

export interface InterfaceStatus {
  /** Stable within a configuration: `dect`, `espa444-<line>`, `espax`, `notifier`, `scheduler`, `store`, `change-feed`, `lease`. */
  readonly id: string;
  readonly kind: InterfaceKind;
  readonly state: InterfaceState;
  /** Epoch ms since when it is in this state, when known. */
  readonly since?: number;
  /** Kind-specific facts (addresses, ports, counts); JSON values only. */
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export interface LeaseStatus {
  /** The lease's name (`device-links`). */
  readonly name: string;
  /** This node's id as a holder. */
  readonly node: string;
  readonly heldHere: boolean;
  /** Who holds (or last held) it, and until when (epoch ms), as the store tells. */
  readonly holder?: string;
  readonly expiresAt?: number;
}

export interface InterfacesReport {
  readonly mode: 'embedded' | 'cluster';
  /** Cluster mode with device links: the lease they are held under. */
  readonly lease?: LeaseStatus;
  readonly interfaces: readonly InterfaceStatus[];
}

export interface Histogram {
  readonly count: number;
  /** Seconds. */
  readonly sum: number;
  /** Upper bound (seconds) of the bucket holding the 99th percentile, or null when empty or past the last bucket. */
  readonly p99: number | null;
}

/** What /metrics has, as JSON for the console (read from the prom-client registry). */
export interface MonitorDigest {
  /** Epoch ms. */
  readonly at: number;
  readonly uptimeSeconds: number;
  readonly memory: { readonly residentBytes: number | null; readonly heapUsedBytes: number | null };
  readonly alarms: { readonly active: number; readonly activeByState: Readonly<Record<string, number>> };
  /** Committed steps by kind (raised, event, timer) since this process started. */
  readonly steps: Readonly<Record<string, number>>;
  readonly notifications: {
    /** Handed to a channel, by channel. */
    readonly sent: Readonly<Record<string, number>>;
    /** Failed notification attempts (retryable or not). */
    readonly failed: number;
  };
  readonly timerLateness: Histogram;
  readonly timersArmed: number;
  readonly supervisionEvents: Readonly<Record<string, number>>;
}

export type RestartScope = 'interfaces' | 'server';

export type RestartRefusal = { readonly ok: false; readonly why: 'busy' | 'no-process-host'; readonly detail: string };
export type RestartOutcome = { readonly ok: true } | RestartRefusal;
/** A server restart that may go: `go()` stops and hands over to the process host (call it once). */
export type ServerRestart = { readonly ok: true; readonly go: () => Promise<void> } | RestartRefusal;

/** An interface that raises supervision alarms, and the events it watches. */
export interface SupervisedInterface {
  /** `dect`, `dect-handsets`, `espa444-<line>`, `espax`, `plans`. */
  readonly id: string;
  readonly title: string;
  readonly events: readonly string[];
  /** The environment whose `supervisionAlarmType` it raises. */
  readonly environment: string;
  /** The `source.device` of its alarms (`source.adapter` is `supervision`), e.g. `dect`, `dect:<number>`. */
  readonly device: string;
}

export interface SystemControl {
  interfaces(): Promise<InterfacesReport>;
  monitor(): Promise<MonitorDigest>;
  /** Whether a restart is running. */
  readonly restarting: RestartScope | undefined;
  /**
   * Stops the device links and opens them again (cluster: releases the lease and asks again);
   * the alarms and the API keep running. Refused while another restart runs.
   */
  restartInterfaces(): Promise<RestartOutcome>;
  /**
   * Checks a server restart may start and marks it running; `go()` then stops Tocsin gracefully
   * and asks the process host to start it again (call it once the answer is sent).
   */
  beginServerRestart(request: { readonly actor: string; readonly reason: string }): ServerRestart;
  /** Every interface that raises supervision alarms on this node. */
  supervised(): readonly SupervisedInterface[];
}
