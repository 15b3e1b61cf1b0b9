/**
 * Driving a simulated nurse-call system (an ESPA 4.4.4 control station on the manual clock)
 * against the whole app: each of its polls is a whole exchange, run by advancing the manual
 * timers to its next poll; `settle` lets the app commit what the exchange started. And the
 * status values (record 7) the station was told for an address.
 */
import assert from 'node:assert/strict';
import type { EspaStation } from '../../adapters/espa444/espa444-simulator.ts';
import type { ManualTimers, Recorder } from './manual-timers.ts';

/** Record 7 values `nurse` was told for `address`, in order. */
export const nurseStatuses = (nurse: EspaStation, address: string) =>
  nurse.received
    .map((r) => r.block)
    .filter((b) => b.header === '2' && b.records.find((x) => x.id === '1')?.value === address)
    .map((b) => b.records.find((x) => x.id === '7')?.value);

/** What one poll needs, read at each poll (the test sets it up in `before`, and may restart the app). */
export interface NursePollsOf {
  readonly timers: ManualTimers;
  /** The delays the station arms its timers with. */
  readonly armed: Recorder<number>;
  /** Waits until the app has committed what an exchange started (the harness's advance(0)). */
  readonly settle: () => Promise<void>;
}

export function nursePolls(pollMs: number, current: () => NursePollsOf) {
  /** Lets the station poll until `check` holds, at most `polls` times. */
  async function pollUntil(check: () => boolean | Promise<boolean>, what: string, polls = 30): Promise<void> {
    for (let i = 0; i < polls; i++) {
      if (await check()) return;
      const o = current();
      const next = o.armed.next((ms) => ms === pollMs);
      o.timers.advance(pollMs);
      await next;
      await o.settle();
    }
    assert.fail(`never happened after ${polls} polls: ${what}`);
  }
  /** Lets the station poll `n` times. */
  async function polls(n: number): Promise<void> {
    let left = n;
    await pollUntil(() => left-- === 0, `${n} polls`, n + 1);
  }
  return { pollUntil, polls };
}
