import type { AppDeps } from '../../app-deps.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import { notifyUsers, organisationMemberIds } from '../notifications/notification.js';
import { transitionChallenge } from './challenge.lifecycle.js';
import { bidPartyIds } from './challenge.workflow.queries.js';

/**
 * Closes bidding on every published challenge whose bid deadline has passed, through the life cycle
 * (event by '系统定时任务', search sync, notifications). State lives only in PostgreSQL, so a restart
 * loses nothing: the next sweep closes whatever fell due meanwhile. Each challenge is closed in its
 * own short transaction; rows another sweeper holds are skipped (`SKIP LOCKED`), so any number of
 * Node instances and the Workers cron may sweep at once.
 *
 * @example
 *   const closed = await closeExpiredChallenges(deps, new Date());
 */
export async function closeExpiredChallenges(
  deps: Pick<AppDeps, 'db' | 'logger' | 'mailer'> & Partial<AppDeps>,
  now: Date,
  batchSize = 100,
): Promise<number> {
  let closed = 0;
  for (;;) {
    const done = await deps.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('challenges')
        .select(['id', 'title', 'enterprise_id'])
        .where('status', '=', 'published')
        .where('bid_deadline', '<=', now)
        .orderBy('bid_deadline')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!due) return false;
      await transitionChallenge(trx, {
        challengeId: due.id,
        from: 'published',
        to: 'bidding_closed',
        actor: { userId: null, label: messages.flow.systemActor },
        reason: '揭榜截止时间已到',
        at: now,
      });
      await recordAudit(
        trx,
        { userId: null, role: 'system', ip: null },
        {
          action: 'challenge.deadline_closed',
          targetType: 'challenge',
          targetId: due.id,
          before: { status: 'published' },
          after: { status: 'bidding_closed' },
        },
      );
      const recipients = [
        ...(await organisationMemberIds(trx, due.enterprise_id)),
        ...(await bidPartyIds(trx, due.id, ['submitted'])),
      ];
      await notifyUsers(trx, deps, recipients, {
        kind: 'challenge.closed',
        title: messages.flow.notify.closed(due.title),
        link: `/workspace/challenges/${due.id}`,
        challengeId: due.id,
      });
      return true;
    });
    if (!done) break;
    closed += 1;
    if (closed >= batchSize) break;
  }
  if (closed > 0) deps.logger.info('bid deadlines closed', { closed });
  return closed;
}
