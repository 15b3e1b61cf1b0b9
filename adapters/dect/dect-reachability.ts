/**
 * Whether a handset can be reached, from OM AXI events (pure): the news the adapter turns into
 * `DectSink.handset` calls for handsets on duty.
 *
 * Which AXI signal means what (protocols.md §1.5, §1.7):
 * - switched off: `EventPPTransaction trType="Detach"` (the handset logs off when switched
 *   off), or `EventMessageProgress event="TemporaryUnavailable"` to it (the table in §1.5:
 *   "handset switched off") — the latter catches a handset whose Detach was not seen.
 * - out of range: `EventPPTransaction trType="PPNotFound"` (the OMM paged it and it did not
 *   answer), or `EventMessageProgress event="PagingTimeout"` to it ("handset not found yet").
 *   [I] Neither is confirmed on a real OMM to mean "out of range" rather than a momentary
 *   paging failure; the OMM keeps trying after PagingTimeout, and so does the message.
 * - back: `EventPPTransaction trType="LocReg"` (logged on, or location updated).
 * Progress events name the handset by address (`tel:<number>`); transactions by ppn, whose
 * number comes from the phones list (provisioning or an earlier alarm taught it).
 *
 * One episode per handset: the first "switched off" or "out of range" opens it (and is
 * reported, if the handset is on duty); later ones are not reported until LocReg closes it
 * ("back", reported only when an episode was open). Episodes are by number.
 */
import { TEL_ADDRESS } from '../../src/domain/handsets.ts';
import type { AxiEvent } from './dect-codec.ts';
import type { PhoneTable } from './dect-phones.ts';

export type HandsetKind = 'switched-off' | 'out-of-range' | 'back';

export interface HandsetSignal {
  readonly kind: HandsetKind;
  readonly number: string;
  readonly ppn?: number;
  /** The AXI event that said it, for the supervision text and the log. */
  readonly detail: string;
}

/** What `e` says about a handset's reachability, if anything. `phones`: the list before `e`. Pure. */
export function reachabilitySignal(e: AxiEvent | { type: 'Unknown' }, phones: PhoneTable): HandsetSignal | undefined {
  switch (e.type) {
    case 'EventPPTransaction': {
      const kind: HandsetKind | undefined =
        e.trType === 'Detach'
          ? 'switched-off'
          : e.trType === 'PPNotFound'
            ? 'out-of-range'
            : e.trType === 'LocReg'
              ? 'back'
              : undefined;
      const number = phones.get(e.ppn)?.number;
      if (kind === undefined || number === undefined) return undefined;
      const at = e.rfpId !== undefined ? ` at RFP ${e.rfpId}` : '';
      return { kind, number, ppn: e.ppn, detail: `EventPPTransaction ${e.trType}${at}` };
    }
    case 'EventMessageProgress': {
      const kind: HandsetKind | undefined =
        e.event === 'TemporaryUnavailable' ? 'switched-off' : e.event === 'PagingTimeout' ? 'out-of-range' : undefined;
      const number = TEL_ADDRESS.exec(e.toAddr)?.[1];
      if (kind === undefined || number === undefined) return undefined;
      return {
        kind,
        number,
        ...(e.ppn !== undefined ? { ppn: e.ppn } : {}),
        detail: `EventMessageProgress ${e.event}`,
      };
    }
    default:
      return undefined;
  }
}

/** Open episodes: number → what opened it. */
export type Episodes = ReadonlyMap<string, Exclude<HandsetKind, 'back'>>;

/**
 * The episodes after `s`, and whether to report it. `onDuty` matters only when `s` opens an
 * episode (see `opensEpisode`: the caller asks the duty lookup only then). Pure.
 */
export function episodeStep(
  open: Episodes,
  s: HandsetSignal,
  onDuty: boolean,
): { readonly open: Episodes; readonly report: boolean } {
  if (s.kind === 'back') {
    if (!open.has(s.number)) return { open, report: false };
    const next = new Map(open);
    next.delete(s.number);
    return { open: next, report: true };
  }
  if (open.has(s.number) || !onDuty) return { open, report: false };
  return { open: new Map(open).set(s.number, s.kind), report: true };
}

/** Whether `s` could open an episode: not back, and none open for its number. */
export function opensEpisode(open: Episodes, s: HandsetSignal): boolean {
  return s.kind !== 'back' && !open.has(s.number);
}
