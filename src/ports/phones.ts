/**
 * The Phones port: the handsets a device link knows (the phones list), the locating alert and
 * the on-demand position, for the HTTP API. Implemented by the DECT adapter; absent when no
 * DECT link is configured.
 */
import type { SendResult } from './notifier.ts';

export interface PhoneInfo {
  /** The handset's id on the OMM (portable part number). */
  readonly ppn: number;
  readonly number?: string;
  /** The user logged on to it (the OMM's user id), and the user's name and handset language. */
  readonly uid?: number;
  readonly name?: string;
  readonly language?: string;
  /** The handset model the OMM detected (e.g. `632d`, `GAP`). */
  readonly model?: string;
  readonly loggedOn?: boolean;
  readonly inCharger?: boolean;
  readonly batteryLevel?: number;
  /** The last base station, and the place it covers. */
  readonly rfp?: number;
  readonly location?: string;
  /** Epoch ms of the last news about it. */
  readonly lastSeen: number;
}

export interface Phones {
  /** The environment every handset of the link belongs to. */
  readonly environment: string;
  /** Whether the link is up (opened and subscribed). */
  linkUp(): boolean;
  list(): readonly PhoneInfo[];
  /** Makes handset `number` ring with priority LocatingAlert, so that it can be found. */
  locatingAlert(number: string, text: string): Promise<SendResult>;
  /** Asks the link where handset `number` is now: the base stations it sees, strongest first. */
  position(number: string): Promise<PositionResult>;
  /** The bands the link can switch to (e.g. EU, US). */
  readonly bands: readonly string[];
  /** Reads the DECT band in force; with `switchTo`, switches to it first (see DectAdapter.dectBand). */
  band(switchTo?: string): Promise<BandResult>;
}

export type BandResult =
  | {
      readonly ok: true;
      /** undefined: no band set, or one this code does not know. */
      readonly previous: string | undefined;
      readonly current: string | undefined;
      readonly changed: boolean;
      /** Whether reading it back after the switch gave the new band. */
      readonly confirmed: boolean;
    }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string; readonly errCode?: string };

/** A base station a handset sees. */
export interface VisibleBase {
  readonly rfp: number;
  /** Received signal strength in dBm (negative; nearer 0 is stronger), when reported. */
  readonly rssiAvg?: number;
  /** The place that base station covers, when the RFP → location table names it. */
  readonly location?: string;
}

export type PositionResult =
  | {
      readonly ok: true;
      readonly number: string;
      readonly ppn: number;
      /** Strongest first; empty when the handset sees none (switched off or out of range). */
      readonly visible: readonly VisibleBase[];
      /** The strongest, if any. */
      readonly best: VisibleBase | undefined;
      /** Epoch ms of the answer. */
      readonly at: number;
    }
  | {
      readonly ok: false;
      /**
       * `not-found`: no handset of the list has the number; `link-down`: the link is not up;
       * `refused`: the OMM answered with an error; `timeout`: no position came in time.
       */
      readonly reason: 'not-found' | 'link-down' | 'refused' | 'timeout';
      readonly detail: string;
      readonly errCode?: string;
    };
