/**
 * The simulated ESPA 4.4.4 stations (espa444-simulator.ts `EspaStation`) by what they stand
 * for, and their options: a nurse-call system and a fire panel as control stations calling
 * paging system '2', and a pager system as the paging station that ACKs calls and reports
 * their status back as scripted.
 */
import { EspaStation } from './espa444-simulator.ts';
import type { SimSchedule } from './espa444-simulator-events.ts';
import type { SimCharset } from './espa444-simulator-wire.ts';

export interface StatusStep {
  /** Record 7 value: '3' paged, '4' absent, '6' acknowledged, '1' busy, '8' fault … */
  readonly status: string;
  /** After the call was ACKed (not cumulative). */
  readonly afterMs: number;
}

export interface EspaStationOptions {
  readonly name?: string;
  readonly role: 'control' | 'paging';
  readonly own?: string;
  readonly peer?: string;
  readonly schedule?: SimSchedule;
  readonly pollIntervalMs?: number;
  readonly ackTimeoutMs?: number;
  readonly retries?: number;
  readonly reconnectMs?: number;
  readonly charset?: SimCharset;
  /** Paging station: status reports after a call, by address ('*' for any other). */
  readonly statusScript?: Readonly<Record<string, readonly StatusStep[]>>;
  /** The priority `call()` uses when none is given (fire panels: '1'). */
  readonly defaultPriority?: string;
}

/** A nurse-call system as the control station (address '1'), calling paging system '2'. */
export const nurseCallStation = (o: Partial<EspaStationOptions> = {}): EspaStation =>
  new EspaStation({ name: 'nurse call', ...o, role: 'control' });

/** A fire panel: a control station whose calls have priority '1' (alarm). */
export const firePanel = (o: Partial<EspaStationOptions> = {}): EspaStation =>
  new EspaStation({ name: 'fire panel', defaultPriority: '1', ...o, role: 'control' });

/** A pager system as the paging station (address '2'): ACKs calls, reports status as scripted. */
export const pagerSystem = (o: Partial<EspaStationOptions> = {}): EspaStation =>
  new EspaStation({ name: 'pager system', ...o, role: 'paging' });
