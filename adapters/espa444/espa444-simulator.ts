/**
 * EspaStation: a scriptable ESPA 4.4.4 peer over a real TCP socket, for tests and the demo
 * (DESIGN.md "Adapters"). It shares no code with the adapter: its wire code is
 * espa444-simulator-wire.ts and its link procedure is written here again, plainly.
 *
 *   // nurseCallStation, firePanel, pagerSystem: espa444-simulator-stations.ts
 *   const nurse = nurseCallStation({ schedule: timers.set });    // control station '1'
 *   const { port } = await nurse.start({ mode: 'server', port: 0 });
 *   const outcome = await nurse.call('201', 'Room 201 bed 2');     // resolves on ACK or give-up
 *   const pager = pagerSystem({ statusScript: { '*': [{ status: '3', afterMs: 1000 }] } });
 *
 * Roles: `control` (a nurse-call system or fire panel: polls the peer every
 * `pollIntervalMs`, selects it with `EOT <own> ENQ <peer> ENQ` when it has blocks, sends them
 * with `retries` resends after a NAK or `ackTimeoutMs` of silence, then EOT; answers a select
 * when it polls) or `paging` (a pager system: answers a poll with EOT or a select when it has
 * blocks; a select with ACK; ACKs blocks, and after a call sends the scripted status reports
 * — header '2', records 1 and 7 — after their delays). A block that was being sent when the
 * connection dropped stays queued and goes again after the reconnect, as a real panel keeps
 * its call. In client mode the station reconnects `reconnectMs` after a drop.
 *
 * Scripts: `nakNext(prefix)` answers the next received block with `<prefix>NAK`,
 * `corruptNext()` flips the BCC of the next block sent, `garbage(bytes)` writes raw bytes,
 * `silent(true)` answers nothing, `dropOnNextBlock()` closes the connection when the next
 * block arrives (before answering), `drop()` closes it now. Everything received is in
 * `received` (blocks with their answer) and `events`; `waitFor` awaits an event. Delays run on
 * the injected `schedule`, so tests drive them with a manual clock. What it records and the
 * schedule type: espa444-simulator-events.ts; the blocks it sends: espa444-simulator-blocks.ts.
 */
import net from 'node:net';
import { simBlockBytes, SimSplitter, simValue, type SimBlock, type SimUnit } from './espa444-simulator-wire.ts';
import type { EspaStationOptions } from './espa444-simulator-stations.ts';
import { defaultSchedule, type SimEvent, type SimOutcome, type SimReceived } from './espa444-simulator-events.ts';
import { simCallBlock, simResetBlock, simStatusBlock } from './espa444-simulator-blocks.ts';

export type { SimBlock, SimRecord } from './espa444-simulator-wire.ts';
export type { EspaStationOptions, StatusStep } from './espa444-simulator-stations.ts';

interface Out {
  readonly block: SimBlock;
  answers: string[];
  readonly resolve: (o: SimOutcome) => void;
}

type Phase = 'idle' | 'polling' | 'selecting' | 'sending' | 'receiving';

export class EspaStation {
  readonly events: SimEvent[] = [];
  readonly received: SimReceived[] = [];
  readonly badBlocks: Buffer[] = [];
  private readonly o: Required<Omit<EspaStationOptions, 'statusScript' | 'defaultPriority'>> & EspaStationOptions;
  private server: net.Server | undefined;
  private socket: net.Socket | undefined;
  private splitter: SimSplitter;
  private phase: Phase = 'idle';
  private sawEot = false;
  private outbox: Out[] = [];
  private replyTimer: (() => void) | undefined;
  private pollTimer: (() => void) | undefined;
  private stopped = false;
  private waiters: { match: (e: SimEvent) => boolean; resolve: (e: SimEvent) => void }[] = [];
  private naks: string[] = [];
  private corrupt = 0;
  private quiet = false;
  private dropOnBlock = false;
  private target: { host: string; port: number } | undefined;

  constructor(options: EspaStationOptions) {
    const control = options.role === 'control';
    this.o = {
      name: control ? 'control station' : 'pager system',
      own: control ? '1' : '2',
      peer: control ? '2' : '1',
      schedule: defaultSchedule,
      pollIntervalMs: 2_000,
      ackTimeoutMs: 3_000,
      retries: 3,
      reconnectMs: 1_000,
      charset: 'latin1',
      ...options,
    };
    this.splitter = new SimSplitter(this.o.charset);
  }

  /** Listens (resolves with the port) or connects (resolves once connected). */
  async start(
    t: { mode: 'server'; port: number; host?: string } | { mode: 'client'; host: string; port: number },
  ): Promise<{ port: number }> {
    if (t.mode === 'client') {
      this.target = { host: t.host, port: t.port };
      await new Promise<void>((resolve) => {
        this.connect(resolve);
      });
      return { port: t.port };
    }
    const server = net.createServer((s) => {
      if (this.socket) return void s.destroy();
      this.attach(s);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(t.port, t.host ?? '127.0.0.1', resolve));
    return { port: (server.address() as net.AddressInfo).port };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.replyTimer?.();
    this.pollTimer?.();
    // Resolve only once the connection is closed (and `connected` says so).
    const socket = this.socket;
    if (socket) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.destroy();
      await closed;
    }
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Queues a block; resolves when it was ACKed or given up. */
  send(block: SimBlock): Promise<SimOutcome> {
    return new Promise((resolve) => {
      this.outbox.push({ block, answers: [], resolve });
      if (this.o.role === 'control' && this.phase === 'idle' && this.socket) this.select();
    });
  }

  /** A call to `address` (header '1'; call type '3' unless given). */
  call(
    address: string,
    text?: string,
    o: { priority?: string; beep?: string; callType?: string; header?: string } = {},
  ): Promise<SimOutcome> {
    return this.send(simCallBlock(address, text, o, this.o.defaultPriority));
  }

  /** Call type '1': the call for `address` is over. */
  reset(address: string): Promise<SimOutcome> {
    return this.send(simResetBlock(address));
  }

  garbage(bytes: Uint8Array): void {
    this.write('garbage', Buffer.from(bytes));
  }
  nakNext(prefix: string, times = 1): void {
    for (let i = 0; i < times; i++) this.naks.push(prefix);
  }
  corruptNext(times = 1): void {
    this.corrupt += times;
  }
  silent(on: boolean): void {
    this.quiet = on;
  }
  dropOnNextBlock(): void {
    this.dropOnBlock = true;
  }
  drop(): void {
    this.socket?.destroy();
  }

  /** Resolves with the first event (from now on) that matches. */
  waitFor(match: (e: SimEvent) => boolean): Promise<SimEvent> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Resolves when a block matching `match` has been received (now or later). */
  async waitForBlock(match: (b: SimBlock) => boolean): Promise<SimBlock> {
    const seen = this.received.find((r) => r.answer === 'ack' && match(r.block));
    if (seen) return seen.block;
    const e = await this.waitFor((x) => x.dir === 'in' && x.unit.kind === 'block' && match(x.unit.block));
    return (e as { unit: { block: SimBlock } }).unit.block;
  }

  private record(e: SimEvent): void {
    this.events.push(e);
    for (const w of [...this.waiters])
      if (w.match(e)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(e);
      }
  }

  private connect(onConnected?: () => void): void {
    if (this.stopped || !this.target) return;
    const s = net.connect(this.target);
    s.once('connect', () => {
      this.attach(s);
      onConnected?.();
    });
    s.on('error', () => {});
    s.once('close', () => {
      if (this.socket === undefined && !this.stopped)
        this.o.schedule(this.o.reconnectMs, () => this.connect(onConnected));
    });
  }

  private attach(s: net.Socket): void {
    this.socket = s;
    this.splitter = new SimSplitter(this.o.charset);
    this.phase = 'idle';
    this.sawEot = false;
    s.setNoDelay(true);
    s.on('error', () => {});
    s.on('data', (chunk: Buffer) => {
      if (this.socket !== s) return;
      for (const u of this.splitter.push(chunk)) {
        this.record({ dir: 'in', unit: u });
        if (this.socket === s) this.onUnit(u);
      }
    });
    s.once('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.replyTimer?.();
      this.pollTimer?.();
      this.phase = 'idle';
      this.record({ dir: 'conn', what: 'closed' });
      if (this.target && !this.stopped) this.o.schedule(this.o.reconnectMs, () => this.connect());
    });
    this.record({ dir: 'conn', what: 'connected' });
    if (this.o.role === 'control') {
      if (this.outbox.length > 0) this.select();
      else this.schedulePoll();
    }
  }

  private write(what: string, bytes: Buffer): void {
    if (!this.socket) return;
    this.record({ dir: 'out', what, bytes });
    this.socket.write(bytes);
  }

  private wait(ms: number, fn: () => void): void {
    this.replyTimer?.();
    this.replyTimer = this.o.schedule(ms, () => {
      this.replyTimer = undefined;
      fn();
    });
  }

  private schedulePoll(): void {
    this.pollTimer?.();
    if (this.o.role !== 'control' || !this.socket) return;
    this.pollTimer = this.o.schedule(this.o.pollIntervalMs, () => {
      this.pollTimer = undefined;
      if (this.phase !== 'idle' || !this.socket) return;
      if (this.outbox.length > 0) return this.select();
      this.phase = 'polling';
      this.write('poll', Buffer.from([0x04, this.o.peer.charCodeAt(0), 0x05]));
      this.wait(this.o.ackTimeoutMs, () => this.toIdle());
    });
  }

  /** Back to idle: a control station with blocks queued selects at once (after a refusal: at the next poll). */
  private toIdle(selectNow = true): void {
    this.replyTimer?.();
    this.phase = 'idle';
    if (selectNow && this.o.role === 'control' && this.outbox.length > 0 && this.socket) return this.select();
    this.schedulePoll();
  }

  private select(): void {
    this.pollTimer?.();
    this.phase = 'selecting';
    const { own, peer } = this.o;
    const bytes =
      this.o.role === 'control'
        ? [0x04, own.charCodeAt(0), 0x05, peer.charCodeAt(0), 0x05]
        : [peer.charCodeAt(0), 0x05];
    this.write('select', Buffer.from(bytes));
    this.wait(this.o.ackTimeoutMs, () => this.refused('timeout'));
  }

  private sendHead(): void {
    const head = this.outbox[0];
    if (!head) return this.end();
    this.phase = 'sending';
    const bytes = simBlockBytes(head.block, this.o.charset);
    if (this.corrupt > 0) {
      this.corrupt--;
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    }
    this.write('block', bytes);
    this.wait(this.o.ackTimeoutMs, () => this.answered('timeout'));
  }

  /** An answer to the block being sent. */
  private answered(answer: string): void {
    const head = this.outbox[0];
    if (!head) return this.end();
    head.answers.push(answer);
    if (answer === 'ack') {
      this.outbox.shift();
      head.resolve({ ok: true, answers: head.answers });
      return this.outbox.length > 0 ? this.sendHead() : this.end();
    }
    if (head.answers.length <= this.o.retries) return this.sendHead();
    this.outbox.shift();
    head.resolve({ ok: false, answers: head.answers });
    return this.outbox.length > 0 ? this.sendHead() : this.end();
  }

  private refused(answer: string): void {
    const head = this.outbox[0];
    if (head) {
      head.answers.push(`select-${answer}`);
      if (head.answers.length > this.o.retries) {
        this.outbox.shift();
        head.resolve({ ok: false, answers: head.answers });
      }
    }
    if (answer !== 'eot') this.write('eot', Buffer.from([0x04]));
    this.toIdle(false);
  }

  private end(): void {
    this.write('eot', Buffer.from([0x04]));
    this.toIdle();
  }

  private onUnit(u: SimUnit): void {
    if (this.quiet) return;
    if (u.kind === 'block' || u.kind === 'bad-block') {
      if (this.phase === 'receiving' || (this.phase === 'idle' && this.o.role === 'paging')) return this.take(u);
      return;
    }
    const eot = u.kind === 'eot';
    const sawEot = this.sawEot;
    this.sawEot = eot;
    switch (this.phase) {
      case 'polling':
        if (eot) return this.toIdle();
        if (u.kind === 'enq' && u.address === this.o.own) {
          this.replyTimer?.();
          this.phase = 'receiving';
          return this.write('ack', Buffer.from([0x06]));
        }
        return;
      case 'selecting':
        if (u.kind === 'ack') return this.sendHead();
        if (u.kind === 'nak') return this.refused(`${u.prefix}nak`);
        if (eot) return this.refused('eot');
        return;
      case 'sending':
        if (u.kind === 'ack') return this.answered('ack');
        if (u.kind === 'nak') return this.answered(`${u.prefix}nak`);
        return;
      case 'receiving':
        if (eot) return this.toIdle();
        return;
      case 'idle':
        if (this.o.role !== 'paging' || u.kind !== 'enq' || u.address !== this.o.own) return;
        if (!sawEot) {
          this.phase = 'receiving';
          return this.write('ack', Buffer.from([0x06]));
        }
        if (this.outbox.length > 0) return this.select();
        return this.write('eot', Buffer.from([0x04]));
    }
  }

  /** A block (or a bad one) for us: answer it as scripted. */
  private take(u: Extract<SimUnit, { kind: 'block' | 'bad-block' }>): void {
    if (u.kind === 'bad-block') {
      this.badBlocks.push(u.bytes);
      return this.write('nak', Buffer.from('1\x15', 'latin1'));
    }
    if (this.dropOnBlock) {
      this.dropOnBlock = false;
      this.received.push({ block: u.block, answer: 'dropped' });
      return this.drop();
    }
    const prefix = this.naks.shift();
    if (prefix !== undefined) {
      this.received.push({ block: u.block, answer: `${prefix}nak` });
      return this.write('nak', Buffer.from(`${prefix}\x15`, 'latin1'));
    }
    this.received.push({ block: u.block, answer: 'ack' });
    this.write('ack', Buffer.from([0x06]));
    this.afterCall(u.block);
  }

  /** Paging station: the scripted status reports for a call. */
  private afterCall(b: SimBlock): void {
    const address = simValue(b, '1');
    if (this.o.role !== 'paging' || b.header !== '1' || !address || simValue(b, '4') === '1') return;
    const script = this.o.statusScript?.[address] ?? this.o.statusScript?.['*'] ?? [];
    for (const step of script)
      this.o.schedule(step.afterMs, () => {
        void this.send(simStatusBlock(address, step.status));
      });
  }
}
