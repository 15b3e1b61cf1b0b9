/** The JSON of one alarm for the API (`GET /api/v1/alarms/{id}`) and the live board. */
import type { AlarmRecord, AlarmStore } from '../ports/alarm-store.ts';

export async function alarmView(store: AlarmStore, alarm: AlarmRecord) {
  const [notifications, timers] = await Promise.all([
    store.listNotifications(alarm.facts.id),
    store.listTimers(alarm.facts.id),
  ]);
  const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());
  return {
    id: alarm.facts.id,
    type: alarm.facts.type,
    priority: alarm.facts.priority,
    text: alarm.facts.text,
    location: alarm.facts.location ?? null,
    source: alarm.facts.source,
    environment: alarm.facts.environment,
    status: alarm.status,
    state: alarm.state,
    plan: alarm.plan,
    seq: alarm.seq,
    raisedAt: iso(alarm.facts.raisedAt),
    updatedAt: iso(alarm.updatedAt),
    endedAt: iso(alarm.endedAt),
    recipients: notifications.map((n) => ({
      notificationId: n.notificationId,
      recipient: n.recipient,
      group: n.group,
      round: n.round,
      channel: n.channel,
      status: n.status,
      sentAt: iso(n.sentAt),
      deliveredAt: iso(n.deliveredAt),
      respondedAt: iso(n.respondedAt),
      response: n.response,
    })),
    pendingTimers: timers
      .filter((t) => t.status === 'pending')
      .map((t) => ({ id: t.id, event: (t.event as { type: string }).type, dueAt: iso(t.dueAt) })),
  };
}
