/**
 * /api/v1/users, /api/v1/user-groups, /api/v1/permissions and /api/v1/tokens: the HTTP side of
 * AuthService's users, user groups and API tokens. The auth middleware has checked the route's
 * permission (route-access.ts); AuthService enforces the rules that hold whoever calls (the
 * built-in admin stays, a group in use stays, nobody grants what they do not hold) and writes
 * the access log entry of every change itself, so nothing here logs again. Answers carry the
 * public `User` and token info: never a password, PIN or token hash. A token's secret is
 * answered once, at creation.
 *
 * Tokens: only a logged-in session creates one (409 `conflict` for a token-authenticated call:
 * a token must not mint tokens). Anyone lists and revokes their own; with
 * `administration.users.edit` every token. Another user's token is `not-found` to whoever may
 * not revoke it, so its id is not confirmed.
 *
 * Versions: one user or group is answered with `ETag: "<version>"`; PATCH and DELETE of a user,
 * PUT and DELETE of a group take an optional `If-Match: "<version>"` (for a group PUT, `"0"`:
 * create only) and answer a stale one with 412 `precondition-failed`, writing nothing. Without
 * If-Match they write as before. A `version` member in a body (what GET answered) is ignored.
 */
import { zodProblems } from '../domain/validation.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { ID_PATTERN } from '../domain/config-model.ts';
import { TocsinError } from '../domain/errors.ts';
import { isValidPin, userGroupSchema, userInputSchema } from '../domain/identity.ts';
import { PERMISSIONS, PERMISSION_IDS, type Permission, type PermissionInfo } from '../domain/permissions.ts';
import { can, type AuthService, type Principal } from '../runtime/auth-service.ts';
import { principalOf } from './actor.ts';
import { ifMatch, setETag, stripVersion } from './if-match.ts';

const invalidParam = (parameter: string, reason: string) =>
  new TocsinError('validation', `the parameter '${parameter}' is invalid`, { details: [{ parameter, reason }] });

function idParam(ctx: Context): string {
  const v: unknown = ctx.params.id;
  if (typeof v !== 'string' || !ID_PATTERN.test(v))
    throw invalidParam('id', 'ids are 1–64 of A–Z a–z 0–9 _ -, starting with a letter or digit');
  return v;
}

/** The JSON body as an object (415 for another media type, 422 for an array). */
function objectBody(ctx: Context): Record<string, unknown> {
  if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
  const body: unknown = (ctx.request as unknown as { body?: unknown }).body;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new TocsinError('validation', 'the request body must be a JSON object', {
      details: [{ pointer: '', reason: 'a JSON object' }],
    });
  return body as Record<string, unknown>;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  throw new TocsinError('validation', 'the request body is invalid', {
    details: zodProblems(r.error.issues),
  });
}

const mustChange = (v: unknown): boolean | undefined => {
  if (v === undefined || typeof v === 'boolean') return v;
  throw new TocsinError('validation', 'the request body is invalid', {
    details: [{ pointer: '/mustChangePassword', reason: 'true or false' }],
  });
};
const pinOf = (v: unknown, nullable: boolean): string | null | undefined => {
  if (v === undefined || (nullable && v === null) || isValidPin(v)) return v;
  throw new TocsinError('validation', 'invalid PIN', {
    details: [
      { pointer: '/pin', reason: nullable ? 'a PIN is 4–8 digits, or null to remove it' : 'a PIN is 4–8 digits' },
    ],
  });
};

const passwordBody = z.strictObject({ password: z.unknown(), mustChangePassword: z.boolean().optional() });

const tokenBody = z.strictObject({
  name: userGroupSchema.shape.name,
  permissions: userGroupSchema.shape.permissions,
  environments: userInputSchema.shape.environments,
  expiresAt: z.number().int().nullable().optional(),
});

/** A node of the permission tree: a leaf is a permission, a branch a heading of the guidelines' tree. */
export type PermissionNode =
  | { readonly id: Permission; readonly label: string; readonly origin: PermissionInfo['origin'] }
  | { readonly label: string; readonly children: PermissionNode[] };

/**
 * The guidelines' tree: sections, then headings from the labels (`Alarms › Trigger alarm` sits
 * under `Alarms`), in PERMISSION_IDS order. Computed once.
 */
function permissionTree(): PermissionNode[] {
  const roots: { label: string; children: PermissionNode[] }[] = [];
  const branch = (list: PermissionNode[], label: string) => {
    let b = list.find((n): n is { label: string; children: PermissionNode[] } => 'children' in n && n.label === label);
    if (!b) list.push((b = { label, children: [] }));
    return b.children;
  };
  for (const id of PERMISSION_IDS) {
    const info: PermissionInfo = PERMISSIONS[id];
    let list = branch(roots, info.section);
    const parts = info.label.split(' › ');
    for (const heading of parts.slice(0, -1)) list = branch(list, heading);
    list.push({ id, label: parts[parts.length - 1]!, origin: info.origin });
  }
  return roots;
}
const PERMISSION_ANSWER = {
  permissions: PERMISSION_IDS.map((id) => ({ id, ...PERMISSIONS[id] })),
  tree: permissionTree(),
};

export function identityRoutes(auth: AuthService): Router {
  const r = new Router({ prefix: '/api/v1' });
  const actor = (ctx: Context): Principal => principalOf(ctx)!;

  // ── users ──────────────────────────────────────────────────────────────────────────────
  r.get('/users', async (ctx) => {
    ctx.body = { users: await auth.listUsers(actor(ctx)) };
  });
  r.post('/users', async (ctx) => {
    const { password, pin, mustChangePassword, ...input } = objectBody(ctx);
    const opts = { mustChangePassword: mustChange(mustChangePassword), pin: pinOf(pin, false) };
    const user = await auth.createUser(actor(ctx), input, password, {
      ...(opts.pin !== undefined ? { pin: opts.pin } : {}),
      ...(opts.mustChangePassword !== undefined ? { mustChangePassword: opts.mustChangePassword } : {}),
    });
    ctx.status = 201;
    ctx.set('Location', `/api/v1/users/${user.id}`);
    ctx.body = user;
  });
  r.get('/users/:id', async (ctx) => {
    const user = await auth.getUser(idParam(ctx), actor(ctx));
    setETag(ctx, user.version);
    ctx.body = user;
  });
  r.patch('/users/:id', async (ctx) => {
    const id = idParam(ctx);
    const ifVersion = ifMatch(ctx);
    const { pin: rawPin, ...patch } = stripVersion(objectBody(ctx));
    const pin = pinOf(rawPin, true);
    const p = actor(ctx);
    // Checked before any write, so a refused PIN leaves the fields unchanged too.
    const before = await auth.getWritableUser(id, p);
    if (before.erased) throw new TocsinError('conflict', 'an erased user cannot be changed');
    const fields = pin === undefined || Object.keys(patch).length > 0;
    const user = fields ? await auth.updateUser(p, id, patch, { ifVersion }) : before;
    // The version check goes with the first write; a PIN after the fields is our own next change.
    if (pin !== undefined) await auth.setPin(p, id, pin, fields ? {} : { ifVersion });
    const answer = pin === undefined ? user : await auth.getUser(id);
    setETag(ctx, answer.version);
    ctx.body = answer;
  });
  r.delete('/users/:id', async (ctx) => {
    const id = idParam(ctx);
    const ifVersion = ifMatch(ctx);
    await auth.getWritableUser(id, actor(ctx));
    await auth.deleteUser(actor(ctx), id, { ifVersion });
    ctx.status = 204;
  });
  r.put('/users/:id/password', async (ctx) => {
    const id = idParam(ctx);
    const body = parse(passwordBody, objectBody(ctx));
    const p = actor(ctx);
    // As POST /api/v1/auth/password: an API token must not be able to take over its owner's account.
    if (p.kind !== 'session' && p.userId === id)
      throw new TocsinError('forbidden', 'an API token cannot set its own owner’s password; log in to change it');
    await auth.getWritableUser(id, p);
    await auth.setPassword(p, id, body.password, {
      ...(body.mustChangePassword !== undefined ? { mustChangePassword: body.mustChangePassword } : {}),
    });
    ctx.status = 204;
  });
  r.post('/users/:id/lock', async (ctx) => {
    const id = idParam(ctx);
    await auth.getWritableUser(id, actor(ctx));
    await auth.lockUser(actor(ctx), id);
    ctx.body = await auth.getUser(id);
  });
  r.post('/users/:id/unlock', async (ctx) => {
    const id = idParam(ctx);
    await auth.getWritableUser(id, actor(ctx));
    await auth.unlockUser(actor(ctx), id);
    ctx.body = await auth.getUser(id);
  });
  r.post('/users/:id/erase', async (ctx) => {
    const id = idParam(ctx);
    await auth.getWritableUser(id, actor(ctx));
    const { pseudonym } = await auth.erasePersonalData(actor(ctx), id);
    ctx.body = { pseudonym, user: await auth.getUser(id) };
  });

  // ── user groups ────────────────────────────────────────────────────────────────────────
  r.get('/user-groups', async (ctx) => {
    ctx.body = { groups: await auth.listGroups() };
  });
  r.get('/user-groups/:id', async (ctx) => {
    const group = await auth.getGroup(idParam(ctx));
    setETag(ctx, group.version);
    ctx.body = group;
  });
  r.put('/user-groups/:id', async (ctx) => {
    const id = idParam(ctx);
    const ifVersion = ifMatch(ctx);
    const body = stripVersion(objectBody(ctx));
    if (body.id !== undefined && body.id !== id)
      throw new TocsinError('validation', 'the id in the body is not the id in the path', {
        details: [{ pointer: '/id', reason: `must be '${id}' (or omitted)` }],
      });
    const { group, created } = await auth.putGroup(actor(ctx), { ...body, id }, { ifVersion });
    ctx.status = created ? 201 : 200;
    setETag(ctx, group.version);
    ctx.body = group;
  });
  r.delete('/user-groups/:id', async (ctx) => {
    const id = idParam(ctx);
    await auth.deleteGroup(actor(ctx), id, { ifVersion: ifMatch(ctx) });
    ctx.status = 204;
  });

  // ── permissions ────────────────────────────────────────────────────────────────────────
  r.get('/permissions', (ctx) => {
    ctx.body = PERMISSION_ANSWER;
  });

  // ── API tokens ─────────────────────────────────────────────────────────────────────────
  r.get('/tokens', async (ctx) => {
    const p = actor(ctx);
    const tokens = await auth.listTokens(can(p, 'administration.users.edit') ? undefined : p.userId);
    // Tokens of users outside the caller's environments are not shown.
    const visible = new Set((await auth.listUsers(p)).map((u) => u.id));
    ctx.body = { tokens: tokens.filter((t) => t.ownerId === p.userId || visible.has(t.ownerId)) };
  });
  r.post('/tokens', async (ctx) => {
    const p = actor(ctx);
    if (p.kind !== 'session')
      throw new TocsinError(
        'conflict',
        'API tokens are created from a logged-in session (POST /api/v1/auth/login); a token cannot create tokens',
      );
    const body = parse(tokenBody, objectBody(ctx));
    const { token, info } = await auth.createToken(p, body);
    ctx.status = 201;
    ctx.body = { ...info, token };
  });
  r.delete('/tokens/:id', async (ctx) => {
    const id = idParam(ctx);
    const p = actor(ctx);
    const t = await auth.getToken(id);
    // Someone else's token is as unknown as no token: its id is not confirmed.
    const mayRevoke =
      t !== undefined &&
      (t.ownerId === p.userId ||
        (can(p, 'administration.users.edit') &&
          (await auth.getUser(t.ownerId, p).then(
            () => true,
            () => false,
          ))));
    if (!mayRevoke) throw new TocsinError('not-found', `token '${id}' does not exist`);
    await auth.revokeToken(p, id);
    ctx.status = 204;
  });
  return r;
}
