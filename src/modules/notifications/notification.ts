import type { Kysely, Transaction } from 'kysely';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../web/messages.js';
import { mailerOf } from '../auth/account.usecases.js';

type Executor = Kysely<DB> | Transaction<DB>;

export interface NotificationInput {
  kind: string;
  title: string;
  body?: string;
  /** A path on this site (`/workspace/challenges/…`). */
  link?: string;
  challengeId?: string | null;
  /** Also send an e-mail (through the mail outbox, same transaction). Default true. */
  mail?: boolean;
}

/**
 * Notifies users in the caller's transaction: one in-app row each, plus an e-mail through the mailer
 * adapter, so a rolled-back action notifies nobody. Duplicate ids are notified once.
 *
 * @example
 *   await notifyUsers(trx, deps, [leadUserId], { kind: 'bid.awarded', title: m.awarded(title) });
 */
export async function notifyUsers(
  trx: Executor,
  deps: Pick<AppDeps, 'mailer' | 'logger'>,
  userIds: readonly (string | null | undefined)[],
  input: NotificationInput,
): Promise<void> {
  const ids = [...new Set(userIds.filter((id): id is string => typeof id === 'string'))];
  if (ids.length === 0) return;
  await trx
    .insertInto('notifications')
    .values(
      ids.map((user_id) => ({
        user_id,
        kind: input.kind,
        title: input.title,
        body: input.body ?? '',
        link: input.link ?? null,
        challenge_id: input.challengeId ?? null,
      })),
    )
    .execute();
  if (input.mail === false) return;
  // Only users who want each notification mailed at once; 'daily_digest' users get it in the
  // daily digest (notification.digest.ts), 'none' users only in the app.
  const users = await trx
    .selectFrom('users as u')
    .leftJoin('notification_preferences as np', 'np.user_id', 'u.id')
    .select(['u.email'])
    .where('u.id', 'in', ids)
    .where((eb) => eb.or([eb('np.email_mode', 'is', null), eb('np.email_mode', '=', 'immediate')]))
    .execute();
  const mailer = mailerOf(deps);
  for (const user of users) {
    await mailer.send(trx, {
      to: user.email,
      subject: `【揭榜】${input.title}`,
      text: `${input.title}\n\n${input.body ?? ''}${input.link ? `\n${input.link}` : ''}${messages.flow.notify.mailFooter}`,
      kind: input.kind,
    });
  }
}

/** Member user ids of an organisation (the people who act for an enterprise or a society). */
export async function organisationMemberIds(db: Executor, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('organisation_members')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .execute();
  return rows.map((r) => r.user_id);
}

export async function operatorIds(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('users').select('id').where('role', '=', 'operator').execute();
  return rows.map((r) => r.id);
}

export async function listNotifications(
  db: Database,
  userId: string,
  page: { offset: number; limit: number },
) {
  const [rows, counts] = await Promise.all([
    db
      .selectFrom('notifications')
      .select(['id', 'kind', 'title', 'body', 'link', 'challenge_id', 'read_at', 'created_at'])
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    countNotifications(db, userId),
  ]);
  return { rows, ...counts };
}

export async function countNotifications(db: Database, userId: string) {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.count<number>('id').filterWhere('read_at', 'is', null).as('unread'),
    ])
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), unread: Number(row.unread) };
}

/** Marks one of the user's notifications read; someone else's id is 404 (not theirs to know). */
export async function markNotificationRead(db: Database, userId: string, id: number, at: Date) {
  const updated = await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) {
    const exists = await db
      .selectFrom('notifications')
      .select('id')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!exists) throw new AppError('NOTIFICATION_NOT_FOUND');
  }
}

export async function markAllNotificationsRead(db: Database, userId: string, at: Date): Promise<number> {
  const updated = await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}

export const emailModes = ['immediate', 'daily_digest', 'none'] as const;
export type EmailMode = (typeof emailModes)[number];

/** The user's e-mail preference for notifications; immediate unless they chose otherwise. */
export async function emailModeOf(db: Executor, userId: string): Promise<EmailMode> {
  const row = await db
    .selectFrom('notification_preferences')
    .select('email_mode')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (row?.email_mode as EmailMode | undefined) ?? 'immediate';
}

/**
 * Sets the preference. `updated_at` (from the app clock) starts the next digest's period when the
 * user switches to daily_digest, so notifications already mailed one by one are not mailed again.
 */
export async function setEmailMode(
  db: Executor,
  userId: string,
  mode: EmailMode,
  at: Date,
): Promise<EmailMode> {
  const current = await emailModeOf(db, userId);
  if (current === mode) return mode;
  await db
    .insertInto('notification_preferences')
    .values({ user_id: userId, email_mode: mode, updated_at: at })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ email_mode: mode, updated_at: at }))
    .execute();
  return mode;
}
