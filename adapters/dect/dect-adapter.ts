/**
 * The Mitel SIP-DECT adapter: the `Notifier` port on an OM AXI link (DESIGN.md "Adapters").
 *
 * Sending: the recipient's handset address (`addressOf`), a message key from the durable
 * ledger (so a confirmation that arrives after a restart still finds its alarm), the message
 * built from the notification profile (dect-mapping.ts), `SendMessage`. `SendMessageResp` only
 * means "queued": delivery and the answer come later as events.
 *
 * Events:
 * - `EventMessageProgress` → the ledger moves forward and the sink hears `delivered` or
 *   `failed` (TemporaryUnavailable, Rejected, WrongURI …: the plan sees a delivery failure).
 *   Busy → the same message again after `resendAfterMs`; Overridden → again once
 *   `EventMessageQueueEmpty` names the handset (or after `resendAfterMs` when the progress
 *   named none).
 * - `EventMessageConfirmation` OrderOk / OrderNok → `respond(accept | reject)` by the
 *   recipient, once (the ledger's `answered` is final).
 * - `EventAlarmTrigger` → `alarm`, the trigger id mapped to an alarm type (`triggers`, case
 *   insensitive, `*` as the default); the id is derived from the event, so a repeated event
 *   raises one alarm.
 * - Handset reachability (dect-reachability.ts): a handset on duty (`onDuty`) switched off or
 *   out of range → `sink.handset`, once per episode; LocReg ends it (`back`).
 * Withdrawing: `DeleteMessage` with the original address (its scheme must match).
 * After every reconnect: messages still queued are sent again with their own key, and the
 * provisioning events (`provisioning`, default PPDevCnf + PPUserCnf) are subscribed in a
 * Subscribe of their own: they need the AllCnfRead permission, and an account without it must
 * still get its alarms, so a refusal is only logged.
 * The phones list (dect-phones.ts), the on-demand position (dect-position.ts) and the DECT band
 * (dect-band-switch.ts) serve the Phones port. The options and the sink: dect-adapter-options.ts.
 */
import type { DeviceMessage } from '../../src/ports/device-messages.ts';
import type { Notifier, OutgoingNotification, SendResult, Withdrawal } from '../../src/ports/notifier.ts';
import type { PositionResult } from '../../src/ports/phones.ts';
import type { AxiEvent, OutgoingMessage } from './dect-codec.ts';
import type { DectBand } from './dect-band.ts';
import { dectBandOverAxi, type DectBandResult } from './dect-band-switch.ts';
import { nextMessageKey } from './dect-text.ts';
import { handsetAlarmOf } from './dect-handset-alarms.ts';
import { messageFor, progressOutcome, responseOf } from './dect-mapping.ts';
import { AxiLinkDown, AxiTransport, realTimers, type TimerHost } from './dect-transport.ts';
import { applyPhoneEvent, EMPTY_PHONE_BOOK, type Phone, type PhoneBook } from './dect-phones.ts';
import { askPosition, POSITION_TIMEOUT_MS, PositionWaiters } from './dect-position.ts';
import { episodeStep, opensEpisode, reachabilitySignal, type Episodes } from './dect-reachability.ts';
import { PROVISIONING_SUBSCRIPTIONS, type DectAdapterOptions } from './dect-adapter-options.ts';

export const DECT_CHANNEL = 'dect';

export type { HandsetAlarm } from './dect-handset-alarms.ts';

/** OMM error codes that may pass (the OMM is busy or full), as opposed to a refusal. */
const RETRYABLE = new Set(['EInProgress', 'ENoMem', 'EAreaFull', 'EFailed']);

export class DectAdapter implements Notifier {
  readonly channel = DECT_CHANNEL;
  readonly transport: AxiTransport;
  private readonly timers: TimerHost;
  /** Overridden messages waiting for their handset's queue to empty, by ppn. */
  private readonly afterQueueEmpty = new Map<number, DeviceMessage[]>();
  private readonly upWaiters: (() => void)[] = [];
  private book: PhoneBook = EMPTY_PHONE_BOOK;
  private readonly positions: PositionWaiters;
  private episodes: Episodes = new Map();
  /** Events handled one at a time, in order (a confirmation never overtakes its Delivered). */
  private events: Promise<void> = Promise.resolve();

  constructor(private readonly o: DectAdapterOptions) {
    this.timers = o.timers ?? realTimers;
    this.positions = new PositionWaiters(this.timers);
    this.transport = new AxiTransport({
      ...o.link,
      timers: this.timers,
      onEvent: (e) => {
        this.events = this.events.then(() =>
          this.onEvent(e).catch((err: unknown) =>
            this.o.log?.('warn', 'OM AXI: an event could not be handled', { event: e.type, err: String(err) }),
          ),
        );
      },
      onSupervision: (kind, detail) => {
        if (kind === 'link-up') {
          this.subscribeProvisioning();
          for (const w of this.upWaiters.splice(0)) w();
        }
        this.o.sink.supervision(kind, detail);
      },
      onReconcile: () => {
        this.reconcile().catch((err: unknown) =>
          this.o.log?.('warn', 'OM AXI: reconciling open messages failed', { err: String(err) }),
        );
      },
    });
  }

  start(): void {
    this.transport.start();
  }

  /** Resolves when the link is (or next becomes) up: opened and subscribed. */
  whenUp(): Promise<void> {
    if (this.transport.phase === 'up') return Promise.resolve();
    return new Promise((resolve) => this.upWaiters.push(resolve));
  }

  /** Stops the link; events already received are handled first. */
  async stop(): Promise<void> {
    this.transport.stop();
    this.positions.cancelAll();
    await this.events;
  }

  async send(n: OutgoingNotification): Promise<SendResult> {
    const address = await this.o.addressOf(n.recipient);
    if (!address) return { ok: false, retryable: false, reason: `${n.recipient} has no DECT handset` };
    const profile = n.profile === undefined ? undefined : await this.o.profileOf(n.profile);
    const at = this.o.now();
    // Built before the key is known, and kept in the ledger: a resend (Busy, Overridden, after a
    // reconnect or a restart) sends exactly this again, under the message's own key.
    const body = messageFor(n, profile, {
      key: { sendTime: 0, id: 0 },
      toAddr: address,
      fromAddr: this.o.fromAddr,
      fromName: this.o.fromName,
      maxContentBytes: this.o.maxContentBytes ?? 160,
      ...(this.o.offerDontKnow ? { offerDontKnow: true } : {}),
    });
    const m = await this.o.ledger.record(
      {
        channel: DECT_CHANNEL,
        alarmId: n.alarmId,
        notificationId: n.notificationId,
        recipient: n.recipient,
        address,
        payload: body,
        at,
      },
      (last) => nextMessageKey(last, this.sendTime(at)),
    );
    // Answered, failed or withdrawn already: a repeated send (after a crash) changes nothing.
    if (m.status !== 'queued' && m.status !== 'delivered') return { ok: true };
    return this.sendMessage(m);
  }

  async withdraw(w: Withdrawal): Promise<SendResult> {
    const m = await this.o.ledger.findByNotification(DECT_CHANNEL, w.alarmId, w.notificationId);
    if (!m || m.status === 'answered' || m.status === 'failed' || m.status === 'withdrawn') return { ok: true };
    try {
      const r = await this.transport.request({
        type: 'DeleteMessage',
        sendTime: m.sendTime,
        id: m.id,
        toAddr: m.address,
      });
      // ENoEnt: the OMM no longer has it (already deleted or expired): withdrawn all the same.
      if (r.errCode !== undefined && r.errCode !== 'ENoEnt')
        return {
          ok: false,
          retryable: RETRYABLE.has(r.errCode),
          reason: `the OMM refused DeleteMessage (${r.errCode})`,
        };
    } catch (err) {
      if (err instanceof AxiLinkDown) return { ok: false, retryable: true, reason: err.message };
      throw err;
    }
    await this.o.ledger.advance(DECT_CHANNEL, m, 'withdrawn', this.o.now());
    return { ok: true };
  }

  /** Reads the DECT band in force; with `switchTo`, switches to it first (dect-band-switch.ts). */
  dectBand(switchTo?: DectBand): Promise<DectBandResult> {
    return dectBandOverAxi(this.transport, switchTo, (c) => RETRYABLE.has(c), this.o.log);
  }

  /**
   * Where handset `number` is now (dect-position.ts): `RequestPositionInfo` for its ppn (from
   * the phones list), then its `EventPositionInfo`, waited for at most `positionTimeoutMs`
   * (10 s) on the injected timers. The visible base stations come strongest first with their
   * places; the phones list takes the strongest as the handset's base station. Never throws:
   * an unknown number, a link that is down, an OMM error and a timeout are results.
   */
  position(number: string): Promise<PositionResult> {
    return askPosition(
      { transport: this.transport, waiters: this.positions, now: this.o.now, locations: this.o.locations ?? {} },
      this.book.phones,
      number,
      this.o.positionTimeoutMs ?? POSITION_TIMEOUT_MS,
    );
  }

  private subscribeProvisioning(): void {
    const entries = this.o.provisioning ?? PROVISIONING_SUBSCRIPTIONS;
    if (entries.length === 0) return;
    this.transport.request({ type: 'Subscribe', entries }).then(
      (r) => {
        if (r.errCode !== undefined)
          this.o.log?.('warn', 'OM AXI: the provisioning events were refused; the phones list lacks names', {
            errCode: r.errCode,
            eventType: r.type === 'SubscribeResp' ? r.eventType : undefined,
          });
      },
      (err: unknown) =>
        this.o.log?.('warn', 'OM AXI: subscribing the provisioning events failed', { err: String(err) }),
    );
  }

  private sendTime(ms: number): number {
    return this.o.sendTimeOf ? this.o.sendTimeOf(ms) : Math.floor(ms / 1000);
  }

  /** SendMessage of a recorded message: its stored body under its own key. */
  private async sendMessage(m: DeviceMessage): Promise<SendResult> {
    const msg: OutgoingMessage = { ...(m.payload as OutgoingMessage), sendTime: m.sendTime, id: m.id };
    try {
      const r = await this.transport.request({
        type: 'SendMessage',
        msg,
        ...(this.o.confirmElement ? { confirmElement: this.o.confirmElement } : {}),
      });
      if (r.errCode === undefined) return { ok: true };
      const reason = `the OMM refused SendMessage (${r.errCode}${r.info ? `: ${r.info}` : ''})`;
      const retryable = RETRYABLE.has(r.errCode);
      if (!retryable) await this.o.ledger.advance(DECT_CHANNEL, m, 'failed', this.o.now());
      return { ok: false, retryable, reason };
    } catch (err) {
      if (err instanceof AxiLinkDown) return { ok: false, retryable: true, reason: err.message };
      throw err;
    }
  }

  /** Sends a recorded message again with its own key, if it is still queued or delivered-but-displaced. */
  private async resend(m: DeviceMessage): Promise<void> {
    const now = await this.o.ledger.find(DECT_CHANNEL, m);
    if (!now || (now.status !== 'queued' && now.status !== 'delivered')) return;
    const r = await this.sendMessage(now);
    if (!r.ok) this.o.log?.('warn', 'OM AXI: a resend failed', { alarmId: m.alarmId, reason: r.reason });
  }

  private later(m: DeviceMessage): void {
    this.timers.set(this.o.resendAfterMs ?? 30_000, () => {
      this.resend(m).catch(() => {});
    });
  }

  private async reconcile(): Promise<void> {
    for (const m of await this.o.ledger.open(DECT_CHANNEL, 1000)) if (m.status === 'queued') await this.resend(m);
  }

  /** The handsets as the OMM's events describe them, by ppn. */
  phones(): Phone[] {
    return [...this.book.phones.values()].sort((a, b) => a.ppn - b.ppn);
  }

  /**
   * A locating alert (priority LocatingAlert) to the handset `number`: it rings so that it can
   * be found. Its key comes from the ledger like any message (the OMM's key space is one), under
   * the pseudo alarm `locating-alert`; it is no notification, so nothing waits for its answer.
   */
  async locatingAlert(number: string, text: string): Promise<SendResult> {
    const at = this.o.now();
    const address = `tel:${number}`;
    const body = {
      ...messageFor({ text, priority: 0 }, undefined, {
        key: { sendTime: 0, id: 0 },
        toAddr: address,
        fromAddr: this.o.fromAddr,
        fromName: this.o.fromName,
        maxContentBytes: this.o.maxContentBytes ?? 160,
      }),
      priority: 'LocatingAlert',
      confirmations: [],
    };
    const m = await this.o.ledger.record(
      {
        channel: DECT_CHANNEL,
        alarmId: 'locating-alert',
        notificationId: `${number}-${at}`,
        recipient: `device:dect:${number}`,
        address,
        payload: body,
        at,
      },
      (last) => nextMessageKey(last, this.sendTime(at)),
    );
    const r = await this.sendMessage(m);
    // Not open: a reconnect must not ring it again.
    if (r.ok) await this.o.ledger.advance(DECT_CHANNEL, m, 'delivered', this.o.now());
    return r;
  }

  /** Reports a reachability signal of a handset on duty, once per episode (dect-reachability.ts). */
  private async reachability(s: ReturnType<typeof reachabilitySignal>): Promise<void> {
    if (s === undefined || this.o.sink.handset === undefined) return;
    const onDuty = opensEpisode(this.episodes, s) && this.o.onDuty !== undefined && (await this.o.onDuty(s.number));
    const step = episodeStep(this.episodes, s, onDuty);
    this.episodes = step.open;
    if (!step.report) return;
    this.o.log?.('info', `OM AXI: handset ${s.number} ${s.kind}`, { ppn: s.ppn, detail: s.detail });
    this.o.sink.handset(s.kind, s.number, s.detail);
  }

  private async onEvent(e: AxiEvent | { type: 'Unknown'; name: string }): Promise<void> {
    const { ledger, sink } = this.o;
    const before = this.book.phones;
    this.book = applyPhoneEvent(this.book, e, this.o.now(), this.o.locations ?? {});
    if (e.type === 'EventPositionInfo') this.positions.offer(e);
    await this.reachability(reachabilitySignal(e, before));
    switch (e.type) {
      case 'EventMessageProgress': {
        const m = await ledger.find(DECT_CHANNEL, e);
        if (!m)
          return this.o.log?.('warn', 'OM AXI: progress of an unknown message', { sendTime: e.sendTime, id: e.id });
        const outcome = progressOutcome(e.event);
        const at = this.o.now();
        switch (outcome.kind) {
          case 'delivered':
            if (await ledger.advance(DECT_CHANNEL, m, 'delivered', at))
              await sink.delivered(m.alarmId, m.notificationId);
            return;
          case 'failed':
            if (await ledger.advance(DECT_CHANNEL, m, 'failed', at))
              await sink.failed(m.alarmId, m.notificationId, outcome.reason);
            return;
          case 'withdrawn':
            await ledger.advance(DECT_CHANNEL, m, 'withdrawn', at);
            return;
          case 'resend':
            if (outcome.when === 'queue-empty' && e.ppn !== undefined) {
              this.afterQueueEmpty.set(e.ppn, [...(this.afterQueueEmpty.get(e.ppn) ?? []), m]);
            } else this.later(m);
            return;
          case 'pending':
            return;
          case 'ignored':
            return this.o.log?.('warn', `OM AXI: ${outcome.reason}`);
        }
        return;
      }
      case 'EventMessageQueueEmpty': {
        const waiting = this.afterQueueEmpty.get(e.ppn) ?? [];
        this.afterQueueEmpty.delete(e.ppn);
        for (const m of waiting) await this.resend(m);
        return;
      }
      case 'EventMessageConfirmation': {
        const m = await ledger.find(DECT_CHANNEL, e);
        const response = responseOf(e.confirmation);
        if (!m || (response !== 'accept' && response !== 'reject')) {
          return this.o.log?.('info', 'OM AXI: a confirmation that is not an answer to an alarm', {
            confirmation: e.confirmation,
            known: m !== undefined,
          });
        }
        if (await ledger.advance(DECT_CHANNEL, m, 'answered', this.o.now()))
          await sink.respond(m.alarmId, response, m.recipient, `dect:${m.address}`);
        return;
      }
      case 'EventAlarmTrigger':
      case 'EventMessageSend': {
        const r = handsetAlarmOf(e, this.o.triggers, this.o.messageRules ?? [], this.book.phones);
        if ('ignored' in r) return this.o.log?.(r.level, `OM AXI: ${r.ignored}`, r.fields);
        await sink.alarm(r.alarm);
        return;
      }
      default:
        return;
    }
  }
}
