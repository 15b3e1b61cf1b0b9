/**
 * The load the figures put on a stack: closed and open loops bounded in count and in time, a
 * bounded wait, and the alarms they raise (as the bench device, with random ids).
 */
import { randomUUID } from 'node:crypto';
import type { RaiseRequest } from '../src/runtime/alarm-runtime.ts';
import type { Actor } from '../src/domain/alarm.ts';
import { fmtInt, sleep, summarize } from './stats.ts';

/** The actor of every alarm the bench raises. */
export const ACTOR: Actor = { kind: 'device', id: 'bench' };
/** Random UUIDs, like the runtime's own default ids (the tag only documents the call site). */
export const newId = (_tag: string): string => randomUUID();
/** A raise of `type` under `id`, as the bench device. */
export const raiseReq = (type: string, id: string): RaiseRequest => ({
  type,
  text: 'benchmark alarm',
  location: 'deck 7',
  source: { adapter: 'bench' },
  id,
});

/** Runs `task(i)` for i < n with `concurrency` in flight, until n done or `capMs` passed. */
export async function closedLoop(
  n: number,
  concurrency: number,
  capMs: number,
  task: (i: number) => Promise<void>,
): Promise<{ done: number; errors: number; firstError?: string; elapsedMs: number; cut: boolean }> {
  const t0 = performance.now();
  const deadline = t0 + capMs;
  let next = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < n && performance.now() < deadline) {
      const i = next++;
      try {
        await task(i);
        done++;
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { done, errors, ...(firstError ? { firstError } : {}), elapsedMs: performance.now() - t0, cut: next < n };
}

/** Open loop: calls `fire(i, intended)` at `rate` per second by the clock, never waiting for completion. */
export async function openLoop(
  rate: number,
  durationMs: number,
  fire: (i: number, intended: number) => void,
): Promise<{ issued: number; lagP99: number }> {
  const n = Math.floor((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  const t0 = performance.now();
  const lags: number[] = [];
  let i = 0;
  // Bounded by count (n) and by time (the schedule plus 5 s of slack).
  while (i < n && performance.now() < t0 + durationMs + 5000) {
    const now = performance.now();
    while (i < n && t0 + i * interval <= now) {
      const intended = t0 + i * interval;
      lags.push(now - intended);
      fire(i++, intended);
    }
    if (i < n) await sleep(t0 + i * interval - performance.now());
  }
  return { issued: i, lagP99: summarize(lags).p99 };
}

/** Waits until `done()` or `capMs`, polling every 20 ms. Returns true when done. */
export async function waitFor(done: () => boolean, capMs: number): Promise<boolean> {
  const deadline = performance.now() + capMs;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/** What a closed loop's cell adds when the time cap cut it short or tasks failed ('' when neither). */
export function cutNote(r: { done: number; errors: number; cut: boolean; firstError?: string }, n: number): string {
  const parts: string[] = [];
  if (r.cut) parts.push(`time cap hit after ${fmtInt(r.done)}/${fmtInt(n)}`);
  if (r.errors) parts.push(`${r.errors} errors, first: ${r.firstError}`);
  return parts.length ? ` [${parts.join('; ')}]` : '';
}
