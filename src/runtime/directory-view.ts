/**
 * DirectoryView over a configuration snapshot (pure), and the Directory that reads the
 * ConfigStore: it re-reads only when the change record's head moved, so a raise costs one
 * small query while nothing changes, and a change made by another process is seen at once.
 */
import { parsePlanRef, resolveGroups, type ConfigSnapshot, type PresenceMap } from '../domain/config-model.ts';
import { ALL_ENVIRONMENTS, inScope, type EnvironmentScope } from '../domain/environments.ts';
import type { ConfigStore } from '../ports/config-store.ts';
import type { AlarmTypeConfig, Directory, DirectoryView, EnvironmentConfig } from '../ports/directory.ts';

export function viewOf(snapshot: ConfigSnapshot, presence: PresenceMap): DirectoryView {
  const types = new Map<string, AlarmTypeConfig>();
  for (const t of snapshot.alarmType.values()) {
    types.set(t.id, {
      id: t.id,
      name: t.name,
      priority: t.priority,
      plan: parsePlanRef(t.plan),
      params: t.params,
      environment: t.environment,
      textTemplate: t.textTemplate,
      profile: t.profile,
    });
  }
  const envs = new Map<string, EnvironmentConfig>();
  for (const e of snapshot.environment.values()) {
    envs.set(e.id, {
      id: e.id,
      name: e.name,
      timeZone: e.timeZone,
      defaultPlan: parsePlanRef(e.defaultPlan),
      supervisionAlarmType: e.supervisionAlarmType,
    });
  }
  const resolved = resolveGroups(snapshot.group, presence);
  const names = (scope: EnvironmentScope) => {
    const ids = (m: ReadonlyMap<string, { id: string; environment: string }>) =>
      [...m.values()].filter((x) => inScope(scope, x.environment)).map((x) => x.id);
    return {
      groups: ids(snapshot.group),
      profiles: ids(snapshot.profile),
      contacts: ids(snapshot.contact),
      alarmTypes: ids(types),
    };
  };
  const all = names([ALL_ENVIRONMENTS]);
  return {
    alarmType: (id) => types.get(id),
    alarmTypes: () => [...types.values()],
    environment: (id) => envs.get(id),
    groups: () => resolved.groups,
    presence: () => resolved.presence,
    fellBack: () => resolved.fellBack,
    names: (scope) => (scope ? names(scope) : all),
    profile: (id) => snapshot.profile.get(id),
  };
}

/** A Directory over a fixed view (the offline CLI, tests). */
export const fixedDirectory = (view: DirectoryView): Directory => ({ current: async () => view });

export class StoreDirectory implements Directory {
  private cached: { seq: number; view: DirectoryView } | undefined;

  constructor(private readonly store: ConfigStore) {}

  async current(): Promise<DirectoryView> {
    const head = (await this.store.changesHead())?.seq ?? 0;
    if (this.cached?.seq === head) return this.cached.view;
    const state = await this.store.load();
    // A change committed between the two reads makes the cache one step stale-keyed, never
    // stale-served: it is stored under the older head and re-read on the next call.
    const view = viewOf(state.snapshot, state.presence);
    this.cached = { seq: head, view };
    return view;
  }
}
