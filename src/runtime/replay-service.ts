/**
 * Replay and what-if over the store, shared by the HTTP API (src/http/replay-routes.ts) and the
 * CLI (src/app/replay-cli.ts): loads an alarm's protocol, checks its chain against the alarm's
 * head, resolves pseudonyms, and runs the pure replay (replay.ts) or what-if (replay-what-if.ts).
 * Reads only; environment scoping is applied here, so an alarm or plan of another environment is
 * as unknown as none.
 */
import type { AlarmRecord, AlarmStore, ProtocolEntry } from '../ports/alarm-store.ts';
import type { PlanRef } from '../domain/alarm.ts';
import { TocsinError } from '../domain/errors.ts';
import { ALL_ENVIRONMENTS, inScope, storeFilter, type EnvironmentScope } from '../domain/environments.ts';
import { canonicalJson, verifyChain } from './protocol-hash.ts';
import type { PlanCatalog } from './plan-catalog.ts';
import { pseudonymsIn, resolveDeep } from './pseudonyms.ts';
import { replay, type StepView } from './replay.ts';
import { whatIf, type Difference, type Outcome } from './replay-what-if.ts';
import type { EndReason } from '../../machines/plan-simulate.ts';

export type ReplayVerdict =
  | { readonly alarmId: string; readonly plan: string; readonly ok: true; readonly steps: number }
  | {
      readonly alarmId: string;
      readonly plan: string;
      readonly ok: false;
      readonly seq: number;
      readonly reason: string;
      readonly expected: StepView | null;
      readonly actual: StepView | null;
    };

export type WhatIfAlarm =
  | {
      readonly alarmId: string;
      readonly raisedAt: string;
      readonly plan: string;
      readonly changed: boolean;
      readonly recorded: Outcome;
      readonly alternative: Outcome & { readonly reason: EndReason };
      readonly differences: readonly Difference[];
    }
  | { readonly alarmId: string; readonly raisedAt: string; readonly plan: string; readonly error: string };

export interface WhatIfReport {
  readonly plan: string;
  readonly alarms: readonly WhatIfAlarm[];
  readonly summary: {
    readonly alarms: number;
    readonly changed: number;
    readonly unchanged: number;
    readonly failed: number;
    readonly recordedNotifications: number;
    readonly alternativeNotifications: number;
    readonly endStateChanged: number;
  };
}

/** The most alarms one what-if run may replay. */
export const WHAT_IF_MAX = 500;
export const WHAT_IF_DEFAULT_LIMIT = 100;
const SEVEN_DAYS = 7 * 24 * 3600_000;

export const refText = (ref: PlanRef): string => `${ref.id}@${ref.version}`;

/** Parses `id@version`; undefined when malformed. */
export function parsePlanRef(s: string): PlanRef | undefined {
  const m = /^([A-Za-z0-9_-]{1,64})@([1-9][0-9]{0,8})$/.exec(s);
  return m ? { id: m[1]!, version: Number(m[2]) } : undefined;
}

export class ReplayService {
  constructor(
    private readonly store: AlarmStore,
    private readonly plans: PlanCatalog,
  ) {}

  /** An alarm the scope may see; throws not-found otherwise. */
  async alarm(alarmId: string, scope: EnvironmentScope = [ALL_ENVIRONMENTS]): Promise<AlarmRecord> {
    const alarm = await this.store.getAlarm(alarmId);
    if (!alarm || !inScope(scope, alarm.facts.environment))
      throw new TocsinError('not-found', `alarm ${alarmId} does not exist`);
    return alarm;
  }

  /**
   * Re-runs the alarm's recorded inputs under its pinned plan. The verdict names the first
   * diverging entry with what the recording says (`expected`) and what the replay computed
   * (`actual`), people shown by name where known. Throws not-found only.
   */
  async replayAlarm(alarmId: string, scope?: EnvironmentScope): Promise<ReplayVerdict> {
    const alarm = await this.alarm(alarmId, scope);
    const plan = refText(alarm.plan);
    const entries = await this.store.listProtocol(alarmId);
    const chain = verifyChain(entries, alarm);
    if (!chain.ok)
      return { alarmId, plan, ok: false, seq: chain.seq, reason: chain.reason, expected: null, actual: null };
    const resolved = await this.store.resolvePseudonyms(pseudonymsIn(entries));
    const r = replay(await this.plans.machine(alarm.plan), entries, 'replay', resolved);
    if (r.ok) {
      if (canonicalJson(r.snapshot) !== canonicalJson(alarm.snapshot)) {
        const last = entries[entries.length - 1]!;
        return {
          alarmId,
          plan,
          ok: false,
          seq: last.seq,
          reason: 'every step reproduces, but the stored snapshot differs from the replayed one',
          expected: null,
          actual: null,
        };
      }
      return { alarmId, plan, ok: true, steps: r.steps };
    }
    const show = (v: StepView | undefined) => (v ? resolveDeep(v, resolved) : null);
    return {
      alarmId,
      plan,
      ok: false,
      seq: r.seq,
      reason: r.reason,
      expected: show(r.expected),
      actual: show(r.actual),
    };
  }

  /** A plan version the scope may read (shared `*` plans by everyone); throws not-found otherwise. */
  async readablePlan(ref: PlanRef, scope: EnvironmentScope = [ALL_ENVIRONMENTS]): Promise<void> {
    const info = await this.store.getPlanInfo(ref);
    if (!info || !(info.environment === ALL_ENVIRONMENTS || inScope(scope, info.environment)))
      throw new TocsinError('not-found', `plan ${refText(ref)} does not exist`);
  }

  /**
   * The alarms of `scope` raised in [from, to), oldest first, however far back the range lies
   * (the store's time-range query). Throws validation (422) when the range holds more than `limit`.
   */
  async alarmsIn(from: number, to: number, limit: number, scope: EnvironmentScope): Promise<AlarmRecord[]> {
    const environments = storeFilter(scope);
    // One more than the limit tells "too many" without counting the whole range.
    const rows = await this.store.queryAlarms({
      from,
      to,
      limit: limit + 1,
      ...(environments ? { environments } : {}),
    });
    if (rows.length > limit)
      throw new TocsinError('validation', 'the time range holds too many alarms', {
        details: [{ pointer: '/from', reason: `the range holds more than the limit of ${limit} alarms: narrow it` }],
      });
    return rows.reverse();
  }

  /**
   * Runs `alarms` under plan `alternative` (see replay-what-if.ts for the rules). An alarm whose
   * chain is broken, whose recording does not reproduce under its own plan, or under which the
   * alternative plan fails is reported with `error`; the
   * others with both outcomes and their differences. `now` bounds the virtual timeline: what
   * the alternative would do after the present is not reported.
   */
  async whatIf(alternative: PlanRef, alarms: readonly AlarmRecord[], now: number): Promise<WhatIfReport> {
    const machine = await this.plans.machine(alternative);
    const out: WhatIfAlarm[] = [];
    for (const alarm of alarms) {
      const head = {
        alarmId: alarm.facts.id,
        raisedAt: new Date(alarm.facts.raisedAt).toISOString(),
        plan: refText(alarm.plan),
      };
      const entries = await this.store.listProtocol(alarm.facts.id);
      const chain = verifyChain(entries, alarm);
      if (!chain.ok) {
        out.push({ ...head, error: `the protocol does not verify at seq ${chain.seq}: ${chain.reason}` });
        continue;
      }
      const resolved = await this.store.resolvePseudonyms(pseudonymsIn(entries));
      // Compared only with a recording that reproduces under its own plan (else it is no evidence).
      const own = replay(await this.plans.machine(alarm.plan), entries, 'replay', resolved);
      if (!own.ok) {
        out.push({
          ...head,
          error: `the recording does not reproduce under ${head.plan} at seq ${own.seq}: ${own.reason}`,
        });
        continue;
      }
      const clear: ProtocolEntry[] = entries.map((e) => resolveDeep(e, resolved));
      try {
        const r = whatIf(machine, clear, {
          recordedStatus: alarm.status,
          horizonMs: Math.max(0, Math.min(SEVEN_DAYS, now - alarm.facts.raisedAt)),
        });
        out.push({ ...head, changed: r.differences.length > 0, ...r });
      } catch (err) {
        out.push({ ...head, error: `plan ${refText(alternative)} failed: ${(err as Error).message}` });
      }
    }
    const ok = out.flatMap((a) => ('error' in a ? [] : [a]));
    const changed = ok.filter((a) => a.changed).length;
    return {
      plan: refText(alternative),
      alarms: out,
      summary: {
        alarms: out.length,
        changed,
        unchanged: ok.length - changed,
        failed: out.length - ok.length,
        recordedNotifications: ok.reduce((n, a) => n + a.recorded.notifications.length, 0),
        alternativeNotifications: ok.reduce((n, a) => n + a.alternative.notifications.length, 0),
        endStateChanged: ok.filter((a) => a.recorded.end.state !== a.alternative.end.state).length,
      },
    };
  }
}
