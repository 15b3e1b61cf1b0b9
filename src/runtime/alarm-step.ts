/**
 * One step of an alarm, the core of the runtime (alarm-runtime.ts runs it in the alarm's
 * mailbox): load the alarm → pure `planStep()` under its pinned plan → ONE commit through
 * `store.transact` (row lock; a timer fenced by its pending row) → then the effects (timers
 * cancelled and enqueued, the outbox run). A seq conflict reloads and retries.
 */
import type { AnyStateMachine } from 'xstate';
import type { Actor } from '../domain/alarm.ts';
import { TocsinError } from '../domain/errors.ts';
import type { AlarmRecord, ProtocolKind, StepCommit } from '../ports/alarm-store.ts';
import type { PlanNotification } from '../../machines/plan-context.ts';
import { planStep, type StepResult } from '../../machines/plan-step.ts';
import type { RuntimeDeps } from './alarm-runtime.ts';
import { buildStep } from './step-builder.ts';

/** What a step came to: committed, or nothing changed because the timer was stale or the alarm had ended. */
export type StepOutcome =
  { readonly ok: true; readonly commit: StepCommit } | { readonly ok: false; readonly reason: 'stale' | 'ended' };

const MAX_CONFLICT_RETRIES = 20;

/**
 * Runs one step of `alarmId` for an event (`kind` 'event') or a fired timer (`kind` 'timer',
 * `eventOrTimerId` its id); the caller holds the alarm's mailbox. Throws not-found for an
 * unknown alarm, conflict after too many retries, internal when the plan fails on the event.
 */
export async function runStep(
  d: RuntimeDeps,
  alarmId: string,
  kind: ProtocolKind,
  eventOrTimerId: unknown,
  actor: Actor,
  trigger: string,
  via: 'scheduler' | 'reconciler',
): Promise<StepOutcome> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    // The plan is pinned per alarm and immutable: read its reference outside the lock.
    const pre = await d.store.getAlarm(alarmId);
    if (!pre) throw new TocsinError('not-found', `alarm ${alarmId} does not exist`);
    if (pre.status === 'ended') return { ok: false, reason: kind === 'timer' ? 'stale' : 'ended' };
    const machine = await d.plans.machine(pre.plan);
    let skipped: 'stale' | 'ended' = 'stale';
    let commit: StepCommit | undefined;
    const timerId = kind === 'timer' ? String(eventOrTimerId) : undefined;
    const res = await d.store.transact(alarmId, timerId, (alarm, timer) => {
      if (alarm.status === 'ended') {
        skipped = kind === 'timer' ? 'stale' : 'ended';
        return undefined;
      }
      const now = d.clock.now();
      let event = eventOrTimerId;
      let consumeTimer: StepCommit['consumeTimer'];
      let why = trigger;
      if (timerId !== undefined) {
        // Fencing: only a timer row that is still pending may act.
        if (!timer || timer.status !== 'pending' || timer.alarmId !== alarmId) return undefined;
        const lateMs = Math.max(0, now - timer.dueAt);
        event = timer.event;
        consumeTimer = { id: timer.id, firedAt: now, lateMs };
        why = `timer ${timer.sendId.replace(/^xstate\.after\./, '')} fired ${lateMs} ms late (via ${via})`;
      }
      const result = decide(d, machine, alarm, event as { type: string });
      commit = buildStep(
        {
          alarmId,
          facts: alarm.facts,
          seq: alarm.seq + 1,
          prevHash: alarm.lastHash,
          prevState: alarm.state,
          prevNotifications: notificationsOf(alarm.snapshot),
          now,
          kind,
          event,
          actor,
          channel: d.channel,
          ...(d.pseudonymise ? { pseudonymise: d.pseudonymise } : {}),
          ...(consumeTimer ? { consumeTimer } : {}),
          trigger: why,
        },
        result,
      );
      return commit;
    });
    if (res.ok && commit) {
      const done: StepCommit = commit;
      d.observer.stepCommitted(kind);
      if (done.consumeTimer) d.observer.timerLateness(done.consumeTimer.lateMs, via);
      await afterCommit(d, done, res.cancelledTimerIds);
      return { ok: true, commit: done };
    }
    if (!res.ok && res.reason === 'not-found') throw new TocsinError('not-found', `alarm ${alarmId} does not exist`);
    if (!res.ok && (res.reason === 'skipped' || res.reason === 'stale-timer')) return { ok: false, reason: skipped };
    // 'conflict' cannot happen under the row lock unless the schema is shared with an
    // older release that does not lock; reload and retry as before.
    d.observer.conflictRetried();
  }
  throw new TocsinError('conflict', `alarm ${alarmId}: too much contention, try again`);
}

/** The plan's pure step on `event`; a plan that throws is logged and becomes an internal error (nothing recorded). */
function decide(d: RuntimeDeps, machine: AnyStateMachine, alarm: AlarmRecord, event: { type: string }): StepResult {
  try {
    return planStep(machine, alarm.snapshot, event);
  } catch (err) {
    d.logger.error({ alarmId: alarm.facts.id, err, event }, 'plan failed on event; nothing recorded');
    throw new TocsinError('internal', `plan ${alarm.plan.id}@${alarm.plan.version} failed`, { cause: err });
  }
}

/** Effects after a commit. Failures are logged, never thrown: the reconciler repairs them. */
export async function afterCommit(
  d: RuntimeDeps,
  commit: StepCommit,
  cancelledTimerIds: readonly string[],
): Promise<void> {
  const { scheduler, logger } = d;
  const alarmId = commit.alarmId;
  await Promise.all([
    ...cancelledTimerIds.map((id) =>
      scheduler
        .cancel(id)
        .catch((err: unknown) => logger.warn({ alarmId, err, timer: id }, 'timer cancel failed; fencing covers it')),
    ),
    ...commit.addTimers.map((t) =>
      scheduler
        .schedule({ id: t.id, alarmId, dueAt: t.dueAt })
        .catch((err: unknown) =>
          logger.warn({ alarmId, err, timer: t.id }, 'timer enqueue failed; the reconciler re-enqueues it'),
        ),
    ),
  ]);
  if (commit.outbox.length > 0) await d.effects.runPending(commit.outbox.map((o) => o.id));
}

function notificationsOf(snapshot: unknown): PlanNotification[] {
  const ctx = (snapshot as { context?: { notifications?: PlanNotification[] } }).context;
  return ctx?.notifications ?? [];
}
