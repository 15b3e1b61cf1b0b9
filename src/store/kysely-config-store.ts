/**
 * The ConfigStore over Kysely (PostgreSQL and PGlite, one set of SQL). Every write takes one
 * transaction-scoped advisory lock, so configuration changes are serialised: the pure check
 * sees the configuration exactly as the write leaves it, and the change record's hash chain
 * has one head.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalJson } from '../domain/canonical-json.ts';
import {
  CONFIG_KINDS,
  configSchemas,
  emptySnapshot,
  type ConfigItemOf,
  type ConfigKind,
  type ConfigSnapshot,
} from '../domain/config-model.ts';
import type {
  ConfigChangeEntry,
  ConfigChangeOp,
  ConfigState,
  ConfigStore,
  ConfigWrite,
  ConfigWriteResult,
} from '../ports/config-store.ts';
import { GENESIS, hashConfigChange } from '../runtime/protocol-hash.ts';
import type { DB } from './db-schema.ts';

/** Advisory lock class of configuration writes ("conf" in ASCII). */
const CONFIG_LOCK = 0x636f6e66;

class Refused {
  constructor(readonly result: ConfigWriteResult) {}
}

const isKind = (k: string): k is ConfigKind => (CONFIG_KINDS as readonly string[]).includes(k);

export class KyselyConfigStore implements ConfigStore {
  constructor(
    private readonly db: Kysely<DB>,
    /** Called after each successful commit, before it is acknowledged (PGlite's WAL fsync). */
    private readonly durable?: () => Promise<void>,
  ) {}

  async load(): Promise<ConfigState> {
    return this.db.transaction().execute((trx) => this.loadIn(trx));
  }

  private async loadIn(
    trx: Transaction<DB> | Kysely<DB>,
  ): Promise<ConfigState & { snapshot: MutableSnapshot; versions: Map<string, number> }> {
    const rows = await trx.selectFrom('config_items').select(['kind', 'id', 'body', 'version']).execute();
    const snapshot = emptySnapshot() as MutableSnapshot;
    const versions = new Map<string, number>();
    for (const r of rows) {
      if (!isKind(r.kind)) continue;
      // Rows were validated on the way in; parsing again fills defaults added by later releases.
      const parsed = configSchemas[r.kind].safeParse(r.body);
      if (!parsed.success) throw new Error(`config item ${r.kind}/${r.id} in the database is invalid`);
      snapshot[r.kind].set(r.id, parsed.data as never);
      versions.set(`${r.kind}/${r.id}`, Number(r.version));
    }
    const pres = await trx.selectFrom('presence').select(['grp', 'member']).orderBy('grp').orderBy('member').execute();
    const presence: Record<string, string[]> = {};
    for (const p of pres) (presence[p.grp] ??= []).push(p.member);
    return { snapshot, versions, presence };
  }

  async write(
    writes: readonly ConfigWrite[],
    meta: { readonly actor: string; readonly at: number },
    check: (next: ConfigSnapshot) => readonly unknown[],
  ): Promise<ConfigWriteResult> {
    // The database keeps whole milliseconds; the hash must cover what is stored.
    meta = { ...meta, at: Math.trunc(meta.at) };
    try {
      const result = await this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${CONFIG_LOCK})`.execute(trx);
        const { snapshot, versions } = await this.loadIn(trx);
        const changes: {
          kind: ConfigKind;
          id: string;
          op: ConfigChangeOp;
          before: unknown;
          after: unknown;
          version: number;
        }[] = [];
        let version = 0;
        for (const w of writes) {
          const id = w.op === 'put' ? w.item.id : w.id;
          const key = `${w.kind}/${id}`;
          const current = versions.get(key) ?? 0;
          if (w.ifVersion !== undefined && w.ifVersion !== current) {
            throw new Refused({ ok: false, reason: 'version-mismatch', current });
          }
          const before = snapshot[w.kind].get(id);
          if (w.op === 'delete') {
            if (!before) throw new Refused({ ok: false, reason: 'not-found', current: 0 });
            snapshot[w.kind].delete(id);
            versions.delete(key);
            changes.push({ kind: w.kind, id, op: 'delete', before, after: null, version: 0 });
            version = 0;
            continue;
          }
          if (before && canonicalJson(before) === canonicalJson(w.item)) {
            version = current;
            continue;
          }
          snapshot[w.kind].set(id, w.item as never);
          version = current + 1;
          versions.set(key, version);
          changes.push({
            kind: w.kind,
            id,
            op: before ? 'update' : 'create',
            before: before ?? null,
            after: w.item,
            version,
          });
        }
        const problems = check(snapshot);
        if (problems.length > 0) throw new Refused({ ok: false, reason: 'refused', problems });
        let last: ConfigChangeEntry | undefined;
        for (const c of changes) {
          if (c.op === 'delete') {
            await trx.deleteFrom('config_items').where('kind', '=', c.kind).where('id', '=', c.id).execute();
          } else {
            const item = c.after as ConfigItemOf[ConfigKind];
            await trx
              .insertInto('config_items')
              .values({
                kind: c.kind,
                id: c.id,
                environment: 'environment' in item ? item.environment : item.id,
                body: JSON.stringify(item),
                version: c.version,
                updated_at: new Date(meta.at),
                updated_by: meta.actor,
              })
              .onConflict((oc) =>
                oc.columns(['kind', 'id']).doUpdateSet((eb) => ({
                  environment: eb.ref('excluded.environment'),
                  body: eb.ref('excluded.body'),
                  version: eb.ref('excluded.version'),
                  updated_at: eb.ref('excluded.updated_at'),
                  updated_by: eb.ref('excluded.updated_by'),
                })),
              )
              .execute();
          }
          const { version: _v, ...change } = c;
          last = await this.append(trx, { ...change, ...meta });
        }
        return { ok: true as const, version, entry: last };
      });
      if (result.entry && this.durable) await this.durable();
      return result;
    } catch (err) {
      if (err instanceof Refused) return err.result;
      throw err;
    }
  }

  async setPresence(
    group: string,
    member: string,
    present: boolean,
    meta: { actor: string; at: number },
  ): Promise<boolean> {
    meta = { ...meta, at: Math.trunc(meta.at) };
    const changed = await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${CONFIG_LOCK})`.execute(trx);
      const r = present
        ? await trx
            .insertInto('presence')
            .values({ grp: group, member, since: new Date(meta.at) })
            .onConflict((oc) => oc.columns(['grp', 'member']).doNothing())
            .executeTakeFirst()
            .then((x) => Number(x.numInsertedOrUpdatedRows ?? 0n))
        : await trx
            .deleteFrom('presence')
            .where('grp', '=', group)
            .where('member', '=', member)
            .executeTakeFirst()
            .then((x) => Number(x.numDeletedRows));
      if (r === 0) return false;
      await this.append(trx, {
        kind: 'presence',
        id: group,
        op: present ? 'presence-in' : 'presence-out',
        before: null,
        after: { member },
        ...meta,
      });
      return true;
    });
    if (changed && this.durable) await this.durable();
    return changed;
  }

  private async append(
    trx: Transaction<DB>,
    c: Omit<ConfigChangeEntry, 'seq' | 'prevHash' | 'hash'>,
  ): Promise<ConfigChangeEntry> {
    const head = await trx
      .selectFrom('config_changes')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const body = { ...c, seq: head ? Number(head.seq) + 1 : 1, prevHash: head?.hash ?? GENESIS };
    const entry: ConfigChangeEntry = { ...body, hash: hashConfigChange(body) };
    await trx
      .insertInto('config_changes')
      .values({
        seq: entry.seq,
        at: new Date(entry.at),
        actor: entry.actor,
        kind: entry.kind,
        id: entry.id,
        op: entry.op,
        before: entry.before === null ? null : JSON.stringify(entry.before),
        after: entry.after === null ? null : JSON.stringify(entry.after),
        prev_hash: entry.prevHash,
        hash: entry.hash,
      })
      .execute();
    return entry;
  }

  async changes(opts: { readonly after?: number; readonly limit: number }): Promise<ConfigChangeEntry[]> {
    const rows = await this.db
      .selectFrom('config_changes')
      .selectAll()
      .where('seq', '>', opts.after ?? 0)
      .orderBy('seq')
      .limit(opts.limit)
      .execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at.getTime(),
      actor: r.actor,
      kind: r.kind as ConfigChangeEntry['kind'],
      id: r.id,
      op: r.op as ConfigChangeOp,
      before: r.before ?? null,
      after: r.after ?? null,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  async changesHead(): Promise<{ seq: number; hash: string } | undefined> {
    const r = await this.db
      .selectFrom('config_changes')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? { seq: Number(r.seq), hash: r.hash } : undefined;
  }
}

type MutableSnapshot = { [K in ConfigKind]: Map<string, ConfigItemOf[K]> };
