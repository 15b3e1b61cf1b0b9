/**
 * The OMM side of the simulator (dect-simulator.ts's header says what it answers): the handset
 * state, the answers to each request on a link, and events sent to the links subscribed to them.
 * The wire below is dect-simulator-links.ts; the scripting API above is OmmSimulator.
 */
import { applySubscribe, subscribed, type EventScope, type ScopeKey } from './dect-simulator-subscriptions.ts';
import {
  handsetAnswer,
  newHandset,
  resolveAddress,
  schemeOf,
  type SimHandset,
  type SimInboxMessage,
} from './dect-simulator-handsets.ts';
import {
  isSimFrameError,
  readSimFrame,
  writeSimElement,
  type SimAttrs,
  type SimElement,
  type SimOut,
} from './dect-simulator-xml.ts';
import { getRegDomain, setRegDomain, type SimRegDomainState } from './dect-simulator-regdomain.ts';
import { positionInfo, ppDevCnf, ppUserCnf } from './dect-simulator-provisioning.ts';
import { SimLinkServer, type SimLink } from './dect-simulator-links.ts';
import type { OmmSimulatorOptions } from './dect-simulator.ts';

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
/** An event the simulator sent: its XML (without NUL) and how many links it went to. */
export interface SimEmitted {
  readonly xml: string;
  readonly links: number;
}

/** Handset state and the answers to requests; OmmSimulator adds the scripting API. */
export abstract class SimOmm extends SimLinkServer {
  /** Every element received on any link, in arrival order (each link has its own list too). */
  readonly received: SimElement[] = [];

  protected readonly handsets = new Map<number, SimHandset>();
  protected readonly inboxes = new Map<number, SimInboxMessage[]>();
  protected readonly refusedTypes: Set<string>;
  private readonly now: () => number;
  protected loginsRefused = false;
  protected positionMode: 'answer' | 'silent' | { readonly errCode: string } = 'answer';
  private nextEventId = 1;
  protected readonly regDomain: SimRegDomainState;
  constructor(protected readonly options: OmmSimulatorOptions) {
    super(options);
    for (const h of options.handsets ?? []) {
      if (this.handsets.has(h.ppn)) throw new Error(`duplicate handset ppn ${h.ppn}`);
      this.handsets.set(h.ppn, newHandset(h));
      this.inboxes.set(h.ppn, []);
    }
    this.refusedTypes = new Set(options.refusedEventTypes ?? []);
    this.now = options.now ?? Date.now;
    this.regDomain = { regDomain: options.dectRegDomain ?? 'EMEA', refusal: undefined };
  }

  protected onFrame(link: SimLink, bytes: Buffer): void {
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

  private progress(m: SimInboxMessage, h: SimHandset | undefined, event: string): SimEmitted {
    m.progress.push(event);
    return this.emit(
      { name: 'EventMessageProgress', attrs: { sendTime: m.sendTime, id: m.id, toAddr: m.toAddr, event } },
      { type: 'MessageProgress', values: { ...(h ? this.handsetScope(h) : {}), scheme: schemeOf(m.toAddr) } },
    );
  }

  protected handsetScope(h: SimHandset): Partial<Record<ScopeKey, string>> {
    return { ppn: String(h.ppn), ...(h.user === undefined ? {} : { uid: String(h.user) }) };
  }

  private resolve(addr: string): SimHandset | undefined {
    return resolveAddress(this.handsets.values(), addr);
  }

  /** Sends an event to every link subscribed to it; returns it with the number of links reached. */
  protected emit(out: SimOut, scope: EventScope): SimEmitted {
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

  protected unixNow(): number {
    return Math.floor(this.now() / 1000);
  }

  protected eventId(): number {
    const id = this.nextEventId;
    this.nextEventId = (this.nextEventId % (MAX_MSG_ID - 1)) + 1;
    return id;
  }
}
