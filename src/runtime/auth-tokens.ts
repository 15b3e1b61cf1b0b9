/**
 * API tokens: created from a session (or issued by the system for the local CLI), scoped to a
 * subset of their creator's permissions and environments, and capped again by the owner's
 * current rights at every use. The secret is returned once (`tocsin_` + 32 random bytes); only
 * its SHA-256 is stored. ApiTokens, behind AuthService's token methods.
 */
import { randomUUID } from 'node:crypto';
import { TocsinError, type ProblemDetail } from '../domain/errors.ts';
import { userGroupSchema, userInputSchema } from '../domain/identity.ts';
import { inScope } from '../domain/environments.ts';
import type { TokenRow } from '../ports/identity-store.ts';
import { randomSecret, sha256 } from './passwords.ts';
import { MAX_SECRET_TEXT, TOUCH_EVERY_MS, bounded, invalid, parseOrThrow, type AuthContext } from './auth-context.ts';
import { principalOf, type Actor, type Principal } from './auth-principal.ts';

/** A token as callers see it: the stored row without its hash. */
export type TokenInfo = Omit<TokenRow, 'tokenHash'>;

/** What a new token is to be: validated by createToken. */
export interface TokenInput {
  name: unknown;
  permissions: unknown;
  environments: unknown;
  expiresAt?: number | null;
}

const TOKEN_PREFIX = 'tocsin_';

const tokenInfo = ({ tokenHash: _h, ...t }: TokenRow): TokenInfo => t;

export class ApiTokens {
  constructor(private readonly c: AuthContext) {}

  /**
   * Creates an API token for a session principal with a changed password, scoped within the
   * creator's rights. Returns the secret once. Throws conflict or validation.
   */
  async createToken(creator: Principal, input: TokenInput): Promise<{ token: string; info: TokenInfo }> {
    const now = this.c.now();
    if (creator.kind !== 'session' || creator.mustChangePassword)
      throw new TocsinError('conflict', 'API tokens are created from a logged-in session with a changed password');
    const name = parseOrThrow(userGroupSchema.shape.name, input.name, 'token name');
    const permissions = parseOrThrow(userGroupSchema.shape.permissions, input.permissions, 'token permissions');
    const environments = parseOrThrow(userInputSchema.shape.environments, input.environments, 'token environments');
    const problems: ProblemDetail[] = [
      ...permissions
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => !creator.permissions.includes(p))
        .map(({ i }) => ({ pointer: `/permissions/${i}`, reason: 'a permission you do not hold' })),
      ...environments
        .map((e, i) => ({ e, i }))
        .filter(({ e }) => !inScope(creator.environments, e))
        .map(({ i }) => ({ pointer: `/environments/${i}`, reason: 'an environment you do not hold' })),
    ];
    if (permissions.length === 0) problems.push({ pointer: '/permissions', reason: 'at least one permission' });
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt !== null && !(Number.isSafeInteger(expiresAt) && expiresAt > now))
      problems.push({ pointer: '/expiresAt', reason: 'must be a time in the future' });
    if (problems.length > 0) throw invalid('the token scope exceeds yours or is invalid', problems);
    const token = TOKEN_PREFIX + randomSecret(32);
    const row: TokenRow = {
      id: randomUUID(),
      tokenHash: sha256(token),
      name,
      ownerId: creator.userId,
      permissions,
      environments,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.c.store.insertToken(row);
    await this.c.audit({
      action: 'token.create',
      outcome: 'success',
      actor: creator.loginName,
      target: row.id,
      details: { name, permissions, environments },
    });
    return { token, info: tokenInfo(row) };
  }

  /** A token issued by the system for `ownerId` with the owner's current rights as the creator's. Throws not-found. */
  async issueToken(ownerId: string, input: TokenInput): Promise<{ token: string; info: TokenInfo }> {
    const owner = await this.c.store.getUser(ownerId);
    if (!owner) throw new TocsinError('not-found', `user '${ownerId}' does not exist`);
    const group = await this.c.store.getGroup(owner.userGroup);
    return this.createToken(
      {
        kind: 'session',
        userId: owner.id,
        loginName: owner.loginName,
        permissions: group?.permissions ?? [],
        environments: owner.environments,
        mustChangePassword: false,
      },
      input,
    );
  }

  /** The principal of a live API token (not revoked, not expired, owner able to act), or undefined. */
  async verifyToken(token: unknown): Promise<Principal | undefined> {
    if (!bounded(token, MAX_SECRET_TEXT) || !token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = await this.c.store.findTokenByHash(sha256(token));
    const now = this.c.now();
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && now >= row.expiresAt)) return undefined;
    const p = await principalOf(this.c.store, row.ownerId, 'token', row);
    if (!p || p.mustChangePassword) return undefined;
    // Last use to the minute is enough, and saves a write on nearly every request.
    if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_EVERY_MS) await this.c.store.touchToken(row.id, now);
    return p;
  }

  /** Revokes a token for good. False when unknown or already revoked. */
  async revokeToken(actor: Actor, tokenId: string): Promise<boolean> {
    const ok = await this.c.store.revokeToken(tokenId, this.c.now());
    if (ok) await this.c.audit({ action: 'token.revoke', outcome: 'success', actor: actor.loginName, target: tokenId });
    return ok;
  }

  /** Tokens (without secrets) of `ownerId`, or all. */
  async listTokens(ownerId?: string): Promise<TokenInfo[]> {
    return (await this.c.store.listTokens(ownerId)).map(tokenInfo);
  }

  /** A token without its secret, or undefined. */
  async getToken(tokenId: string): Promise<TokenInfo | undefined> {
    const t = await this.c.store.getToken(tokenId);
    return t && tokenInfo(t);
  }
}
