/**
 * The configuration file (TOCSIN_CONFIG) as configuration-model items, and how it reaches the
 * store: an explicit file is applied at every start (its items created or updated, recorded
 * as changes by `file:<path>`; items it does not name are left alone), the built-in default
 * only into an empty configuration.
 */
import {
  checkReferences,
  emptySnapshot,
  groupSchema,
  parsePlanRef,
  type ConfigItemOf,
  type ConfigKind,
  type ConfigSnapshot,
} from '../domain/config-model.ts';
import type { ConfigStore, ConfigWrite } from '../ports/config-store.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { Directory } from '../ports/directory.ts';
import { validateUnder } from '../runtime/plan-tools.ts';
import { fixedDirectory, viewOf } from '../runtime/directory-view.ts';
import { ConfigError, type Config, type FileConfig } from './config.ts';

/** Every item the file defines, in dependency order (environments first). */
export function itemsOf(file: FileConfig): { [K in ConfigKind]: ConfigItemOf[K][] } {
  const environments = [...file.environments];
  const used = new Set<string>([
    ...file.alarmTypes.map((t) => t.environment),
    ...file.profiles.map((p) => p.environment),
    ...file.contacts.map((c) => c.environment),
    ...file.webTemplates.map((w) => w.environment),
    ...Object.values(file.groups).flatMap((g) => (Array.isArray(g) ? ['default'] : [g.environment ?? 'default'])),
  ]);
  for (const env of used) {
    if (!environments.some((e) => e.id === env)) {
      environments.push({ id: env, name: env, timeZone: 'UTC', defaultPlan: 'escalate@1' });
    }
  }
  const group = Object.entries(file.groups).map(([id, g]) =>
    groupSchema.parse(
      Array.isArray(g) ? { id, name: id, members: g.map((u) => ({ kind: 'user', id: u })) } : { name: id, ...g, id },
    ),
  );
  return {
    environment: environments,
    profile: file.profiles,
    contact: file.contacts,
    group,
    alarmType: file.alarmTypes,
    webTemplate: file.webTemplates,
  };
}

const ORDER: readonly ConfigKind[] = ['environment', 'profile', 'contact', 'group', 'alarmType', 'webTemplate'];

export function snapshotOf(file: FileConfig): ConfigSnapshot {
  const items = itemsOf(file);
  const s = emptySnapshot() as { [K in ConfigKind]: Map<string, ConfigItemOf[K]> };
  for (const kind of ORDER) for (const item of items[kind]) s[kind].set(item.id, item as never);
  return s;
}

/** The file's dangling references (a group falling back to a group nobody defined, …) as ConfigError lines. */
export function checkFile(config: Config): void {
  const problems = checkReferences(snapshotOf(config.file));
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => `${p.kind} '${p.id}' at ${p.pointer}: ${p.reason}`));
  }
}

/** The Directory of the file alone (the offline plan CLI). */
export function directoryFrom(config: Config): Directory {
  return fixedDirectory(viewOf(snapshotOf(config.file), {}));
}

/**
 * Brings the file's items into the store; refuses (ConfigError, nothing written) when the
 * result would dangle, or when one of the file's alarm types pins a plan that does not exist
 * or does not pass the validator under the resulting configuration's names.
 */
export async function applyFile(
  store: ConfigStore,
  plans: Pick<AlarmStore, 'getPlan'>,
  config: Config,
  meta: { actor: string; at: number },
  mode: 'apply' | 'seed',
): Promise<number> {
  if (mode === 'seed' && (await store.changesHead()) !== undefined) return 0;
  const items = itemsOf(config.file);
  const missing: string[] = [];
  const defs = new Map<string, unknown>();
  for (const t of items.alarmType) {
    const def = await plans.getPlan(parsePlanRef(t.plan));
    if (def === undefined) missing.push(`alarm type '${t.id}': plan ${t.plan} does not exist`);
    else defs.set(t.id, def);
  }
  if (missing.length > 0) throw new ConfigError(missing);
  const writes: ConfigWrite[] = ORDER.flatMap((kind) =>
    items[kind].map((item) => ({ op: 'put', kind, item }) as ConfigWrite),
  );
  const res = await store.write(writes, meta, (next) => {
    const problems: string[] = checkReferences(next).map((p) => `${p.kind} '${p.id}' at ${p.pointer}: ${p.reason}`);
    const names = {
      groups: [...next.group.keys()],
      profiles: [...next.profile.keys()],
      contacts: [...next.contact.keys()],
      alarmTypes: [...next.alarmType.keys()],
    };
    for (const t of items.alarmType) {
      const check = validateUnder(defs.get(t.id), names);
      if (!check.ok) {
        problems.push(
          ...check.problems.map((p) => `alarm type '${t.id}': plan ${t.plan} at ${p.pointer || '/'}: ${p.reason}`),
        );
      }
    }
    return problems;
  });
  if (!res.ok) {
    throw new ConfigError(
      res.reason === 'refused'
        ? (res.problems as string[])
        : [`the configuration could not be applied (${res.reason})`],
    );
  }
  return writes.length;
}
