/**
 * On-demand position of a handset (protocols.md §1.7): `RequestPositionInfo ppn` is answered at
 * once by `RequestPositionInfoResp` (only "asked"); the position follows as
 * `EventPositionInfo ppn` with one `<vis id rssiAvg/>` per base station the handset sees.
 * `rssiAvg` is "filtered RSSI value in negative form, e.g. -75 for –75 dBm" (mitel-api
 * `Types/VisibilityType.cs`), so the strongest is the one nearest 0. Needs the OMM's locating
 * licence and the Locating permission [I: which errCode a missing licence gives is not known].
 *
 * `PositionWaiters` pairs the request with its event (by ppn, several callers of one ppn share
 * the next event), bounded by a timeout on the injected timers; `rankPosition` is pure.
 */
import type { PositionResult, VisibleBase } from '../../src/ports/phones.ts';
import type { AxiEvent } from './dect-codec.ts';
import { byStrength, phoneByNumber, type PhoneTable } from './dect-phones.ts';
import { AxiLinkDown, type AxiTransport, type TimerHost } from './dect-transport.ts';

export type PositionEvent = Extract<AxiEvent, { type: 'EventPositionInfo' }>;

/** How long the adapter waits for EventPositionInfo after asking (default). */
export const POSITION_TIMEOUT_MS = 10_000;

/** The visible base stations strongest first, each with its place, and the strongest. Pure. */
export function rankPosition(
  e: PositionEvent,
  locations: Readonly<Record<number, string>>,
): { readonly visible: readonly VisibleBase[]; readonly best: VisibleBase | undefined } {
  const visible = byStrength(e.visible).map((v) => {
    const location = locations[v.rfpId];
    return {
      rfp: v.rfpId,
      ...(v.rssiAvg !== undefined ? { rssiAvg: v.rssiAvg } : {}),
      ...(location !== undefined ? { location } : {}),
    };
  });
  return { visible, best: visible[0] };
}

/** Callers waiting for a handset's next EventPositionInfo. */
export class PositionWaiters {
  private readonly waiting = new Map<number, Set<(e: PositionEvent | undefined) => void>>();

  constructor(private readonly timers: TimerHost) {}

  /**
   * The next EventPositionInfo for `ppn` offered after this call (`answer`), or undefined after
   * `ms` or once `cancel` is called. Call it before sending the request, so an answer that
   * overtakes the response is not missed. `answer` never rejects.
   */
  next(ppn: number, ms: number): { readonly answer: Promise<PositionEvent | undefined>; readonly cancel: () => void } {
    let done: (e: PositionEvent | undefined) => void = () => undefined;
    const answer = new Promise<PositionEvent | undefined>((resolve) => {
      const set = this.waiting.get(ppn) ?? new Set();
      this.waiting.set(ppn, set);
      let stopTimer = (): void => undefined;
      done = (e) => {
        stopTimer();
        set.delete(done);
        if (set.size === 0 && this.waiting.get(ppn) === set) this.waiting.delete(ppn);
        resolve(e);
      };
      set.add(done);
      stopTimer = this.timers.set(ms, () => done(undefined));
    });
    return { answer, cancel: () => done(undefined) };
  }

  /** Hands an event to everyone waiting for its ppn; returns how many were. */
  offer(e: PositionEvent): number {
    const set = this.waiting.get(e.ppn);
    if (set === undefined) return 0;
    const all = [...set];
    for (const done of all) done(e);
    return all.length;
  }

  /** Ends every wait now with undefined (the link went down, or the adapter stops). */
  cancelAll(): void {
    for (const set of [...this.waiting.values()]) for (const done of [...set]) done(undefined);
  }
}

export interface PositionDeps {
  readonly transport: Pick<AxiTransport, 'request'>;
  readonly waiters: PositionWaiters;
  /** Epoch ms, for the answer's `at`. */
  readonly now: () => number;
  readonly locations: Readonly<Record<number, string>>;
}

/**
 * Asks where handset `number` is (DectAdapter.position): its ppn from `phones`, then
 * `RequestPositionInfo`, then its EventPositionInfo within `ms`. Never throws for what the link
 * or the OMM does: an unknown number, a link that is down, an OMM error and a timeout are results.
 */
export async function askPosition(
  d: PositionDeps,
  phones: PhoneTable,
  number: string,
  ms: number,
): Promise<PositionResult> {
  const phone = phoneByNumber(phones, number);
  if (phone === undefined)
    return { ok: false, reason: 'not-found', detail: `no handset with number ${number} in the phones list` };
  const { answer, cancel } = d.waiters.next(phone.ppn, ms);
  try {
    const r = await d.transport.request({ type: 'RequestPositionInfo', ppn: phone.ppn });
    if (r.errCode !== undefined) {
      cancel();
      const detail = `the OMM refused RequestPositionInfo (${r.errCode}${r.info ? `: ${r.info}` : ''})`;
      return { ok: false, reason: 'refused', detail, errCode: r.errCode };
    }
  } catch (err) {
    cancel();
    if (!(err instanceof AxiLinkDown)) throw err;
    return { ok: false, reason: 'link-down', detail: err.message };
  }
  const e = await answer;
  if (e === undefined) return { ok: false, reason: 'timeout', detail: `no EventPositionInfo within ${ms} ms` };
  return { ok: true, number, ppn: phone.ppn, ...rankPosition(e, d.locations), at: d.now() };
}
