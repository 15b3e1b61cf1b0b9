/**
 * The queries of KyselyIdentityStore on API tokens (stored by the hash of their secret). Each
 * function runs one statement and returns the result; making a write durable (PGlite's WAL
 * fsync) is the store's part, so none of them syncs.
 */
import type { Kysely } from 'kysely';
import type { TokenRow } from '../ports/identity-store.ts';
import type { DB } from './db-schema.ts';
import { date, json, toToken } from './identity-rows.ts';

export async function insertToken(db: Kysely<DB>, t: TokenRow): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({
      id: t.id,
      token_hash: t.tokenHash,
      name: t.name,
      owner_id: t.ownerId,
      permissions: json(t.permissions),
      environments: json(t.environments),
      created_at: date(t.createdAt),
      expires_at: t.expiresAt === null ? null : date(t.expiresAt),
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
}

export async function findTokenByHash(db: Kysely<DB>, tokenHash: string): Promise<TokenRow | undefined> {
  const r = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return r && toToken(r);
}

export async function getToken(db: Kysely<DB>, id: string): Promise<TokenRow | undefined> {
  const r = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toToken(r);
}

/** Tokens of `ownerId`, or all; newest first. */
export async function listTokens(db: Kysely<DB>, ownerId?: string): Promise<TokenRow[]> {
  let q = db.selectFrom('api_tokens').selectAll();
  if (ownerId !== undefined) q = q.where('owner_id', '=', ownerId);
  return (await q.orderBy('created_at', 'desc').orderBy('id').execute()).map(toToken);
}

/** Revokes one token at `at`; false when unknown or already revoked. */
export async function revokeToken(db: Kysely<DB>, id: string, at: number): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: date(at) })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Revokes every live token of `ownerId` at `at`; returns how many. */
export async function revokeTokensOf(db: Kysely<DB>, ownerId: string, at: number): Promise<number> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: date(at) })
    .where('owner_id', '=', ownerId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function touchToken(db: Kysely<DB>, id: string, at: number): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: date(at) })
    .where('id', '=', id)
    .execute();
}
