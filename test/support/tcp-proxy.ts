/**
 * A real TCP proxy on 127.0.0.1 in front of PostgreSQL, for outage tests: `cut()` makes the
 * database unreachable the way a pulled cable or a crashed server does (new connections are
 * refused, open ones are reset mid-query), `restore()` brings it back on the SAME port, so a
 * pool that only knows `url` must reconnect by itself.
 *
 * `cutOnQuery(pattern)` arms a one-shot cut at the moment a client sends a query whose text
 * matches (the matching bytes are never forwarded): a cut in the middle of a transaction,
 * timed exactly, without sleeping. `stall()` makes it a black hole instead (a partition or a
 * firewall dropping packets): connections are accepted and never answered.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { pgUrl } from './services.ts';

export interface TcpProxyTarget {
  readonly host: string;
  readonly port: number;
}

export class TcpProxy {
  private server: Server | undefined;
  private listenPort = 0;
  /** Open sockets (client and upstream sides), each with a promise of its 'close' event. */
  private readonly sockets = new Map<Socket, Promise<void>>();
  private trigger: { readonly pattern: RegExp; readonly fired: () => void } | undefined;
  private stalled = false;
  /** Connections accepted since construction (for diagnostics). */
  accepted = 0;

  constructor(
    private readonly target: TcpProxyTarget,
    /** The URL of the real server; `url` is this with host and port replaced. */
    private readonly realUrl: string,
  ) {}

  /** A proxy in front of the PostgreSQL server of `url` (default: the test database). */
  static forPostgres(url: string = pgUrl()): TcpProxy {
    const u = new URL(url);
    const host = u.hostname === '' || u.hostname === 'localhost' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, '');
    return new TcpProxy({ host, port: u.port === '' ? 5432 : Number(u.port) }, url);
  }

  /** True while accepting connections. */
  get running(): boolean {
    return this.server !== undefined;
  }

  /** The proxy's port (0 before the first start). */
  get port(): number {
    return this.listenPort;
  }

  /** The real URL rewritten to the proxy (throws before the first start). */
  get url(): string {
    if (this.listenPort === 0) throw new Error('TcpProxy: start() first');
    const u = new URL(this.realUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.listenPort);
    return u.toString();
  }

  /** Number of open sockets (client and upstream sides). */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Listens on an ephemeral port the first time, on the same port after a cut. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        reject(
          this.listenPort === 0
            ? err
            : new Error(`TcpProxy: could not re-listen on port ${this.listenPort}: ${err.message}`, { cause: err }),
        );
      };
      server.once('error', fail);
      server.listen({ host: '127.0.0.1', port: this.listenPort, exclusive: true }, () => {
        server.off('error', fail);
        resolve();
      });
    });
    server.on('error', () => {}); // after listening, errors concern single connections
    const addr = server.address();
    if (!addr || typeof addr === 'string') throw new Error('TcpProxy: no TCP address');
    this.listenPort = addr.port;
    this.server = server;
  }

  /**
   * Stops accepting (new connections are refused) and resets every open client and upstream
   * socket, so queries in flight fail with connection errors. Resolves once all are closed.
   */
  async cut(): Promise<void> {
    this.trigger = undefined;
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    await this.resetAll();
    await closed;
  }

  /**
   * A black hole: keeps accepting, but new connections are never connected upstream nor
   * answered (a client waits for its own connect timeout); open sockets are reset as by `cut()`.
   */
  async stall(): Promise<void> {
    this.trigger = undefined;
    this.stalled = true;
    await this.start();
    await this.resetAll();
  }

  /** Accepts and forwards connections again, on the same port (after `cut()` or `stall()`). */
  async restore(): Promise<void> {
    if (this.stalled) {
      this.stalled = false;
      await this.resetAll(); // connections swallowed by the black hole
    }
    await this.start();
  }

  /**
   * Cuts (as `cut()`) the moment a client sends bytes matching `pattern` (e.g. an SQL
   * statement's text); those bytes are dropped. One-shot; resolves when the cut is complete.
   */
  cutOnQuery(pattern: RegExp): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.trigger = {
        pattern,
        fired: () => void this.cut().then(resolve, reject),
      };
    });
  }

  /** Cuts and stops for good. */
  async close(): Promise<void> {
    this.stalled = false;
    await this.cut();
  }

  /** Resets every open socket and resolves once all are closed and the peers have seen it. */
  private async resetAll(): Promise<void> {
    const open = [...this.sockets];
    for (const [s] of open) reset(s);
    await Promise.all(open.map(([, isClosed]) => isClosed));
    // The resets have reached the kernel; the peers (pg clients in this process) read them in
    // the event loop's next poll phase, which runs before the next check phase.
    await new Promise<void>((r) => setImmediate(r));
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.stalled) {
      client.on('error', () => {});
      const isClosed = new Promise<void>((resolve) =>
        client.once('close', () => {
          this.sockets.delete(client);
          resolve();
        }),
      );
      this.sockets.set(client, isClosed);
      client.resume(); // what the client sends is dropped; it is never answered
      return;
    }
    const upstream = connect({ host: this.target.host, port: this.target.port });
    for (const s of [client, upstream]) {
      s.on('error', () => {}); // the other side is closed below
      const isClosed = new Promise<void>((resolve) =>
        s.once('close', () => {
          this.sockets.delete(s);
          // Either side going away ends the pair: nothing half-open survives.
          reset(s === client ? upstream : client);
          resolve();
        }),
      );
      this.sockets.set(s, isClosed);
      s.setNoDelay(true);
    }
    client.on('data', (chunk: Buffer) => {
      const t = this.trigger;
      if (t && t.pattern.test(chunk.toString('latin1'))) {
        this.trigger = undefined;
        t.fired();
        return;
      }
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
  }
}

/** Closes a socket with a TCP RST when it is connected (the peer sees ECONNRESET), else destroys it. */
function reset(s: Socket): void {
  if (s.destroyed) return;
  if (typeof s.resetAndDestroy === 'function' && !s.connecting) s.resetAndDestroy();
  else s.destroy();
}
