/**
 * Timers, notifications and the outbox as the scheduler, the reconciler and the effect runner
 * read and move them on, outside any step's transaction. Functions over the Kysely instance;
 * the KyselyAlarmStore methods of the same names call them.
 */
import { sql, type Kysely } from 'kysely';
import type { NotificationRecord, OutboxRecord, TimerRecord } from '../ports/alarm-store.ts';
import { date } from './column-values.ts';
import type { DB } from './db-schema.ts';
import { toNotification, toOutbox, toTimer } from './row-mappers.ts';

/** A notification only moves forward: pending < sent < delivered < read < failed < an ending. */
export const rank = (col: string) =>
  sql.raw(
    `(case ${col} when 'pending' then 0 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 when 'failed' then 4 else 5 end)`,
  );

/** See AlarmStore.getTimer. */
export async function getTimer(db: Kysely<DB>, id: string): Promise<TimerRecord | undefined> {
  const row = await db.selectFrom('timers').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTimer(row);
}

export async function listTimers(db: Kysely<DB>, alarmId: string): Promise<TimerRecord[]> {
  const rows = await db
    .selectFrom('timers')
    .selectAll()
    .where('alarm_id', '=', alarmId)
    .orderBy('created_seq')
    .orderBy('id')
    .execute();
  return rows.map(toTimer);
}

export async function pendingTimers(
  db: Kysely<DB>,
  opts: { limit: number; dueBefore?: number; afterId?: string },
): Promise<TimerRecord[]> {
  let q = db.selectFrom('timers').selectAll().where('status', '=', 'pending');
  if (opts.dueBefore !== undefined) q = q.where('due_at', '<=', date(opts.dueBefore));
  if (opts.afterId !== undefined) q = q.where('id', '>', opts.afterId);
  const rows = await q
    .orderBy(opts.afterId === undefined ? 'due_at' : 'id')
    .orderBy('id')
    .limit(opts.limit)
    .execute();
  return rows.map(toTimer);
}

/** See AlarmStore.listNotifications. */
export async function listNotifications(db: Kysely<DB>, alarmId: string): Promise<NotificationRecord[]> {
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('alarm_id', '=', alarmId)
    .orderBy('created_at')
    .orderBy('notification_id')
    .execute();
  return rows.map(toNotification);
}

/** See AlarmStore.listNotificationsOf. */
export async function listNotificationsOf(db: Kysely<DB>, alarmIds: readonly string[]): Promise<NotificationRecord[]> {
  if (alarmIds.length === 0) return [];
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('alarm_id', 'in', alarmIds)
    .orderBy('alarm_id')
    .orderBy('created_at')
    .orderBy('notification_id')
    .execute();
  return rows.map(toNotification);
}

/**
 * The row change of AlarmStore.markNotification: a status only moves forward (`rank`). True when
 * the row changed; the store then announces it on its change channel.
 */
export async function markNotificationRow(
  db: Kysely<DB>,
  alarmId: string,
  notificationId: string,
  change: { status: 'sent' | 'delivered' | 'read' | 'failed'; at: number; error?: string },
): Promise<boolean> {
  const at = date(change.at);
  const stamp =
    change.status === 'sent'
      ? { sent_at: at }
      : change.status === 'delivered'
        ? { delivered_at: at }
        : change.status === 'read'
          ? { read_at: at }
          : { error: change.error ?? 'failed' };
  const r = await db
    .updateTable('notifications')
    .set({ status: change.status, ...stamp })
    .where('alarm_id', '=', alarmId)
    .where('notification_id', '=', notificationId)
    .where(sql<boolean>`${rank(`'${change.status}'`)} > ${rank('status')}`)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** See AlarmStore.claimOutbox. */
export async function claimOutbox(
  db: Kysely<DB>,
  opts: {
    now: number;
    leaseMs: number;
    limit: number;
    ids?: readonly string[];
  },
): Promise<OutboxRecord[]> {
  if (opts.ids?.length === 0) return [];
  const rows = await db
    .updateTable('outbox')
    .set((eb) => ({ lease_until: date(opts.now + opts.leaseMs), attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', (eb) => {
      let sub = eb
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', date(opts.now))]));
      if (opts.ids) sub = sub.where('id', 'in', [...opts.ids]);
      return sub.orderBy('created_at').orderBy('id').limit(opts.limit).forUpdate().skipLocked();
    })
    .returningAll()
    .execute();
  return rows.map(toOutbox).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export async function completeOutbox(
  db: Kysely<DB>,
  id: string,
  result: { status: 'done' | 'failed'; at: number; error?: string },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: result.status, done_at: date(result.at), error: result.error ?? null, lease_until: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}
