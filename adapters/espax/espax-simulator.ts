/**
 * An ESPA-X client simulator (a nurse-call system), for tests and the demo: a real wire peer
 * over TCP or TLS, written apart from the server's codec and framing (its own 10-byte header,
 * XML built from strings, answers read with fast-xml-parser), so a shared misreading of the
 * protocol cannot hide in both.
 *
 * It logs in, beats at an interval (on the timers it is given), asks S-CONDITION, starts and
 * stops processes, logs out, and misbehaves on request: requests before login or with a wrong
 * session, a reused invokeID, raw bytes (a bad header), malformed XML, no heartbeats, a dropped
 * connection. Every document received is kept in `received` (raw XML too, for schema checks).
 */
import net from 'node:net';
import tls from 'node:tls';
import { XMLParser } from 'fast-xml-parser';

export interface SimulatorTimers {
  set(ms: number, fn: () => void): () => void;
}

export interface EspaxSimulatorOptions {
  readonly host?: string;
  readonly port: number;
  /** TLS client options (ca, servername, rejectUnauthorized …); absent: plain TCP. */
  readonly tls?: tls.ConnectionOptions;
  readonly client: string;
  readonly clientSw?: string;
  readonly user: string;
  readonly password: string;
  /** REQ.HEARTBEAT interval once `startHeartbeats()` is called; default 10 s. */
  readonly heartbeatEveryMs?: number;
  readonly timers?: SimulatorTimers;
  /** Epoch ms for the documents' timestamps. */
  readonly now?: () => number;
}

/** One document from the server. */
export interface Received {
  readonly xml: string;
  /** Bytes 6–9 of the header, as a number. */
  readonly headerWord: number;
  readonly name: string;
  readonly invokeId?: string | undefined;
  readonly sessionId?: string | undefined;
  /** Leaf fields by name (the last one wins when repeated). */
  readonly fields: Readonly<Record<string, string>>;
}

export type Fields = Readonly<Record<string, string | number | undefined>>;

export interface RequestOptions {
  /** The invokeID to use (default: the next one). */
  readonly invokeId?: number | string;
  /** The sessionID to send; null: none; default: the current session's. */
  readonly sessionId?: string | null;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  removeNSPrefix: true,
  ignoreDeclaration: true,
});

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** Header + UTF-8 body, the header's last word set to `word`. */
export function simulatorFrame(xml: string, word = 0): Buffer {
  const body = Buffer.from(xml, 'utf8');
  const head = Buffer.alloc(10);
  head.write('EX', 0, 'latin1');
  head.writeUInt32BE(body.length + 10, 2);
  head.writeUInt32BE(word >>> 0, 6);
  return Buffer.concat([head, body]);
}

export class EspaxSimulator {
  readonly received: Received[] = [];
  sessionId: string | undefined;
  /** Resolves when the connection has closed (either side). */
  closed: Promise<void> = Promise.resolve();
  private socket: net.Socket | undefined;
  private buf = Buffer.alloc(0);
  private invoke = 0;
  private waiters: {
    from: number;
    match: (r: Received) => boolean;
    resolve: (r: Received) => void;
    reject: (e: Error) => void;
  }[] = [];
  private stopBeat: (() => void) | undefined;
  private ended = false;

  constructor(private readonly o: EspaxSimulatorOptions) {}

  /** Opens the connection (and the TLS handshake); rejects when it cannot. */
  connect(): Promise<void> {
    const host = this.o.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const socket = this.o.tls
        ? tls.connect({ host, port: this.o.port, ...this.o.tls }, () => resolve())
        : net.connect({ host, port: this.o.port }, () => resolve());
      this.socket = socket;
      this.ended = false;
      socket.once('error', reject);
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      this.closed = new Promise((done) =>
        socket.once('close', () => {
          this.ended = true;
          this.stopHeartbeats();
          // Nothing more will come: whoever waits would wait forever.
          for (const w of this.waiters.splice(0)) w.reject(new Error('the connection closed'));
          done();
        }),
      );
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** The next invokeID this simulator would use. */
  nextInvokeId(): number {
    return ++this.invoke;
  }

  /** Builds a document string (no checks: the caller may build wrong ones on purpose). */
  document(name: string, attrs: Readonly<Record<string, string | number | undefined>>, fields: Fields = {}): string {
    const ts = new Date(this.o.now?.() ?? 0).toISOString().slice(0, 19);
    const a = Object.entries(attrs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
      .join('');
    const body = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${esc(String(v))}</${k}>`)
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?><ESPA-X xmlns="http://ns.espa-x.org/espa-x" version="1.00" timestamp="${ts}"><${name}${a}>${body}</${name}></ESPA-X>`;
  }

  /** Sends a request and resolves with the response that echoes its invokeID. */
  request(name: string, fields: Fields = {}, opt: RequestOptions = {}): Promise<Received> {
    const invokeId = String(opt.invokeId ?? this.nextInvokeId());
    const sessionId = opt.sessionId === null ? undefined : (opt.sessionId ?? this.sessionId);
    const from = this.received.length;
    this.sendXml(this.document(name, { invokeID: invokeId, sessionID: sessionId }, fields), Number(invokeId) || 0);
    const rsp = `RSP.${name.replace(/^REQ\./, '')}`;
    return this.waitFor((r) => r.name === rsp && r.invokeId === invokeId, from);
  }

  /** REQ.LOGIN with the configured (or overridden) credentials; keeps the sessionID on success. */
  async login(override: Partial<Pick<EspaxSimulatorOptions, 'client' | 'user' | 'password'>> = {}): Promise<Received> {
    const r = await this.request(
      'REQ.LOGIN',
      {
        'LI-CLIENT': override.client ?? this.o.client,
        'LI-CLIENTSW': this.o.clientSw,
        'LI-USER': override.user ?? this.o.user,
        'LI-PASSWORD': override.password ?? this.o.password,
      },
      { sessionId: null },
    );
    if (r.fields['RSP-CODE'] === '200') this.sessionId = r.sessionId;
    return r;
  }

  heartbeat(opt?: RequestOptions): Promise<Received> {
    return this.request('REQ.HEARTBEAT', {}, opt);
  }

  condition(): Promise<Received> {
    return this.request('REQ.S-CONDITION');
  }

  pStart(fields: Fields, opt?: RequestOptions): Promise<Received> {
    return this.request('REQ.P-START', fields, opt);
  }

  pStop(p: { ref?: string; tan?: string | number; mask?: string }): Promise<Received> {
    return this.request('REQ.P-STOP', { 'CP-PR-REF': p.ref, 'SP-PR-TAN': p.tan, 'CP-PR-MASK': p.mask ?? 'All' });
  }

  getstat(p: { ref?: string; tan?: string | number }): Promise<Received> {
    return this.request('REQ.P-GETSTAT', { 'CP-PR-REF': p.ref, 'SP-PR-TAN': p.tan, 'CP-PR-MASK': 'All' });
  }

  logout(reason = 'Normal'): Promise<Received> {
    return this.request('REQ.LOGOUT', { 'LO-REASON': reason });
  }

  /** REQ.HEARTBEAT every `heartbeatEveryMs` on the simulator's timers (answers are recorded, not awaited). */
  startHeartbeats(): void {
    const timers = this.o.timers;
    if (!timers) throw new Error('startHeartbeats needs timers');
    const beat = () => {
      if (this.ended) return;
      const id = this.nextInvokeId();
      this.sendXml(this.document('REQ.HEARTBEAT', { invokeID: id, sessionID: this.sessionId }), id);
      this.stopBeat = timers.set(this.o.heartbeatEveryMs ?? 10_000, beat);
    };
    this.stopBeat = timers.set(this.o.heartbeatEveryMs ?? 10_000, beat);
  }

  stopHeartbeats(): void {
    this.stopBeat?.();
    this.stopBeat = undefined;
  }

  /** Sends one framed document as is. */
  sendXml(xml: string, headerWord = 0): void {
    this.socket?.write(simulatorFrame(xml, headerWord));
  }

  /** Sends raw bytes (a broken header, a frame split in pieces …). */
  sendRaw(bytes: Uint8Array): void {
    this.socket?.write(bytes);
  }

  /**
   * The first document received at index ≥ `from` that matches, now or when it comes. Rejects
   * when the connection closes before it came.
   */
  waitFor(match: (r: Received) => boolean, from = 0): Promise<Received> {
    const seen = this.received.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    if (this.ended) return Promise.reject(new Error('the connection is closed'));
    return new Promise((resolve, reject) => this.waiters.push({ from, match, resolve, reject }));
  }

  /** Drops the connection without a word (a cable pulled). */
  drop(): void {
    this.stopHeartbeats();
    this.socket?.destroy();
  }

  /** Closes the connection politely (FIN). */
  end(): Promise<void> {
    this.stopHeartbeats();
    this.socket?.end();
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 10) {
      const total = this.buf.readUInt32BE(2);
      if (this.buf.subarray(0, 2).toString('latin1') !== 'EX' || total < 10) {
        this.socket?.destroy(new Error('the server sent a bad header'));
        return;
      }
      if (this.buf.length < total) return;
      const word = this.buf.readUInt32BE(6);
      const xml = this.buf.subarray(10, total).toString('utf8');
      this.buf = this.buf.subarray(total);
      this.deliver(parse(xml, word));
    }
  }

  private deliver(r: Received): void {
    this.received.push(r);
    const index = this.received.length - 1;
    for (const w of [...this.waiters])
      if (index >= w.from && w.match(r)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(r);
      }
  }
}

function parse(xml: string, headerWord: number): Received {
  let root: Record<string, unknown> = {};
  try {
    const tree = parser.parse(xml) as Record<string, unknown>;
    root = (tree['ESPA-X'] ?? {}) as Record<string, unknown>;
  } catch {
    return { xml, headerWord, name: '(unparseable)', fields: {} };
  }
  const name = Object.keys(root).find((k) => !k.startsWith('@_')) ?? '(none)';
  const body = root[name];
  const el = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(el)) if (!k.startsWith('@_')) fields[k] = String(v);
  const attr = (a: string) => (el[`@_${a}`] === undefined ? undefined : String(el[`@_${a}`]));
  return { xml, headerWord, name, invokeId: attr('invokeID'), sessionId: attr('sessionID'), fields };
}
