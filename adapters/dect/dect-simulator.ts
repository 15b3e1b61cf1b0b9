/**
 * OmmSimulator: a scriptable Mitel OpenMobility Manager that speaks OM AXI (protocols.md §1)
 * over a real socket, for tests and the demo (DESIGN.md "Adapters"). It shares no code with
 * the adapter's codec: its XML reading/writing is dect-simulator-xml.ts, its event routing
 * dect-simulator-subscriptions.ts.
 *
 *   const sim = new OmmSimulator({ handsets: [{ ppn: 1, number: '4711', name: 'Ward 1', rfp: 10 }] });
 *   const { port, certificatePem } = await sim.start({ tls: true, port: 0 });
 *   sim.handset(1).behaviour = { kind: 'accept', afterMs: 20_000 };
 *   sim.pressEmergency(1);
 *   await sim.stop();
 *
 * Wire: NUL-terminated frames, one XML element each, both ways; TLS (self-signed certificate
 * made with `selfsigned`, or a given key/cert) or plain TCP. Per link:
 * - Before a successful Open only Open is accepted; any other request gets its `<Name>Resp`
 *   with `errCode="EPerm"` and the link stays up (protocols.md says the OMM accepts only Open
 *   and does not say it closes [I]). A wrong Open (or any Open while `refuseLogins(true)`)
 *   answers `OpenResp … errCode="EAuth"` and may be retried; a second Open on an open
 *   session answers `errCode="EPerm"` [I].
 * - `seq` is copied into every response. Responses: Open, Ping (with our `timeStamp`, unix s),
 *   Subscribe (1–20 `<e>`, atomic; EPerm for an event type refused by script), SendMessage,
 *   DeleteMessage, GetPPState, RequestPositionInfo, GetDECTRegDomain / SetDECTRegDomain (the
 *   DECT band, default EMEA; `refuseDectRegDomain()` scripts a refusal; see
 *   dect-simulator-regdomain.ts). Any other request: `<Name>Resp errCode="EInval" info="not simulated"`. Elements named `Event…` or `…Resp` from the client
 *   are recorded and not answered.
 * - Events go only to links whose subscriptions cover them (dect-simulator-subscriptions.ts);
 *   EventPositionInfo is the answer to RequestPositionInfo and goes to the asking link only [I]:
 *   the handset's `visible` base stations (default its RFP), none when it is off or out of range.
 * - A Subscribe that turns PPDevCnf / PPUserCnf on is followed by EventPPDevCnf (and, for a
 *   handset with a user, EventPPUserCnf) for every handset it covers [I]
 *   (dect-simulator-provisioning.ts); `assignUser` sends them again on a change of user.
 * - Handset state: `setCharger` and `setBattery` send EventPPState; `outOfRange` sends
 *   EventPPTransaction PPNotFound and makes messages get PagingTimeout until `moveTo`.
 * - A frame that cannot be read (not one well-formed element, not UTF-8, a DOCTYPE, …) is
 *   recorded in `badFrames`, logged and not answered; more than `maxFrameBytes` (1 MiB) without
 *   a NUL closes the link. An empty frame (two NULs in a row) is ignored and logged.
 * - With `idleCloseMs` set, a link that sends nothing for that long is closed, like the OMM's
 *   5-minute rule.
 *
 * SendMessage answers `SendMessageResp` at once (EMissing without `<msg>` or `toAddr`,
 * ETooLong past 128 bytes of toAddr, EInval for an id ≥ 1048576), then follows the
 * recipient's scripted `behaviour` with EventMessageProgress (and EventMessageConfirmation):
 * accept/reject → Delivered, then after `afterMs` OrderOk/OrderNok (only when the message
 * offered that choice as `<confirm>` or `<confirmReq>`; otherwise it is logged and nothing
 * comes); silent → Delivered only; busy → Busy; off (or switched off) → TemporaryUnavailable;
 * out-of-range → PagingTimeout; overridden → Overridden, then after `queueEmptyAfterMs`
 * EventMessageQueueEmpty. An address that matches no handset (`tel:<number>`, `ppn:<ppn>`)
 * gets WrongURI. Delays run on the injected `schedule` function, so tests drive them on a
 * virtual clock; a delayed event finds whichever links are subscribed when it fires.
 *
 * The class is built in three layers: the wire (dect-simulator-links.ts: listening, links,
 * frames, timers), the handset state and the answers to requests (dect-simulator-requests.ts),
 * and here the options and the scripting API. The pure parts live beside them: XML
 * (dect-simulator-xml.ts), event routing (dect-simulator-subscriptions.ts), handset answers
 * (dect-simulator-handsets.ts).
 */
import { schemeOf, type SimHandset, type SimHandsetConfig, type SimInboxMessage } from './dect-simulator-handsets.ts';
import type { SimLinkOptions } from './dect-simulator-links.ts';
import { ppDevCnf, ppState, ppUserCnf, ppUserUnbound } from './dect-simulator-provisioning.ts';
import { SimOmm, type SimEmitted } from './dect-simulator-requests.ts';

export type {
  HandsetBehaviour,
  SimHandset,
  SimHandsetConfig,
  SimInboxMessage,
  SimVisible,
} from './dect-simulator-handsets.ts';
export type { SimElement, SimFrameError } from './dect-simulator-xml.ts';
export interface OmmSimulatorOptions extends SimLinkOptions {
  /** Default `omm` / `omm`. */
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly handsets?: readonly SimHandsetConfig[];
  /** Base station ids; default those the handsets are at. */
  readonly rfps?: readonly number[];
  /** OpenResp attributes (protocolVersion 45, SIP-DECT 7.1 strings by default). */
  readonly openResp?: Readonly<Record<string, string | number>>;
  /** Trigger ids of the alarm buttons; default SOS, MANDOWN, NOMOVEMENT. */
  readonly triggers?: { readonly sos?: string; readonly manDown?: string; readonly noMovement?: string };
  /** Event types whose Subscribe is refused with EPerm. */
  readonly refusedEventTypes?: readonly string[];
  /** Wall clock in ms for sendTime, confTime and timeStamp; default Date.now. */
  readonly now?: () => number;
  /** The DECT regulatory domain at start (GetDECTRegDomain); default `EMEA` (the EU band). */
  readonly dectRegDomain?: string;
}

export class OmmSimulator extends SimOmm {
  constructor(options: OmmSimulatorOptions = {}) {
    super(options);
  }

  /** Base station ids. */
  get rfps(): readonly number[] {
    return this.options.rfps ?? [...new Set([...this.handsets.values()].map((h) => h.rfp))];
  }

  /** While on, every Open is answered EAuth. */
  refuseLogins(on: boolean): void {
    this.loginsRefused = on;
  }

  /** The DECT regulatory domain now in force (what GetDECTRegDomain answers). */
  get dectRegDomain(): string {
    return this.regDomain.regDomain;
  }

  /** While set, every SetDECTRegDomain is refused with `errCode` (EPerm by default); `false` ends it. */
  refuseDectRegDomain(errCode: string | false = 'EPerm'): void {
    this.regDomain.refusal = errCode === false ? undefined : errCode;
  }

  /** While on, a Subscribe naming `eventType` is refused with EPerm. */
  refuseSubscription(eventType: string, on = true): void {
    if (on) this.refusedTypes.add(eventType);
    else this.refusedTypes.delete(eventType);
  }

  /** The handset's live state; set `behaviour` on it to script it. Throws for an unknown ppn. */
  handset(ppn: number): SimHandset {
    const h = this.handsets.get(ppn);
    if (h === undefined) throw new Error(`no simulated handset with ppn ${ppn}`);
    return h;
  }

  /** Every message the handset was sent, oldest first. Throws for an unknown ppn. */
  inbox(ppn: number): readonly SimInboxMessage[] {
    this.handset(ppn);
    return this.inboxes.get(ppn) ?? [];
  }

  /** The SOS key: EventAlarmTrigger with the SOS trigger id. Returns the event as sent. */
  pressEmergency(ppn: number): SimEmitted {
    return this.alarmTrigger(ppn, this.options.triggers?.sos ?? 'SOS');
  }

  /** Man-down detection: EventAlarmTrigger with the man-down trigger id. */
  manDown(ppn: number): SimEmitted {
    return this.alarmTrigger(ppn, this.options.triggers?.manDown ?? 'MANDOWN');
  }

  /** No-movement detection: EventAlarmTrigger with the no-movement trigger id. */
  noMovement(ppn: number): SimEmitted {
    return this.alarmTrigger(ppn, this.options.triggers?.noMovement ?? 'NOMOVEMENT');
  }

  /** Any alarm trigger fired from the handset (`EventAlarmTrigger sendTime id trigger ppn uid fromAddr`). */
  alarmTrigger(ppn: number, trigger: string, extra: { dialSuffix?: string; content?: string } = {}): SimEmitted {
    const h = this.handset(ppn);
    const attrs = {
      sendTime: this.unixNow(),
      id: this.eventId(),
      trigger,
      ppn,
      uid: h.user,
      fromAddr: `tel:${h.number}`,
      dialSuffix: extra.dialSuffix,
      content: extra.content,
    };
    return this.emit(
      { name: 'EventAlarmTrigger', attrs },
      { type: 'AlarmTrigger', values: { ...this.handsetScope(h), trigger } },
    );
  }

  /** Text typed on the handset to `toAddr`: EventMessageSend with one `<msg>`. */
  sendText(ppn: number, text: string, toAddr: string): SimEmitted {
    const h = this.handset(ppn);
    const msg = {
      sendTime: this.unixNow(),
      id: this.eventId(),
      ppn,
      fromAddr: `tel:${h.number}`,
      toAddr,
      fromName: h.name,
      priority: 'Normal',
      folder: 'Inbox',
      content: text,
    };
    return this.emit(
      { name: 'EventMessageSend', children: [{ name: 'msg', attrs: msg }] },
      { type: 'MessageSend', values: { ...this.handsetScope(h), scheme: schemeOf(toAddr) } },
    );
  }

  /** The handset logs on at (or roams to) `rfp`: EventPPTransaction trType="LocReg". Throws for an unknown RFP. */
  moveTo(ppn: number, rfp: number): SimEmitted {
    const h = this.handset(ppn);
    if (!this.rfps.includes(rfp)) throw new Error(`no simulated RFP ${rfp} (known: ${this.rfps.join(', ')})`);
    h.rfp = rfp;
    h.switchedOn = true;
    h.inRange = true;
    return this.ppTransaction(h, 'LocReg');
  }

  /** The handset is switched off: EventPPTransaction trType="Detach"; messages then fail. */
  switchOff(ppn: number): SimEmitted {
    const h = this.handset(ppn);
    h.switchedOn = false;
    return this.ppTransaction(h, 'Detach');
  }

  /** The handset leaves DECT coverage: EventPPTransaction trType="PPNotFound"; messages then get PagingTimeout. */
  outOfRange(ppn: number): SimEmitted {
    const h = this.handset(ppn);
    h.inRange = false;
    return this.ppTransaction(h, 'PPNotFound');
  }

  /** Into or out of the charger: EventPPState isInCharger. */
  setCharger(ppn: number, inCharger: boolean): SimEmitted {
    const h = this.handset(ppn);
    h.inCharger = inCharger;
    return this.emit(ppState(h, { isInCharger: inCharger }), { type: 'PPState', values: this.handsetScope(h) });
  }

  /** A new battery level (0–100): EventPPState batteryLevel. */
  setBattery(ppn: number, batteryLevel: number): SimEmitted {
    const h = this.handset(ppn);
    h.batteryLevel = batteryLevel;
    return this.emit(ppState(h, { batteryLevel }), { type: 'PPState', values: this.handsetScope(h) });
  }

  /**
   * How RequestPositionInfo is answered: `answer` (default: the response, then EventPositionInfo),
   * `silent` (the response only: the position never comes), or a refusal with `errCode`
   * (e.g. no locating licence [I: the code a real OMM gives is not known]).
   */
  positionReplies(mode: 'answer' | 'silent' | { readonly errCode: string }): void {
    this.positionMode = mode;
  }

  /** The base stations the handset sees, for RequestPositionInfo (undefined: only its RFP). */
  setVisible(ppn: number, visible: readonly { readonly rfp: number; readonly rssiAvg: number }[] | undefined): void {
    this.handset(ppn).visible = visible;
  }

  /**
   * Another user logs on at the handset (undefined: the user logs off): EventPPUserCnf for the
   * user who left (`ppn="0"`) and for the new one, then EventPPDevCnf. Returns the events sent.
   */
  assignUser(
    ppn: number,
    user:
      { readonly uid: number; readonly number: string; readonly name: string; readonly language?: string } | undefined,
  ): SimEmitted[] {
    const h = this.handset(ppn);
    const out: SimEmitted[] = [];
    const userScope = (uid: number) => ({ type: 'PPUserCnf', values: { uid: String(uid), ppn: String(h.ppn) } });
    if (h.user !== undefined && h.user !== user?.uid) out.push(this.emit(ppUserUnbound(h.user), userScope(h.user)));
    h.user = user?.uid;
    if (user !== undefined) {
      Object.assign(h, { number: user.number, name: user.name, language: user.language });
      out.push(this.emit(ppUserCnf(h)!, userScope(user.uid)));
    }
    out.push(this.emit(ppDevCnf(h), { type: 'PPDevCnf', values: { ppn: String(h.ppn) } }));
    return out;
  }

  private ppTransaction(h: SimHandset, trType: 'LocReg' | 'Detach' | 'PPNotFound'): SimEmitted {
    return this.emit(
      { name: 'EventPPTransaction', attrs: { trType, ppn: h.ppn, rfpId: h.rfp } },
      { type: 'PPTransaction', variant: trType, values: { ...this.handsetScope(h), rfpId: String(h.rfp) } },
    );
  }
}
