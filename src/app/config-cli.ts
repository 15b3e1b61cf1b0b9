/**
 * `tocsin config check FILE`: a configuration file checked without a server (schema and
 * references). `tocsin config export`: the stored configuration as such a file (import it by
 * pointing TOCSIN_CONFIG at it). `tocsin config verify`: the change record's hash chain.
 * Exit codes: 0 ok, 1 invalid or broken, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { CONFIG_KINDS } from '../domain/config-model.ts';
import type { ConfigChangeEntry } from '../ports/config-store.ts';
import { verifyConfigChain } from '../runtime/protocol-hash.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { applyFile, checkFile } from './config-seed.ts';
import { builtinPlans } from '../../machines/builtin-plans.ts';

export const CONFIG_HELP = `Usage: tocsin config check FILE | import FILE | export | verify
  check FILE   validate a configuration file (the TOCSIN_CONFIG format): every problem with its
               place; exit 1 when invalid. Needs no database.
  import FILE  apply a configuration file to the configured database: its items are created or
               updated (each change recorded, by 'cli'); items it does not name are kept. Nothing
               is written when the result would be invalid (exit 1).
  export       print the stored configuration (environments, profiles, contacts, groups, alarm
               types, web alarm templates) in the TOCSIN_CONFIG format; import it by starting
               with TOCSIN_CONFIG pointing at the file (items are created or updated, each change
               recorded; items the file does not name are kept).
  verify       check the hash chain of the configuration change record; prints the first broken
               entry and exits 1 when it is broken.`;

export async function configCommand(args: readonly string[], config: Config): Promise<number> {
  const [sub, file] = args;
  if (sub === 'check' && file && args.length === 2) return check(file);
  if (sub === 'import' && file && args.length === 2) {
    if (check(file, true) !== 0) return 1;
    const parsed = loadConfig({ ...process.env, TOCSIN_CONFIG: file });
    const { withStore } = await import('./migrate.ts');
    return withStore(config, async (store) => {
      for (const p of builtinPlans) await store.putPlan(p.ref, p.definition, Date.now());
      try {
        const n = await applyFile(store.config, store, parsed, { actor: 'cli', at: Date.now() }, 'apply');
        const head = await store.config.changesHead();
        process.stdout.write(`${JSON.stringify({ ok: true, items: n, changeRecordSeq: head?.seq ?? 0 }, null, 2)}\n`);
        return 0;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stdout.write(`${JSON.stringify({ ok: false, problems: err.problems }, null, 2)}\n`);
        return 1;
      }
    });
  }
  if ((sub === 'export' || sub === 'verify') && args.length === 1) {
    const { withStore } = await import('./migrate.ts');
    return withStore(config, async (store) => {
      if (sub === 'verify') {
        const all: ConfigChangeEntry[] = [];
        for (let after = 0; ;) {
          const page = await store.config.changes({ after, limit: 1000 });
          all.push(...page);
          if (page.length < 1000) break;
          after = page[page.length - 1]!.seq;
        }
        const result = verifyConfigChain(all);
        process.stdout.write(`${JSON.stringify({ entries: all.length, ...result }, null, 2)}\n`);
        return result.ok ? 0 : 1;
      }
      const { snapshot } = await store.config.load();
      const list = <T>(m: ReadonlyMap<string, T>) => [...m.values()];
      const groups = Object.fromEntries(list(snapshot.group).map(({ id, ...g }) => [id, g]));
      const out = {
        environments: list(snapshot.environment),
        profiles: list(snapshot.profile),
        contacts: list(snapshot.contact),
        groups,
        alarmTypes: list(snapshot.alarmType),
        webTemplates: list(snapshot.webTemplate),
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    });
  }
  process.stderr.write(`${CONFIG_HELP}\n`);
  return 2;
}

function check(file: string, quiet = false): number {
  try {
    readFileSync(file);
  } catch (err) {
    process.stderr.write(`tocsin config: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const c = loadConfig({ TOCSIN_CONFIG: file });
    checkFile(c);
    const counts = Object.fromEntries(
      CONFIG_KINDS.map((k) => [k, k === 'group' ? Object.keys(c.file.groups).length : fileCount(c, k)]),
    );
    if (!quiet) process.stdout.write(`${JSON.stringify({ ok: true, items: counts }, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stdout.write(`${JSON.stringify({ ok: false, problems: err.problems }, null, 2)}\n`);
    return 1;
  }
}

function fileCount(c: Config, k: (typeof CONFIG_KINDS)[number]): number {
  const f = c.file;
  return {
    environment: f.environments,
    profile: f.profiles,
    contact: f.contacts,
    alarmType: f.alarmTypes,
    webTemplate: f.webTemplates,
    group: [],
  }[k].length;
}
