/**
 * The wire of the OMM simulator (dect-simulator.ts): listening (TLS with a fresh self-signed
 * certificate or a given key/cert, or plain TCP), one SimLink per connection, NUL-terminated
 * frames both ways, the idle-close rule, and the injected timer that scripted delays run on.
 * What a frame means is the subclass's `onFrame` (dect-simulator-requests.ts).
 */
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { SubscriptionEntry } from './dect-simulator-subscriptions.ts';
import {
  SimFrameSplitter,
  simFrame,
  writeSimElement,
  type SimElement,
  type SimFrameError,
  type SimOut,
} from './dect-simulator-xml.ts';

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

/** The options of OmmSimulatorOptions that the wire uses. */
export interface SimLinkOptions {
  /** Timer for scripted delays; default setTimeout. */
  readonly schedule?: SimSchedule;
  readonly log?: (msg: string, detail: Record<string, unknown>) => void;
  /** Largest unterminated frame before the link is closed; default 1 MiB. */
  readonly maxFrameBytes?: number;
  /**
   * Close a link silent this long (a real OMM: 5 minutes, protocols.md §1.1), on the injected
   * timer. Default: never, so tests that do not ping are not cut off.
   */
  readonly idleCloseMs?: number;
}

export interface SimStartOptions {
  readonly tls?: boolean | { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Default 12622 with TLS, 12621 without; 0 for any free port. */
  readonly port?: number;
  readonly host?: string;
}

const defaultSchedule: SimSchedule = (ms, fn) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

/** Listens and keeps the links; a subclass answers the frames. */
export abstract class SimLinkServer {
  /** Every link ever accepted, in order (closed ones stay, with `closed: true`). */
  readonly links: SimLink[] = [];
  /** Every problem met (bad frames, unexpected elements, refused choices), for assertions. */
  readonly problems: string[] = [];
  protected readonly sockets = new Map<SimLink, Socket>();
  private readonly raw = new Set<Socket>();
  private started = false;
  private readonly timers = new Set<() => void>();
  private readonly schedule: SimSchedule;
  private server: Server | undefined;

  constructor(private readonly linkOptions: SimLinkOptions) {
    this.schedule = linkOptions.schedule ?? defaultSchedule;
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

  /** Handles one frame (without its NUL) that arrived on `link`. */
  protected abstract onFrame(link: SimLink, bytes: Buffer): void;

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
    const splitter = new SimFrameSplitter(this.linkOptions.maxFrameBytes ?? 1024 * 1024);
    const idleMs = this.linkOptions.idleCloseMs;
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

  protected send(link: SimLink, out: SimOut): void {
    const socket = this.sockets.get(link);
    if (socket === undefined || socket.destroyed) return;
    link.sent.push(writeSimElement(out));
    socket.write(simFrame(out));
  }

  /** Runs `fn` after `ms` on the injected timer; `stop()` cancels what has not fired. Returns a cancel function. */
  protected later(ms: number, fn: () => void): () => void {
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

  protected problem(msg: string, detail: Record<string, unknown>): void {
    this.problems.push(msg);
    this.log(msg, detail);
  }

  protected log(msg: string, detail: Record<string, unknown>): void {
    this.linkOptions.log?.(msg, detail);
  }
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
