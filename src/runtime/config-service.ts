/**
 * Changes to the configuration model, checked before anything is written: the item against
 * its schema (every problem with its JSON pointer), references between items (an alarm type's
 * profile, a group's fallback, …) over the whole configuration as the change leaves it, and an
 * alarm type's plan: it must exist, be enabled, and pass the validator under the configuration's
 * names. Deleting a group a published plan still notifies is allowed but answered with warnings:
 * alarms of the affected types then fall back to their environment's default plan (see
 * AlarmRuntime.choosePlan), and `problems()` lists them until someone fixes the plan.
 */
import { zodProblems } from '../domain/validation.ts';
import {
  checkReferences,
  configSchemas,
  parsePlanRef,
  type ConfigItemOf,
  type ConfigKind,
  type ConfigSnapshot,
  type ReferenceProblem,
} from '../domain/config-model.ts';
import { TocsinError, type ProblemDetail } from '../domain/errors.ts';
import type { PlanRef } from '../domain/alarm.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ConfigChangeEntry, ConfigStore, ConfigWrite } from '../ports/config-store.ts';
import type { DirectoryNames } from '../ports/directory.ts';
import { validateUnder } from './plan-tools.ts';
import type { PlanCatalog } from './plan-catalog.ts';
import { ALL_ENVIRONMENTS, inScope, type EnvironmentScope } from '../domain/environments.ts';

const ALL: EnvironmentScope = [ALL_ENVIRONMENTS];

/** The environment an item belongs to: an environment is its own. */
export const itemEnvironment = (kind: ConfigKind, item: ConfigItemOf[ConfigKind]): string =>
  kind === 'environment' ? item.id : (item as { environment: string }).environment;

export interface ConfigServiceDeps {
  readonly config: ConfigStore;
  readonly plans: Pick<AlarmStore, 'getPlan' | 'getPlanInfo'>;
  readonly catalog: PlanCatalog;
  readonly clock: Pick<Clock, 'now'>;
  /** Told when a member logs in to or out of a presence-tracked group (running alarms react). */
  readonly onPresence?: (group: string, member: string, present: boolean, actor: string) => Promise<void>;
}

export interface StoredItem<K extends ConfigKind = ConfigKind> {
  readonly item: ConfigItemOf[K];
  readonly version: number;
}

export interface PlanProblem {
  readonly alarmType: string;
  readonly environment: string;
  readonly plan: string;
  readonly reasons: readonly string[];
}

const namesOf = (s: ConfigSnapshot): DirectoryNames => ({
  groups: [...s.group.keys()],
  profiles: [...s.profile.keys()],
  contacts: [...s.contact.keys()],
  alarmTypes: [...s.alarmType.keys()],
});

const refProblem = (p: ReferenceProblem): ProblemDetail => ({
  pointer: p.pointer,
  reason: `${p.kind} '${p.id}': ${p.reason}`,
});

export class ConfigService {
  constructor(private readonly d: ConfigServiceDeps) {}

  /** Items of `kind` in `scope`'s environments, by id. */
  async list<K extends ConfigKind>(kind: K, scope: EnvironmentScope = ALL): Promise<StoredItem<K>[]> {
    const { snapshot, versions } = await this.d.config.load();
    return [...(snapshot[kind] as ReadonlyMap<string, ConfigItemOf[K]>).values()]
      .filter((item) => inScope(scope, itemEnvironment(kind, item)))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((item) => ({ item, version: versions.get(`${kind}/${item.id}`) ?? 0 }));
  }

  /** An item in `scope`; one of another environment is as unknown as none. */
  async get<K extends ConfigKind>(kind: K, id: string, scope: EnvironmentScope = ALL): Promise<StoredItem<K>> {
    const { snapshot, versions } = await this.d.config.load();
    const item = (snapshot[kind] as ReadonlyMap<string, ConfigItemOf[K]>).get(id);
    if (!item || !inScope(scope, itemEnvironment(kind, item)))
      throw new TocsinError('not-found', `${kind} '${id}' does not exist`);
    return { item, version: versions.get(`${kind}/${id}`) ?? 0 };
  }

  /**
   * Creates or replaces `kind/id` with `body` (its `id`, when given, must be `id`). Returns the
   * new version, whether it was created, and warnings. Throws validation (422, every problem),
   * precondition-failed (412: `ifVersion` is not the current version) or refused references (422).
   */
  async put(
    kind: ConfigKind,
    id: string,
    body: unknown,
    opts: { actor: string; ifVersion?: number | undefined; scope?: EnvironmentScope },
  ): Promise<{ version: number; created: boolean; changed: boolean; item: ConfigItemOf[ConfigKind] }> {
    const item = parseItem(kind, id, body);
    const env = itemEnvironment(kind, item);
    await this.checkScope(kind, id, env, opts.scope ?? ALL);
    // Plans are immutable once published, so they can be read before the transaction.
    const plan = kind === 'alarmType' ? parsePlanRef((item as ConfigItemOf['alarmType']).plan) : undefined;
    const planDef = plan ? await this.enabledPlan(plan, '/plan', env) : undefined;
    if (kind === 'environment')
      await this.enabledPlan(parsePlanRef((item as ConfigItemOf['environment']).defaultPlan), '/defaultPlan', env);
    const res = await this.d.config.write(
      [{ op: 'put', kind, item, ifVersion: opts.ifVersion } as ConfigWrite],
      { actor: opts.actor, at: this.d.clock.now() },
      (next) => {
        const problems: ProblemDetail[] = checkReferences(next)
          .filter((p) => p.kind === kind && p.id === id)
          .map(refProblem);
        if (planDef !== undefined) {
          const check = validateUnder(planDef, namesOf(next));
          if (!check.ok) {
            for (const p of check.problems) {
              problems.push({
                pointer: '/plan',
                reason: `plan ${plan!.id}@${plan!.version} at ${p.pointer || '/'}: ${p.reason}`,
              });
            }
          }
        }
        // Anything else dangling was caused by this change too (e.g. a renamed environment).
        const others = checkReferences(next).filter((p) => !(p.kind === kind && p.id === id));
        return [...problems, ...others.map(refProblem)];
      },
    );
    if (!res.ok) throw this.writeError(res, kind, id);
    // Decided inside the write's transaction: of two concurrent creates, one answers 201.
    return { version: res.version, created: res.entry?.op === 'create', changed: res.entry !== undefined, item };
  }

  /** Deletes `kind/id`. Refused (409) while another item refers to it; warns about plans it leaves broken. */
  async delete(
    kind: ConfigKind,
    id: string,
    opts: { actor: string; ifVersion?: number | undefined; scope?: EnvironmentScope },
  ): Promise<{ warnings: PlanProblem[] }> {
    await this.get(kind, id, opts.scope ?? ALL);
    const res = await this.d.config.write(
      [{ op: 'delete', kind, id, ifVersion: opts.ifVersion }],
      { actor: opts.actor, at: this.d.clock.now() },
      (next) => checkReferences(next).map(refProblem),
    );
    if (!res.ok) {
      if (res.reason === 'refused') {
        throw new TocsinError('conflict', `${kind} '${id}' is still referred to`, {
          details: res.problems as ProblemDetail[],
        });
      }
      throw this.writeError(res, kind, id);
    }
    return { warnings: kind === 'alarmType' || kind === 'webTemplate' ? [] : await this.problems(opts.scope) };
  }

  /** Alarm types (of `scope`) whose plan cannot run as configured (they fall back at raise time). */
  async problems(scope: EnvironmentScope = ALL): Promise<PlanProblem[]> {
    const { snapshot } = await this.d.config.load();
    const names = namesOf(snapshot);
    const out: PlanProblem[] = [];
    for (const t of snapshot.alarmType.values()) {
      if (!inScope(scope, t.environment)) continue;
      const ref = parsePlanRef(t.plan);
      const info = await this.d.plans.getPlanInfo(ref);
      const reasons =
        info === undefined
          ? ['the plan does not exist']
          : info.disabledAt != null
            ? ['the plan version is disabled']
            : await this.d.catalog.problemsUnder(ref, names);
      if (reasons.length > 0) out.push({ alarmType: t.id, environment: t.environment, plan: t.plan, reasons });
    }
    return out;
  }

  /** Logs `member` in to or out of presence-tracked group `group`. Returns whether it changed. */
  async setPresence(
    group: string,
    member: string,
    present: boolean,
    actor: string,
    scope: EnvironmentScope = ALL,
  ): Promise<boolean> {
    const { snapshot } = await this.d.config.load();
    const g = snapshot.group.get(group);
    if (!g || !inScope(scope, g.environment)) throw new TocsinError('not-found', `group '${group}' does not exist`);
    if (!g.presence) {
      throw new TocsinError('validation', `group '${group}' does not track presence`, {
        details: [{ parameter: 'id', reason: 'set "presence": true on the group first' }],
      });
    }
    const address = (m: { kind: string; id: string }) => (m.kind === 'user' ? m.id : `${m.kind}:${m.id}`);
    if (present && !g.members.some((m) => address(m) === member)) {
      throw new TocsinError('validation', `'${member}' is not a member of group '${group}'`, {
        details: [{ parameter: 'member', reason: 'only members of the group can log in to it' }],
      });
    }
    const changed = await this.d.config.setPresence(group, member, present, { actor, at: this.d.clock.now() });
    if (changed && this.d.onPresence) await this.d.onPresence(group, member, present, actor);
    return changed;
  }

  async presence(group: string, scope: EnvironmentScope = ALL): Promise<readonly string[]> {
    const { snapshot, presence } = await this.d.config.load();
    const g = snapshot.group.get(group);
    if (!g || !inScope(scope, g.environment)) throw new TocsinError('not-found', `group '${group}' does not exist`);
    return presence[group] ?? [];
  }

  /** The change record from `after`, all of it (verification needs every link). */
  changes(after: number, limit: number): Promise<ConfigChangeEntry[]> {
    return this.d.config.changes({ after, limit });
  }

  /**
   * Whether a change record entry concerns `scope`: the item before or after the change was in
   * one of its environments. Entries of other environments are not shown (their ids and
   * contents would leak); the chain is still verified whole.
   */
  static changeInScope(c: ConfigChangeEntry, scope: EnvironmentScope): boolean {
    const kind = c.kind as ConfigKind;
    const envs = [c.before, c.after]
      .filter((x): x is { id: string } => x !== null && typeof x === 'object')
      .map((x) => itemEnvironment(kind, x as ConfigItemOf[ConfigKind]));
    return envs.some((e) => inScope(scope, e));
  }

  /**
   * Refuses a write outside `scope`: an item must stay in an environment the caller holds, and
   * an existing item of another environment is not the caller's to replace (its id is taken).
   */
  private async checkScope(kind: ConfigKind, id: string, env: string, scope: EnvironmentScope): Promise<void> {
    if (!inScope(scope, env))
      throw new TocsinError('validation', 'the item is invalid', {
        details: [
          kind === 'environment'
            ? { pointer: '/id', reason: 'only a holder of every environment creates environments' }
            : { pointer: '/environment', reason: 'an environment you do not hold' },
        ],
      });
    const { snapshot } = await this.d.config.load();
    const existing = (snapshot[kind] as ReadonlyMap<string, ConfigItemOf[ConfigKind]>).get(id);
    if (existing && !inScope(scope, itemEnvironment(kind, existing)))
      throw new TocsinError('conflict', `${kind} id '${id}' is taken`);
  }

  /** The plan's definition; 422 at `pointer` when it does not exist, is disabled or belongs to another environment. */
  private async enabledPlan(ref: PlanRef, pointer: string, environment: string): Promise<unknown> {
    const info = await this.d.plans.getPlanInfo(ref);
    const reason =
      info === undefined || (info.environment !== ALL_ENVIRONMENTS && info.environment !== environment)
        ? `plan ${ref.id}@${ref.version} does not exist`
        : info.disabledAt != null
          ? `plan ${ref.id}@${ref.version} is disabled`
          : undefined;
    if (reason) throw new TocsinError('validation', 'the item is invalid', { details: [{ pointer, reason }] });
    return this.d.plans.getPlan(ref);
  }

  private writeError(
    res: { reason: 'not-found' | 'version-mismatch' | 'refused'; current?: number; problems?: readonly unknown[] },
    kind: ConfigKind,
    id: string,
  ): TocsinError {
    if (res.reason === 'not-found') return new TocsinError('not-found', `${kind} '${id}' does not exist`);
    if (res.reason === 'version-mismatch') {
      return new TocsinError(
        'precondition-failed',
        `${kind} '${id}' is at version ${res.current ?? 0}, not the one in If-Match; read it again`,
      );
    }
    return new TocsinError('validation', 'the item is invalid', { details: res.problems as ProblemDetail[] });
  }
}

/** Parses a request body as an item of `kind` with id `id`; every problem with its pointer. */
export function parseItem(kind: ConfigKind, id: string, body: unknown): ConfigItemOf[ConfigKind] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TocsinError('validation', 'the item is invalid', {
      details: [{ pointer: '', reason: 'must be an object' }],
    });
  }
  const b = body as Record<string, unknown>;
  if (b.id !== undefined && b.id !== id) {
    throw new TocsinError('validation', 'the item is invalid', {
      details: [{ pointer: '/id', reason: `the body's id '${String(b.id)}' is not the id in the path '${id}'` }],
    });
  }
  const r = configSchemas[kind].safeParse({ ...b, id });
  if (r.success) return r.data;
  throw new TocsinError('validation', 'the item is invalid', {
    details: zodProblems(r.error.issues),
  });
}
