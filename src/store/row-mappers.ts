/** Row → record mappers for the store: timestamps to epoch ms, JSON columns to values. */
import type { Selectable } from 'kysely';
import type { AlarmStatus, NotificationStatus, ResponseKind, TimerStatus } from '../domain/alarm.ts';
import type {
  AlarmRecord,
  NotificationRecord,
  OutboxKind,
  OutboxRecord,
  OutboxStatus,
  ProtocolEntry,
  ProtocolKind,
  TimerRecord,
} from '../ports/alarm-store.ts';
import type { AlarmsTable, NotificationsTable, OutboxTable, ProtocolTable, TimersTable } from './db-schema.ts';

const ms = (d: Date): number => d.getTime();
const msOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime());

export function toAlarm(r: Selectable<AlarmsTable>): AlarmRecord {
  return {
    facts: {
      id: r.id,
      type: r.type,
      priority: r.priority,
      text: r.text,
      location: r.location ?? undefined,
      source: r.source as AlarmRecord['facts']['source'],
      environment: r.environment,
      raisedAt: ms(r.raised_at),
    },
    plan: { id: r.plan_id, version: r.plan_version },
    status: r.status as AlarmStatus,
    state: r.state,
    snapshot: r.snapshot,
    seq: r.seq,
    lastHash: r.last_hash,
    updatedAt: ms(r.updated_at),
    endedAt: r.ended_at === null ? undefined : ms(r.ended_at),
  };
}

export function toTimer(r: Selectable<TimersTable>): TimerRecord {
  return {
    id: r.id,
    alarmId: r.alarm_id,
    sendId: r.send_id,
    event: r.event,
    dueAt: ms(r.due_at),
    status: r.status as TimerStatus,
    createdSeq: r.created_seq,
    firedAt: msOrNull(r.fired_at),
    lateMs: r.late_ms,
  };
}

export function toNotification(r: Selectable<NotificationsTable>): NotificationRecord {
  return {
    alarmId: r.alarm_id,
    notificationId: r.notification_id,
    recipient: r.recipient,
    channel: r.channel,
    group: r.grp,
    round: r.round,
    status: r.status as NotificationStatus,
    idempotencyKey: r.idempotency_key,
    createdAt: ms(r.created_at),
    sentAt: msOrNull(r.sent_at),
    deliveredAt: msOrNull(r.delivered_at),
    readAt: msOrNull(r.read_at),
    respondedAt: msOrNull(r.responded_at),
    response: r.response as ResponseKind | null,
    error: r.error,
  };
}

export function toProtocol(r: Selectable<ProtocolTable>): ProtocolEntry {
  return {
    alarmId: r.alarm_id,
    seq: r.seq,
    at: ms(r.at),
    kind: r.kind as ProtocolKind,
    event: r.event,
    fromState: r.from_state,
    toState: r.to_state,
    guards: r.guards as ProtocolEntry['guards'],
    effects: r.effects as ProtocolEntry['effects'],
    actor: r.actor as ProtocolEntry['actor'],
    note: r.note,
    lateMs: r.late_ms,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function toOutbox(r: Selectable<OutboxTable>): OutboxRecord {
  return {
    id: r.id,
    alarmId: r.alarm_id,
    seq: r.seq,
    kind: r.kind as OutboxKind,
    payload: r.payload,
    status: r.status as OutboxStatus,
    attempts: r.attempts,
    createdAt: ms(r.created_at),
  };
}
