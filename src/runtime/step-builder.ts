/**
 * Turns one pure plan decision into the one write that records it (a StepCommit): timers
 * from delayed raises, cancels, notification rows from the context diff, outbox rows for
 * effects, and the hash-chained protocol entry that says why. Pure: time comes in as `now`.
 */
import { createHash } from 'node:crypto';
import type { Actor, AlarmFacts, NotificationStatus, PlanRef } from '../domain/alarm.ts';
import type { NotificationUpsert, OutboxRecord, ProtocolKind, StepCommit, TimerRecord } from '../ports/alarm-store.ts';
import type { PlanNotification } from '../../machines/plan-context.ts';
import { stateKey, type StepResult } from '../../machines/plan-step.ts';
import { hashEntry } from './protocol-hash.ts';
import { EntryPseudonymiser, type Pseudonymise } from './pseudonyms.ts';

export interface StepInput {
  readonly alarmId: string;
  readonly facts: AlarmFacts;
  readonly seq: number;
  readonly prevHash: string;
  readonly prevState: string | null;
  readonly prevNotifications: readonly PlanNotification[];
  readonly now: number;
  readonly kind: ProtocolKind;
  readonly event: unknown;
  readonly actor: Actor;
  readonly channel: string;
  readonly create?: { readonly facts: AlarmFacts; readonly plan: PlanRef };
  readonly consumeTimer?: { readonly id: string; readonly firedAt: number; readonly lateMs: number };
  /** Why this step happened, first words of the note ("u1 rejected", "levelTimeout fired"). */
  readonly trigger: string;
  /**
   * Maps personal values (user actors, responders, recipients) to pseudonyms in the protocol
   * entry, so the hash chain never covers them in clear (pseudonyms.ts). Absent: all in clear.
   */
  readonly pseudonymise?: Pseudonymise;
}

export const notificationKey = (alarmId: string, notificationId: string): string => `${alarmId}/${notificationId}`;

/** Builds the commit for `result`. Throws nothing; unknown action types are recorded as effects. */
export function buildStep(input: StepInput, result: StepResult): StepCommit {
  const { alarmId, seq, now } = input;
  const addTimers: TimerRecord[] = [];
  const cancelSendIds: string[] = [];
  const outbox: Omit<OutboxRecord, 'status' | 'attempts'>[] = [];
  const effects: unknown[] = [];
  const said: string[] = [];

  result.actions.forEach((action, n) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- action params are plan-defined JSON
    const p = (action.params ?? {}) as Record<string, any>;
    switch (action.type) {
      case 'xstate.raise': {
        if (typeof p.delay !== 'number') break; // an immediate raise is handled inside transition()
        const timer: TimerRecord = {
          id: `t-${alarmId}-${seq}-${n}`,
          alarmId,
          sendId: String(p.id),
          event: p.event,
          dueAt: now + p.delay,
          status: 'pending',
          createdSeq: seq,
          firedAt: null,
          lateMs: null,
        };
        addTimers.push(timer);
        effects.push({ type: 'timer.set', id: timer.id, sendId: timer.sendId, dueAt: timer.dueAt, delayMs: p.delay });
        break;
      }
      case 'xstate.cancel':
        cancelSendIds.push(String(p.sendId));
        effects.push({ type: 'timer.cancel', sendId: String(p.sendId) });
        break;
      case 'tocsin.notify': {
        const notifications = keyed(alarmId, p.notifications);
        outbox.push({
          id: `o-${alarmId}-${seq}-${n}`,
          alarmId,
          seq,
          kind: 'notify',
          payload: {
            group: p.group,
            round: p.round,
            text: p.text,
            priority: input.facts.priority,
            ...(p.profile !== undefined ? { profile: p.profile } : {}),
            notifications,
          },
          createdAt: now,
        });
        effects.push({ type: 'notify', group: p.group, round: p.round, recipients: notifications.map((x) => x.user) });
        said.push(
          notifications.length > 0
            ? `notified ${p.group}: ${notifications.map((x) => x.user).join(', ')}`
            : `skipped: nobody in group ${p.group}`,
        );
        break;
      }
      case 'tocsin.withdraw': {
        const notifications = keyed(alarmId, p.notifications);
        outbox.push({
          id: `o-${alarmId}-${seq}-${n}`,
          alarmId,
          seq,
          kind: 'withdraw',
          payload: { notifications },
          createdAt: now,
        });
        effects.push({ type: 'withdraw', recipients: notifications.map((x) => x.user) });
        said.push(`withdrew ${notifications.length} open notification(s)`);
        break;
      }
      case 'tocsin.log':
        effects.push({ type: 'log', message: p.message });
        said.push(String(p.message));
        break;
      case 'tocsin.setOutput':
        // No output adapter yet: recorded in the protocol only, no outbox row.
        effects.push({ type: 'setOutput', output: String(p.output), value: p.value });
        said.push(`output ${String(p.output)} set to ${String(p.value)} (no output adapter yet)`);
        break;
      case 'tocsin.forward': {
        // The forwarded alarm's id is derived from this step, so a re-run raises it once.
        const depth = forwardDepth(alarmId) + 1;
        const id = `fwd${depth}-${createHash('sha256').update(`${alarmId}/${seq}/${n}`).digest('hex').slice(0, 32)}`;
        outbox.push({
          id: `o-${alarmId}-${seq}-${n}`,
          alarmId,
          seq,
          kind: 'forward',
          payload: { alarmType: String(p.alarmType), text: String(p.text), id, depth },
          createdAt: now,
        });
        effects.push({ type: 'forward', alarmType: String(p.alarmType), alarmId: id });
        said.push(`forwarded as alarm ${id} of type ${String(p.alarmType)}`);
        break;
      }
      default:
        effects.push({ type: action.type, params: action.params });
    }
  });

  const next = (result.snapshot.context.notifications ?? []) as PlanNotification[];
  const notifications = diffNotifications(alarmId, input.prevNotifications, next, input.channel);
  const toState = stateKey(result.snapshot);
  const transition =
    input.prevState === null
      ? `→ ${toState}`
      : input.prevState === toState
        ? `stays ${toState}`
        : `${input.prevState} → ${toState}`;
  const guardText =
    result.guards.length > 0 ? ` [${result.guards.map((g) => `${g.guard}=${g.result}`).join(', ')}]` : '';
  const note = [`${input.trigger}${guardText}: ${transition}`, ...said].join('; ');
  // Personal values become pseudonyms before hashing: the chain covers only what is stored.
  const pz = input.pseudonymise ? new EntryPseudonymiser(input.pseudonymise) : undefined;
  const actor = pz ? pz.actor(input.actor) : input.actor;
  const event = pz ? pz.event(input.event) : input.event;
  const shownEffects = pz ? effects.map((e) => pz.effect(e)) : effects;
  const body = {
    alarmId,
    seq,
    at: now,
    kind: input.kind,
    event,
    fromState: input.prevState,
    toState,
    guards: result.guards,
    effects: shownEffects,
    actor,
    note: pz ? pz.text(note) : note,
    lateMs: input.consumeTimer?.lateMs ?? null,
    prevHash: input.prevHash,
  };
  const entry = { ...body, hash: hashEntry(body) };
  return {
    alarmId,
    expectedSeq: seq - 1,
    ...(input.create ? { create: input.create } : {}),
    status: result.snapshot.status === 'done' ? 'ended' : 'active',
    state: toState,
    snapshot: result.snapshot,
    entry,
    ...(input.consumeTimer ? { consumeTimer: input.consumeTimer } : {}),
    cancelSendIds,
    addTimers,
    notifications,
    outbox,
    ...(pz && pz.pairs().length > 0 ? { pseudonyms: pz.pairs() } : {}),
  };
}

/** How many forwards led to `alarmId` (0 for an alarm raised directly). */
export function forwardDepth(alarmId: string): number {
  return Number(/^fwd(\d+)-/.exec(alarmId)?.[1] ?? 0);
}

/** The plan's notification references with their idempotency keys. */
function keyed(alarmId: string, list: readonly { id: string; user: string }[]) {
  return list.map((x) => ({ ...x, key: notificationKey(alarmId, x.id) }));
}

const planToRow: Record<PlanNotification['status'], NotificationStatus> = {
  pending: 'pending',
  accepted: 'accepted',
  rejected: 'rejected',
  withdrawn: 'withdrawn',
  failed: 'failed',
};

function diffNotifications(
  alarmId: string,
  prev: readonly PlanNotification[],
  next: readonly PlanNotification[],
  channel: string,
): NotificationUpsert[] {
  const before = new Map(prev.map((n) => [n.id, n.status]));
  return next
    .filter((n) => before.get(n.id) !== n.status)
    .map((n) => ({
      notificationId: n.id,
      recipient: n.user,
      channel,
      group: n.group,
      round: n.round,
      status: planToRow[n.status],
      idempotencyKey: notificationKey(alarmId, n.id),
      respondedAt: n.respondedAt ?? null,
      response: n.status === 'accepted' ? 'accept' : n.status === 'rejected' ? 'reject' : null,
    }));
}
