import type { Database } from '../../db/database.js';
import { newSecretToken, parseSecretToken, secretMatches } from './secret-token.js';

/**
 * Sessions as in the Lucia guide. The cookie holds `<id>.<secret>` (160-bit secret); the table holds
 * SHA-256(secret) only. Expiry slides: a session unused for {@link SESSION_INACTIVITY_MS} dies, and
 * `last_verified_at` is bumped at most once per {@link SESSION_ACTIVITY_CHECK_MS} (one write an hour,
 * not one per request). An absolute lifetime caps a stolen-but-active session.
 */
export const SESSION_INACTIVITY_MS = 14 * 86_400_000;
export const SESSION_ACTIVITY_CHECK_MS = 3_600_000;
export const SESSION_MAX_AGE_MS = 90 * 86_400_000;

export type UserRole = 'enterprise' | 'expert' | 'society' | 'operator';
export const userRoles = ['enterprise', 'expert', 'society', 'operator'] as const satisfies UserRole[];

export interface SessionUser {
  id: string;
  email: string;
  display_name: string;
  role: UserRole;
  /**
   * Unread notifications, capped (see notifications/unread-badge.ts). Set only on signed-in page views,
   * for the count in the site header; absent everywhere else.
   */
  unread_notifications?: number;
}

/** What may leave the server: never the secret hash. */
export interface SessionView {
  id: string;
  created_at: Date;
  expires_at: Date;
}

export interface ValidatedSession {
  session: SessionView;
  user: SessionUser;
  /** True when the expiry was pushed forward: the caller re-sends the cookie with the new Max-Age. */
  refreshed: boolean;
}

function expiresAt(createdAt: Date, lastVerifiedAt: Date): Date {
  return new Date(
    Math.min(lastVerifiedAt.getTime() + SESSION_INACTIVITY_MS, createdAt.getTime() + SESSION_MAX_AGE_MS),
  );
}

export async function createSession(
  db: Database,
  userId: string,
  now: Date,
  meta: { ip: string | null; userAgent: string | null },
): Promise<{ token: string; session: SessionView }> {
  const token = newSecretToken();
  await db
    .insertInto('sessions')
    .values({
      id: token.id,
      user_id: userId,
      secret_hash: Buffer.from(token.secretHash),
      created_at: now,
      last_verified_at: now,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token: token.value, session: { id: token.id, created_at: now, expires_at: expiresAt(now, now) } };
}

/** Returns null for any token that is malformed, unknown, wrong or expired (expected, not thrown). */
export async function validateSessionToken(
  db: Database,
  token: string,
  now: Date,
): Promise<ValidatedSession | null> {
  const parsed = parseSecretToken(token);
  if (!parsed) return null;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id',
      'sessions.secret_hash',
      'sessions.created_at',
      'sessions.last_verified_at',
      'users.id as user_id',
      'users.email',
      'users.display_name',
      'users.role',
    ])
    .where('sessions.id', '=', parsed.id)
    .executeTakeFirst();
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
  if (now.getTime() >= expiresAt(row.created_at, row.last_verified_at).getTime()) {
    await invalidateSession(db, row.id);
    return null;
  }
  let lastVerifiedAt = row.last_verified_at;
  let refreshed = false;
  if (now.getTime() - row.last_verified_at.getTime() >= SESSION_ACTIVITY_CHECK_MS) {
    await db.updateTable('sessions').set({ last_verified_at: now }).where('id', '=', row.id).execute();
    lastVerifiedAt = now;
    refreshed = true;
  }
  return {
    session: {
      id: row.id,
      created_at: row.created_at,
      expires_at: expiresAt(row.created_at, lastVerifiedAt),
    },
    user: { id: row.user_id, email: row.email, display_name: row.display_name, role: row.role as UserRole },
    refreshed,
  };
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function invalidateUserSessions(db: Database, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** One row of "my devices": what the owner may see of a session (never its hash). */
export interface SessionListEntry {
  id: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

/** The user's live sessions, most recently seen first (expired ones are left for the purge). */
export async function listUserSessions(db: Database, userId: string, now: Date): Promise<SessionListEntry[]> {
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_verified_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .orderBy('last_verified_at', 'desc')
    .orderBy('id')
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      created_at: r.created_at,
      last_seen_at: r.last_verified_at,
      expires_at: expiresAt(r.created_at, r.last_verified_at),
      ip: r.ip,
      user_agent: r.user_agent,
    }))
    .filter((s) => s.expires_at.getTime() > now.getTime());
}

/**
 * Ends one session of this user. Scoped by `user_id` in the statement itself, so another user's
 * session id answers false (the caller says 404) exactly like an unknown one.
 */
export async function invalidateUserSession(db: Database, userId: string, sessionId: string) {
  const row = await db
    .deleteFrom('sessions')
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .returning(['id', 'ip', 'user_agent', 'created_at'])
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Deletes sessions past their sliding or absolute expiry (they are already refused on use; this only
 * keeps the table small). Returns how many rows went.
 */
export async function deleteExpiredSessions(db: Database, now: Date): Promise<number> {
  const idleCutoff = new Date(now.getTime() - SESSION_INACTIVITY_MS);
  const ageCutoff = new Date(now.getTime() - SESSION_MAX_AGE_MS);
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('last_verified_at', '<=', idleCutoff), eb('created_at', '<=', ageCutoff)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
