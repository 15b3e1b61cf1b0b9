/**
 * Plan tooling shared by the CLI and the HTTP API: validate a plan, analyse it, simulate it
 * against a scenario — each under the groups and parameters of an alarm type, so the figures
 * are those the plan would have in production. Pure apart from reading the Directory.
 */
import type { AlarmFacts } from '../domain/alarm.ts';
import { TocsinError } from '../domain/errors.ts';
import { ALL_ENVIRONMENTS, inScope, type EnvironmentScope } from '../domain/environments.ts';
import type { Directory, DirectoryNames } from '../ports/directory.ts';
import { analysePlan } from '../../machines/plan-analyse.ts';
import type { PlanInput } from '../../machines/plan-context.ts';
import { createPlanMachine, type PlanDefinition } from '../../machines/plan-machine.ts';
import { parseScenario, simulatePlan, type Scenario } from '../../machines/plan-simulate.ts';
import { validatePlan } from '../../machines/plan-validate.ts';

export type PlanCheck = ReturnType<typeof validatePlan>;

/** The one error for an invalid plan; `at` is where the plan sits in the request (e.g. `/plan`). */
export function invalidPlan(problems: readonly { pointer: string; reason: string }[], at = ''): TocsinError {
  return new TocsinError('validation', 'the plan is invalid', {
    details: problems.map((p) => ({ pointer: `${at}${p.pointer}`, reason: p.reason })),
  });
}

/** The validator under the directory's names (groups, profiles, contacts, alarm types). */
export function validateUnder(def: unknown, names: DirectoryNames): PlanCheck {
  return validatePlan(def, {
    groups: names.groups,
    profiles: names.profiles,
    contacts: names.contacts,
    alarmTypes: names.alarmTypes,
  } as Parameters<typeof validatePlan>[1]);
}

export class PlanTools {
  constructor(private readonly directory: Directory) {}

  /** Every problem of `def`, with JSON pointers; names it references are checked against the directory. */
  async validate(def: unknown, scope?: EnvironmentScope): Promise<PlanCheck> {
    return validateUnder(def, (await this.directory.current()).names(scope));
  }

  /** Worst-case figures of a valid plan under alarm type `typeId`'s groups and parameters. */
  async analyse(def: unknown, typeId?: string, at = '', scope?: EnvironmentScope) {
    const { plan, input } = await this.prepare(def, typeId, at, scope);
    return analysePlan(createPlanMachine(plan), input);
  }

  /** The predicted timeline of a valid plan for `scenario`, on a virtual clock. */
  async simulate(def: unknown, scenario: unknown, typeId?: string, at = '', scope?: EnvironmentScope) {
    const { plan, input } = await this.prepare(def, typeId, at, scope);
    let parsed: Scenario;
    try {
      parsed = parseScenario(scenario);
    } catch (err) {
      const m = /^scenario(\S*): (.*)$/.exec((err as Error).message);
      throw new TocsinError('validation', 'the scenario is invalid', {
        details: [{ pointer: `/scenario${m?.[1] ?? ''}`, reason: m?.[2] ?? (err as Error).message }],
      });
    }
    return simulatePlan(createPlanMachine(plan), input, parsed);
  }

  private async prepare(
    def: unknown,
    typeId: string | undefined,
    at: string,
    scope: EnvironmentScope = [ALL_ENVIRONMENTS],
  ): Promise<{ plan: PlanDefinition; input: PlanInput }> {
    const dir = await this.directory.current();
    const check = validateUnder(def, dir.names(scope));
    if (!check.ok) throw invalidPlan(check.problems, at);
    // Alarm types of environments outside the caller's scope are as unknown as none.
    const types = dir.alarmTypes().filter((t) => inScope(scope, t.environment));
    const type = typeId
      ? types.find((t) => t.id === typeId)
      : (types.find((t) => t.plan.id === check.plan.id) ?? types[0]);
    if (!type) throw new TocsinError('unknown-alarm-type', `unknown alarm type '${typeId ?? ''}'`);
    const alarm: AlarmFacts = {
      id: 'simulated',
      type: type.id,
      priority: type.priority,
      text: `${type.name} (simulated)`,
      location: undefined,
      source: { adapter: 'simulation' },
      environment: type.environment,
      raisedAt: 0,
    };
    const presence = dir.presence();
    return {
      plan: check.plan,
      input: {
        alarm,
        groups: dir.groups(),
        params: type.params,
        ...(Object.keys(presence).length > 0 ? { presence } : {}),
      },
    };
  }
}
