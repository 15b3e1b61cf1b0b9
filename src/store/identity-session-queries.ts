/**
 * The queries of KyselyIdentityStore on login state: sessions (by the hash of their id) and
 * login throttle rows. Each function runs its statements and returns the result; making a
 * write durable (PGlite's WAL fsync) is the store's part, so none of them syncs.
 */
import { sql, type Kysely } from 'kysely';
import type { SessionRow, ThrottleRow } from '../ports/identity-store.ts';
import type { DB } from './db-schema.ts';
import { date, toSession, toThrottle } from './identity-rows.ts';

export async function insertSession(db: Kysely<DB>, s: SessionRow): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      user_id: s.userId,
      created_at: date(s.createdAt),
      last_seen_at: date(s.lastSeenAt),
      expires_at: date(s.expiresAt),
      source: s.source,
      csrf_hash: s.csrfHash,
    })
    .execute();
}

export async function getSession(db: Kysely<DB>, idHash: string): Promise<SessionRow | undefined> {
  const r = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  return r && toSession(r);
}

/** Moves last-seen forward to `at` (never back); false when there is no such session. */
export async function touchSession(db: Kysely<DB>, idHash: string, at: number): Promise<boolean> {
  const r = await db
    .updateTable('sessions')
    .set((eb) => ({ last_seen_at: sql<Date>`greatest(${eb.ref('last_seen_at')}, ${date(at)})` }))
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteSession(db: Kysely<DB>, idHash: string): Promise<boolean> {
  const r = await db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Deletes the user's sessions but `keepIdHash`; returns how many. */
export async function deleteSessionsOfUser(db: Kysely<DB>, userId: string, keepIdHash?: string): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepIdHash !== undefined) q = q.where('id_hash', '!=', keepIdHash);
  return Number((await q.executeTakeFirst()).numDeletedRows);
}

/** Deletes sessions last seen before `idleBefore` or expired at `now`; returns how many. */
export async function purgeSessions(db: Kysely<DB>, idleBefore: number, now: number): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('last_seen_at', '<', date(idleBefore)), eb('expires_at', '<=', date(now))]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function getThrottle(db: Kysely<DB>, keys: readonly string[]): Promise<ThrottleRow[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('login_throttle')
    .selectAll()
    .where('key', 'in', [...keys])
    .execute();
  return rows.map(toThrottle);
}

/** Writes `decide`'s next row for `key` in one transaction, the current row locked; returns it. */
export async function recordFailure(
  db: Kysely<DB>,
  key: string,
  decide: (current: ThrottleRow | undefined) => ThrottleRow,
): Promise<ThrottleRow> {
  return db.transaction().execute(async (trx) => {
    // Two attempts: a concurrent first failure may insert the row between our select and insert.
    for (let attempt = 0; ; attempt++) {
      const cur = await trx
        .selectFrom('login_throttle')
        .selectAll()
        .where('key', '=', key)
        .forUpdate()
        .executeTakeFirst();
      const next = decide(cur && toThrottle(cur));
      const values = {
        key,
        failures: next.failures,
        first_at: date(next.firstAt),
        last_at: date(next.lastAt),
        blocked_until: next.blockedUntil === null ? null : date(next.blockedUntil),
        locked: next.locked,
      };
      if (cur) {
        await trx.updateTable('login_throttle').set(values).where('key', '=', key).execute();
        return next;
      }
      const ins = await trx
        .insertInto('login_throttle')
        .values(values)
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 1 || attempt > 0) return next;
    }
  });
}

export async function clearThrottle(db: Kysely<DB>, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}
