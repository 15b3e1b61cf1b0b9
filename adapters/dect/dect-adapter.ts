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
 * Withdrawing: `DeleteMessage` with the original address (its scheme must match).
 * After every reconnect: messages still queued are sent again with their own key.
 */
import type { DeviceMessage, DeviceMessageLedger } from '../../src/ports/device-messages.ts';
import type { Notifier, OutgoingNotification, SendResult, Withdrawal } from '../../src/ports/notifier.ts';
import { type AxiEvent, type AxiResponse, type ConfirmElement, type OutgoingMessage } from './dect-codec.ts';
import { DECT_BANDS, dectBandOf, type DectBand } from './dect-band.ts';
import { nextMessageKey } from './dect-text.ts';
import {
  alarmTypeForText,
  messageFor,
  progressOutcome,
  responseOf,
  type HandsetProfile,
  type MessageRule,
} from './dect-mapping.ts';
import { AxiLinkDown, AxiTransport, realTimers, type AxiTransportOptions, type TimerHost } from './dect-transport.ts';
import type { SupervisionKind } from './dect-link.ts';
import { applyPhoneEvent, type Phone, type PhoneTable } from './dect-phones.ts';

export const DECT_CHANNEL = 'dect';

/** An alarm from a handset: emergency key, man-down, no-movement, pull-cord … */
export interface HandsetAlarm {
  /** Stable for one event: raising it twice raises one alarm. */
  readonly id: string;
  readonly alarmType: string;
  readonly trigger: string;
  readonly text: string;
  readonly ppn?: number;
  readonly uid?: number;
  readonly fromAddr?: string;
  /** The place of the handset's last base station (the RFP → location table), when known. */
  readonly location?: string;
}

/** Where the adapter's news goes (wired to the runtime and the store by src/app). */
export interface DectSink {
  respond(alarmId: string, response: 'accept' | 'reject', by: string, device: string): Promise<void>;
  delivered(alarmId: string, notificationId: string): Promise<void>;
  failed(alarmId: string, notificationId: string, reason: string): Promise<void>;
  alarm(a: HandsetAlarm): Promise<void>;
  supervision(kind: SupervisionKind, detail: string): void;
}

export interface DectAdapterOptions {
  readonly link: Omit<AxiTransportOptions, 'onEvent' | 'onSupervision' | 'onReconcile' | 'timers'>;
  readonly ledger: DeviceMessageLedger;
  readonly sink: DectSink;
  /** The handset address of a recipient (`tel:<number>`), or undefined when it has none. */
  readonly addressOf: (recipient: string) => Promise<string | undefined>;
  readonly profileOf: (profileId: string) => Promise<HandsetProfile | undefined> | HandsetProfile | undefined;
  /** Epoch ms. */
  readonly now: () => number;
  /** The DECT system's local time in unix seconds for `sendTime` (default: UTC seconds). */
  readonly sendTimeOf?: (ms: number) => number;
  readonly timers?: TimerHost;
  readonly fromAddr: string;
  readonly fromName: string;
  readonly maxContentBytes?: number;
  readonly confirmElement?: ConfirmElement;
  readonly offerDontKnow?: boolean;
  /** Trigger id (upper case) → alarm type; `*` for any other trigger. */
  readonly triggers: Readonly<Record<string, string>>;
  readonly resendAfterMs?: number;
  /** Text typed on a handset (EventMessageSend) → alarm type; no rule matches: logged, no alarm. */
  readonly messageRules?: readonly MessageRule[];
  /** Base station (RFP id) → the place it covers, for the phones list and handset alarms. */
  readonly locations?: Readonly<Record<number, string>>;
  readonly log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

/** OMM error codes that may pass (the OMM is busy or full), as opposed to a refusal. */
const RETRYABLE = new Set(['EInProgress', 'ENoMem', 'EAreaFull', 'EFailed']);

export class DectAdapter implements Notifier {
  readonly channel = DECT_CHANNEL;
  readonly transport: AxiTransport;
  private readonly timers: TimerHost;
  /** Overridden messages waiting for their handset's queue to empty, by ppn. */
  private readonly afterQueueEmpty = new Map<number, DeviceMessage[]>();
  private readonly upWaiters: (() => void)[] = [];
  private phoneTable: PhoneTable = new Map();
  /** Events handled one at a time, in order (a confirmation never overtakes its Delivered). */
  private events: Promise<void> = Promise.resolve();

  constructor(private readonly o: DectAdapterOptions) {
    this.timers = o.timers ?? realTimers;
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
        if (kind === 'link-up') for (const w of this.upWaiters.splice(0)) w();
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

  /**
   * Switches the SIP-DECT system's DECT band (the OMM's DECT regulatory domain), e.g. EU (OMM
   * domain EMEA, 1880–1900 MHz) → US (1920–1930 MHz) when a ship changes region; with no band,
   * only reads the band in force. Reads the domain (`GetDECTRegDomain`), sets the new one
   * (`SetDECTRegDomain regDomain="…"`) unless it is in force already, then reads it back:
   * `confirmed` says the read-back matched (false when the link dropped right after the OMM
   * accepted, e.g. because it restarts). Asking the operator to confirm, and the access log,
   * are the caller's.
   *
   * AXI: request and domain names from mitel-api `doc/SIP-DECT OM.xsd` (SetDECTRegDomainType,
   * GetSetDECTRegDomainRespType, DECTRegDomainType); the attribute name `regDomain` from public
   * OMM provisioning files. Not confirmed against a real OMM: the response's shape, the
   * permission it needs, and whether the change restarts the base stations (so DECT service,
   * alarms included, may drop for a while). Tested against OmmSimulator only.
   */
  async dectBand(switchTo?: DectBand): Promise<
    | {
        readonly ok: true;
        /** undefined: no domain set (`None`) or one this code does not know. */
        readonly previous: DectBand | undefined;
        readonly current: DectBand | undefined;
        readonly changed: boolean;
        readonly confirmed: boolean;
      }
    | { readonly ok: false; readonly retryable: boolean; readonly reason: string; readonly errCode?: string }
  > {
    const target = switchTo === undefined ? undefined : DECT_BANDS[switchTo]?.regDomain;
    if (switchTo !== undefined && target === undefined)
      return { ok: false, retryable: false, reason: `unknown DECT band ${JSON.stringify(switchTo)}` };
    const refused = (r: AxiResponse, what: string) => ({
      ok: false as const,
      retryable: RETRYABLE.has(r.errCode ?? ''),
      reason: `the OMM refused ${what} (${r.errCode}${r.info ? `: ${r.info}` : ''})`,
      errCode: r.errCode!,
    });
    const domainOf = (r: AxiResponse) => (r.type === 'GetDECTRegDomainResp' ? r.regDomain : undefined);
    let accepted = false;
    let previous: DectBand | undefined;
    try {
      const before = await this.transport.request({ type: 'GetDECTRegDomain' });
      if (before.errCode !== undefined) return refused(before, 'GetDECTRegDomain');
      previous = dectBandOf(domainOf(before));
      if (target === undefined || domainOf(before) === target)
        return { ok: true, previous, current: previous, changed: false, confirmed: true };
      const set = await this.transport.request({ type: 'SetDECTRegDomain', regDomain: target });
      if (set.errCode !== undefined) return refused(set, `SetDECTRegDomain ${target}`);
      accepted = true;
      this.o.log?.('info', 'OM AXI: DECT band switched', { previous, current: switchTo, regDomain: target });
      const after = await this.transport.request({ type: 'GetDECTRegDomain' });
      if (after.errCode !== undefined || domainOf(after) !== target) {
        const reason = `after SetDECTRegDomain ${target} the OMM reports ${domainOf(after) ?? after.errCode ?? 'no domain'}`;
        return { ok: false, retryable: false, reason };
      }
      return { ok: true, previous, current: switchTo, changed: true, confirmed: true };
    } catch (err) {
      if (!(err instanceof AxiLinkDown)) throw err;
      if (accepted) return { ok: true, previous, current: switchTo, changed: true, confirmed: false };
      return { ok: false, retryable: true, reason: err.message };
    }
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
    return [...this.phoneTable.values()].sort((a, b) => a.ppn - b.ppn);
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

  private async onEvent(e: AxiEvent | { type: 'Unknown'; name: string }): Promise<void> {
    const { ledger, sink } = this.o;
    this.phoneTable = applyPhoneEvent(this.phoneTable, e, this.o.now(), this.o.locations ?? {});
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
      case 'EventAlarmTrigger': {
        const alarmType = this.o.triggers[e.trigger.toUpperCase()] ?? this.o.triggers['*'];
        if (!alarmType) return this.o.log?.('warn', `OM AXI: alarm trigger '${e.trigger}' is mapped to no alarm type`);
        const who = e.fromAddr ?? (e.ppn !== undefined ? `ppn:${e.ppn}` : 'an unknown handset');
        const location = e.ppn === undefined ? undefined : this.phoneTable.get(e.ppn)?.location;
        await sink.alarm({
          id: `dect-${e.trigger}-${e.sendTime ?? 0}-${e.id ?? 0}-${e.ppn ?? e.fromAddr ?? ''}`
            .replace(/[^A-Za-z0-9_-]/g, '_')
            .slice(0, 64),
          alarmType,
          trigger: e.trigger,
          text: e.content ?? `${e.trigger} from ${who}`,
          ...(e.ppn !== undefined ? { ppn: e.ppn } : {}),
          ...(e.uid !== undefined ? { uid: e.uid } : {}),
          ...(e.fromAddr !== undefined ? { fromAddr: e.fromAddr } : {}),
          ...(location !== undefined ? { location } : {}),
        });
        return;
      }
      case 'EventMessageSend': {
        const text = e.msg.content;
        const alarmType = alarmTypeForText(this.o.messageRules ?? [], text);
        if (!alarmType)
          return this.o.log?.('info', 'OM AXI: a typed message that no rule maps to an alarm', {
            from: e.msg.fromAddr,
          });
        const location = e.msg.ppn === undefined ? undefined : this.phoneTable.get(e.msg.ppn)?.location;
        await sink.alarm({
          id: `dect-msg-${e.msg.sendTime ?? 0}-${e.msg.id ?? 0}-${e.msg.ppn ?? e.msg.fromAddr}`
            .replace(/[^A-Za-z0-9_-]/g, '_')
            .slice(0, 64),
          alarmType,
          trigger: 'message',
          text,
          ...(e.msg.ppn !== undefined ? { ppn: e.msg.ppn } : {}),
          ...(e.msg.uid !== undefined ? { uid: e.msg.uid } : {}),
          fromAddr: e.msg.fromAddr,
          ...(location !== undefined ? { location } : {}),
        });
        return;
      }
      default:
        return;
    }
  }
}
