import type { Transaction } from 'kysely';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import type { RequestMeta } from '../auth/account.usecases.js';
import type { ActorRef } from '../auth/policy.js';
import { isBidParty, partiesOfBid } from '../bids/bid.queries.js';
import { transitionChallenge } from '../challenges/challenge.lifecycle.js';
import { type ActorWithName, actorLabel, loadChallengeFor } from '../challenges/challenge.workflow.js';
import { findChallengeForWork, lockChallenge } from '../challenges/challenge.workflow.queries.js';
import { notifyUsers, organisationMemberIds } from '../notifications/notification.js';

/**
 * Delivery (攻关) after the award. Milestones belong to an awarded bid; its parties submit evidence,
 * the enterprise accepts or returns each submission; when every milestone is accepted the enterprise
 * gives the final acceptance (验收), which closes the challenge as accepted. Then both sides rate.
 */
const f = messages.flow;
type Executor = Database | Transaction<DB>;

async function milestonesWithSubmissions(
  db: Executor,
  where: { challengeId?: string; milestoneId?: string },
) {
  let q = db
    .selectFrom('milestones')
    .select(['id', 'challenge_id', 'bid_id', 'seq', 'title', 'tranche_percent', 'status']);
  if (where.challengeId) q = q.where('challenge_id', '=', where.challengeId);
  if (where.milestoneId) q = q.where('id', '=', where.milestoneId);
  const milestones = await q.orderBy('bid_id').orderBy('seq').execute();
  const submissions = milestones.length
    ? await db
        .selectFrom('milestone_submissions')
        .select(['id', 'milestone_id', 'evidence', 'decision', 'decision_reason', 'created_at', 'decided_at'])
        .where(
          'milestone_id',
          'in',
          milestones.map((m) => m.id),
        )
        .orderBy('created_at')
        .execute()
    : [];
  return milestones.map((m) => ({
    ...m,
    status: m.status as 'pending' | 'submitted' | 'accepted' | 'returned',
    submissions: submissions
      .filter((s) => s.milestone_id === m.id)
      .map((s) => ({
        id: s.id,
        evidence: s.evidence,
        decision: s.decision as 'accepted' | 'returned' | null,
        decision_reason: s.decision_reason,
        created_at: s.created_at.toISOString(),
        decided_at: s.decided_at?.toISOString() ?? null,
      })),
  }));
}

/** Milestones of a challenge: its enterprise and operators see all; an awardee sees its own. */
export async function milestonesFor(db: Executor, challengeId: string, actor: ActorRef) {
  const { relation } = await loadChallengeFor(db, challengeId, actor);
  const all = await milestonesWithSubmissions(db, { challengeId });
  if (relation.enterpriseMember || actor.role === 'operator') return all;
  if (!relation.bidder) throw new AppError('FORBIDDEN');
  const visible = [];
  for (const m of all) {
    const bid = await db
      .selectFrom('bids')
      .select(['id', 'lead_user_id', 'organisation_id'])
      .where('id', '=', m.bid_id)
      .executeTakeFirstOrThrow();
    if (await isBidParty(db, bid, actor.userId)) visible.push(m);
  }
  return visible;
}

async function loadMilestone(db: Executor, id: string, actor: ActorRef) {
  const milestone = await db
    .selectFrom('milestones as m')
    .innerJoin('bids as b', 'b.id', 'm.bid_id')
    .innerJoin('challenges as c', 'c.id', 'm.challenge_id')
    .select([
      'm.id',
      'm.challenge_id',
      'm.bid_id',
      'm.title',
      'm.status',
      'b.lead_user_id',
      'b.organisation_id',
      'c.enterprise_id',
      'c.title as challenge_title',
      'c.status as challenge_status',
    ])
    .where('m.id', '=', id)
    .executeTakeFirst();
  if (!milestone) throw new AppError('MILESTONE_NOT_FOUND');
  const [bidParty, enterpriseMember] = await Promise.all([
    isBidParty(
      db,
      {
        id: milestone.bid_id,
        lead_user_id: milestone.lead_user_id,
        organisation_id: milestone.organisation_id,
      },
      actor.userId,
    ),
    db
      .selectFrom('organisation_members')
      .select('user_id')
      .where('organisation_id', '=', milestone.enterprise_id)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst()
      .then((r) => r !== undefined),
  ]);
  // Delivery is confidential like the bid it belongs to.
  if (!bidParty && !enterpriseMember && actor.role !== 'operator') throw new AppError('MILESTONE_NOT_FOUND');
  return { milestone, bidParty, enterpriseMember };
}

/** An awardee submits evidence for a milestone; the first submission starts delivery (awarded → in_delivery). */
export async function submitMilestone(
  deps: AppDeps,
  actor: ActorWithName,
  id: string,
  evidence: string,
  meta: RequestMeta,
) {
  const { milestone, bidParty } = await loadMilestone(deps.db, id, actor);
  if (!bidParty) throw new AppError('FORBIDDEN', { detail: f.invalid.notAnAwardee });
  if (!['awarded', 'in_delivery'].includes(milestone.challenge_status))
    throw new AppError('CHALLENGE_STATE_CONFLICT');
  return deps.db.transaction().execute(async (trx) => {
    const challenge = (await lockChallenge(trx, milestone.challenge_id))!;
    const moved = await trx
      .updateTable('milestones')
      .set({ status: 'submitted' })
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'returned'])
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n)
      throw new AppError('CHALLENGE_STATE_CONFLICT', {
        detail: milestone.status === 'accepted' ? f.invalid.milestoneDone : undefined,
      });
    await trx
      .insertInto('milestone_submissions')
      .values({ milestone_id: id, evidence, submitted_by: actor.userId })
      .execute();
    if (challenge.status === 'awarded')
      await transitionChallenge(trx, {
        challengeId: milestone.challenge_id,
        from: 'awarded',
        to: 'in_delivery',
        actor: { userId: actor.userId, label: actorLabel(actor) },
        reason: '提交首个里程碑成果，进入攻关',
        at: deps.clock(),
      });
    await recordAudit(trx, meta.actor, {
      action: 'milestone.submitted',
      targetType: 'milestone',
      targetId: id,
      after: { status: 'submitted' },
    });
    await notifyUsers(trx, deps, await organisationMemberIds(trx, milestone.enterprise_id), {
      kind: 'milestone.submitted',
      title: f.notify.milestoneSubmitted(milestone.challenge_title, milestone.title),
      link: `/workspace/challenges/${milestone.challenge_id}`,
      challengeId: milestone.challenge_id,
    });
    return (await milestonesWithSubmissions(trx, { milestoneId: id }))[0]!;
  });
}

/** The enterprise accepts or returns the open submission of a milestone. */
export async function decideMilestone(
  deps: AppDeps,
  actor: ActorRef,
  id: string,
  input: { decision: 'accept' | 'return'; reason?: string | undefined },
  meta: RequestMeta,
) {
  const { milestone, enterpriseMember } = await loadMilestone(deps.db, id, actor);
  if (!enterpriseMember) throw new AppError('FORBIDDEN');
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock();
    const decided = await trx
      .updateTable('milestone_submissions')
      .set({
        decision: input.decision === 'accept' ? 'accepted' : 'returned',
        decision_reason: input.reason ?? null,
        decided_by: actor.userId,
        decided_at: now,
      })
      .where('milestone_id', '=', id)
      .where('decision', 'is', null)
      .executeTakeFirst();
    if (decided.numUpdatedRows === 0n)
      throw new AppError('CHALLENGE_STATE_CONFLICT', { detail: f.invalid.milestoneNotSubmitted });
    await trx
      .updateTable('milestones')
      .set(input.decision === 'accept' ? { status: 'accepted', accepted_at: now } : { status: 'returned' })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, meta.actor, {
      action: `milestone.${input.decision === 'accept' ? 'accepted' : 'returned'}`,
      targetType: 'milestone',
      targetId: id,
      before: { status: 'submitted' },
      after: { status: input.decision === 'accept' ? 'accepted' : 'returned' },
      reason: input.reason ?? null,
    });
    const notify = input.decision === 'accept' ? f.notify.milestoneAccepted : f.notify.milestoneReturned;
    await notifyUsers(
      trx,
      deps,
      await partiesOfBid(trx, {
        id: milestone.bid_id,
        lead_user_id: milestone.lead_user_id,
        organisation_id: milestone.organisation_id,
      }),
      {
        kind: `milestone.${input.decision}`,
        title: notify(milestone.challenge_title, milestone.title),
        body: input.reason ?? '',
        link: `/workspace/bids/${milestone.bid_id}`,
        challengeId: milestone.challenge_id,
      },
    );
    return (await milestonesWithSubmissions(trx, { milestoneId: id }))[0]!;
  });
}

/** Final acceptance (验收): every milestone accepted → the challenge is accepted (solved). */
export async function acceptChallenge(
  deps: AppDeps,
  actor: ActorWithName,
  challengeId: string,
  input: { note?: string | undefined },
  meta: RequestMeta,
) {
  const { relation } = await loadChallengeFor(deps.db, challengeId, actor);
  if (!relation.enterpriseMember) throw new AppError('FORBIDDEN');
  return deps.db.transaction().execute(async (trx) => {
    const challenge = (await lockChallenge(trx, challengeId))!;
    if (challenge.status !== 'in_delivery') throw new AppError('CHALLENGE_STATE_CONFLICT');
    const open = await trx
      .selectFrom('milestones')
      .select('id')
      .where('challenge_id', '=', challengeId)
      .where('status', '<>', 'accepted')
      .execute();
    if (open.length > 0) throw new AppError('CHALLENGE_STATE_CONFLICT', { detail: f.invalid.milestonesOpen });
    await transitionChallenge(trx, {
      challengeId,
      from: 'in_delivery',
      to: 'accepted',
      actor: { userId: actor.userId, label: actorLabel(actor) },
      reason: input.note ?? '最终验收通过',
      at: deps.clock(),
    });
    await recordAudit(trx, meta.actor, {
      action: 'challenge.accepted',
      targetType: 'challenge',
      targetId: challengeId,
      before: { status: 'in_delivery' },
      after: { status: 'accepted' },
      reason: input.note ?? null,
    });
    const awarded = await trx
      .selectFrom('bids')
      .select(['id', 'lead_user_id', 'organisation_id'])
      .where('challenge_id', '=', challengeId)
      .where('status', '=', 'awarded')
      .execute();
    const parties = (await Promise.all(awarded.map((b) => partiesOfBid(trx, b)))).flat();
    await notifyUsers(trx, deps, parties, {
      kind: 'challenge.accepted',
      title: f.notify.accepted(challenge.title),
      link: `/challenges/${challengeId}`,
      challengeId,
    });
    return (await findChallengeForWork(trx, challengeId))!;
  });
}

/**
 * Mutual rating once the challenge ended (accepted or failed): the enterprise rates an awarded bid,
 * the bid's parties rate the enterprise. Once per bid and direction (unique constraint → 409).
 */
export async function rate(
  deps: AppDeps,
  actor: ActorRef,
  challengeId: string,
  input: { bid_id: string; score: number; comment: string },
  meta: RequestMeta,
) {
  const { row, relation } = await loadChallengeFor(deps.db, challengeId, actor);
  if (!['accepted', 'failed'].includes(row.status))
    throw new AppError('CHALLENGE_STATE_CONFLICT', { detail: f.invalid.ratingNotAllowed });
  const bid = await deps.db
    .selectFrom('bids')
    .select(['id', 'lead_user_id', 'organisation_id', 'status'])
    .where('id', '=', input.bid_id)
    .where('challenge_id', '=', challengeId)
    .where('status', '=', 'awarded')
    .executeTakeFirst();
  if (!bid)
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'bid_id', reason: f.invalid.bidNotInChallenge }],
    });
  const direction = relation.enterpriseMember
    ? 'enterprise_to_bidder'
    : (await isBidParty(deps.db, bid, actor.userId))
      ? 'bidder_to_enterprise'
      : null;
  if (!direction) throw new AppError('FORBIDDEN');
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const rating = await trx
        .insertInto('challenge_ratings')
        .values({
          challenge_id: challengeId,
          bid_id: bid.id,
          direction,
          rater_user_id: actor.userId,
          score: input.score,
          comment: input.comment,
        })
        .returning(['id', 'bid_id', 'direction', 'score', 'comment', 'created_at'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, meta.actor, {
        action: 'challenge.rated',
        targetType: 'challenge',
        targetId: challengeId,
        after: { bid_id: bid.id, direction, score: input.score },
      });
      return {
        ...rating,
        direction: rating.direction as 'enterprise_to_bidder' | 'bidder_to_enterprise',
        created_at: rating.created_at.toISOString(),
      };
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('CONFLICT', { detail: '已评价过' });
    throw error;
  }
}

/** Both directions of the mutual rating on one awarded bid, for the bid's page (its parties only). */
export async function ratingsOfBid(db: Database, bidId: string) {
  const rows = await db
    .selectFrom('challenge_ratings')
    .select(['id', 'direction', 'rater_user_id', 'score', 'comment', 'created_at'])
    .where('bid_id', '=', bidId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    ...r,
    direction: r.direction as 'enterprise_to_bidder' | 'bidder_to_enterprise',
  }));
}
