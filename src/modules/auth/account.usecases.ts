import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { createOutboxMailer, type Mailer } from '../../mail/mailer.js';
import { messages } from '../../web/messages.js';
import { type AuditActor, recordAudit } from '../audit/audit.js';
import type { SignupInput } from './account.schemas.js';
import { createApiToken, revokeApiToken } from './api-tokens.js';
import { burnPasswordCheck, hashPassword, needsRehash, passwordProblem, verifyPassword } from './password.js';
import {
  enforceRateLimits,
  loginLimits,
  refundRateLimitHits,
  resetLimits,
  signupLimits,
} from './rate-limit.js';
import { newSecretToken, parseSecretToken, secretMatches } from './secret-token.js';
import {
  createSession,
  invalidateSession,
  invalidateUserSession,
  invalidateUserSessions,
  type SessionView,
} from './session.js';

/**
 * Account use cases: each owns its transaction and writes its audit row inside it. Shared by the
 * JSON API and the HTML pages, so both behave identically.
 */
export const PASSWORD_RESET_TTL_MS = 3_600_000;

export interface RequestMeta {
  actor: AuditActor;
  ip: string;
  userAgent: string | null;
  /** Origin for links in mails. */
  origin: string;
}

const userColumns = ['id', 'email', 'display_name', 'role', 'phone', 'created_at'] as const;

/** The mailer the deps name, else the mail outbox. Only these two deps are read, so jobs and seeds pass just them. */
export function mailerOf(deps: Pick<AppDeps, 'mailer' | 'logger'>): Mailer {
  return deps.mailer ?? createOutboxMailer(deps.logger);
}

export async function findUserView(db: Database, userId: string) {
  return db.selectFrom('users').select(userColumns).where('id', '=', userId).executeTakeFirstOrThrow();
}

export async function signUp(deps: AppDeps, input: SignupInput, meta: RequestMeta) {
  await enforceRateLimits(deps.db, deps.clock(), [signupLimits.perIp(meta.ip)]);
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase()))
      .executeTakeFirst();
    if (existing)
      throw new AppError('EMAIL_TAKEN', {
        fields: [{ field: 'email', reason: messages.account.emailTaken }],
      });
    const user = await trx
      .insertInto('users')
      .values({
        email: input.email,
        display_name: input.display_name,
        role: input.role,
        phone: input.phone ?? null,
        password_hash: passwordHash,
      })
      .returning(userColumns)
      .executeTakeFirstOrThrow();
    // An expert's profile is linked to the account from the start; they fill it in later.
    if (input.role === 'expert') {
      await trx
        .insertInto('expert_profiles')
        .values({ user_id: user.id, name: input.display_name })
        .execute();
    }
    await recordAudit(
      trx,
      { ...meta.actor, userId: user.id, role: user.role },
      {
        action: 'user.signup',
        targetType: 'user',
        targetId: user.id,
        after: { email: user.email, role: user.role, display_name: user.display_name },
      },
    );
    const { token, session } = await createSession(trx, user.id, deps.clock(), meta);
    return { user, token, session };
  });
}

/**
 * Same answer and the same argon2 work whether or not the account exists: an unknown email is
 * checked against a dummy hash. Failed attempts are limited per IP and per submitted email, and
 * refused before any password work once either limit is reached; successful ones never count.
 */
export async function logIn(deps: AppDeps, input: { email: string; password: string }, meta: RequestMeta) {
  const now = deps.clock();
  // Failures are limited: every attempt reserves a hit before any password work, a success gives it back.
  const failureLimits = [loginLimits.perIp(meta.ip), loginLimits.perAccount(input.email)];
  await enforceRateLimits(deps.db, now, [loginLimits.attemptsPerIp(meta.ip), ...failureLimits]);
  const user = await deps.db
    .selectFrom('users')
    .select([...userColumns, 'password_hash'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase()))
    .executeTakeFirst();
  if (!user?.password_hash) {
    await burnPasswordCheck(input.password);
    throw new AppError('INVALID_CREDENTIALS');
  }
  if (!(await verifyPassword(user.password_hash, input.password))) throw new AppError('INVALID_CREDENTIALS');
  await refundRateLimitHits(deps.db, now, failureLimits);
  const rehash = needsRehash(user.password_hash) ? await hashPassword(input.password) : null;
  const { password_hash: _, ...view } = user;
  return deps.db.transaction().execute(async (trx) => {
    if (rehash)
      await trx.updateTable('users').set({ password_hash: rehash }).where('id', '=', user.id).execute();
    const { token, session } = await createSession(trx, user.id, now, meta);
    await recordAudit(
      trx,
      { ...meta.actor, userId: user.id, role: user.role },
      {
        action: 'session.login',
        targetType: 'session',
        targetId: session.id,
      },
    );
    return { user: view, token, session };
  });
}

export async function logOut(deps: AppDeps, session: SessionView, meta: RequestMeta) {
  await deps.db.transaction().execute(async (trx) => {
    await invalidateSession(trx, session.id);
    await recordAudit(trx, meta.actor, {
      action: 'session.logout',
      targetType: 'session',
      targetId: session.id,
    });
  });
}

export async function logOutEverywhere(deps: AppDeps, userId: string, meta: RequestMeta) {
  return deps.db.transaction().execute(async (trx) => {
    const count = await invalidateUserSessions(trx, userId);
    await recordAudit(trx, meta.actor, {
      action: 'session.logout_all',
      targetType: 'user',
      targetId: userId,
      after: { sessions_ended: count },
    });
    return count;
  });
}

/**
 * Checks the current password, stores the new hash, ends every session and outstanding reset link
 * of the user (a thief's included), and opens a fresh session for the device that made the change.
 */
export async function changePassword(
  deps: AppDeps,
  userId: string,
  input: { current_password: string; new_password: string },
  meta: RequestMeta,
) {
  const now = deps.clock();
  const user = await deps.db
    .selectFrom('users')
    .select(['email', 'display_name', 'password_hash'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  // A wrong current password counts as a failed login on the account; the right one gives the hit back.
  await enforceRateLimits(deps.db, now, [loginLimits.perAccount(user.email)]);
  if (!user.password_hash || !(await verifyPassword(user.password_hash, input.current_password))) {
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'current_password', reason: messages.account.wrongCurrentPassword }],
    });
  }
  await refundRateLimitHits(deps.db, now, [loginLimits.perAccount(user.email)]);
  const problem = passwordProblem(input.new_password, { email: user.email, name: user.display_name });
  if (problem)
    throw new AppError('VALIDATION_FAILED', { fields: [{ field: 'new_password', reason: problem }] });
  const hash = await hashPassword(input.new_password);
  return deps.db.transaction().execute(async (trx) => {
    await setPassword(trx, userId, hash, now);
    await recordAudit(trx, meta.actor, {
      action: 'user.password_changed',
      targetType: 'user',
      targetId: userId,
    });
    return createSession(trx, userId, now, meta);
  });
}

async function setPassword(trx: Database, userId: string, hash: string, now: Date) {
  await trx
    .updateTable('users')
    .set({ password_hash: hash, password_changed_at: now })
    .where('id', '=', userId)
    .execute();
  await invalidateUserSessions(trx, userId);
  await trx
    .updateTable('password_reset_tokens')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}

/** Always answers the same; mails a one-time link only when the account exists. */
export async function requestPasswordReset(deps: AppDeps, email: string, meta: RequestMeta) {
  const now = deps.clock();
  await enforceRateLimits(deps.db, now, [resetLimits.perIp(meta.ip), resetLimits.perAccount(email)]);
  await deps.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'role'])
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirst();
    if (!user) return;
    const token = newSecretToken();
    await trx
      .insertInto('password_reset_tokens')
      .values({
        id: token.id,
        user_id: user.id,
        secret_hash: Buffer.from(token.secretHash),
        expires_at: new Date(now.getTime() + PASSWORD_RESET_TTL_MS),
      })
      .execute();
    const link = `${meta.origin}/password/reset?token=${encodeURIComponent(token.value)}`;
    await mailerOf(deps).send(trx, {
      to: user.email,
      subject: messages.mail.resetSubject,
      text: messages.mail.resetBody(link),
      kind: 'password_reset',
    });
    await recordAudit(trx, meta.actor, {
      action: 'user.password_reset_requested',
      targetType: 'user',
      targetId: user.id,
    });
  });
}

export async function completePasswordReset(
  deps: AppDeps,
  input: { token: string; new_password: string },
  meta: RequestMeta,
) {
  const now = deps.clock();
  const parsed = parseSecretToken(input.token);
  if (!parsed) throw new AppError('TOKEN_INVALID');
  await enforceRateLimits(deps.db, now, [resetLimits.perIp(meta.ip)]);
  const row = await deps.db
    .selectFrom('password_reset_tokens')
    .innerJoin('users', 'users.id', 'password_reset_tokens.user_id')
    .select([
      'password_reset_tokens.id',
      'password_reset_tokens.secret_hash',
      'password_reset_tokens.expires_at',
      'password_reset_tokens.used_at',
      'users.id as user_id',
      'users.email',
      'users.display_name',
      'users.role',
    ])
    .where('password_reset_tokens.id', '=', parsed.id)
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now || !secretMatches(parsed.secret, row.secret_hash)) {
    throw new AppError('TOKEN_INVALID');
  }
  const problem = passwordProblem(input.new_password, { email: row.email, name: row.display_name });
  if (problem)
    throw new AppError('VALIDATION_FAILED', { fields: [{ field: 'new_password', reason: problem }] });
  const hash = await hashPassword(input.new_password);
  await deps.db.transaction().execute(async (trx) => {
    // Guarded: of two concurrent uses of one link, only one finds it unused.
    const claimed = await trx
      .updateTable('password_reset_tokens')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) throw new AppError('TOKEN_INVALID');
    await setPassword(trx, row.user_id, hash, now);
    await recordAudit(
      trx,
      { ...meta.actor, userId: meta.actor.userId ?? row.user_id, role: meta.actor.role ?? row.role },
      {
        action: 'user.password_reset',
        targetType: 'user',
        targetId: row.user_id,
      },
    );
  });
}

export async function updateProfile(
  deps: AppDeps,
  userId: string,
  input: { display_name?: string | undefined; phone?: string | null | undefined },
  meta: RequestMeta,
) {
  return deps.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('users')
      .select(['display_name', 'phone'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const changes = {
      ...(input.display_name !== undefined ? { display_name: input.display_name } : {}),
      ...(input.phone !== undefined ? { phone: input.phone } : {}),
    };
    const user =
      Object.keys(changes).length === 0
        ? await trx.selectFrom('users').select(userColumns).where('id', '=', userId).executeTakeFirstOrThrow()
        : await trx
            .updateTable('users')
            .set(changes)
            .where('id', '=', userId)
            .returning(userColumns)
            .executeTakeFirstOrThrow();
    await recordAudit(trx, meta.actor, {
      action: 'user.profile_updated',
      targetType: 'user',
      targetId: userId,
      before,
      after: { display_name: user.display_name, phone: user.phone },
    });
    return user;
  });
}

export async function issueApiToken(
  deps: AppDeps,
  userId: string,
  input: { name: string; scope: 'read' | 'write' },
  meta: RequestMeta,
) {
  return deps.db.transaction().execute(async (trx) => {
    const created = await createApiToken(trx, { userId, ...input });
    await recordAudit(trx, meta.actor, {
      action: 'api_token.created',
      targetType: 'api_token',
      targetId: created.view.id,
      after: { name: input.name, scope: input.scope },
    });
    return created;
  });
}

export async function withdrawApiToken(deps: AppDeps, userId: string, tokenId: string, meta: RequestMeta) {
  return deps.db.transaction().execute(async (trx) => {
    const revoked = await revokeApiToken(trx, userId, tokenId, deps.clock());
    if (!revoked) throw new AppError('NOT_FOUND');
    await recordAudit(trx, meta.actor, {
      action: 'api_token.revoked',
      targetType: 'api_token',
      targetId: tokenId,
      before: { name: revoked.name, scope: revoked.scope },
    });
    return revoked;
  });
}

/** Ends one of the user's own sessions ("sign out that device"); another user's id is a 404. */
export async function endOwnSession(deps: AppDeps, userId: string, sessionId: string, meta: RequestMeta) {
  await deps.db.transaction().execute(async (trx) => {
    const ended = await invalidateUserSession(trx, userId, sessionId);
    if (!ended) throw new AppError('NOT_FOUND');
    await recordAudit(trx, meta.actor, {
      action: 'session.revoked',
      targetType: 'session',
      targetId: sessionId,
      before: { ip: ended.ip, user_agent: ended.user_agent, created_at: ended.created_at.toISOString() },
    });
  });
}
