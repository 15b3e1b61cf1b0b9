/**
 * Plans by pinned reference. Definitions are immutable per version, so a built machine is
 * cached for the life of the process.
 */
import type { AnyStateMachine } from 'xstate';
import type { PlanRef } from '../domain/alarm.ts';
import { TocsinError } from '../domain/errors.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import { createPlanMachine, type PlanDefinition } from '../../machines/plan-machine.ts';

export class PlanCatalog {
  private readonly machines = new Map<string, Promise<AnyStateMachine>>();

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
}
