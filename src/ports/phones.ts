/**
 * The Phones port: the handsets a device link knows (the phones list) and the locating alert,
 * for the HTTP API. Implemented by the DECT adapter; absent when no DECT link is configured.
 */
import type { SendResult } from './notifier.ts';

export interface PhoneInfo {
  /** The handset's id on the OMM (portable part number). */
  readonly ppn: number;
  readonly number?: string;
  readonly uid?: number;
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
