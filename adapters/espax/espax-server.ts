/**
 * The ESPA-X server: the interface's only IO. It listens on TCP or TLS (port 2016 unless told
 * otherwise: no standard port is known, protocols.md §3.1), and for every connection runs a
 * deframer (espax-framing.ts), the decoder (espax-codec.ts) and a session machine
 * (espax-session.ts), and carries out what the machine decides: send, close, the supervision
 * timer, credential checks and requests for the handler (espax-adapter.ts).
 *
 * Every log line names the connection (`conn`, a number counting up from 1, and the peer's
 * address). Bad input never throws out of here: a broken header closes that one connection
 * (after IND.ERROR 600), anything else is answered and logged. Timers come from `timers`
 * (setTimeout by default) and timestamps from `now`, so tests run on a virtual clock.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { LinkLog } from '../shared/link-log.ts';
import { realTimers, TimerSlots, type TimerHost } from '../shared/timer-slots.ts';
import { decodeEspax, type EspaxDocument } from './espax-codec.ts';
import { encodeEspax, invokeIdOf, type ServerMessage } from './espax-encode.ts';
import { EspaxDeframer, frame } from './espax-framing.ts';
import {
  DEFAULT_SESSION_CONFIG,
  INITIAL_SESSION,
  sessionStep,
  type EspaxSupervision,
  type SessionConfig,
  type SessionEffect,
  type SessionInput,
  type SessionState,
} from './espax-session.ts';

/** espax-adapter.ts takes TimerHost from here (the timers live in adapters/shared/). */
export type { TimerHost };

export type EspaxLog = LinkLog;

/** One client connection, as the handler sees it. */
export interface EspaxConnection {
  /** For log lines: counts up from 1 per server. */
  readonly id: number;
  readonly remote: string;
  /** Sends one message; false when the connection is gone (the message is dropped). */
  send(m: ServerMessage): boolean;
}

/** What the server asks of the adapter. */
export interface EspaxServerHandler {
  /** Whether the credentials are right. Must not throw for wrong ones (a throw is logged and refused). */
  authenticate(client: string, user: string, password: string): boolean | Promise<boolean>;
  /** A session of `client` is up on `conn`: indications for the client go there. */
  attach(conn: EspaxConnection, client: string, sessionId: string): void;
  detach(conn: EspaxConnection, client: string, sessionId: string): void;
  /** Answers a REQ.S-CONDITION / P-START / P-STOP / P-GETSTAT with `conn.send`. A rejection is answered with 500. */
  request(conn: EspaxConnection, doc: EspaxDocument, client: string, sessionId: string): Promise<void>;
  supervision(event: EspaxSupervision, detail: string, conn: EspaxConnection): void;
}

export interface EspaxServerOptions {
  /** TCP port; default 2016; 0 picks a free one (see `listen()`'s result). */
  readonly port?: number;
  /** Address to bind; default: all interfaces. */
  readonly host?: string;
  /** Node TLS server options (key, cert, ca, minVersion, ciphers, requestCert …); absent: plain TCP. */
  readonly tls?: tls.TlsOptions;
  readonly session?: Partial<SessionConfig>;
  /** The largest frame accepted (bytes, header included); default 64 KiB. */
  readonly maxFrameBytes?: number;
  readonly timers?: TimerHost;
  /** Epoch ms, for the documents' timestamps. */
  readonly now: () => number;
  /** New session ids (1–32 characters); default 24 random hex digits. */
  readonly newSessionId?: () => string;
  readonly handler: EspaxServerHandler;
  readonly log?: EspaxLog;
}

export const DEFAULT_ESPAX_PORT = 2016;

export class EspaxServer {
  private server: net.Server | undefined;
  private readonly conns = new Set<Connection>();
  private nextId = 1;
  readonly config: SessionConfig;

  constructor(private readonly o: EspaxServerOptions) {
    this.config = { ...DEFAULT_SESSION_CONFIG, ...o.session };
  }

  /** Starts listening; resolves with the port. Rejects when the port cannot be bound. */
  listen(): Promise<number> {
    const onSocket = (socket: net.Socket) => this.accept(socket);
    const server = this.o.tls ? tls.createServer(this.o.tls, onSocket) : net.createServer(onSocket);
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) =>
      this.o.log?.('warn', `ESPA-X: TLS handshake failed: ${err.message}`, { remote: socket.remoteAddress }),
    );
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port ?? DEFAULT_ESPAX_PORT, this.o.host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.o.log?.('warn', `ESPA-X server error: ${err.message}`));
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Sends CMD.SHUTDOWN to every logged-in client, closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const c of [...this.conns]) c.feed({ type: 'shutdown' });
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The open connections (for tests and the status page). */
  get connectionCount(): number {
    return this.conns.size;
  }

  private accept(socket: net.Socket): void {
    const conn = new Connection(this.nextId++, socket, this.o, this.config, () => this.conns.delete(conn));
    this.conns.add(conn);
    conn.start();
  }
}

class Connection implements EspaxConnection {
  readonly remote: string;
  private state: SessionState = INITIAL_SESSION;
  private readonly deframer: EspaxDeframer;
  /** The session machine's one timer. */
  private readonly timer: TimerSlots<'session'>;

  constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    private readonly o: EspaxServerOptions,
    private readonly config: SessionConfig,
    private readonly gone: () => void,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.deframer = new EspaxDeframer(o.maxFrameBytes ? { maxFrameBytes: o.maxFrameBytes } : {});
    this.timer = new TimerSlots(o.timers ?? realTimers);
  }

  start(): void {
    const { socket } = this;
    this.log('info', 'ESPA-X: connection opened');
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.log('warn', `ESPA-X: connection error: ${err.message}`));
    socket.once('close', () => {
      this.gone();
      this.feed({ type: 'closed', reason: 'the connection closed' });
      this.log('info', 'ESPA-X: connection closed');
    });
    this.feed({ type: 'open' });
  }

  send(m: ServerMessage): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    this.socket.write(frame(encodeEspax(m, this.o.now()), invokeIdOf(m)));
    return true;
  }

  feed(input: SessionInput): void {
    const step = sessionStep(this.state, input, this.config);
    this.state = step.state;
    for (const e of step.effects) this.apply(e);
  }

  private receive(chunk: Buffer): void {
    if (this.state.phase === 'closed') return;
    const out = this.deframer.push(chunk);
    for (const xml of out.documents) {
      if (this.closed()) return;
      const d = decodeEspax(xml);
      if (d.ok) this.feed({ type: 'document', doc: d.doc });
      else {
        this.log('warn', `ESPA-X: refused a document (${d.code}): ${d.reason}`, { document: xml.slice(0, 200) });
        this.feed({ type: 'bad-document', code: d.code, reason: d.reason });
      }
    }
    for (const bytes of out.invalid) {
      this.log('warn', 'ESPA-X: a document that is not UTF-8', {
        bytes: Buffer.from(bytes.slice(0, 64)).toString('hex'),
      });
      this.feed({ type: 'bad-document', code: 601, reason: 'the document is not UTF-8' });
    }
    if (out.error) {
      this.log('warn', `ESPA-X: invalid header: ${out.error.reason}`, {
        header: Buffer.from(out.error.bytes).toString('hex'),
      });
      this.feed({ type: 'framing-error', reason: out.error.reason });
    }
  }

  private apply(e: SessionEffect): void {
    const handler = this.o.handler;
    switch (e.kind) {
      case 'send':
        this.send(e.message);
        return;
      case 'close':
        this.log('info', `ESPA-X: closing: ${e.reason}`);
        this.timer.disarm('session');
        this.socket.end(() => this.socket.destroy());
        return;
      case 'arm':
        this.timer.arm('session', e.ms, () => this.feed({ type: 'timer' }));
        return;
      case 'disarm':
        this.timer.disarm('session');
        return;
      case 'authenticate':
        void this.authenticate(e);
        return;
      case 'attach':
        handler.attach(this, e.client, e.sessionId);
        return;
      case 'detach':
        handler.detach(this, e.client, e.sessionId);
        return;
      case 'request':
        handler.request(this, e.doc, e.client, e.sessionId).catch((err: unknown) => {
          this.log('warn', `ESPA-X: ${e.doc.name} failed: ${String(err)}`);
          this.send({
            type: `RSP.${e.doc.name.slice(4)}`,
            invokeId: e.doc.invokeId ?? '0',
            sessionId: e.sessionId,
            code: 500,
            info: 'internal error',
          } as ServerMessage);
        });
        return;
      case 'supervision':
        this.log(e.event === 'link-up' ? 'info' : 'warn', `ESPA-X ${e.event}: ${e.detail}`);
        handler.supervision(e.event, e.detail, this);
        return;
      case 'log':
        this.log(e.level, `ESPA-X: ${e.msg}`);
        return;
    }
  }

  private async authenticate(e: Extract<SessionEffect, { kind: 'authenticate' }>): Promise<void> {
    let ok = false;
    try {
      ok = await this.o.handler.authenticate(e.client, e.user, e.password);
    } catch (err) {
      this.log('warn', `ESPA-X: the credentials check failed: ${String(err)}`);
    }
    const sessionId = ok ? (this.o.newSessionId?.() ?? randomBytes(12).toString('hex')) : undefined;
    this.feed({ type: 'login-result', invokeId: e.invokeId, client: e.client, sessionId });
  }

  /** A method, not a field read: `feed` changes the state under TypeScript's narrowing. */
  private closed(): boolean {
    return this.state.phase === 'closed';
  }

  private log(level: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}): void {
    this.o.log?.(level, msg, {
      conn: this.id,
      remote: this.remote,
      ...(this.state.client ? { client: this.state.client } : {}),
      ...fields,
    });
  }
}
