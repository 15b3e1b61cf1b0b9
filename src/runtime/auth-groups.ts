/**
 * User groups (named permission sets): read, create or replace, delete. The Administrator
 * group keeps every permission and cannot be deleted, nobody grants a permission they do not
 * hold, a group with members stays, and a stale `ifVersion` writes nothing. UserGroups, behind
 * AuthService's group methods.
 */
import { TocsinError } from '../domain/errors.ts';
import { userGroupSchema, type VersionedUserGroup } from '../domain/identity.ts';
import { ADMINISTRATOR_GROUP, PERMISSION_IDS } from '../domain/permissions.ts';
import type { IfVersion, StoredGroup } from '../ports/identity-store.ts';
import { invalid, parseOrThrow, stale, type AuthContext } from './auth-context.ts';
import type { Actor } from './auth-principal.ts';

const groupOf = ({ createdAt: _c, updatedAt: _u, ...g }: StoredGroup): VersionedUserGroup => g;

export class UserGroups {
  constructor(private readonly c: AuthContext) {}

  /** Every user group, by id. */
  async listGroups(): Promise<VersionedUserGroup[]> {
    return (await this.c.store.listGroups()).map(groupOf);
  }

  /** One user group; throws not-found. */
  async getGroup(id: string): Promise<VersionedUserGroup> {
    const g = await this.c.store.getGroup(id);
    if (!g) throw new TocsinError('not-found', `user group '${id}' does not exist`);
    return groupOf(g);
  }

  /** Creates or replaces a user group (see AuthService.putGroup). Throws validation, conflict or precondition-failed. */
  async putGroup(
    actor: Actor,
    input: unknown,
    opts: { readonly ifVersion?: IfVersion } = {},
  ): Promise<{ group: VersionedUserGroup; created: boolean }> {
    const group = parseOrThrow(userGroupSchema, input, 'user group');
    if (group.id === ADMINISTRATOR_GROUP && PERMISSION_IDS.some((p) => !group.permissions.includes(p)))
      throw new TocsinError('conflict', 'the Administrator group keeps every permission');
    if (actor.kind !== 'system') {
      const problems = group.permissions
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => !actor.permissions.includes(p))
        .map(({ i }) => ({ pointer: `/permissions/${i}`, reason: 'a permission you do not hold' }));
      if (problems.length > 0) throw invalid('you cannot grant more than you hold', problems);
    }
    const r = await this.c.store.putGroup(group, this.c.now(), opts.ifVersion);
    if (r.outcome === 'version-mismatch') throw stale(`user group '${group.id}'`, r.current);
    const created = r.outcome === 'created';
    await this.c.audit({
      action: created ? 'group.create' : 'group.update',
      outcome: 'success',
      actor: actor.loginName,
      target: group.id,
      details: { name: group.name, permissions: group.permissions, version: r.version },
    });
    return { group: { ...group, version: r.version }, created };
  }

  /** Deletes a user group no user belongs to. Throws conflict, not-found or precondition-failed. */
  async deleteGroup(actor: Actor, id: string, opts: { readonly ifVersion?: IfVersion } = {}): Promise<void> {
    if (id === ADMINISTRATOR_GROUP) throw new TocsinError('conflict', 'the Administrator group cannot be deleted');
    const r = await this.c.store.deleteGroup(id, opts.ifVersion);
    if (r === 'version-mismatch') throw stale(`user group '${id}'`, (await this.c.store.getGroup(id))?.version);
    if (r === 'not-found') throw new TocsinError('not-found', `user group '${id}' does not exist`);
    if (r === 'in-use') throw new TocsinError('conflict', `user group '${id}' still has members`);
    await this.c.audit({ action: 'group.delete', outcome: 'success', actor: actor.loginName, target: id });
  }
}
