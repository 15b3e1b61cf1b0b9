/**
 * Inbound ESPA 4.4.4 calls (Tocsin as the paging system of a nurse-call system or a fire
 * panel): a call block (header '1' or '4') → AlarmIntake, and the alarm's progress back to
 * the caller as status information (header '2', records 1 and 7) through AlarmWatch.
 *
 * The verdict decides the link's answer, and comes only once the intake has resolved:
 * - a call mapped to an alarm type (espa444-mapping.ts `InboundRule`, first match) → raise,
 *   then 'accepted' (ACK). A repeated call while the source (`espa444`, `<linkId>/<address>`)
 *   still has an active alarm → ACK without raising again. The alarm id is fixed per call
 *   episode: `espa444-<link>-<address>-<first attempt in ms, base 36>-<n>`, kept until the
 *   raise succeeds, so a call resent after a NAK raises one alarm; a resend after a lost ACK
 *   finds the alarm through `active(source)`.
 * - call type '1' (reset) → cancel every active alarm of the source, then ACK.
 * - no rule matches → 'invalid' ('3'NAK): the call has nowhere to go, so the caller must see
 *   it refused; logged with the link id and counted in `stats.unmapped`.
 * - no address record → 'invalid'. The intake refuses the alarm type (`unknown-alarm-type`)
 *   → 'invalid'. Any other failure (the store is down) → 'busy' ('2'NAK): the caller keeps
 *   the call and sends it again.
 * Status reports: '2' when raised, then as espa444-mapping.ts `statusFor` says, each at most
 * once per call (`mayReport`). They wait in the link's queue for the control station's next
 * poll. One that cannot be sent (the link is down, or went down with it queued) is logged and
 * kept, the newest per call (at most UNSENT_MAX calls), and sent again at the next link-up
 * (`relinked`, from the adapter) — also a final one, whose alarm is no longer followed.
 * After a restart (of the process, or of the interfaces) `resume` (the adapter calls it at the
 * first link-up) follows again every alarm still active from this link (device `<linkId>/…`),
 * its '2' taken as sent before the restart: the caller hears the current status if it ranks
 * above '2', then the changes as usual. A status reached while the adapter was stopped may
 * thus be skipped to the newest, and an alarm that ended meanwhile is no longer active: it
 * gets no final status. A status sent before the restart may be sent again (only '3' or '6':
 * a final one ends the alarm).
 */
import type { ActiveAlarm, AlarmIntake, AlarmWatch } from '../../src/ports/alarm-intake.ts';
import { TocsinError } from '../../src/domain/errors.ts';
import { valueOf, type EspaBlock } from './espa444-codec.ts';
import type { Decision } from './espa444-link-types.ts';
import { alarmTypeFor, mayReport, statusFor, type InboundRule, type ReportedStatus } from './espa444-mapping.ts';
import type { Espa444Log } from './espa444-transport.ts';

export const ESPA444_ADAPTER = 'espa444';
/** How many calls' unsent statuses are kept for the next link-up; beyond, the oldest is dropped (logged). */
export const UNSENT_MAX = 1000;

export interface InboundOptions {
  readonly linkId: string;
  readonly intake: AlarmIntake;
  readonly watch?: AlarmWatch | undefined;
  readonly rules: readonly InboundRule[];
  /** Epoch ms. */
  readonly now: () => number;
  /** Queues a status block (header '2': record 1 the address, record 7 the status) to the caller. */
  readonly report: (address: string, status: ReportedStatus) => Promise<void>;
  readonly log?: Espa444Log | undefined;
}

export interface InboundStats {
  raised: number;
  repeated: number;
  resets: number;
  unmapped: number;
  refused: number;
}

export class Espa444Inbound {
  readonly stats: InboundStats = { raised: 0, repeated: 0, resets: 0, unmapped: 0, refused: 0 };
  /** Alarm ids of call episodes whose raise has not succeeded yet, by address. */
  private readonly episodes = new Map<string, string>();
  private seq = 0;
  /** Statuses reported per alarm, and how to stop watching it. */
  private readonly followed = new Map<string, { sent: ReportedStatus[]; stop?: () => void; done: boolean }>();
  /** Counts `stop`s: a resume begun before a stop follows nothing. */
  private epoch = 0;
  private resuming: { readonly epoch: number; readonly done: Promise<void> } | undefined;
  private resumedEpoch = -1;
  /** While a resume lists: the alarms followed before or meanwhile, which it must not follow again. */
  private known: Set<string> | undefined;
  /** The newest status per alarm that could not be sent, for the next link-up. */
  private readonly unsent = new Map<string, { readonly address: string; readonly status: ReportedStatus }>();
  /** Per alarm, the number of its newest send: a failure of an older one keeps nothing. */
  private readonly sends = new Map<string, number>();
  private sendSeq = 0;

  constructor(private readonly o: InboundOptions) {}

  private log(level: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}): void {
    this.o.log?.(level, `ESPA 4.4.4 ${this.o.linkId}: ${msg}`, { link: this.o.linkId, ...fields });
  }

  /** The verdict on a call block (header '1' or '4'). Never rejects. */
  async onCall(block: EspaBlock): Promise<Decision> {
    const address = valueOf(block, '1');
    if (!address) {
      this.stats.refused++;
      this.log('warn', 'a call without an address (record 1): refused with 3NAK');
      return 'invalid';
    }
    const source = { adapter: ESPA444_ADAPTER, device: `${this.o.linkId}/${address}` };
    const callType = valueOf(block, '4');
    try {
      if (callType === '1') return await this.reset(address, source);
      const call = {
        header: block.header,
        address,
        callType,
        priority: valueOf(block, '6'),
        beep: valueOf(block, '3'),
      };
      const alarmType = alarmTypeFor(this.o.rules, call);
      if (!alarmType) {
        this.stats.unmapped++;
        this.log('warn', `a call to ${address} matches no rule: refused with 3NAK`, { call });
        return 'invalid';
      }
      const active = await this.o.intake.active(source);
      if (active.length > 0) {
        this.stats.repeated++;
        this.log('info', `a repeated call to ${address}: alarm ${active.join(', ')} is still active`);
        return 'accepted';
      }
      const id = this.episodes.get(address) ?? this.episodeId(address);
      this.episodes.set(address, id);
      const text = valueOf(block, '2');
      const r = await this.o.intake.raise({ id, alarmType, source, ...(text ? { text } : {}) });
      this.episodes.delete(address);
      this.stats.raised++;
      this.log('info', `call to ${address} raised alarm ${id}`, { alarmId: id, alarmType, created: r.created });
      this.follow(id, address);
      return 'accepted';
    } catch (err) {
      if (err instanceof TocsinError && err.code === 'unknown-alarm-type') {
        this.stats.refused++;
        this.log('warn', `a call to ${address}: ${err.message}; refused with 3NAK`);
        return 'invalid';
      }
      this.log('warn', `a call to ${address} could not be recorded: answering busy (2NAK)`, { err: String(err) });
      return 'busy';
    }
  }

  /** Every alarm still active for the watched calls stops being followed (the adapter stops). */
  stop(): void {
    this.epoch++;
    for (const f of this.followed.values()) f.stop?.();
    this.followed.clear();
  }

  /** Whether a `resume` has listed the alarms since the last `stop`. */
  get resumed(): boolean {
    return this.resumedEpoch === this.epoch;
  }

  /**
   * Follows again the alarms of this link that are still active (after a restart): each as if
   * raised now, '2' taken as reported. Idempotent: an alarm already followed is not followed
   * again, and a second call while one runs joins it. Never rejects: when the alarms cannot be listed
   * (the store is down) it logs a warning and `resumed` stays false, so the adapter tries again.
   */
  resume(): Promise<void> {
    if (this.resuming?.epoch !== this.epoch) {
      const epoch = this.epoch;
      const done: Promise<void> = this.resumeOnce(epoch).finally(() => {
        if (this.resuming?.done === done) this.resuming = undefined;
      });
      this.resuming = { epoch, done };
    }
    return this.resuming.done;
  }

  private async resumeOnce(epoch: number): Promise<void> {
    if (!this.o.watch) {
      this.resumedEpoch = epoch;
      return;
    }
    const prefix = `${this.o.linkId}/`;
    const known = new Set(this.followed.keys());
    this.known = known;
    let alarms: readonly ActiveAlarm[];
    try {
      alarms = await this.o.intake.activeUnder(ESPA444_ADAPTER, prefix);
    } catch (err) {
      this.log('warn', 'the calls raised before could not be listed: not followed until the next try', {
        err: String(err),
      });
      return;
    } finally {
      if (this.known === known) this.known = undefined;
    }
    if (epoch !== this.epoch) return;
    const resumed: string[] = [];
    for (const a of alarms) {
      const address = a.device.slice(prefix.length);
      if (known.has(a.id) || this.followed.has(a.id) || !a.device.startsWith(prefix) || !address) continue;
      this.follow(a.id, address, true);
      resumed.push(a.id);
    }
    this.resumedEpoch = epoch;
    if (resumed.length > 0)
      this.log('info', `following ${resumed.length} call(s) raised before the restart`, { alarmIds: resumed });
  }

  private async reset(address: string, source: { adapter: string; device: string }): Promise<Decision> {
    this.episodes.delete(address);
    const ids = await this.o.intake.active(source);
    for (const id of ids) {
      const ended = await this.o.intake.cancel(id, 'reset by the calling system', `espa444:${source.device}`);
      this.log('info', `reset of ${address}: alarm ${id} ${ended ? 'cancelled' : 'had already ended'}`, {
        alarmId: id,
      });
    }
    this.stats.resets++;
    if (ids.length === 0) this.log('info', `reset of ${address}: no active alarm`);
    return 'accepted';
  }

  private episodeId(address: string): string {
    this.seq = (this.seq + 1) % 1_000_000;
    return `espa444-${this.o.linkId}-${address}-${this.o.now().toString(36)}-${this.seq}`
      .replace(/[^A-Za-z0-9_-]/g, '_')
      .slice(0, 64);
  }

  /** Reports '2' (unless `resumed`: it was reported before the restart), then follows the alarm. */
  private follow(alarmId: string, address: string, resumed = false): void {
    if (this.followed.has(alarmId)) return;
    this.known?.add(alarmId);
    const f: { sent: ReportedStatus[]; stop?: () => void; done: boolean } = { sent: resumed ? ['2'] : [], done: false };
    this.followed.set(alarmId, f);
    if (!resumed) this.report(alarmId, address, f, '2');
    if (!this.o.watch) return;
    const stop = this.o.watch.watch(alarmId, (p) => {
      this.report(alarmId, address, f, statusFor(p));
      if (p.ended) this.finish(alarmId, f);
    });
    f.stop = stop;
    if (f.done) stop();
  }

  private report(alarmId: string, address: string, f: { sent: ReportedStatus[] }, status: ReportedStatus): void {
    if (!mayReport(f.sent, status)) return;
    f.sent.push(status);
    if (status === '4' || status === '5') this.finish(alarmId, f as { sent: ReportedStatus[]; done: boolean });
    this.send(alarmId, address, status);
  }

  /** Queues the status; when that fails it is kept for the next link-up, unless a newer one was sent since. */
  private send(alarmId: string, address: string, status: ReportedStatus): void {
    const n = ++this.sendSeq;
    this.sends.set(alarmId, n);
    this.unsent.delete(alarmId);
    this.o.report(address, status).then(
      () => {
        if (this.sends.get(alarmId) === n) this.sends.delete(alarmId);
      },
      (err: unknown) => {
        if (this.sends.get(alarmId) !== n) return;
        this.sends.delete(alarmId);
        this.unsent.set(alarmId, { address, status });
        this.log('warn', `status ${status} for ${address} could not be sent: sent again at the next link-up`, {
          alarmId,
          err: String(err),
        });
        const oldest = this.unsent.size > UNSENT_MAX ? this.unsent.keys().next().value : undefined;
        if (oldest !== undefined) {
          this.log('warn', `more than ${UNSENT_MAX} calls with unsent statuses: the oldest is dropped`, {
            alarmId: oldest,
          });
          this.unsent.delete(oldest);
        }
      },
    );
  }

  /** The link is up again: sends once more each status that could not be sent. */
  relinked(): void {
    const again = [...this.unsent];
    this.unsent.clear();
    if (again.length > 0) this.log('info', `sending ${again.length} status(es) the link could not take before`);
    for (const [alarmId, { address, status }] of again) this.send(alarmId, address, status);
  }

  private finish(alarmId: string, f: { stop?: () => void; done: boolean }): void {
    f.done = true;
    f.stop?.();
    this.followed.delete(alarmId);
  }
}
