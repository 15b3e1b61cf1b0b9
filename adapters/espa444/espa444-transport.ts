/**
 * The ESPA 4.4.4 transport: the adapter's only IO. ESPA over IP is the serial byte stream
 * carried unchanged over TCP (protocols.md §2.1), and either side may be the TCP client, so
 * the transport either connects (`mode: 'client'`, reconnecting with a back-off that doubles
 * from 1 s to 60 s and starts again at 1 s once the peer answers) or listens (`mode:
 * 'server'`, one peer at a time: a second connection is closed at once, with a log line).
 *
 * Bytes go through the scanner (espa444-scanner.ts) to the pure link machine
 * (espa444-link.ts); the transport carries out its outputs: writes, timers (through an
 * injectable `TimerHost`, so tests run on a manual clock), a received block handed to
 * `onBlock` whose verdict goes back to the machine, a sent block's outcome resolving its
 * `send()` promise, supervision. Serial ports (RS-232) are not supported: use a serial device
 * server or `socat` to bring the line onto TCP.
 */
import net from 'node:net';
import type { SendResult } from '../../src/ports/notifier.ts';
import type { LinkLog } from '../shared/link-log.ts';
import { realTimers, TimerSlots, type TimerHost } from '../shared/timer-slots.ts';
import { encodeBlock, Espa444EncodeError, type Charset, type EspaBlock, type OutBlock } from './espa444-codec.ts';
import { linkStep } from './espa444-link.ts';
import {
  INITIAL_LINK,
  linkConfig,
  type Decision,
  type LinkConfig,
  type LinkInput,
  type LinkOutput,
  type LinkState,
  type LinkTimer,
  type Role,
  type SupervisionEvent,
} from './espa444-link-types.ts';
import { Espa444Scanner } from './espa444-scanner.ts';

/** espa444-adapter.ts takes the timers from here (they live in adapters/shared/). */
export { realTimers, type TimerHost };

export type TcpEndpoint =
  | { readonly mode: 'client'; readonly host: string; readonly port: number }
  | {
      readonly mode: 'server';
      readonly host?: string;
      readonly port: number;
      /** Peer IP addresses allowed to connect; absent: any (the caller decides; see src/app). */
      readonly allowFrom?: readonly string[];
    };

export type Espa444Log = LinkLog;

export interface Espa444TransportOptions {
  /** Names the link in logs and alarm sources. */
  readonly linkId: string;
  readonly role: Role;
  readonly tcp: TcpEndpoint;
  /** Addresses, timeouts, retries, poll interval (defaults: espa444-link.ts `linkConfig`). */
  readonly link?: Partial<Omit<LinkConfig, 'role'>>;
  readonly charset?: Charset;
  readonly maxTextChars?: number;
  readonly maxBlockBytes?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly timers?: TimerHost;
  /** The verdict on a received block: the link ACKs it only when 'accepted'. A rejection counts as 'busy'. */
  readonly onBlock: (block: EspaBlock, warnings: readonly string[]) => Promise<Decision>;
  readonly onSupervision?: (event: SupervisionEvent, detail: string) => void;
  readonly log?: Espa444Log;
}

export class Espa444Transport {
  readonly config: LinkConfig;
  private state: LinkState = INITIAL_LINK;
  private readonly slots: TimerSlots<LinkTimer | 'reconnect'>;
  private socket: net.Socket | undefined;
  private scanner: Espa444Scanner;
  private server: net.Server | undefined;
  private stopped = true;
  private failures = 0;
  private nextId = 0;
  private readonly pending = new Map<number, (r: SendResult) => void>();
  private readonly warnings = new Map<number, readonly string[]>();

  constructor(private readonly o: Espa444TransportOptions) {
    this.config = linkConfig(o.role, o.link);
    this.slots = new TimerSlots(o.timers ?? realTimers);
    this.scanner = this.newScanner();
  }

  /** Whether a TCP connection is open. */
  get connected(): boolean {
    return this.state.phase !== 'offline';
  }

  /** Whether the peer answers (valid traffic since the connection opened or the last silence). */
  get up(): boolean {
    return this.state.up;
  }

  /** Connects, or listens; resolves with the listening port in server mode once it listens. */
  async start(): Promise<{ readonly port?: number }> {
    this.stopped = false;
    const tcp = this.o.tcp;
    if (tcp.mode === 'client') {
      this.connect();
      return {};
    }
    const server = net.createServer((s) => this.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tcp.port, tcp.host ?? '0.0.0.0', () => resolve());
    });
    return { port: (server.address() as net.AddressInfo).port };
  }

  /** Blocks queued for the peer and not answered yet (ACK, NAK, or failed): the send queue's depth. */
  get queued(): number {
    return this.pending.size;
  }

  /** Closes the connection (queued blocks fail) and stops listening or reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.slots.disarmAll();
    const socket = this.socket;
    if (socket) this.lost(socket, 'stopped');
    socket?.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Queues a block; resolves ok when the peer ACKed it, or a failure: retryable when the link
   * is down, the connection was lost or the retries ran out; not retryable when the block
   * cannot be encoded. Never rejects.
   */
  send(block: OutBlock): Promise<SendResult> {
    let bytes: Uint8Array;
    try {
      bytes = encodeBlock(block, { charset: this.o.charset, maxTextChars: this.o.maxTextChars });
    } catch (err) {
      if (err instanceof Espa444EncodeError)
        return Promise.resolve({ ok: false, retryable: false, reason: err.message });
      throw err;
    }
    const id = (this.nextId = (this.nextId + 1) % 2 ** 31);
    return new Promise<SendResult>((resolve) => {
      this.pending.set(id, resolve);
      this.feed({ type: 'enqueue', id, bytes });
    });
  }

  private newScanner(): Espa444Scanner {
    return new Espa444Scanner({ charset: this.o.charset, maxBlockBytes: this.o.maxBlockBytes });
  }

  private log(level: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}): void {
    this.o.log?.(level, `ESPA 4.4.4 ${this.o.linkId}: ${msg}`, { link: this.o.linkId, ...fields });
  }

  private feed(input: LinkInput): void {
    const step = linkStep(this.state, input, this.config);
    this.state = step.state;
    for (const out of step.outputs) this.apply(out);
  }

  private apply(out: LinkOutput): void {
    switch (out.kind) {
      case 'write':
        this.socket?.write(out.bytes);
        return;
      case 'set-timer':
        this.slots.arm(out.timer, out.ms, () => this.feed({ type: 'timer', timer: out.timer }));
        return;
      case 'clear-timer':
        this.slots.disarm(out.timer);
        return;
      case 'received':
        this.decide(out.rx, out.block);
        return;
      case 'sent':
      case 'send-failed': {
        const resolve = this.pending.get(out.id);
        this.pending.delete(out.id);
        resolve?.(out.kind === 'sent' ? { ok: true } : { ok: false, retryable: true, reason: out.reason });
        return;
      }
      case 'supervision':
        if (out.event === 'link-up') this.failures = 0;
        this.log(out.event === 'link-up' ? 'info' : 'warn', `${out.event}: ${out.detail}`);
        this.o.onSupervision?.(out.event, out.detail);
        return;
      case 'log':
        this.log(out.level, out.msg);
        return;
    }
  }

  private decide(rx: number, block: EspaBlock): void {
    const warnings = this.warnings.get(rx) ?? [];
    this.warnings.delete(rx);
    let verdict: Promise<Decision>;
    try {
      verdict = this.o.onBlock(block, warnings);
    } catch (err) {
      verdict = Promise.reject(err);
    }
    verdict
      .catch((err: unknown) => {
        this.log('warn', 'a received block could not be handled: answering busy', { err: String(err) });
        return 'busy' as const;
      })
      .then((decision) => this.feed({ type: 'decision', rx, decision }));
  }

  private connect(): void {
    if (this.stopped || this.o.tcp.mode !== 'client') return;
    const { host, port } = this.o.tcp;
    const socket = net.connect({ host, port });
    socket.once('connect', () => this.attach(socket));
    socket.on('error', (err) => this.log('warn', `connection error: ${err.message}`));
    socket.once('close', () => {
      if (this.socket === socket) this.lost(socket, 'the connection closed');
      else if (!this.stopped && this.socket === undefined)
        this.feed({ type: 'disconnected', reason: 'connect failed' });
      this.retry();
    });
  }

  private retry(): void {
    if (this.stopped) return;
    this.failures++;
    const { baseMs, maxMs } = this.o.backoff ?? { baseMs: 1_000, maxMs: 60_000 };
    const ms = Math.min(maxMs, baseMs * 2 ** Math.min(this.failures - 1, 30));
    this.log('info', `reconnecting in ${ms} ms`);
    this.slots.arm('reconnect', ms, () => this.connect());
  }

  private accept(socket: net.Socket): void {
    const allow = this.o.tcp.mode === 'server' ? this.o.tcp.allowFrom : undefined;
    const remote = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (allow && !allow.includes(remote)) {
      this.log('warn', 'a connection from an address not allowed was refused', { remote });
      socket.destroy();
      return;
    }
    if (this.socket || this.stopped) {
      this.log('warn', 'a second connection was refused: one peer at a time', { remote: socket.remoteAddress });
      socket.destroy();
      return;
    }
    socket.on('error', (err) => this.log('warn', `connection error: ${err.message}`));
    socket.once('close', () => {
      if (this.socket === socket) this.lost(socket, 'the peer closed the connection');
    });
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.scanner = this.newScanner();
    socket.setNoDelay(true);
    this.log('info', 'connected', { remote: socket.remoteAddress });
    this.feed({ type: 'connected' });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      for (const token of this.scanner.push(chunk)) {
        if (this.socket !== socket) return;
        if (token.type === 'block' && token.warnings.length > 0) {
          this.warnings.set(this.state.rx + 1, token.warnings);
          this.log('warn', 'a block with characters outside the charset', { warnings: token.warnings });
        }
        if (token.type === 'bad-block' || token.type === 'invalid-block' || token.type === 'garbage')
          this.log('warn', `received ${token.type}`, {
            bytes: Buffer.from(token.type === 'garbage' ? token.sample : token.raw.subarray(0, 64)).toString('hex'),
          });
        this.feed({ type: 'token', token });
      }
    });
  }

  private lost(socket: net.Socket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const partial = this.scanner.reset();
    if (partial.length > 0) this.log('warn', 'the connection ended inside a block: it was not acknowledged');
    this.feed({ type: 'disconnected', reason });
  }
}
