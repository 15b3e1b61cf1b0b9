/**
 * What a simulated ESPA 4.4.4 station (espa444-simulator.ts `EspaStation`) records and
 * reports: every unit in, every write out and every connection change (`SimEvent`), each block
 * received with its answer, and the outcome of a block it sent; and the schedule its delays
 * run on (setTimeout unless a test injects a manual clock).
 */
import type { SimBlock, SimUnit } from './espa444-simulator-wire.ts';

export type SimSchedule = (ms: number, fn: () => void) => () => void;
export const defaultSchedule: SimSchedule = (ms, fn) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export type SimEvent =
  | { readonly dir: 'in'; readonly unit: SimUnit }
  | { readonly dir: 'out'; readonly what: string; readonly bytes: Buffer }
  | { readonly dir: 'conn'; readonly what: 'connected' | 'closed' };

export interface SimReceived {
  readonly block: SimBlock;
  /** 'ack', '<prefix>nak', 'dropped' or 'silent'. */
  readonly answer: string;
}

export interface SimOutcome {
  readonly ok: boolean;
  /** Every answer to this block, in order ('ack', '1nak', 'timeout', 'select-refused' …). */
  readonly answers: readonly string[];
}
