/**
 * The SQL of one committed step (AlarmStore.commit / transact), inside the caller's transaction:
 * first the step's record (the timer it consumes, the alarm row, the protocol entry), then what
 * it leaves to do (timers cancelled and added, notifications, outbox rows). KyselyAlarmStore's
 * writeStep runs them in that order, the entry's pseudonyms in between. A failed fence throws
 * an Abort, which rolls the transaction back and becomes the commit's result.
 */
import { sql, type Transaction } from 'kysely';
import type { CommitResult, StepCommit } from '../ports/alarm-store.ts';
import { date, json } from './column-values.ts';
import type { DB } from './db-schema.ts';
import { rank } from './delivery-queries.ts';

/** Thrown inside a transaction to roll it back with a commit result. */
export class Abort {
  constructor(readonly result: CommitResult) {}
}

/**
 * Consumes the step's timer (fenced: still pending), creates or advances the alarm row (fenced:
 * the expected seq of an active alarm) and appends the protocol entry. Throws an Abort
 * (`stale-timer`, `exists`, `conflict`) when a fence fails.
 */
export async function writeStepRecord(trx: Transaction<DB>, step: StepCommit): Promise<void> {
  if (step.consumeTimer) {
    const t = step.consumeTimer;
    const r = await trx
      .updateTable('timers')
      .set({ status: 'fired', fired_at: date(t.firedAt), late_ms: t.lateMs })
      .where('id', '=', t.id)
      .where('alarm_id', '=', step.alarmId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (r.numUpdatedRows !== 1n) throw new Abort({ ok: false, reason: 'stale-timer' });
  }
  const ended = step.status === 'ended' ? date(step.entry.at) : null;
  if (step.create) {
    const f = step.create.facts;
    const r = await trx
      .insertInto('alarms')
      .values({
        id: f.id,
        type: f.type,
        priority: f.priority,
        text: f.text,
        location: f.location ?? null,
        source: json(f.source),
        environment: f.environment,
        plan_id: step.create.plan.id,
        plan_version: step.create.plan.version,
        status: step.status,
        state: step.state,
        snapshot: json(step.snapshot),
        seq: step.entry.seq,
        last_hash: step.entry.hash,
        raised_at: date(f.raisedAt),
        updated_at: date(step.entry.at),
        ended_at: ended,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (r.numInsertedOrUpdatedRows !== 1n) throw new Abort({ ok: false, reason: 'exists' });
  } else {
    const r = await trx
      .updateTable('alarms')
      .set({
        status: step.status,
        state: step.state,
        snapshot: json(step.snapshot),
        seq: step.entry.seq,
        last_hash: step.entry.hash,
        updated_at: date(step.entry.at),
        ended_at: ended,
      })
      .where('id', '=', step.alarmId)
      .where('seq', '=', step.expectedSeq)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (r.numUpdatedRows !== 1n) throw new Abort({ ok: false, reason: 'conflict' });
  }
  const e = step.entry;
  await trx
    .insertInto('protocol')
    .values({
      alarm_id: e.alarmId,
      seq: e.seq,
      at: date(e.at),
      kind: e.kind,
      event: json(e.event),
      from_state: e.fromState,
      to_state: e.toState,
      guards: json(e.guards),
      effects: json(e.effects),
      actor: json(e.actor),
      note: e.note,
      late_ms: e.lateMs,
      prev_hash: e.prevHash,
      hash: e.hash,
    })
    .execute();
}

/**
 * Cancels the step's pending timers and adds its new ones, upserts its notifications (a status
 * only moves forward) and queues its outbox rows. Returns the ids of the cancelled timers.
 */
export async function writeStepEffects(trx: Transaction<DB>, step: StepCommit): Promise<string[]> {
  const e = step.entry;
  let cancelledTimerIds: string[] = [];
  if (step.cancelSendIds.length > 0) {
    const rows = await trx
      .updateTable('timers')
      .set({ status: 'cancelled' })
      .where('alarm_id', '=', step.alarmId)
      .where('send_id', 'in', step.cancelSendIds)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    cancelledTimerIds = rows.map((r) => r.id);
  }
  if (step.addTimers.length > 0) {
    await trx
      .insertInto('timers')
      .values(
        step.addTimers.map((t) => ({
          id: t.id,
          alarm_id: t.alarmId,
          send_id: t.sendId,
          event: json(t.event),
          due_at: date(t.dueAt),
          status: t.status,
          created_seq: t.createdSeq,
          fired_at: null,
          late_ms: null,
        })),
      )
      .execute();
  }
  for (const n of step.notifications) {
    await trx
      .insertInto('notifications')
      .values({
        alarm_id: step.alarmId,
        notification_id: n.notificationId,
        recipient: n.recipient,
        channel: n.channel,
        grp: n.group,
        round: n.round,
        status: n.status,
        idempotency_key: n.idempotencyKey,
        created_at: date(e.at),
        responded_at: n.respondedAt == null ? null : date(n.respondedAt),
        response: n.response ?? null,
      })
      .onConflict((oc) =>
        oc
          .columns(['alarm_id', 'notification_id'])
          .doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            responded_at: eb.fn.coalesce('excluded.responded_at', 'notifications.responded_at'),
            response: eb.fn.coalesce('excluded.response', 'notifications.response'),
          }))
          .where(sql<boolean>`${rank('excluded.status')} > ${rank('notifications.status')}`),
      )
      .execute();
  }
  if (step.outbox.length > 0) {
    await trx
      .insertInto('outbox')
      .values(
        step.outbox.map((o) => ({
          id: o.id,
          alarm_id: o.alarmId,
          seq: o.seq,
          kind: o.kind,
          payload: json(o.payload),
          status: 'pending',
          created_at: date(o.createdAt),
        })),
      )
      .execute();
  }
  return cancelledTimerIds;
}
