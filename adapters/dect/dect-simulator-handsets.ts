/**
 * The OMM simulator's handsets: their configuration, live scriptable state, inbox entries, and
 * what a handset does with a message it is sent (`handsetAnswer`, pure). Addresses follow
 * protocols.md §1.4: `tel:<number>` or `ppn:<ppn>`, the scheme case-insensitive.
 */

/** What a handset does with a message it is sent (and with its confirmation). */
export type HandsetBehaviour =
  | { readonly kind: 'accept'; readonly afterMs: number }
  | { readonly kind: 'reject'; readonly afterMs: number }
  | { readonly kind: 'silent' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'off' }
  | { readonly kind: 'out-of-range' }
  | { readonly kind: 'overridden'; readonly queueEmptyAfterMs: number };

export interface SimHandsetConfig {
  readonly ppn: number;
  /** The handset's number: messages to `tel:<number>` reach it; its alarms come from it. */
  readonly number: string;
  readonly name: string;
  /** The user id (`uid`) logged on to the handset, if any. */
  readonly user?: number;
  /** The base station (RFP) it is registered at. */
  readonly rfp: number;
  readonly language?: string;
  readonly type?: string;
  /** Default `{ kind: 'accept', afterMs: 0 }`. */
  readonly behaviour?: HandsetBehaviour;
  /** Reported in EventPositionInfo; default -55. */
  readonly rssiAvg?: number;
  /** The base stations EventPositionInfo reports (default: only `rfp`, at `rssiAvg`). */
  readonly visible?: readonly SimVisible[];
  readonly batteryLevel?: number;
}

/** A base station a handset sees, as EventPositionInfo reports it. */
export interface SimVisible {
  readonly rfp: number;
  readonly rssiAvg: number;
}

/** A handset's live, scriptable state (`sim.handset(ppn)`). */
export interface SimHandset {
  readonly ppn: number;
  /** Number, name, user and language change with `assignUser`. */
  number: string;
  name: string;
  user: number | undefined;
  language: string | undefined;
  readonly type: string | undefined;
  rfp: number;
  rssiAvg: number;
  /** What EventPositionInfo reports; undefined: only `rfp` at `rssiAvg`. */
  visible: readonly SimVisible[] | undefined;
  inCharger: boolean;
  batteryLevel: number | undefined;
  /** False after `outOfRange` until `moveTo`; messages then get PagingTimeout. */
  inRange: boolean;
  behaviour: HandsetBehaviour;
  /** False after `switchOff` until `moveTo`; messages then get TemporaryUnavailable. */
  switchedOn: boolean;
}

/** A message as the handset got it. `progress` lists every progress event sent for it. */
export interface SimInboxMessage {
  readonly sendTime: string;
  readonly id: string;
  readonly toAddr: string;
  /** The `<msg>` attributes as received. */
  readonly msg: Readonly<Record<string, string>>;
  /** Confirmation choices offered (`<confirm>`/`<confirmReq>` texts). */
  readonly choices: readonly string[];
  readonly progress: string[];
  confirmation: string | undefined;
  deleted: boolean;
}
/** The live state for a configured handset: switched on, behaviour default accept at once. */
export function newHandset(c: SimHandsetConfig): SimHandset {
  return {
    ppn: c.ppn,
    number: c.number,
    name: c.name,
    user: c.user,
    language: c.language,
    type: c.type,
    rfp: c.rfp,
    rssiAvg: c.rssiAvg ?? -55,
    visible: c.visible,
    inCharger: false,
    batteryLevel: c.batteryLevel,
    inRange: true,
    behaviour: c.behaviour ?? { kind: 'accept', afterMs: 0 },
    switchedOn: true,
  };
}

/** One thing a handset does about a message, `afterMs` after SendMessageResp. */
export type HandsetStep =
  | { readonly kind: 'progress'; readonly afterMs: 0; readonly event: string }
  | { readonly kind: 'confirm'; readonly afterMs: number; readonly confirmation: 'OrderOk' | 'OrderNok' }
  | { readonly kind: 'queue-empty'; readonly afterMs: number }
  /** Nothing goes on the wire; the simulator records the reason as a problem. */
  | { readonly kind: 'note'; readonly afterMs: 0; readonly problem: string };

/**
 * What follows SendMessageResp for a message to `h` (undefined: no handset has the address)
 * offering `choices`. Pure. A confirmation the message does not offer is never sent: the
 * handset would have no key for it.
 */
export function handsetAnswer(h: SimHandset | undefined, choices: readonly string[]): readonly HandsetStep[] {
  const progress = (event: string): HandsetStep => ({ kind: 'progress', afterMs: 0, event });
  if (h === undefined) return [progress('WrongURI')];
  if (!h.switchedOn) return [progress('TemporaryUnavailable')];
  if (!h.inRange) return [progress('PagingTimeout')];
  const b = h.behaviour;
  switch (b.kind) {
    case 'accept':
    case 'reject': {
      const confirmation = b.kind === 'accept' ? 'OrderOk' : 'OrderNok';
      const then: HandsetStep = choices.includes(confirmation)
        ? { kind: 'confirm', afterMs: b.afterMs, confirmation }
        : { kind: 'note', afterMs: 0, problem: `the message does not offer ${confirmation}; no confirmation` };
      return [progress('Delivered'), then];
    }
    case 'silent':
      return [progress('Delivered')];
    case 'busy':
      return [progress('Busy')];
    case 'off':
      return [progress('TemporaryUnavailable')];
    case 'out-of-range':
      return [progress('PagingTimeout')];
    case 'overridden':
      return [progress('Overridden'), { kind: 'queue-empty', afterMs: b.queueEmptyAfterMs }];
    default: {
      const never: never = b;
      throw new Error(`unknown handset behaviour ${JSON.stringify(never)}`);
    }
  }
}

/** The lower-case scheme of an address (`Tel:8378` → `tel`), if it has one. */
export function schemeOf(addr: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(addr)?.[1]?.toLowerCase();
}

/** The handset an address names (`tel:<number>` or `ppn:<ppn>`), if any. */
export function resolveAddress(handsets: Iterable<SimHandset>, addr: string): SimHandset | undefined {
  const scheme = schemeOf(addr);
  const rest = addr.slice((scheme?.length ?? 0) + 1);
  for (const h of handsets) {
    if (scheme === 'tel' && h.number === rest) return h;
    if (scheme === 'ppn' && /^[0-9]+$/.test(rest) && h.ppn === Number(rest)) return h;
  }
  return undefined;
}
