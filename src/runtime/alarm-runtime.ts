/**
 * The alarm runtime: every alarm an actor. An event for an alarm goes through its mailbox:
 * load snapshot → pure `transition()` under the pinned plan → ONE commit (protocol entry,
 * snapshot + seq, timers, notifications, outbox) → then effects (scheduler, notifier).
 * Across processes the commit's seq compare-and-set serialises steps; a loser reloads and
 * retries, so no event is lost and none is applied twice. This file holds the entry points
 * (raise, operator actions, signals, fired timers); one step itself is alarm-step.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, AlarmFacts, AlarmSource, PlanRef, ResponseKind } from '../domain/alarm.ts';
import { ALL_ENVIRONMENTS, inScope, type EnvironmentScope } from '../domain/environments.ts';
import { TocsinError } from '../domain/errors.ts';
import type { AlarmRecord, AlarmStore, ProtocolKind } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { AlarmTypeConfig, Directory, DirectoryView } from '../ports/directory.ts';
import { fillTextTemplate } from '../domain/config-model.ts';
import type { Scheduler, ScheduledTimer } from '../ports/scheduler.ts';
import type { PlanInput } from '../../machines/plan-context.ts';
import { planStart } from '../../machines/plan-step.ts';
import { afterCommit, runStep, type StepOutcome } from './alarm-step.ts';
import type { EffectRunner } from './effect-runner.ts';
import { Mailboxes } from './mailbox.ts';
import type { Logger, RuntimeObserver } from './observer.ts';
import type { PlanCatalog } from './plan-catalog.ts';
import { GENESIS } from './protocol-hash.ts';
import type { Pseudonymise } from './pseudonyms.ts';
import { buildStep } from './step-builder.ts';

export interface RaiseRequest {
  readonly type: string;
  readonly text: string;
  readonly location?: string | undefined;
  readonly source: AlarmSource;
  /** Optional caller-chosen id: raising the same id twice raises one alarm (idempotent ingress). */
  readonly id?: string | undefined;
}

export interface RuntimeDeps {
  readonly store: AlarmStore;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly directory: Directory;
  readonly plans: PlanCatalog;
  readonly effects: EffectRunner;
  readonly observer: RuntimeObserver;
  readonly logger: Logger;
  /** Channel name recorded on notification rows. */
  readonly channel: string;
  /** Personal values → pseudonyms in protocol entries (pseudonyms.ts); absent: all in clear. */
  readonly pseudonymise?: Pseudonymise;
}

/** Active alarms a presence change or source signal reaches at most. */
const MAX_SIGNAL_FANOUT = 10_000;

/** The built-in plan an alarm runs under when its type pins a disabled plan version. */
export const FALLBACK_PLAN = { id: 'escalate', version: 1 } as const;

export class AlarmRuntime {
  private readonly mailboxes = new Mailboxes();

  constructor(private readonly d: RuntimeDeps) {}

  /** Raises an alarm and runs its first step. Returns the id; idempotent when `id` is given. */
  async raise(
    req: RaiseRequest,
    actor: Actor,
    scope: EnvironmentScope = [ALL_ENVIRONMENTS],
  ): Promise<{ id: string; created: boolean }> {
    const dir = await this.d.directory.current();
    const type = dir.alarmType(req.type);
    // An alarm type of an environment the caller does not act in is as unknown as none.
    if (!type || !inScope(scope, type.environment))
      throw new TocsinError('unknown-alarm-type', `unknown alarm type '${req.type}'`);
    const id = req.id ?? randomUUID();
    let supervision: string | undefined;
    const out = await this.mailboxes.run(id, async () => {
      const now = this.d.clock.now();
      const facts: AlarmFacts = {
        id,
        type: type.id,
        priority: type.priority,
        text: fillTextTemplate(type.textTemplate, { ...req, type: type.id, priority: type.priority }),
        location: req.location,
        source: req.source,
        environment: type.environment,
        raisedAt: now,
      };
      const choice = await this.choosePlan(type, dir);
      const machine = await this.d.plans.machine(choice.plan);
      const presence = dir.presence();
      const input: PlanInput = {
        alarm: facts,
        groups: dir.groups(),
        params: type.params,
        ...(Object.keys(presence).length > 0 ? { presence } : {}),
      };
      const result = planStart(machine, input);
      const fellBack = Object.entries(dir.fellBack()).map(([g, f]) => `group ${g} is empty: ${f} notified instead`);
      const commit = buildStep(
        {
          alarmId: id,
          facts,
          seq: 1,
          prevHash: GENESIS,
          prevState: null,
          prevNotifications: [],
          now,
          kind: 'raised',
          event: {
            ...req,
            type: 'RAISE',
            id,
            alarmType: type.id,
            input,
            ...(choice.fallback
              ? { planFallback: { from: type.plan, to: choice.plan, reasons: choice.fallback } }
              : {}),
          },
          actor,
          channel: this.d.channel,
          ...(this.d.pseudonymise ? { pseudonymise: this.d.pseudonymise } : {}),
          create: { facts, plan: choice.plan },
          trigger: [`raised by ${actor.kind} ${actor.id}`, ...(choice.note ? [choice.note] : []), ...fellBack].join(
            '; ',
          ),
        },
        result,
      );
      const res = await this.d.store.commit(commit);
      if (!res.ok) {
        if (res.reason === 'exists') return { id, created: false };
        throw new TocsinError('conflict', `alarm ${id} could not be created (${res.reason})`);
      }
      this.d.observer.stepCommitted('raised');
      if (choice.fallback) {
        this.d.observer.supervision?.('plan-fallback');
        this.d.logger.warn({ alarmId: id, alarmType: type.id, ...choice }, 'alarm runs a fallback plan');
        supervision = choice.note;
      }
      await afterCommit(this.d, commit, res.cancelledTimerIds);
      return { id, created: true };
    });
    // A supervision alarm tells people the configuration is broken; never for a supervision
    // alarm itself (a broken supervision type must not raise alarms about itself forever).
    const env = dir.environment(type.environment);
    if (out.created && supervision && env?.supervisionAlarmType && env.supervisionAlarmType !== type.id) {
      await this.raise(
        {
          type: env.supervisionAlarmType,
          text: `alarm ${id} (${type.id}): ${supervision}`,
          source: { adapter: 'supervision', device: type.id },
          id: `supervision-${id}`,
        },
        { kind: 'system', id: 'supervision' },
      ).catch((err: unknown) => this.d.logger.error({ err, alarmId: id }, 'could not raise the supervision alarm'));
    }
    return out;
  }

  /**
   * The plan an alarm of `type` runs: its pinned plan, unless that version is disabled or
   * cannot run under the current configuration (a group it notifies was deleted, say); then
   * the environment's default plan, then the built-in fallback. An alarm is never refused.
   */
  private async choosePlan(
    type: AlarmTypeConfig,
    dir: DirectoryView,
  ): Promise<{ plan: PlanRef; fallback?: readonly string[]; note?: string }> {
    const env = dir.environment(type.environment);
    const candidates = [type.plan, ...(env ? [env.defaultPlan] : []), FALLBACK_PLAN];
    const reasons: string[] = [];
    for (const plan of candidates) {
      const info = await this.d.store.getPlanInfo(plan);
      const why =
        info === undefined
          ? [`does not exist`]
          : info.disabledAt != null
            ? ['is disabled']
            : await this.d.plans.problemsUnder(plan, dir.names());
      if (why.length === 0) {
        if (reasons.length === 0) return { plan };
        return { plan, fallback: reasons, note: `${reasons.join('; ')}: fell back to ${plan.id}@${plan.version}` };
      }
      reasons.push(`plan ${plan.id}@${plan.version} ${why.join(', ')}`);
    }
    // Nothing runs cleanly: the built-in plan still notifies whatever groups remain.
    return {
      plan: FALLBACK_PLAN,
      fallback: reasons,
      note: `${reasons.join('; ')}: ran ${FALLBACK_PLAN.id}@${FALLBACK_PLAN.version} anyway`,
    };
  }

  /** Records an accept or reject by `by`. Throws not-found, or alarm-ended for an ended alarm. */
  async respond(alarmId: string, response: ResponseKind, by: string, actor: Actor): Promise<void> {
    const event = { type: 'RESPONSE', response, by, at: this.d.clock.now() };
    const outcome = await this.process(
      alarmId,
      'event',
      event,
      actor,
      `${by} ${response === 'accept' ? 'accepted' : 'rejected'}`,
    );
    if (!outcome.ok) throw new TocsinError('alarm-ended', `alarm ${alarmId} has ended`);
  }

  /** Cancels an alarm; its plan withdraws open notifications. Throws not-found or alarm-ended. */
  async cancel(alarmId: string, by: string, reason: string | undefined, actor: Actor): Promise<void> {
    const event = { type: 'CANCEL', by, at: this.d.clock.now(), ...(reason ? { reason } : {}) };
    const outcome = await this.process(alarmId, 'event', event, actor, `cancelled by ${by}`);
    if (!outcome.ok) throw new TocsinError('alarm-ended', `alarm ${alarmId} has ended`);
  }

  /**
   * An operator hands the alarm to `recipients` (addresses resolved by the caller; `group` names
   * the configuration group they came from, if any): recorded as a FORWARD step by `actor`, whose
   * notifications go out through the outbox like a plan's (machines/operator-forward.ts).
   * Throws not-found, or alarm-ended for an ended alarm.
   */
  async forward(
    alarmId: string,
    f: {
      readonly recipients: readonly string[];
      readonly group?: string | undefined;
      readonly text?: string | undefined;
    },
    by: string,
    actor: Actor,
  ): Promise<void> {
    const event = {
      type: 'FORWARD',
      recipients: [...f.recipients],
      ...(f.group ? { group: f.group } : {}),
      ...(f.text ? { text: f.text } : {}),
      by,
      at: this.d.clock.now(),
    };
    const to = f.group ? `group ${f.group}` : f.recipients.join(', ');
    const outcome = await this.process(alarmId, 'event', event, actor, `forwarded by ${by} to ${to}`);
    if (!outcome.ok) throw new TocsinError('alarm-ended', `alarm ${alarmId} has ended`);
  }

  /**
   * Feeds a final delivery failure into the alarm's plan as `{type: 'DELIVERY', status:
   * 'failed', ...}` (e.g. to escalate before the human timeout). Returns false, changing
   * nothing, when the alarm has ended or does not exist; other errors are thrown.
   */
  async deliveryFailed(alarmId: string, notificationId: string, reason: string, retryable = false): Promise<boolean> {
    const event = { type: 'DELIVERY', notificationId, status: 'failed', retryable, reason, at: this.d.clock.now() };
    const outcome = await this.process(
      alarmId,
      'event',
      event,
      { kind: 'system', id: 'delivery' },
      `delivery of ${notificationId} failed (${reason})`,
    ).catch((err: unknown) => {
      if (err instanceof TocsinError && err.code === 'not-found')
        return { ok: false as const, reason: 'ended' as const };
      throw err;
    });
    return outcome.ok;
  }

  /**
   * A named signal for the alarm's plan, e.g. `PRESENCE` (staff arrived at the location) or
   * `LINK_UP` (a supervised link returned). Plans that do not listen ignore it; it is still
   * recorded. Throws not-found, or alarm-ended for an ended alarm.
   */
  async signal(alarmId: string, type: string, by: string, actor: Actor): Promise<void> {
    const event = { type, by, at: this.d.clock.now() };
    const outcome = await this.process(alarmId, 'event', event, actor, `signal ${type} from ${by}`);
    if (!outcome.ok) throw new TocsinError('alarm-ended', `alarm ${alarmId} has ended`);
  }

  /** Sends `type` to every active alarm raised by `source` (e.g. LINK_UP from an adapter's line). Returns how many. */
  async signalSource(source: AlarmSource, type: string, actor: Actor): Promise<number> {
    const targets = await this.activeFrom(source);
    let n = 0;
    for (const a of targets) {
      const event = { type, by: actor.id, at: this.d.clock.now() };
      if (
        (
          await this.process(a.facts.id, 'event', event, actor, `signal ${type} from ${source.adapter}`).catch(() => ({
            ok: false,
          }))
        ).ok
      )
        n++;
    }
    return n;
  }

  /**
   * A member logged in to or out of a presence-tracked group: every active alarm that froze
   * that group's presence gets `{type: 'PRESENCE', group, user, present}` (so `nobodyPresent`
   * sees it). Returns how many alarms were told.
   */
  async presenceChanged(group: string, user: string, present: boolean, actor: Actor): Promise<number> {
    // Only alarms of the group's environment: an alarm freezes every presence-tracked group, but
    // a change in one environment must not step the alarms of another.
    const dir = await this.d.directory.current();
    const groupsOf = new Map<string, readonly string[]>();
    const sameEnvironment = (env: string) => {
      if (!groupsOf.has(env)) groupsOf.set(env, dir.names([env]).groups);
      return groupsOf.get(env)!.includes(group);
    };
    const targets = (await this.activeAlarms()).filter((a) => {
      const ctx = (a.snapshot as { context?: { presence?: Record<string, unknown> } } | null)?.context;
      return ctx?.presence?.[group] !== undefined && sameEnvironment(a.facts.environment);
    });
    let n = 0;
    for (const a of targets) {
      const event = { type: 'PRESENCE', group, user, present, at: this.d.clock.now() };
      const note = `${user} ${present ? 'logged in to' : 'logged out of'} group ${group}`;
      if ((await this.process(a.facts.id, 'event', event, actor, note).catch(() => ({ ok: false }))).ok) n++;
    }
    return n;
  }

  /** Raises an alarm forwarded by another alarm's plan (idempotent by its derived id). */
  async forwardRaise(
    fromAlarmId: string,
    p: { alarmType: string; text: string; id: string },
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      await this.raise(
        { type: p.alarmType, text: p.text, source: { adapter: 'forward', device: fromAlarmId }, id: p.id },
        { kind: 'system', id: 'forward' },
      );
      return { ok: true };
    } catch (err) {
      if (err instanceof TocsinError && err.code === 'unknown-alarm-type') return { ok: false, reason: err.message };
      throw err;
    }
  }

  /**
   * The active alarms raised by `source` (every device of the adapter when `device` is
   * undefined), at most the fan-out limit of that adapter's: the store selects by adapter, so an
   * ESPA call does not read every active alarm of the installation.
   */
  async activeFrom(source: AlarmSource): Promise<AlarmRecord[]> {
    const ofAdapter = await this.d.store.queryAlarms({
      status: 'active',
      adapter: source.adapter,
      limit: MAX_SIGNAL_FANOUT,
    });
    return ofAdapter.filter((a) => source.device === undefined || a.facts.source.device === source.device);
  }

  private async activeAlarms(): Promise<AlarmRecord[]> {
    return this.d.store.listAlarms({ status: 'active', limit: MAX_SIGNAL_FANOUT });
  }

  /**
   * Delivers a fired durable timer. Fenced: only a timer whose row is still pending has an
   * effect; a stale, cancelled or duplicate fire returns false and changes nothing.
   */
  async fireTimer(timer: ScheduledTimer, via: 'scheduler' | 'reconciler'): Promise<boolean> {
    const outcome = await this.process(timer.alarmId, 'timer', timer.id, { kind: 'system', id: via }, '', via).catch(
      (err: unknown) => {
        if (err instanceof TocsinError && err.code === 'not-found')
          return { ok: false as const, reason: 'stale' as const };
        throw err;
      },
    );
    return outcome.ok;
  }

  /** Resolves when every queued step in this process has finished. */
  drain(): Promise<void> {
    return this.mailboxes.drain();
  }

  /** Runs one step of the alarm (alarm-step.ts) in its mailbox: one at a time per alarm in this process. */
  private process(
    alarmId: string,
    kind: ProtocolKind,
    eventOrTimerId: unknown,
    actor: Actor,
    trigger: string,
    via: 'scheduler' | 'reconciler' = 'scheduler',
  ): Promise<StepOutcome> {
    return this.mailboxes.run(alarmId, () => runStep(this.d, alarmId, kind, eventOrTimerId, actor, trigger, via));
  }
}
