/**
 * Reads of alarms and their protocol: by id, the board's listings, the filtered query, the
 * protocol of one alarm and the count of active alarms per state. Functions over the Kysely
 * instance; the KyselyAlarmStore methods of the same names call them.
 */
import { sql, type Kysely } from 'kysely';
import type { AlarmStatus } from '../domain/alarm.ts';
import type { AlarmQuery, AlarmRecord, ProtocolEntry } from '../ports/alarm-store.ts';
import { date } from './column-values.ts';
import type { DB } from './db-schema.ts';
import { toAlarm, toProtocol } from './row-mappers.ts';

/** A LIKE pattern for `v` anywhere (its wildcards and the escape character taken literally). */
const likeAnywhere = (v: string): string => `%${v.replace(/[\\%_]/g, '\\$&')}%`;

/** See AlarmStore.getAlarm. */
export async function getAlarm(db: Kysely<DB>, id: string): Promise<AlarmRecord | undefined> {
  const row = await db.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAlarm(row);
}

export async function listAlarms(
  db: Kysely<DB>,
  opts: {
    status?: AlarmStatus;
    limit: number;
    environments?: readonly string[];
  },
): Promise<AlarmRecord[]> {
  if (opts.environments?.length === 0) return [];
  let q = db.selectFrom('alarms').selectAll().orderBy('raised_at', 'desc').orderBy('id').limit(opts.limit);
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.environments) q = q.where('environment', 'in', opts.environments);
  return (await q.execute()).map(toAlarm);
}

export async function queryAlarms(db: Kysely<DB>, q: AlarmQuery): Promise<AlarmRecord[]> {
  if (q.environments?.length === 0) return [];
  let s = db.selectFrom('alarms').selectAll().orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(q.limit);
  if (q.environments) s = s.where('environment', 'in', q.environments);
  if (q.from !== undefined) s = s.where('raised_at', '>=', date(q.from));
  if (q.to !== undefined) s = s.where('raised_at', '<', date(q.to));
  if (q.type !== undefined) s = s.where('type', '=', q.type);
  if (q.adapter !== undefined) s = s.where(sql<boolean>`source->>'adapter' = ${q.adapter}`);
  if (q.status !== undefined) s = s.where('status', '=', q.status);
  if (q.location !== undefined) s = s.where(sql<boolean>`location ilike ${likeAnywhere(q.location)}`);
  // An atomic state is stored as its name, a compound one as JSON naming it in quotes (stateKey).
  if (q.state !== undefined)
    s = s.where(sql<boolean>`(state = ${q.state} or state like ${likeAnywhere(JSON.stringify(q.state))})`);
  if (q.user !== undefined) {
    const user = q.user.toLowerCase();
    s = s.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('notifications as n')
          .select('n.alarm_id')
          .whereRef('n.alarm_id', '=', 'alarms.id')
          .where(sql<boolean>`lower(n.recipient) = ${user}`),
      ),
    );
  }
  const before = q.before;
  if (before) {
    const at = date(before.raisedAt);
    s = s.where((eb) =>
      eb.or([eb('raised_at', '<', at), eb.and([eb('raised_at', '=', at), eb('id', '<', before.id)])]),
    );
  }
  return (await s.execute()).map(toAlarm);
}

/** See AlarmStore.listProtocol. */
export async function listProtocol(db: Kysely<DB>, alarmId: string): Promise<ProtocolEntry[]> {
  const rows = await db.selectFrom('protocol').selectAll().where('alarm_id', '=', alarmId).orderBy('seq').execute();
  return rows.map(toProtocol);
}

/** See AlarmStore.countActiveByState. */
export async function countActiveByState(db: Kysely<DB>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('alarms')
    .select(['state', sql<number>`count(*)::integer`.as('n')])
    .where('status', '=', 'active')
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
