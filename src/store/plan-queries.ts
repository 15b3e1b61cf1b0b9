/**
 * Plan storage of the alarm store: immutable plan versions, publishing under an advisory lock,
 * disabling a version, and the version listing. Functions over the Kysely instance; the
 * KyselyAlarmStore methods of the same names call them.
 */
import { sql, type Kysely } from 'kysely';
import { canonicalJson } from '../domain/canonical-json.ts';
import type { PlanRef } from '../domain/alarm.ts';
import type { PlanInfo, PlanVersionInfo } from '../ports/alarm-store.ts';
import { date, json } from './column-values.ts';
import type { DB } from './db-schema.ts';

function toVersionInfo(r: {
  version: number;
  created_at: Date;
  published_by: string;
  disabled_at: Date | null;
  environment: string;
}): PlanVersionInfo {
  return {
    version: Number(r.version),
    publishedAt: r.created_at.getTime(),
    publishedBy: r.published_by,
    disabledAt: r.disabled_at ? r.disabled_at.getTime() : null,
    environment: r.environment,
  };
}

/** Advisory lock class of plan publishing ("plan" in ASCII); the second key is hashtext(id). */
const PLAN_LOCK = 0x706c616e;

/**
 * A plan's definition as published, member order kept (the `source` text); the jsonb
 * `definition` for versions published before `source` existed (migration 20261129T0000).
 */
const asPublished = (row: { definition: unknown; source: string | null }): unknown =>
  row.source === null ? row.definition : JSON.parse(row.source);

/** See AlarmStore.putPlan; `durable` runs after a new version was written. */
export async function putPlan(
  db: Kysely<DB>,
  ref: { id: string; version: number },
  definition: unknown,
  at: number,
  durable?: () => Promise<void>,
): Promise<void> {
  const inserted = await db
    .insertInto('plans')
    .values({
      id: ref.id,
      version: ref.version,
      definition: json(definition),
      source: json(definition),
      created_at: date(at),
    })
    .onConflict((oc) => oc.columns(['id', 'version']).doNothing())
    .executeTakeFirst();
  if (inserted.numInsertedOrUpdatedRows === 1n) {
    if (durable) await durable();
    return;
  }
  const existing = await getPlan(db, ref);
  if (canonicalJson(existing) !== canonicalJson(definition)) {
    throw new Error(`plan ${ref.id}@${ref.version} exists with a different definition; publish a new version`);
  }
}

/** See AlarmStore.getPlan. */
export async function getPlan(db: Kysely<DB>, ref: { id: string; version: number }): Promise<unknown> {
  const row = await db
    .selectFrom('plans')
    .select(['definition', 'source'])
    .where('id', '=', ref.id)
    .where('version', '=', ref.version)
    .executeTakeFirst();
  return row && asPublished(row);
}

/** See AlarmStore.publishPlan (the store declares its overloads); `durable` runs after a version was published. */
export async function publishPlan(
  db: Kysely<DB>,
  id: string,
  definition: unknown,
  at: number,
  by: string,
  opts: { expectVersion?: number; environment?: string },
  durable?: () => Promise<void>,
): Promise<number | { conflict: number }> {
  const { expectVersion } = opts;
  const version = await db.transaction().execute(async (trx): Promise<number | { conflict: number }> => {
    // Serialises publishers of this id: each reads the max after the previous one committed.
    await sql`select pg_advisory_xact_lock(${PLAN_LOCK}, hashtext(${id}))`.execute(trx);
    const row = await trx
      .selectFrom('plans')
      .select([
        sql<number>`coalesce(max(version), 0)::integer`.as('max'),
        sql<string | null>`min(environment)`.as('env'),
      ])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const next = Number(row.max) + 1;
    if (expectVersion !== undefined && expectVersion !== next) return { conflict: next };
    const environment = row.env ?? opts.environment ?? '*';
    if (opts.environment !== undefined && opts.environment !== environment) return { conflict: next };
    await trx
      .insertInto('plans')
      .values({
        id,
        version: next,
        definition: json(definition),
        source: json(definition),
        created_at: date(at),
        published_by: by,
        environment,
      })
      .execute();
    return next;
  });
  if (typeof version === 'number' && durable) await durable();
  return version;
}

/** See AlarmStore.listPlans. */
export async function listPlans(db: Kysely<DB>): Promise<{ id: string; versions: PlanVersionInfo[] }[]> {
  const rows = await db
    .selectFrom('plans')
    .select(['id', 'version', 'created_at', 'published_by', 'disabled_at', 'environment'])
    .orderBy('id')
    .orderBy('version')
    .execute();
  const out: { id: string; versions: PlanVersionInfo[] }[] = [];
  for (const r of rows) {
    if (out.at(-1)?.id !== r.id) out.push({ id: r.id, versions: [] });
    out.at(-1)!.versions.push(toVersionInfo(r));
  }
  return out;
}

/** See AlarmStore.setPlanDisabled; `durable` runs after a change. */
export async function setPlanDisabled(
  db: Kysely<DB>,
  ref: PlanRef,
  disabled: boolean,
  at: number,
  by: string,
  durable?: () => Promise<void>,
): Promise<boolean> {
  const r = await db
    .updateTable('plans')
    .set(disabled ? { disabled_at: date(at), disabled_by: by } : { disabled_at: null, disabled_by: null })
    .where('id', '=', ref.id)
    .where('version', '=', ref.version)
    .where('disabled_at', disabled ? 'is' : 'is not', null)
    .executeTakeFirst();
  if (r.numUpdatedRows === 1n) {
    if (durable) await durable();
    return true;
  }
  return (await getPlanInfo(db, ref)) !== undefined;
}

/** See AlarmStore.getPlanInfo. */
export async function getPlanInfo(db: Kysely<DB>, ref: PlanRef): Promise<PlanInfo | undefined> {
  const row = await db
    .selectFrom('plans')
    .select(['id', 'version', 'definition', 'source', 'created_at', 'published_by', 'disabled_at', 'environment'])
    .where('id', '=', ref.id)
    .where('version', '=', ref.version)
    .executeTakeFirst();
  return row && { id: row.id, definition: asPublished(row), ...toVersionInfo(row) };
}
