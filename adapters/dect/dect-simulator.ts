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
 * This file is longer than most: the request handlers and the scripting methods share the
 * handset and link state. The pure parts live beside it: XML (dect-simulator-xml.ts), event
 * routing (dect-simulator-subscriptions.ts), handset answers (dect-simulator-handsets.ts).
 */
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import {
  applySubscribe,
  subscribed,
  type EventScope,
  type ScopeKey,
  type SubscriptionEntry,
} from './dect-simulator-subscriptions.ts';
import {
  handsetAnswer,
  newHandset,
  resolveAddress,
  schemeOf,
  type SimHandset,
  type SimHandsetConfig,
  type SimInboxMessage,
} from './dect-simulator-handsets.ts';
import {
  isSimFrameError,
  readSimFrame,
  SimFrameSplitter,
  simFrame,
  writeSimElement,
  type SimAttrs,
  type SimElement,
  type SimFrameError,
  type SimOut,
} from './dect-simulator-xml.ts';
import { getRegDomain, setRegDomain, type SimRegDomainState } from './dect-simulator-regdomain.ts';
import { positionInfo, ppDevCnf, ppState, ppUserCnf, ppUserUnbound } from './dect-simulator-provisioning.ts';

export type {
  HandsetBehaviour,
  SimHandset,
  SimHandsetConfig,
  SimInboxMessage,
  SimVisible,
} from './dect-simulator-handsets.ts';
export type { SimElement, SimFrameError } from './dect-simulator-xml.ts';

/** Runs `fn` after `ms` milliseconds; returns a function that cancels it. */
export type SimSchedule = (ms: number, fn: () => void) => () => void;

/** One connection as the simulator sees it. */
export interface SimLink {
  readonly id: number;
  readonly tls: boolean;
  /** Every element received, in order. */
  readonly received: SimElement[];
  /** Every element sent, as XML text without the NUL. */
  readonly sent: string[];
  readonly badFrames: SimFrameError[];
  opened: boolean;
  subscriptions: readonly SubscriptionEntry[];
  closed: boolean;
}

export interface OmmSimulatorOptions {
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
  /** Timer for scripted delays; default setTimeout. */
  readonly schedule?: SimSchedule;
  /** Wall clock in ms for sendTime, confTime and timeStamp; default Date.now. */
  readonly now?: () => number;
  readonly log?: (msg: string, detail: Record<string, unknown>) => void;
  /** Largest unterminated frame before the link is closed; default 1 MiB. */
  readonly maxFrameBytes?: number;
  /**
   * Close a link silent this long (a real OMM: 5 minutes, protocols.md §1.1), on the injected
   * timer. Default: never, so tests that do not ping are not cut off.
   */
  readonly idleCloseMs?: number;
  /** The DECT regulatory domain at start (GetDECTRegDomain); default `EMEA` (the EU band). */
  readonly dectRegDomain?: string;
}

export interface SimStartOptions {
  readonly tls?: boolean | { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Default 12622 with TLS, 12621 without; 0 for any free port. */
  readonly port?: number;
  readonly host?: string;
}

const DEFAULT_OPEN_RESP = {
  ommStbState: 'None',
  protocolVersion: 45,
  ommVersion: 'OpenMobility Manager SIP-DECT 7.1-CK14 (Tocsin simulator)',
  axiVersion: '171101',
  ommAxiSpecVersion: '7.1.1',
};
/** A stand-in for the OMM's RSA key (never used for encryption by the simulator). */
const PUBLIC_KEY = { modulus: 'C0FFEE'.repeat(21) + 'C1', exponent: '010001' };
const MAX_MSG_ID = 1_048_576;
const MAX_TO_ADDR_BYTES = 128;

const defaultSchedule: SimSchedule = (ms, fn) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export class OmmSimulator {
  /** Every link ever accepted, in order (closed ones stay, with `closed: true`). */
  readonly links: SimLink[] = [];
  /** Every problem met (bad frames, unexpected elements, refused choices), for assertions. */
  readonly problems: string[] = [];
  /** Every element received on any link, in arrival order (each link has its own list too). */
  readonly received: SimElement[] = [];

  private readonly handsets = new Map<number, SimHandset>();
  private readonly inboxes = new Map<number, SimInboxMessage[]>();
  private readonly sockets = new Map<SimLink, Socket>();
  private readonly raw = new Set<Socket>();
  private started = false;
  private readonly timers = new Set<() => void>();
  private readonly refusedTypes: Set<string>;
  private readonly schedule: SimSchedule;
  private readonly now: () => number;
  private server: Server | undefined;
  private loginsRefused = false;
  private positionMode: 'answer' | 'silent' | { readonly errCode: string } = 'answer';
  private nextEventId = 1;
  private readonly regDomain: SimRegDomainState;

  constructor(private readonly options: OmmSimulatorOptions = {}) {
    for (const h of options.handsets ?? []) {
      if (this.handsets.has(h.ppn)) throw new Error(`duplicate handset ppn ${h.ppn}`);
      this.handsets.set(h.ppn, newHandset(h));
      this.inboxes.set(h.ppn, []);
    }
    this.refusedTypes = new Set(options.refusedEventTypes ?? []);
    this.schedule = options.schedule ?? defaultSchedule;
    this.now = options.now ?? Date.now;
    this.regDomain = { regDomain: options.dectRegDomain ?? 'EMEA', refusal: undefined };
  }

  /** Base station ids. */
  get rfps(): readonly number[] {
    return this.options.rfps ?? [...new Set([...this.handsets.values()].map((h) => h.rfp))];
  }

  /**
   * Listens (TLS with a fresh self-signed certificate when `tls` is true). Resolves with the
   * bound port and, for TLS, the certificate PEM clients should trust. Throws when started twice.
   */
  async start(o: SimStartOptions = {}): Promise<{ readonly port: number; readonly certificatePem?: string }> {
    if (this.started) throw new Error('OmmSimulator already started');
    this.started = true;
    let certificatePem: string | undefined;
    let server: Server;
    if (o.tls === undefined || o.tls === false) {
      server = createNetServer((s) => this.accept(s, false));
    } else {
      const pair = o.tls === true ? await selfSigned() : o.tls;
      certificatePem = pair.cert.toString();
      server = createTlsServer({ key: pair.key, cert: pair.cert }, (s) => this.accept(s, true));
      server.on('tlsClientError', (err) => this.problem('TLS handshake failed', { error: err.message }));
    }
    // Every TCP connection, also one still in its TLS handshake, so that stop() can end it.
    server.on('connection', (raw: Socket) => {
      raw.setNoDelay(true);
      this.raw.add(raw);
      raw.on('close', () => this.raw.delete(raw));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(o.port ?? (certificatePem === undefined ? 12621 : 12622), o.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      this.started = false;
      throw err;
    }
    this.server = server;
    const { port } = server.address() as AddressInfo;
    return certificatePem === undefined ? { port } : { port, certificatePem };
  }

  /** Cancels scripted delays, closes every link and stops listening. Idempotent. */
  async stop(): Promise<void> {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.dropLinks();
    const server = this.server;
    this.server = undefined;
    this.started = false;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Destroys every open socket, also those still in a TLS handshake (the server keeps listening). */
  dropLinks(): void {
    for (const s of this.raw) s.destroy();
    for (const s of this.sockets.values()) s.destroy();
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

  // ---- links ---------------------------------------------------------------------------

  private accept(socket: Socket, tls: boolean): void {
    const link: SimLink = {
      id: this.links.length + 1,
      tls,
      received: [],
      sent: [],
      badFrames: [],
      opened: false,
      subscriptions: [],
      closed: false,
    };
    this.links.push(link);
    this.sockets.set(link, socket);
    const splitter = new SimFrameSplitter(this.options.maxFrameBytes ?? 1024 * 1024);
    const idleMs = this.options.idleCloseMs;
    let cancelIdle: (() => void) | undefined;
    const armIdle = () => {
      cancelIdle?.();
      if (idleMs === undefined) return;
      cancelIdle = this.later(idleMs, () => {
        this.problem('link silent too long; closing it', { link: link.id });
        socket.destroy();
      });
    };
    armIdle();
    socket.on('data', (chunk: Buffer) => {
      armIdle();
      const { frames, overflow } = splitter.push(chunk);
      for (const f of frames) {
        if (link.closed || socket.destroyed) return;
        this.onFrame(link, f);
      }
      if (overflow) {
        this.problem('frame too long without NUL; closing the link', { link: link.id });
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.log('socket error', { link: link.id, error: err.message }));
    socket.on('close', () => {
      cancelIdle?.();
      link.closed = true;
      this.sockets.delete(link);
    });
  }

  private onFrame(link: SimLink, bytes: Buffer): void {
    if (bytes.length === 0) {
      this.problem('empty frame ignored', { link: link.id });
      return;
    }
    const el = readSimFrame(bytes);
    if (isSimFrameError(el)) {
      link.badFrames.push(el);
      this.problem(`unreadable frame not answered: ${el.reason}`, { link: link.id, frame: el.frame.slice(0, 200) });
      return;
    }
    link.received.push(el);
    this.received.push(el);
    if (el.name.startsWith('Event') || el.name.endsWith('Resp')) {
      this.problem(`unexpected ${el.name} from the client not answered`, { link: link.id });
      return;
    }
    if (!link.opened && el.name !== 'Open') {
      this.reply(link, el, { errCode: 'EPerm', info: 'Open first' });
      return;
    }
    switch (el.name) {
      case 'Open':
        return this.onOpen(link, el);
      case 'Ping':
        return this.reply(link, el, { timeStamp: this.unixNow() });
      case 'Subscribe':
        return this.onSubscribe(link, el);
      case 'SendMessage':
        return this.onSendMessage(link, el);
      case 'DeleteMessage':
        return this.onDeleteMessage(link, el);
      case 'GetPPState':
        return this.onGetPPState(link, el);
      case 'RequestPositionInfo':
        return this.onRequestPositionInfo(link, el);
      case 'GetDECTRegDomain':
        return this.reply(link, el, getRegDomain(this.regDomain));
      case 'SetDECTRegDomain': {
        const r = setRegDomain(this.regDomain, el.attrs.regDomain);
        this.log('SetDECTRegDomain', { link: link.id, requested: el.attrs.regDomain, ...r });
        return this.reply(link, el, r);
      }
      default:
        this.problem(`request ${el.name} is not simulated`, { link: link.id });
        return this.reply(link, el, { errCode: 'EInval', info: 'not simulated' });
    }
  }

  private onOpen(link: SimLink, el: SimElement): void {
    const versions = { ...DEFAULT_OPEN_RESP, ...this.options.openResp };
    if (link.opened) return this.reply(link, el, { ...versions, errCode: 'EPerm', info: 'already open' });
    const creds = this.options.credentials ?? { username: 'omm', password: 'omm' };
    if (this.loginsRefused || el.attrs.username !== creds.username || el.attrs.password !== creds.password) {
      return this.reply(link, el, { ...versions, errCode: 'EAuth' });
    }
    link.opened = true;
    this.reply(link, el, versions, [{ name: 'publicKey', attrs: PUBLIC_KEY }]);
  }

  private onSubscribe(link: SimLink, el: SimElement): void {
    const r = applySubscribe(link.subscriptions, el, this.refusedTypes);
    if ('refusal' in r) return this.reply(link, el, { ...r.refusal });
    link.subscriptions = r.entries;
    this.reply(link, el, {});
    const on = (type: string) => el.children.some((e) => e.attrs.cmd === 'On' && e.attrs.eventType === type);
    for (const h of this.handsets.values()) {
      const user = ppUserCnf(h);
      if (on('PPDevCnf') && subscribed(link.subscriptions, { type: 'PPDevCnf', values: { ppn: String(h.ppn) } }))
        this.send(link, ppDevCnf(h));
      if (
        user &&
        on('PPUserCnf') &&
        subscribed(link.subscriptions, { type: 'PPUserCnf', values: this.handsetScope(h) })
      )
        this.send(link, user);
    }
  }

  private onSendMessage(link: SimLink, el: SimElement): void {
    const msg = el.children.find((c) => c.name === 'msg');
    if (msg === undefined) return this.reply(link, el, { errCode: 'EMissing', bad: 'msg' });
    const { toAddr } = msg.attrs;
    if (toAddr === undefined || toAddr === '') return this.reply(link, el, { errCode: 'EMissing', bad: 'toAddr' });
    if (Buffer.byteLength(toAddr) > MAX_TO_ADDR_BYTES) {
      return this.reply(link, el, { errCode: 'ETooLong', bad: 'toAddr', maxLen: MAX_TO_ADDR_BYTES });
    }
    const id = msg.attrs.id ?? '0';
    if (!/^[0-9]+$/.test(id) || Number(id) >= MAX_MSG_ID) return this.reply(link, el, { errCode: 'EInval', bad: 'id' });
    const sendTime = msg.attrs.sendTime ?? this.unixNow().toString();
    this.reply(link, el, {});

    const h = this.resolve(toAddr);
    const m: SimInboxMessage = {
      sendTime,
      id,
      toAddr,
      msg: msg.attrs,
      choices: msg.children.filter((c) => c.name === 'confirm' || c.name === 'confirmReq').map((c) => c.text.trim()),
      progress: [],
      confirmation: undefined,
      deleted: false,
    };
    if (h !== undefined) this.inboxes.get(h.ppn)?.push(m);
    for (const step of handsetAnswer(h, m.choices)) {
      switch (step.kind) {
        case 'progress':
          this.progress(m, h, step.event);
          break;
        case 'note':
          this.problem(`message ${sendTime}/${id} to ${toAddr}: ${step.problem}`, { link: link.id });
          break;
        case 'confirm':
          if (h !== undefined) this.later(step.afterMs, () => this.confirm(m, h, step.confirmation));
          break;
        case 'queue-empty':
          if (h !== undefined) this.later(step.afterMs, () => this.queueEmpty(h));
          break;
        default: {
          const never: never = step;
          throw new Error(`unknown step ${JSON.stringify(never)}`);
        }
      }
    }
  }

  private queueEmpty(h: SimHandset): void {
    this.emit(
      { name: 'EventMessageQueueEmpty', attrs: { ppn: h.ppn } },
      { type: 'MessageQueueEmpty', values: this.handsetScope(h) },
    );
  }

  private confirm(m: SimInboxMessage, h: SimHandset, confirmation: string): void {
    if (m.deleted) return;
    m.confirmation = confirmation;
    const attrs = {
      sendTime: m.sendTime,
      id: m.id,
      fromAddr: m.msg.fromAddr,
      toAddr: m.toAddr,
      confTime: this.unixNow(),
      confirmation,
    };
    this.emit(
      { name: 'EventMessageConfirmation', attrs },
      { type: 'MessageConfirmation', values: this.handsetScope(h) },
    );
  }

  private onDeleteMessage(link: SimLink, el: SimElement): void {
    const { sendTime, id, toAddr } = el.attrs;
    if (sendTime === undefined || id === undefined || toAddr === undefined) {
      return this.reply(link, el, {
        errCode: 'EMissing',
        bad: sendTime === undefined ? 'sendTime' : id === undefined ? 'id' : 'toAddr',
      });
    }
    const h = this.resolve(toAddr);
    // The scheme must match the original's (protocols.md §1.5): `tel:` and `ppn:` differ.
    const m =
      h &&
      this.inboxes
        .get(h.ppn)
        ?.find((x) => x.sendTime === sendTime && x.id === id && !x.deleted && schemeOf(x.toAddr) === schemeOf(toAddr));
    if (h === undefined || m === undefined) return this.reply(link, el, { errCode: 'ENoEnt', bad: 'id' });
    m.deleted = true;
    this.reply(link, el, {});
    this.progress(m, h, 'DeleteDelivered');
  }

  private onGetPPState(link: SimLink, el: SimElement): void {
    if (el.attrs.ppn === undefined) return this.reply(link, el, { errCode: 'EMissing', bad: 'ppn' });
    const h = this.handsets.get(Number(el.attrs.ppn));
    if (h === undefined) return this.reply(link, el, { errCode: 'ENoEnt', bad: 'ppn' });
    this.reply(link, el, {
      ppn: h.ppn,
      onHook: 1,
      registered: h.switchedOn ? 1 : 0,
      silentCharging: 0,
      callState: 'idle',
      swVersion: '7.1.0 (simulated)',
    });
  }

  private onRequestPositionInfo(link: SimLink, el: SimElement): void {
    if (el.attrs.ppn === undefined) return this.reply(link, el, { errCode: 'EMissing', bad: 'ppn' });
    const h = this.handsets.get(Number(el.attrs.ppn));
    if (h === undefined) return this.reply(link, el, { errCode: 'ENoEnt', bad: 'ppn' });
    const mode = this.positionMode;
    if (typeof mode === 'object') return this.reply(link, el, { errCode: mode.errCode });
    this.reply(link, el, { ppn: h.ppn });
    if (mode === 'answer') this.send(link, positionInfo(h));
  }

  // ---- helpers -------------------------------------------------------------------------

  private ppTransaction(h: SimHandset, trType: 'LocReg' | 'Detach' | 'PPNotFound'): SimEmitted {
    return this.emit(
      { name: 'EventPPTransaction', attrs: { trType, ppn: h.ppn, rfpId: h.rfp } },
      { type: 'PPTransaction', variant: trType, values: { ...this.handsetScope(h), rfpId: String(h.rfp) } },
    );
  }

  private progress(m: SimInboxMessage, h: SimHandset | undefined, event: string): SimEmitted {
    m.progress.push(event);
    return this.emit(
      { name: 'EventMessageProgress', attrs: { sendTime: m.sendTime, id: m.id, toAddr: m.toAddr, event } },
      { type: 'MessageProgress', values: { ...(h ? this.handsetScope(h) : {}), scheme: schemeOf(m.toAddr) } },
    );
  }

  private handsetScope(h: SimHandset): Partial<Record<ScopeKey, string>> {
    return { ppn: String(h.ppn), ...(h.user === undefined ? {} : { uid: String(h.user) }) };
  }

  private resolve(addr: string): SimHandset | undefined {
    return resolveAddress(this.handsets.values(), addr);
  }

  /** Sends an event to every link subscribed to it; returns it with the number of links reached. */
  private emit(out: SimOut, scope: EventScope): SimEmitted {
    let links = 0;
    for (const link of this.sockets.keys()) {
      if (link.opened && subscribed(link.subscriptions, scope)) {
        this.send(link, out);
        links += 1;
      }
    }
    return { xml: writeSimElement(out), links };
  }

  /** Answers request `req` with `<Name>Resp seq=…` and `attrs`. */
  private reply(link: SimLink, req: SimElement, attrs: SimAttrs, children: readonly SimOut[] = []): void {
    this.send(link, { name: `${req.name}Resp`, attrs: { seq: req.attrs.seq, ...attrs }, children });
  }

  private send(link: SimLink, out: SimOut): void {
    const socket = this.sockets.get(link);
    if (socket === undefined || socket.destroyed) return;
    link.sent.push(writeSimElement(out));
    socket.write(simFrame(out));
  }

  /** Runs `fn` after `ms` on the injected timer; `stop()` cancels what has not fired. Returns a cancel function. */
  private later(ms: number, fn: () => void): () => void {
    // A holder, because a synchronous `schedule` may run the callback before it returns.
    const h = { cancel: (): void => undefined, fired: false };
    h.cancel = this.schedule(ms, () => {
      h.fired = true;
      this.timers.delete(h.cancel);
      fn();
    });
    if (!h.fired) this.timers.add(h.cancel);
    return () => {
      h.cancel();
      this.timers.delete(h.cancel);
    };
  }

  private unixNow(): number {
    return Math.floor(this.now() / 1000);
  }

  private eventId(): number {
    const id = this.nextEventId;
    this.nextEventId = (this.nextEventId % (MAX_MSG_ID - 1)) + 1;
    return id;
  }

  private problem(msg: string, detail: Record<string, unknown>): void {
    this.problems.push(msg);
    this.log(msg, detail);
  }

  private log(msg: string, detail: Record<string, unknown>): void {
    this.options.log?.(msg, detail);
  }
}

/** An event the simulator sent: its XML (without NUL) and how many links it went to. */
export interface SimEmitted {
  readonly xml: string;
  readonly links: number;
}

async function selfSigned(): Promise<{ key: string; cert: string }> {
  // Loaded only here: the library costs ~150 ms and plain-TCP runs do not need it.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
