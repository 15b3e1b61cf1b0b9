/**
 * The ESPA 4.4.4 adapter (DESIGN.md "Adapters"): one link (espa444-transport.ts) to a
 * nurse-call system, fire panel or pager system, in either role.
 *
 * Inbound (Tocsin is the paging system, `role: 'paging'` usually): call blocks go to
 * espa444-inbound.ts (AlarmIntake, status reports through AlarmWatch). Needs `intake`. After
 * each `start`, the first link-up follows again the calls raised before (`resume`, in the
 * background): not `start` itself, as a status can only be queued once the peer is connected
 * (before, it is dropped). When they cannot be listed, the next link-up tries again. Every
 * link-up also sends again the statuses the link could not take (`relinked`).
 *
 * Outbound (Tocsin is the control station toward a pager system, `role: 'control'` usually):
 * the `Notifier` port, channel `espa444` (or `channel`). `send` → a call block, header '1':
 * record 1 the pager address (`addressOf`), 2 the text, 3 beep (`beep`, default '1'), 4 call
 * type '3' standard, 5 transmissions (`transmissions`, default '1'), 6 the priority
 * (espa444-mapping.ts `espaPriority`). Each message is recorded in the DeviceMessageLedger
 * first (key: send time in s, a per-channel id below 2^20), so status information coming back
 * for the address (header '2', record 7) advances it, also after a restart: see
 * espa444-mapping.ts `outcomeOf`. ESPA carries no message id, so a status is matched to the
 * newest open message for its address. `send` resolves ok once the peer ACKed the block,
 * failed(retryable) when the link is down or the retries ran out, failed(not retryable) when
 * the recipient has no pager address. `withdraw` sends call type '1' (reset) for the address.
 *
 * Blocks: header '1'/'4' → inbound (no `intake`: '3'NAK); '2' → outbound status ('3'NAK
 * without an address; ACK when it matches no message, logged); '3' status request and '5'
 * other → ACK and log; any other header → '3'NAK. Status is ACKed only once the ledger and
 * the sink have recorded it; a failure there → '2'NAK (busy), so the peer sends it again.
 */
import type { AlarmIntake, AlarmWatch } from '../../src/ports/alarm-intake.ts';
import type { DeviceMessage, DeviceMessageLedger } from '../../src/ports/device-messages.ts';
import type { Notifier, OutgoingNotification, SendResult, Withdrawal } from '../../src/ports/notifier.ts';
import { isAddress, valueOf, type EspaBlock, type RawRecord } from './espa444-codec.ts';
import { Espa444Inbound, type InboundStats } from './espa444-inbound.ts';
import type { Decision, SupervisionEvent } from './espa444-link-types.ts';
import { espaPriority, nextMessageKey, outcomeOf, type InboundRule } from './espa444-mapping.ts';
import {
  Espa444Transport,
  realTimers,
  type Espa444Log,
  type Espa444TransportOptions,
  type TimerHost,
} from './espa444-transport.ts';

export const ESPA444_CHANNEL = 'espa444';

/** Where the adapter's news goes (wired to the runtime and the store by src/app). */
export interface Espa444Sink {
  delivered(alarmId: string, notificationId: string): Promise<void>;
  failed(alarmId: string, notificationId: string, reason: string): Promise<void>;
  /** The called party acknowledged (record 7 '6'): an accept by the notification's recipient. */
  respond(alarmId: string, response: 'accept', by: string, device: string): Promise<void>;
  supervision(event: SupervisionEvent, detail: string): void;
}

export interface Espa444AdapterOptions {
  /** The link's name in logs and alarm sources (`<linkId>/<address>`). */
  readonly linkId: string;
  /** Notifier and ledger channel; default `espa444`. Give each outbound link its own. */
  readonly channel?: string;
  readonly link: Omit<Espa444TransportOptions, 'linkId' | 'onBlock' | 'onSupervision' | 'timers' | 'log'>;
  /** Epoch ms. */
  readonly now: () => number;
  readonly timers?: TimerHost;
  readonly log?: Espa444Log;
  readonly sink?: Espa444Sink;
  // Inbound.
  readonly intake?: AlarmIntake;
  readonly watch?: AlarmWatch;
  readonly rules?: readonly InboundRule[];
  // Outbound.
  readonly ledger?: DeviceMessageLedger;
  /** The pager address (1–16 digits) of a recipient, or undefined when it has none. */
  readonly addressOf?: (recipient: string) => Promise<string | undefined> | string | undefined;
  readonly beep?: string;
  readonly transmissions?: string;
  /** How long after a '1' (busy) status a call is sent again; default 30 s. */
  readonly resendAfterMs?: number;
}

interface Payload {
  readonly records: readonly RawRecord[];
}

const OPEN = new Set(['queued', 'delivered']);

export class Espa444Adapter implements Notifier {
  readonly channel: string;
  readonly transport: Espa444Transport;
  private readonly inbound: Espa444Inbound | undefined;
  private readonly timers: TimerHost;
  private readonly inFlight = new Map<string, Promise<SendResult>>();
  private readonly upWaiters: (() => void)[] = [];
  private resuming: Promise<void> = Promise.resolve();

  constructor(private readonly o: Espa444AdapterOptions) {
    this.channel = o.channel ?? ESPA444_CHANNEL;
    this.timers = o.timers ?? realTimers;
    this.transport = new Espa444Transport({
      ...o.link,
      linkId: o.linkId,
      timers: this.timers,
      log: o.log,
      onBlock: (block) => this.onBlock(block),
      onSupervision: (event, detail) => {
        if (event === 'link-up') {
          for (const w of this.upWaiters.splice(0)) w();
          this.inbound?.relinked();
          if (this.inbound && !this.inbound.resumed) this.resuming = this.inbound.resume();
        }
        this.o.sink?.supervision(event, detail);
      },
    });
    this.inbound = o.intake
      ? new Espa444Inbound({
          linkId: o.linkId,
          intake: o.intake,
          watch: o.watch,
          rules: o.rules ?? [],
          now: o.now,
          log: o.log,
          report: async (address, status) => {
            const r = await this.transport.send({ header: '2', records: [rec('1', address), rec('7', status)] });
            if (!r.ok) throw new Error(r.reason);
          },
        })
      : undefined;
  }

  /** Counters of inbound calls (raised, repeated, resets, unmapped, refused). */
  get stats(): Readonly<InboundStats> | undefined {
    return this.inbound?.stats;
  }

  /**
   * Connects or listens; in server mode resolves with the listening port. The calls raised
   * before are followed again at the first link-up (`whenResumed`).
   */
  start(): Promise<{ readonly port?: number }> {
    return this.transport.start();
  }

  /**
   * Resolves once the latest try to follow again the calls raised before (at a link-up) is
   * over, followed or logged as failed; never rejects.
   */
  whenResumed(): Promise<void> {
    return this.resuming;
  }

  async stop(): Promise<void> {
    this.inbound?.stop();
    await this.transport.stop();
  }

  /** Resolves when the peer answers (now, or at the next link-up). */
  whenUp(): Promise<void> {
    if (this.transport.up) return Promise.resolve();
    return new Promise((resolve) => this.upWaiters.push(resolve));
  }

  private log(level: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}): void {
    this.o.log?.(level, `ESPA 4.4.4 ${this.o.linkId}: ${msg}`, { link: this.o.linkId, ...fields });
  }

  async send(n: OutgoingNotification): Promise<SendResult> {
    const key = `${n.alarmId}/${n.notificationId}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.sendOnce(n).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async sendOnce(n: OutgoingNotification): Promise<SendResult> {
    const { ledger, addressOf } = this.o;
    if (!ledger || !addressOf)
      return { ok: false, retryable: false, reason: 'this ESPA 4.4.4 link does not send calls' };
    const address = await addressOf(n.recipient);
    if (!address || !isAddress(address))
      return { ok: false, retryable: false, reason: `${n.recipient} has no ESPA 4.4.4 pager address (1–16 digits)` };
    if (!this.transport.connected) return { ok: false, retryable: true, reason: 'the ESPA 4.4.4 link is down' };
    const at = this.o.now();
    const payload: Payload = {
      records: [
        rec('1', address),
        rec('2', n.text),
        rec('3', this.o.beep ?? '1'),
        rec('4', '3'),
        rec('5', this.o.transmissions ?? '1'),
        rec('6', espaPriority(n.priority)),
      ],
    };
    const m = await ledger.record(
      {
        channel: this.channel,
        alarmId: n.alarmId,
        notificationId: n.notificationId,
        recipient: n.recipient,
        address,
        payload,
        at,
      },
      (last) => nextMessageKey(last, Math.floor(at / 1000)),
    );
    // Answered, failed or withdrawn already: a repeated send (after a crash) changes nothing.
    if (!OPEN.has(m.status)) return { ok: true };
    return this.transport.send({ header: '1', records: (m.payload as Payload).records });
  }

  async withdraw(w: Withdrawal): Promise<SendResult> {
    const m = await this.o.ledger?.findByNotification(this.channel, w.alarmId, w.notificationId);
    if (!m || !OPEN.has(m.status)) return { ok: true };
    const r = await this.transport.send({ header: '1', records: [rec('1', m.address), rec('4', '1')] });
    if (!r.ok) return r;
    await this.o.ledger!.advance(this.channel, m, 'withdrawn', this.o.now());
    return { ok: true };
  }

  private async onBlock(block: EspaBlock): Promise<Decision> {
    switch (block.header) {
      case '1':
      case '4':
        if (this.inbound) return this.inbound.onCall(block);
        this.log('warn', `a call (header ${block.header}) on a link that takes no calls: refused with 3NAK`);
        return 'invalid';
      case '2':
        return this.onStatus(block);
      case '3':
      case '5':
        this.log('info', `a block with header ${block.header} acknowledged and ignored`, {
          records: block.records.map((r) => `${r.id}=${r.value}`),
        });
        return 'accepted';
      default:
        this.log('warn', `a block with unknown header ${JSON.stringify(block.header)}: refused with 3NAK`);
        return 'invalid';
    }
  }

  /** Status information for a call we sent. Rejects (→ busy) when the ledger or the sink fails. */
  private async onStatus(block: EspaBlock): Promise<Decision> {
    const address = valueOf(block, '1');
    const status = valueOf(block, '7');
    const system = valueOf(block, '8');
    if (system !== undefined) this.log('warn', `the peer reports system status ${system}`, { system });
    if (!address || status === undefined) {
      if (system !== undefined) return 'accepted';
      this.log('warn', 'status information without address or call status: refused with 3NAK');
      return 'invalid';
    }
    const { ledger, sink } = this.o;
    const m = ledger ? await this.newestOpen(ledger, address) : undefined;
    if (!ledger || !m) {
      this.log('info', `status ${status} for ${address}, which has no open call from us`);
      return 'accepted';
    }
    const outcome = outcomeOf(status);
    const at = this.o.now();
    switch (outcome.kind) {
      case 'delivered':
        if (await ledger.advance(this.channel, m, 'delivered', at)) await sink?.delivered(m.alarmId, m.notificationId);
        break;
      case 'accepted':
        if (await ledger.advance(this.channel, m, 'delivered', at)) await sink?.delivered(m.alarmId, m.notificationId);
        if (await ledger.advance(this.channel, m, 'answered', at))
          await sink?.respond(m.alarmId, 'accept', m.recipient, `espa444:${this.o.linkId}/${address}`);
        break;
      case 'failed':
        if (await ledger.advance(this.channel, m, 'failed', at))
          await sink?.failed(m.alarmId, m.notificationId, outcome.reason);
        break;
      case 'retry':
        this.log('info', `the pager system is busy for ${address}: the call goes again later`, { alarmId: m.alarmId });
        this.timers.set(this.o.resendAfterMs ?? 30_000, () => {
          this.resend(m).catch((err: unknown) =>
            this.log('warn', 'a resend failed', { alarmId: m.alarmId, err: String(err) }),
          );
        });
        break;
      case 'none':
        this.log('info', `status ${status} for ${address}`, { alarmId: m.alarmId });
        break;
    }
    return 'accepted';
  }

  private async newestOpen(ledger: DeviceMessageLedger, address: string): Promise<DeviceMessage | undefined> {
    const open = (await ledger.open(this.channel, 1000)).filter((x) => x.address === address);
    return open[open.length - 1];
  }

  private async resend(m: DeviceMessage): Promise<void> {
    const now = await this.o.ledger!.find(this.channel, m);
    if (!now || !OPEN.has(now.status)) return;
    const r = await this.transport.send({ header: '1', records: (now.payload as Payload).records });
    if (!r.ok) this.log('warn', `a resend failed: ${r.reason}`, { alarmId: m.alarmId });
  }
}

const rec = (id: string, value: string): RawRecord => ({ id, value });
