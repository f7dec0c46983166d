import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { enqueueSearchSync } from '../../search/outbox.js';

/**
 * The challenge life cycle, in one place. A status is never set directly: `transitionChallenge`
 * checks the move is allowed, guards against concurrent moves with `WHERE status = from`, records
 * who/when/why, and enqueues the search sync in the same transaction.
 */
export const challengeStatuses = [
  'draft',
  'under_review',
  'returned',
  'rejected',
  'published',
  'bidding_closed',
  'awarded',
  'in_delivery',
  'accepted',
  'failed',
  'withdrawn',
] as const;
export type ChallengeStatus = (typeof challengeStatuses)[number];

/** Statuses the public may see (in pages, API and the search index). */
export const publicChallengeStatuses = [
  'published',
  'bidding_closed',
  'awarded',
  'in_delivery',
  'accepted',
] as const satisfies readonly ChallengeStatus[];

export const allowedTransitions: Record<ChallengeStatus, readonly ChallengeStatus[]> = {
  draft: ['under_review', 'withdrawn'],
  under_review: ['published', 'returned', 'rejected', 'draft', 'withdrawn'],
  returned: ['draft', 'under_review', 'withdrawn'],
  rejected: [],
  published: ['bidding_closed', 'withdrawn'],
  bidding_closed: ['awarded', 'withdrawn', 'failed'],
  awarded: ['in_delivery', 'failed'],
  in_delivery: ['accepted', 'failed'],
  accepted: [],
  failed: [],
  withdrawn: [],
};

export function canTransition(from: ChallengeStatus, to: ChallengeStatus): boolean {
  return allowedTransitions[from].includes(to);
}

export interface TransitionActor {
  userId: string | null;
  /** Who, in words, for the record ('系统定时任务', '演示数据', a user's name). */
  label: string;
}

export async function transitionChallenge(
  trx: Transaction<DB>,
  input: {
    challengeId: string;
    from: ChallengeStatus;
    to: ChallengeStatus;
    actor: TransitionActor;
    reason?: string;
    at: Date;
  },
): Promise<void> {
  if (!canTransition(input.from, input.to)) {
    throw new AppError('CHALLENGE_STATE_CONFLICT', {
      fields: [{ field: 'status', reason: `不能从「${input.from}」变为「${input.to}」` }],
    });
  }
  // Guarded update: if someone else moved the challenge first, nothing matches and we refuse.
  const updated = await trx
    .updateTable('challenges')
    .set({
      status: input.to,
      ...(input.to === 'published' ? { published_at: input.at } : {}),
    })
    .where('id', '=', input.challengeId)
    .where('status', '=', input.from)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) {
    throw new AppError('CHALLENGE_STATE_CONFLICT', {
      fields: [{ field: 'status', reason: '榜单状态已被他人修改，请刷新后重试' }],
    });
  }
  await trx
    .insertInto('challenge_status_events')
    .values({
      challenge_id: input.challengeId,
      from_status: input.from,
      to_status: input.to,
      actor_user_id: input.actor.userId,
      actor_label: input.actor.label,
      reason: input.reason ?? null,
      created_at: input.at,
    })
    .execute();
  await enqueueSearchSync(trx, 'challenge', [input.challengeId]);
}
