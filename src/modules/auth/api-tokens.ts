import type { Database } from '../../db/database.js';
import { newSecretToken, parseSecretToken, secretMatches } from './secret-token.js';
import type { SessionUser, UserRole } from './session.js';

/**
 * Personal API tokens: `jbt_<id>.<secret>`, shown once at creation, stored as SHA-256(secret),
 * revocable, scoped `read` (safe methods only) or `write`. Sent as `Authorization: Bearer ...`, so
 * they are never cookie-bound and CSRF does not apply to them.
 */
export const API_TOKEN_PREFIX = 'jbt_';
export type ApiTokenScope = 'read' | 'write';

export interface ApiTokenView {
  id: string;
  name: string;
  scope: ApiTokenScope;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const viewColumns = ['id', 'name', 'scope', 'created_at', 'last_used_at', 'revoked_at'] as const;

export async function createApiToken(
  db: Database,
  input: { userId: string; name: string; scope: ApiTokenScope },
): Promise<{ token: string; view: ApiTokenView }> {
  const token = newSecretToken(API_TOKEN_PREFIX);
  const row = await db
    .insertInto('api_tokens')
    .values({
      id: token.id,
      user_id: input.userId,
      name: input.name,
      scope: input.scope,
      secret_hash: Buffer.from(token.secretHash),
    })
    .returning(viewColumns)
    .executeTakeFirstOrThrow();
  return { token: token.value, view: row as ApiTokenView };
}

export async function listApiTokens(db: Database, userId: string): Promise<ApiTokenView[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(viewColumns)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows as ApiTokenView[];
}

/** Revokes a token of this user; false when no such live token (caller answers 404). */
export async function revokeApiToken(db: Database, userId: string, id: string, now: Date) {
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning(viewColumns)
    .executeTakeFirst();
  return (row as ApiTokenView | undefined) ?? null;
}

export async function validateApiToken(
  db: Database,
  value: string,
  now: Date,
): Promise<{ token: { id: string; scope: ApiTokenScope }; user: SessionUser } | null> {
  const parsed = parseSecretToken(value, API_TOKEN_PREFIX);
  if (!parsed) return null;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id',
      'api_tokens.scope',
      'api_tokens.secret_hash',
      'api_tokens.revoked_at',
      'api_tokens.last_used_at',
      'users.id as user_id',
      'users.email',
      'users.display_name',
      'users.role',
    ])
    .where('api_tokens.id', '=', parsed.id)
    .executeTakeFirst();
  if (!row || row.revoked_at || !secretMatches(parsed.secret, row.secret_hash)) return null;
  // "Last used" to the minute is enough and saves a write per request.
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return {
    token: { id: row.id, scope: row.scope as ApiTokenScope },
    user: { id: row.user_id, email: row.email, display_name: row.display_name, role: row.role as UserRole },
  };
}
