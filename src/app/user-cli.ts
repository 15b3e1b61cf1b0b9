/**
 * Local administration of accounts, for whoever runs the server (they can read its database
 * anyway): `tocsin user set-password LOGIN` (the new password on stdin), `tocsin user unlock
 * LOGIN` (after repeated failed logins), `tocsin token create|list|revoke` (API tokens for the
 * CLI against a server, integrations and automation). Every change goes to the access log as
 * made by `cli`. Exit codes: 0 ok, 1 refused, 2 usage.
 */
import { loginKey } from '../domain/identity.ts';
import { isPermission, PERMISSION_IDS } from '../domain/permissions.ts';
import { TocsinError } from '../domain/errors.ts';
import { AuthService, type Actor } from '../runtime/auth-service.ts';
import type { KyselyAlarmStore } from '../store/kysely-store.ts';
import type { Config } from './config.ts';

export const USER_HELP = `Usage: tocsin user set-password LOGIN | unlock LOGIN
  set-password LOGIN   read a new password for LOGIN from the first line of stdin (8–255 characters,
                       not 'admin', not the login name, not a common password); the user need not
                       change it at the next login. Ends the user's sessions.
  unlock LOGIN         lift the lock that repeated failed logins put on an account`;

export const TOKEN_HELP = `Usage: tocsin token create --user LOGIN --name NAME (--permission ID... | --all) [--environment ID...]
       tocsin token list | revoke ID
  create   print a new API token (shown once; stored hashed) owned by LOGIN, scoped to the given
           permissions (or all the owner holds) and environments (default: the owner's). The
           owner's own rights still cap it at every use. Send it as 'Authorization: Bearer <token>'.
  list     every token without its secret
  revoke   end a token for good`;

const CLI: Actor = { kind: 'system', loginName: 'cli' };

async function withAuth<T>(config: Config, fn: (auth: AuthService, store: KyselyAlarmStore) => Promise<T>): Promise<T> {
  const { withStore } = await import('./migrate.ts');
  return withStore(config, async (store) => {
    const auth = new AuthService({
      store: store.identity,
      clock: { now: () => Date.now() },
      onAudit: async (e) => {
        await store.accessLog.append({ at: Date.now(), ...e });
      },
    });
    await auth.bootstrap();
    return fn(auth, store);
  });
}

async function userOf(store: KyselyAlarmStore, login: string) {
  const u = await store.identity.findUserByLoginKey(loginKey(login));
  if (!u) throw new TocsinError('not-found', `no user '${login}'`);
  return u;
}

async function readLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) {
    data += String(chunk);
    if (data.includes('\n') || data.length > 4096) break;
  }
  return data.split(/\r?\n/)[0] ?? '';
}

function fail(err: unknown): number {
  if (err instanceof TocsinError) {
    const details = (err.details ?? []).map((d) => ` (${d.reason})`).join('');
    process.stderr.write(`tocsin: ${err.message}${details}\n`);
    return err.code === 'not-found' || err.code === 'validation' || err.code === 'conflict' ? 1 : 2;
  }
  throw err;
}

export async function userCommand(args: readonly string[], config: Config): Promise<number> {
  const [sub, login] = args;
  if (!login || args.length !== 2 || (sub !== 'set-password' && sub !== 'unlock')) {
    process.stderr.write(`${USER_HELP}\n`);
    return 2;
  }
  const password = sub === 'set-password' ? await readLine() : '';
  try {
    return await withAuth(config, async (auth, store) => {
      const u = await userOf(store, login);
      if (sub === 'unlock') await auth.unlockUser(CLI, u.id);
      else await auth.setPassword(CLI, u.id, password, { mustChangePassword: false });
      process.stdout.write(`tocsin: ${sub === 'unlock' ? 'unlocked' : 'password set for'} ${u.loginName}\n`);
      return 0;
    });
  } catch (err) {
    return fail(err);
  }
}

export async function tokenCommand(
  args: readonly string[],
  opts: { user?: string; name?: string; permission?: string[]; environment?: string[]; all?: boolean },
  config: Config,
): Promise<number> {
  const [sub, id] = args;
  const usage = () => {
    process.stderr.write(`${TOKEN_HELP}\n`);
    return 2;
  };
  if (sub === 'create') {
    if (args.length !== 1 || !opts.user || !opts.name || (!opts.all && !opts.permission?.length)) return usage();
    const unknown = (opts.permission ?? []).filter((p) => !isPermission(p));
    if (unknown.length > 0) {
      process.stderr.write(
        `tocsin token: unknown permission ${unknown.join(', ')}; known: ${PERMISSION_IDS.join(', ')}\n`,
      );
      return 2;
    }
    try {
      return await withAuth(config, async (auth, store) => {
        const u = await userOf(store, opts.user!);
        const group = await store.identity.getGroup(u.userGroup);
        const { token, info } = await auth.issueToken(u.id, {
          name: opts.name,
          permissions: opts.all ? (group?.permissions ?? []) : opts.permission,
          environments: opts.environment?.length ? opts.environment : u.environments,
        });
        process.stdout.write(`${JSON.stringify({ token, id: info.id, permissions: info.permissions }, null, 2)}\n`);
        return 0;
      });
    } catch (err) {
      return fail(err);
    }
  }
  if (sub === 'list' && args.length === 1) {
    return withAuth(config, async (auth) => {
      process.stdout.write(`${JSON.stringify(await auth.listTokens(), null, 2)}\n`);
      return 0;
    });
  }
  if (sub === 'revoke' && id && args.length === 2) {
    return withAuth(config, async (auth) => {
      const ok = await auth.revokeToken(CLI, id);
      process.stdout.write(`tocsin: ${ok ? 'revoked' : 'no such live token'} ${id}\n`);
      return ok ? 0 : 1;
    });
  }
  return usage();
}
