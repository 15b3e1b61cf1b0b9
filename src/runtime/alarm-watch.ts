/**
 * AlarmWatch over the store's change feed: a device interface that raised an alarm (ESPA 4.4.4,
 * ESPA-X) follows it here to report its progress back to the device.
 *
 * The store announces every committed step and every recorded delivery status of an alarm
 * (PostgreSQL NOTIFY, transactional, from any node). On each announcement for a watched alarm
 * this reads the alarm and its notifications again and calls the alarm's listeners with the
 * new progress when it differs from what they were last told. Reads for one alarm run one at a
 * time, and announcements that arrive meanwhile are folded into one more read, so listeners see
 * progress in order and never a stale one after a newer. After the feed's connection was lost
 * (`'*'`) every watched alarm is read again. An ended alarm is told once more, then forgotten.
 */
import type { AlarmEndReason, AlarmParticipant, AlarmProgress, AlarmWatch } from '../ports/alarm-intake.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { Logger } from './observer.ts';

export interface ChangeFeed {
  listenChanges(onChange: (alarmId: string) => void): Promise<() => Promise<void>>;
}

export interface AlarmWatchDeps {
  readonly store: Pick<AlarmStore, 'getAlarm' | 'listNotifications' | 'listProtocol'>;
  readonly feed: ChangeFeed;
  /** The number and display name of a recipient, for the device (a user's phone, a handset). */
  readonly describe: (recipient: string) => Promise<{ readonly number?: string; readonly name?: string }>;
  readonly logger: Logger;
}

type Listener = (p: AlarmProgress) => void | Promise<void>;

interface Watched {
  readonly listeners: Map<Listener, string | undefined>;
  running: boolean;
  dirty: boolean;
}

export class StoreAlarmWatch implements AlarmWatch {
  private readonly watched = new Map<string, Watched>();
  private stopFeed: (() => Promise<void>) | undefined;

  constructor(private readonly d: AlarmWatchDeps) {}

  /** Starts listening to the store's announcements. */
  async start(): Promise<void> {
    this.stopFeed = await this.d.feed.listenChanges((alarmId) => {
      if (alarmId === '*') for (const id of this.watched.keys()) this.refresh(id);
      else if (this.watched.has(alarmId)) this.refresh(alarmId);
    });
  }

  async stop(): Promise<void> {
    const stop = this.stopFeed;
    this.stopFeed = undefined;
    this.watched.clear();
    await stop?.();
  }

  watch(alarmId: string, listener: Listener): () => void {
    let w = this.watched.get(alarmId);
    if (!w) {
      w = { listeners: new Map(), running: false, dirty: false };
      this.watched.set(alarmId, w);
    }
    w.listeners.set(listener, undefined);
    this.refresh(alarmId);
    return () => {
      const cur = this.watched.get(alarmId);
      cur?.listeners.delete(listener);
      if (cur && cur.listeners.size === 0 && !cur.running) this.watched.delete(alarmId);
    };
  }

  /** Reads the alarm again (now, or after the read in progress). */
  private refresh(alarmId: string): void {
    const w = this.watched.get(alarmId);
    if (!w) return;
    if (w.running) {
      w.dirty = true;
      return;
    }
    w.running = true;
    void (async () => {
      do {
        w.dirty = false;
        try {
          await this.readAndTell(alarmId, w);
        } catch (err) {
          // The next announcement (or the feed's resync) reads it again.
          this.d.logger.warn({ err, alarmId }, 'alarm watch: could not read the alarm');
        }
      } while (w.dirty && this.watched.get(alarmId) === w);
      w.running = false;
      if (w.listeners.size === 0 && this.watched.get(alarmId) === w) this.watched.delete(alarmId);
    })();
  }

  private async readAndTell(alarmId: string, w: Watched): Promise<void> {
    const progress = await this.progress(alarmId);
    if (!progress) return;
    const text = JSON.stringify(progress);
    for (const [listener, last] of [...w.listeners]) {
      if (last === text || !w.listeners.has(listener)) continue;
      w.listeners.set(listener, text);
      try {
        await listener(progress);
      } catch (err) {
        this.d.logger.warn({ err, alarmId }, 'alarm watch: a listener failed');
      }
    }
    if (progress.ended && this.watched.get(alarmId) === w) {
      w.listeners.clear();
      w.dirty = false;
    }
  }

  /** The alarm's progress as a device interface sees it; undefined for an unknown alarm. */
  async progress(alarmId: string): Promise<AlarmProgress | undefined> {
    const alarm = await this.d.store.getAlarm(alarmId);
    if (!alarm) return undefined;
    const notifications = await this.d.store.listNotifications(alarmId);
    const participants: AlarmParticipant[] = [];
    for (const n of notifications) {
      const who = await this.d.describe(n.recipient);
      participants.push({
        notificationId: n.notificationId,
        recipient: n.recipient,
        ...(who.number !== undefined ? { number: who.number } : {}),
        ...(who.name !== undefined ? { name: who.name } : {}),
        status: n.status,
        at: n.respondedAt ?? n.readAt ?? n.deliveredAt ?? n.sentAt ?? n.createdAt,
      });
    }
    const ended = alarm.status === 'ended';
    return {
      alarmId,
      state: alarm.state,
      ended,
      ...(ended ? { endReason: await this.endReason(alarmId, participants) } : {}),
      participants,
    };
  }

  private async endReason(alarmId: string, participants: readonly AlarmParticipant[]): Promise<AlarmEndReason> {
    const protocol = await this.d.store.listProtocol(alarmId);
    const last = protocol[protocol.length - 1]?.event as { type?: unknown } | undefined;
    if (last?.type === 'CANCEL') return 'cancelled';
    return participants.some((p) => p.status === 'accepted') ? 'accepted' : 'other';
  }
}
