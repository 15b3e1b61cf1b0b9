/**
 * Identity: user groups (permission sets), users, server-side sessions, API tokens and the
 * login throttle. Secrets are stored only as hashes: passwords and PINs with scrypt, session
 * ids, CSRF tokens and API tokens (32 random bytes each) with SHA-256.
 * Expand only: new tables; nothing the previous release reads changes.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('permissions', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('login_name', 'text', (c) => c.notNull())
    // Lower-cased NFC login name: unique without regard to case.
    .addColumn('login_key', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('mobile', 'text')
    .addColumn('email', 'text')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('start_page', 'text', (c) => c.notNull())
    // A group in use cannot be deleted: the database refuses it too.
    .addColumn('user_group', 'text', (c) => c.notNull().references('user_groups.id').onDelete('restrict'))
    .addColumn('environments', 'jsonb', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('pin_hash', 'text')
    .addColumn('must_change_password', 'boolean', (c) => c.notNull())
    .addColumn('locked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('locked_at', 'timestamptz')
    .addColumn('built_in', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('erased', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('password_changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_user_group').on('users').column('user_group').execute();

  await db.schema
    .createTable('sessions')
    // SHA-256 of the session id the cookie carries; the id itself is never stored.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('permissions', 'jsonb', (c) => c.notNull())
    .addColumn('environments', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_tokens_owner').on('api_tokens').column('owner_id').execute();

  await db.schema
    .createTable('login_throttle')
    // 'account:<login key>' or 'source:<address>'.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_at', 'timestamptz', (c) => c.notNull())
    .addColumn('blocked_until', 'timestamptz')
    // Locked until an admin unlocks (accounts only, after too many failures).
    .addColumn('locked', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}
