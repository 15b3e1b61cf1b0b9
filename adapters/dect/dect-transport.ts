/**
 * The OM AXI transport: the adapter's only IO. It opens the TCP or TLS connection to the OMM,
 * frames bytes (dect-framing.ts), decodes frames (dect-codec.ts), and carries out what the
 * pure link machine (dect-link.ts) decides: Open, Subscribe, Ping, close, timers, reconnect.
 * Requests carry a `seq` that the OMM copies into the response; a request is answered by the
 * response with its seq, or rejected when the link goes down or the answer does not come.
 * Events (and unrecognised messages) go to `onEvent`; supervision to `onSupervision`.
 *
 * TLS: the caller's Node TLS options (Tocsin's shared TLS settings: version, ciphers) plus
 * either the usual CA verification or `pinSha256`, the certificate fingerprint the OMM must
 * present (an OMM usually has a self-signed certificate). A frame past the size cap, an
 * unparseable frame flood or a TLS failure closes the link; the machine then backs off.
 * Timers come from `timers` (setTimeout by default) so tests run on a virtual clock.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { LinkLog } from '../shared/link-log.ts';
import { realTimers, TimerSlots, type TimerHost } from '../shared/timer-slots.ts';
import {
  decodeAxi,
  encodeAxi,
  type AxiEvent,
  type AxiRequest,
  type AxiResponse,
  type SubscribeEntry,
} from './dect-codec.ts';
import { frame, NulFramer } from './dect-framing.ts';
import {
  DEFAULT_LINK_POLICY,
  INITIAL_LINK,
  linkStep,
  type LinkEffect,
  type LinkInput,
  type LinkPolicy,
  type LinkState,
  type LinkTimer,
  type SupervisionKind,
} from './dect-link.ts';

/** dect-adapter.ts and dect-position.ts take the timers from here (they live in adapters/shared/). */
export { realTimers, type TimerHost };

/** A request as the caller builds it: the transport adds `seq`. */
export type AxiCall = AxiRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

export interface AxiTransportOptions {
  readonly host: string;
  readonly port: number;
  /** TLS options (minVersion, ciphers, ca …); absent: plain TCP (port 12621, for debugging). */
  readonly tls?: tls.ConnectionOptions & {
    /** SHA-256 fingerprint of the OMM's certificate (`AA:BB:…`, as Node prints it); replaces CA checks. */
    readonly pinSha256?: string;
  };
  readonly username: string;
  readonly password: string;
  /** The events to subscribe to after every connect (1–20 entries). */
  readonly subscriptions: readonly SubscribeEntry[];
  readonly policy?: LinkPolicy;
  readonly timers?: TimerHost;
  /** Unix seconds for Ping's timeStamp. */
  readonly now?: () => number;
  /** The largest frame accepted (bytes); past it the link is closed. */
  readonly maxFrameBytes?: number;
  readonly onEvent: (e: AxiEvent | { type: 'Unknown'; name: string }) => void;
  readonly onSupervision?: (kind: SupervisionKind, detail: string) => void;
  /** The link is up again after a (re)connect: re-check open messages. */
  readonly onReconcile?: () => void;
  readonly log?: LinkLog;
}

/** The subscriptions an alarm server needs (protocols.md §1.3), every handset and trigger. */
export const ALARM_SERVER_SUBSCRIPTIONS: readonly SubscribeEntry[] = [
  { cmd: 'On', eventType: 'MessageProgress', ppn: -1 },
  { cmd: 'On', eventType: 'MessageConfirmation', ppn: -1 },
  { cmd: 'On', eventType: 'MessageQueueEmpty', ppn: -1 },
  { cmd: 'On', eventType: 'MessageSend', scheme: '*' },
  { cmd: 'On', eventType: 'AlarmTrigger', trigger: '*' },
  { cmd: 'On', eventType: 'AlarmCallProgress', ppn: -1 },
  { cmd: 'On', eventType: 'PPState', ppn: -1 },
  { cmd: 'On', eventType: 'PPTransaction', ppn: -1 },
  { cmd: 'On', eventType: 'PositionInfo', ppn: -1 },
  { cmd: 'On', eventType: 'RFPState', rfpId: -1 },
];

/** Undecodable frames in a row after which the peer is not speaking AXI: the link closes. */
const MAX_BAD_FRAMES = 20;

export class AxiLinkDown extends Error {
  constructor(reason: string) {
    super(`the OM AXI link is down: ${reason}`);
    this.name = 'AxiLinkDown';
  }
}

export class AxiTransport {
  private state: LinkState = INITIAL_LINK;
  private readonly policy: LinkPolicy;
  private readonly timers: TimerHost;
  private readonly slots: TimerSlots<LinkTimer>;
  private socket: net.Socket | undefined;
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: AxiResponse) => void; reject: (e: Error) => void; cancel: () => void }
  >();
  private badFrames = 0;

  constructor(private readonly o: AxiTransportOptions) {
    this.policy = o.policy ?? DEFAULT_LINK_POLICY;
    this.timers = o.timers ?? realTimers;
    this.slots = new TimerSlots(this.timers);
  }

  get phase(): LinkState['phase'] {
    return this.state.phase;
  }

  /** Opens the link; after `stop()` it starts afresh (a restart of the device links). */
  start(): void {
    if (this.state.phase === 'stopped') this.state = INITIAL_LINK;
    this.feed({ type: 'start' });
  }

  stop(): void {
    this.feed({ type: 'stop' });
  }

  /**
   * Sends a request on an up link and resolves with its response (errCode included: the caller
   * judges it). Rejects with AxiLinkDown when the link is not up, goes down, or the response
   * does not come within the policy's response timeout.
   */
  request(call: AxiCall): Promise<AxiResponse> {
    if (this.state.phase !== 'up') return Promise.reject(new AxiLinkDown(`it is ${this.state.phase}`));
    return this.send(call);
  }

  private send(call: AxiCall): Promise<AxiResponse> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new AxiLinkDown('no connection'));
    const seq = (this.seq = (this.seq % 2_000_000_000) + 1);
    const req = { ...call, seq } as AxiRequest;
    return new Promise<AxiResponse>((resolve, reject) => {
      const cancel = this.timers.set(this.policy.responseTimeoutMs, () => {
        this.pending.delete(seq);
        reject(new AxiLinkDown(`no answer to ${req.type} in ${this.policy.responseTimeoutMs} ms`));
      });
      this.pending.set(seq, { resolve, reject, cancel });
      socket.write(frame(encodeAxi(req)));
    });
  }

  private feed(input: LinkInput): void {
    const step = linkStep(this.state, input, this.policy);
    this.state = step.state;
    for (const e of step.effects) this.apply(e);
  }

  private apply(e: LinkEffect): void {
    switch (e.kind) {
      case 'connect':
        this.connect();
        return;
      case 'send':
        this.sendLinkRequest(e.what);
        return;
      case 'close':
        this.dropSocket(e.reason);
        return;
      case 'arm':
        this.slots.arm(e.timer, e.ms, () => this.feed({ type: 'timer', timer: e.timer }));
        return;
      case 'disarm':
        this.slots.disarm(e.timer);
        return;
      case 'supervision':
        this.o.log?.(e.event === 'link-up' ? 'info' : 'warn', `OM AXI ${e.event}: ${e.detail}`);
        this.o.onSupervision?.(e.event, e.detail);
        return;
      case 'reconcile':
        this.o.onReconcile?.();
        return;
    }
  }

  /** Open, Subscribe and Ping, whose answers are inputs of the link machine. */
  private sendLinkRequest(what: 'open' | 'subscribe' | 'ping'): void {
    const call: AxiCall =
      what === 'open'
        ? { type: 'Open', username: this.o.username, password: this.o.password }
        : what === 'subscribe'
          ? { type: 'Subscribe', entries: this.o.subscriptions }
          : { type: 'Ping', timeStamp: Math.trunc(this.o.now?.() ?? Date.now() / 1000) };
    this.send(call).then(
      (r) => {
        if (what === 'ping') return this.feed({ type: 'pong' });
        if (r.errCode === undefined) return this.feed({ type: what === 'open' ? 'open-ok' : 'subscribe-ok' });
        if (what === 'open') return this.feed({ type: 'open-refused', errCode: r.errCode });
        const eventType = r.type === 'SubscribeResp' ? r.eventType : undefined;
        this.feed({ type: 'subscribe-refused', errCode: r.errCode, ...(eventType ? { eventType } : {}) });
      },
      // The link machine has its own response timer; a lost socket is reported as `closed`.
      () => {},
    );
  }

  private connect(): void {
    const { host, port } = this.o;
    const framer = new NulFramer(this.o.maxFrameBytes ? { maxFrameBytes: this.o.maxFrameBytes } : {});
    let socket: net.Socket;
    if (this.o.tls) {
      const { pinSha256, ...options } = this.o.tls;
      socket = tls.connect({
        host,
        port,
        servername: net.isIP(host) ? undefined : host,
        ...options,
        ...(pinSha256 ? { rejectUnauthorized: false } : {}),
      });
      socket.once('secureConnect', () => {
        const t = socket as tls.TLSSocket;
        const fp = t.getPeerCertificate().fingerprint256;
        if (pinSha256 && fp?.toUpperCase() !== pinSha256.toUpperCase()) {
          this.o.log?.('warn', 'OM AXI: the OMM certificate does not match the pinned fingerprint', {
            fingerprint: fp,
          });
          socket.destroy(new Error(`certificate fingerprint ${fp ?? 'none'} is not the pinned one`));
          return;
        }
        this.connected(socket);
      });
    } else {
      socket = net.connect({ host, port });
      socket.once('connect', () => this.connected(socket));
    }
    this.socket = socket;
    this.badFrames = 0;
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      const out = framer.push(chunk);
      for (const f of out.frames) this.receive(f);
      if (out.invalid.length > 0) this.o.log?.('warn', 'OM AXI: a frame that is not UTF-8 was dropped');
      if (out.overflow) socket.destroy(new Error(`a frame longer than ${framer.maxFrameBytes} bytes`));
    });
    socket.on('error', (err) => this.o.log?.('warn', `OM AXI connection error: ${err.message}`));
    socket.once('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.failPending('the connection closed');
      this.feed({ type: 'closed', reason: 'the connection closed' });
    });
  }

  private connected(socket: net.Socket): void {
    if (this.socket === socket) this.feed({ type: 'connected' });
  }

  private receive(xml: string): void {
    const d = decodeAxi(xml);
    if (!d.ok) {
      this.o.log?.('warn', `OM AXI: an unreadable frame: ${d.reason}`, { frame: xml.slice(0, 200) });
      if (++this.badFrames >= MAX_BAD_FRAMES) this.socket?.destroy(new Error('the peer does not speak OM AXI'));
      return;
    }
    this.badFrames = 0;
    const m = d.message;
    if (m.type.endsWith('Resp') && 'seq' in m && typeof m.seq === 'number') {
      const p = this.pending.get(m.seq);
      if (p) {
        this.pending.delete(m.seq);
        p.cancel();
        p.resolve(m as AxiResponse);
        return;
      }
    }
    if (m.type.startsWith('Event') || m.type === 'Unknown')
      this.o.onEvent(m as AxiEvent | { type: 'Unknown'; name: string });
    else this.o.log?.('warn', `OM AXI: an unexpected ${m.type} (no request waits for it)`);
  }

  private dropSocket(reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    this.failPending(reason);
    socket?.destroy();
  }

  private failPending(reason: string): void {
    for (const [seq, p] of this.pending) {
      this.pending.delete(seq);
      p.cancel();
      p.reject(new AxiLinkDown(reason));
    }
  }
}
