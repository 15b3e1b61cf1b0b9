/**
 * Plans by pinned reference. Definitions are immutable per version, so a built machine is
 * cached for the life of the process.
 */
import type { AnyStateMachine } from 'xstate';
import type { PlanRef } from '../domain/alarm.ts';
import { TocsinError } from '../domain/errors.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { DirectoryNames } from '../ports/directory.ts';
import { createPlanMachine, type PlanDefinition } from '../../machines/plan-machine.ts';
import { validateUnder } from './plan-tools.ts';

const MAX_CHECKS = 256;

export class PlanCatalog {
  private readonly machines = new Map<string, Promise<AnyStateMachine>>();
  /** `<ref>|<names>` → the plan's problems under those names (plans are immutable; names change). */
  private readonly checks = new Map<string, readonly string[]>();

  constructor(private readonly store: AlarmStore) {}

  /** The machine of `ref`; throws not-found when the version was never published. */
  machine(ref: PlanRef): Promise<AnyStateMachine> {
    const key = `${ref.id}@${ref.version}`;
    let m = this.machines.get(key);
    if (!m) {
      m = this.store.getPlan(ref).then((def) => {
        if (def === undefined) throw new TocsinError('not-found', `plan ${key} does not exist`);
        return createPlanMachine(def as PlanDefinition);
      });
      m.catch(() => this.machines.delete(key));
      this.machines.set(key, m);
    }
    return m;
  }

  /**
   * Why `ref` cannot run under the configuration's current names (e.g. a group it notifies
   * was deleted): one reason per problem, empty when it can. Cached per plan and names.
   */
  async problemsUnder(ref: PlanRef, names: DirectoryNames): Promise<readonly string[]> {
    const key = `${ref.id}@${ref.version}|${names.groups.join(',')}|${names.profiles.join(',')}|${names.contacts.join(',')}|${names.alarmTypes.join(',')}`;
    const hit = this.checks.get(key);
    if (hit) return hit;
    const def = await this.store.getPlan(ref);
    const problems =
      def === undefined
        ? [`plan ${ref.id}@${ref.version} does not exist`]
        : (() => {
            const r = validateUnder(def, names);
            return r.ok ? [] : r.problems.map((p) => `${p.pointer || '/'}: ${p.reason}`);
          })();
    if (this.checks.size >= MAX_CHECKS) this.checks.clear();
    this.checks.set(key, problems);
    return problems;
  }
}
