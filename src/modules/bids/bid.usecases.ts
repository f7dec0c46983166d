import type { Transaction } from 'kysely';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import type { RequestMeta } from '../auth/account.usecases.js';
import { type ActorRef, bidKindsFor, canOrganisationAct, canViewBid } from '../auth/policy.js';
import { transitionChallenge } from '../challenges/challenge.lifecycle.js';
import { type ActorWithName, actorLabel, loadChallengeFor } from '../challenges/challenge.workflow.js';
import { lockChallenge } from '../challenges/challenge.workflow.queries.js';
import { notifyUsers, organisationMemberIds } from '../notifications/notification.js';
import {
  type BidRow,
  findBid,
  isBidParty,
  listBidsOfChallenge,
  listTeamMembers,
  partiesOfBid,
} from './bid.queries.js';
import type { SubmitBidInput, UpdateBidInput } from './bid.schemas.js';

/**
 * Bids, evaluation and award. Bids are confidential: every read goes through `loadBidFor`, which
 * answers 404 to anyone who is not a party, the posting enterprise or an operator.
 */
const f = messages.flow;
type Executor = Database | Transaction<DB>;

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export async function loadBidFor(db: Executor, id: string, actor: ActorRef | null) {
  const bid = await findBid(db, id);
  if (!bid) throw new AppError('BID_NOT_FOUND');
  const [enterpriseMember, bidParty] = await Promise.all([
    actor
      ? db
          .selectFrom('organisation_members')
          .select('user_id')
          .where('organisation_id', '=', bid.enterprise_id)
          .where('user_id', '=', actor.userId)
          .executeTakeFirst()
          .then((r) => r !== undefined)
      : false,
    isBidParty(db, bid, actor?.userId ?? null),
  ]);
  const relation = { enterpriseMember, bidParty };
  if (!canViewBid(actor, relation)) throw new AppError('BID_NOT_FOUND');
  return { bid, relation };
}

/** The bid as a party sees it; the enterprise's evaluation only for the enterprise and operators. */
export async function bidView(db: Executor, bid: BidRow, showEvaluation: boolean) {
  const members = await listTeamMembers(db, [bid.id]);
  return bidViewWith(bid, members, showEvaluation);
}

export function bidViewWith(
  bid: BidRow,
  members: Awaited<ReturnType<typeof listTeamMembers>>,
  showEvaluation: boolean,
) {
  return {
    id: bid.id,
    challenge: { id: bid.challenge_id, title: bid.challenge_title, status: bid.challenge_status },
    kind: bid.kind as 'expert' | 'team' | 'organisation',
    status: bid.status as 'submitted' | 'withdrawn' | 'awarded' | 'not_awarded',
    version: bid.version,
    lead: { user_id: bid.lead_user_id, display_name: bid.lead_name },
    organisation: bid.organisation_id ? { id: bid.organisation_id, name: bid.organisation_name ?? '' } : null,
    members: members
      .filter((m) => m.bid_id === bid.id)
      .map((m) => ({
        user_id: m.user_id,
        display_name: m.display_name,
        role: m.role,
        status: m.status as 'invited' | 'confirmed' | 'declined',
      })),
    approach: bid.approach,
    promised_indicators: bid.promised_indicators,
    price_wan: bid.price_wan,
    duration_days: bid.duration_days,
    created_at: bid.created_at.toISOString(),
    updated_at: bid.updated_at.toISOString(),
    awarded_at: bid.awarded_at?.toISOString() ?? null,
    evaluation: showEvaluation
      ? { shortlisted: bid.shortlisted ?? false, score: bid.score ?? null, note: bid.note ?? '' }
      : null,
  };
}

function assertOpenForBids(challenge: { status: string; bid_deadline: Date }, now: Date) {
  if (challenge.status !== 'published' || challenge.bid_deadline.getTime() <= now.getTime())
    throw new AppError('CHALLENGE_CLOSED');
}

/**
 * Files a bid in the caller's transaction (the route wraps it with the idempotency key). One live
 * bid per bidder per challenge is a partial unique index; a duplicate is 409 DUPLICATE_BID.
 */
export async function submitBid(
  trx: Transaction<DB>,
  deps: Pick<AppDeps, 'clock' | 'mailer' | 'logger'>,
  actor: ActorWithName,
  challengeId: string,
  input: SubmitBidInput,
  meta: RequestMeta,
) {
  const { row: challenge } = await loadChallengeFor(trx, challengeId, actor);
  if (!bidKindsFor(actor.role).includes(input.kind))
    throw new AppError('FORBIDDEN', { fields: [{ field: 'kind', reason: f.invalid.kindNotForRole }] });
  assertOpenForBids(challenge, deps.clock());
  let organisationId: string | null = null;
  if (input.kind === 'organisation') {
    if (!input.organisation_id)
      throw new AppError('VALIDATION_FAILED', {
        fields: [{ field: 'organisation_id', reason: f.invalid.organisationRequired }],
      });
    const org = await trx
      .selectFrom('organisation_members as m')
      .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
      .select(['o.id', 'o.verification_status'])
      .where('m.organisation_id', '=', input.organisation_id)
      .where('m.user_id', '=', actor.userId)
      .executeTakeFirst();
    if (!org)
      throw new AppError('FORBIDDEN', {
        fields: [{ field: 'organisation_id', reason: f.invalid.notEnterpriseMember }],
      });
    if (!canOrganisationAct(org, 'bid')) throw new AppError('ORGANISATION_NOT_VERIFIED');
    organisationId = org.id;
  }
  // A society bids with one of its own active service teams (科技服务团); the FK enforces it too.
  if (input.service_team_id) {
    const team = organisationId
      ? await trx
          .selectFrom('service_teams')
          .select('id')
          .where('id', '=', input.service_team_id)
          .where('society_id', '=', organisationId)
          .where('status', '=', 'active')
          .executeTakeFirst()
      : undefined;
    if (!team)
      throw new AppError('VALIDATION_FAILED', {
        fields: [{ field: 'service_team_id', reason: messages.supply.teamNotOfSociety }],
      });
  }
  const memberInputs = input.kind === 'team' ? input.members : [];
  const memberUsers = memberInputs.length
    ? await trx
        .selectFrom('users')
        .select(['id', 'email', 'role'])
        .where((eb) =>
          eb(
            eb.fn('lower', ['email']),
            'in',
            memberInputs.map((m) => m.email.toLowerCase()),
          ),
        )
        .execute()
    : [];
  const memberProblems = memberInputs.flatMap((m, i) => {
    const user = memberUsers.find((u) => u.email.toLowerCase() === m.email.toLowerCase());
    if (user?.role !== 'expert')
      return [{ field: `members.${i}.email`, reason: f.invalid.teamMemberUnknown(m.email) }];
    if (user.id === actor.userId)
      return [{ field: `members.${i}.email`, reason: f.invalid.teamLeadInMembers }];
    return [];
  });
  if (memberProblems.length > 0) throw new AppError('VALIDATION_FAILED', { fields: memberProblems });

  let bidId: string;
  try {
    // The partial unique index decides duplicates, also between concurrent submissions.
    const inserted = await trx
      .insertInto('bids')
      .values({
        challenge_id: challengeId,
        kind: input.kind,
        lead_user_id: actor.userId,
        organisation_id: organisationId,
        service_team_id: input.service_team_id ?? null,
        approach: input.approach,
        promised_indicators: input.promised_indicators,
        price_wan: input.price_wan,
        duration_days: input.duration_days,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    bidId = inserted.id;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE_BID');
    throw error;
  }
  const members = memberInputs.map((m) => ({
    bid_id: bidId,
    user_id: memberUsers.find((u) => u.email.toLowerCase() === m.email.toLowerCase())!.id,
    role: m.role,
  }));
  if (members.length > 0) await trx.insertInto('bid_team_members').values(members).execute();
  await recordAudit(trx, meta.actor, {
    action: 'bid.submitted',
    targetType: 'bid',
    targetId: bidId,
    after: {
      challenge_id: challengeId,
      kind: input.kind,
      organisation_id: organisationId,
      members: members.length,
    },
  });
  await notifyUsers(trx, deps, await organisationMemberIds(trx, challenge.enterprise_id), {
    kind: 'bid.received',
    title: f.notify.bidReceived(challenge.title),
    link: `/workspace/challenges/${challengeId}`,
    challengeId,
  });
  if (members.length > 0)
    await notifyUsers(
      trx,
      deps,
      members.map((m) => m.user_id),
      {
        kind: 'bid.team_invite',
        title: f.notify.teamInvite(challenge.title, actor.displayName),
        link: `/workspace/bids/${bidId}`,
        challengeId,
      },
    );
  // Invitations to this bidder count as accepted once they bid.
  await trx
    .updateTable('challenge_invitations')
    .set({ status: 'accepted', responded_by: actor.userId, responded_at: deps.clock() })
    .where('challenge_id', '=', challengeId)
    .where('status', '=', 'pending')
    .where((eb) =>
      organisationId
        ? eb('organisation_id', '=', organisationId)
        : eb(
            'expert_profile_id',
            'in',
            eb.selectFrom('expert_profiles').select('id').where('user_id', '=', actor.userId),
          ),
    )
    .execute();
  const bid = (await findBid(trx, bidId))!;
  return bidView(trx, bid, false);
}

/** Edits a submitted bid until the deadline, on the version it was read at (409 otherwise). */
export async function updateBid(
  deps: AppDeps,
  actor: ActorRef,
  id: string,
  input: UpdateBidInput,
  expectedVersion: number | undefined,
  meta: RequestMeta,
) {
  const { bid, relation } = await loadBidFor(deps.db, id, actor);
  if (bid.lead_user_id !== actor.userId && !(relation.bidParty && bid.organisation_id))
    throw new AppError('FORBIDDEN');
  if (bid.status !== 'submitted') throw new AppError('CHALLENGE_STATE_CONFLICT');
  assertOpenForBids({ status: bid.challenge_status, bid_deadline: bid.bid_deadline }, deps.clock());
  if (expectedVersion === undefined)
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'version', reason: f.invalid.versionRequired }],
    });
  const { version: _v, ...patch } = input;
  return deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('bids')
      .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) {
      const current = await trx
        .selectFrom('bids')
        .select(['version'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      throw new AppError('VERSION_CONFLICT', { detail: f.bidVersionConflict(current.version) });
    }
    await recordAudit(trx, meta.actor, {
      action: 'bid.updated',
      targetType: 'bid',
      targetId: id,
      before: { version: expectedVersion },
      after: { version: expectedVersion + 1, fields: Object.keys(patch) },
    });
    return bidView(trx, (await findBid(trx, id))!, relation.enterpriseMember);
  });
}

/** Withdraws a bid before the award; the bidder may file a new one while bidding is open. */
export async function withdrawBid(deps: AppDeps, actor: ActorRef, id: string, meta: RequestMeta) {
  const { bid, relation } = await loadBidFor(deps.db, id, actor);
  if (bid.lead_user_id !== actor.userId && !(relation.bidParty && bid.organisation_id))
    throw new AppError('FORBIDDEN');
  if (!['published', 'bidding_closed'].includes(bid.challenge_status)) throw new AppError('CHALLENGE_CLOSED');
  return deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('bids')
      .set({ status: 'withdrawn', withdrawn_at: deps.clock(), version: bid.version + 1 })
      .where('id', '=', id)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AppError('CHALLENGE_STATE_CONFLICT');
    await recordAudit(trx, meta.actor, {
      action: 'bid.withdrawn',
      targetType: 'bid',
      targetId: id,
      before: { status: 'submitted' },
      after: { status: 'withdrawn' },
    });
    await notifyUsers(trx, deps, await organisationMemberIds(trx, bid.enterprise_id), {
      kind: 'bid.withdrawn',
      title: f.notify.bidWithdrawn(bid.challenge_title),
      challengeId: bid.challenge_id,
      mail: false,
    });
    return bidView(trx, (await findBid(trx, id))!, false);
  });
}

/** A named team member confirms or declines their place on a team bid. */
export async function respondToTeam(
  deps: AppDeps,
  actor: ActorWithName,
  id: string,
  decision: 'confirm' | 'decline',
  meta: RequestMeta,
) {
  const { bid } = await loadBidFor(deps.db, id, actor);
  return deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('bid_team_members')
      .set({ status: decision === 'confirm' ? 'confirmed' : 'declined', responded_at: deps.clock() })
      .where('bid_id', '=', id)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AppError('FORBIDDEN');
    await recordAudit(trx, meta.actor, {
      action: `bid.team_${decision}`,
      targetType: 'bid',
      targetId: id,
      after: { user_id: actor.userId, decision },
    });
    await notifyUsers(trx, deps, [bid.lead_user_id], {
      kind: 'bid.team_response',
      title: f.notify.teamResponse(actor.displayName, decision === 'confirm'),
      link: `/workspace/bids/${id}`,
      challengeId: bid.challenge_id,
      mail: false,
    });
    return bidView(trx, (await findBid(trx, id))!, false);
  });
}

/** The enterprise's private evaluation: shortlist, score, note (upsert). */
export async function evaluateBid(
  deps: AppDeps,
  actor: ActorRef,
  id: string,
  input: { shortlisted?: boolean | undefined; score?: number | null | undefined; note?: string | undefined },
  meta: RequestMeta,
) {
  const { bid, relation } = await loadBidFor(deps.db, id, actor);
  if (!relation.enterpriseMember) throw new AppError('FORBIDDEN');
  if (bid.status === 'withdrawn') throw new AppError('CHALLENGE_STATE_CONFLICT');
  const values = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  return deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('bid_evaluations')
      .values({ bid_id: id, ...values, evaluated_by: actor.userId })
      .onConflict((oc) =>
        oc.column('bid_id').doUpdateSet({ ...values, evaluated_by: actor.userId, updated_at: deps.clock() }),
      )
      .execute();
    await recordAudit(trx, meta.actor, {
      action: 'bid.evaluated',
      targetType: 'bid',
      targetId: id,
      // The note is private to the enterprise; the audit log records that it changed, not its text.
      after: { shortlisted: input.shortlisted, score: input.score, note_changed: input.note !== undefined },
    });
    return bidView(trx, (await findBid(trx, id))!, true);
  });
}

/**
 * Appoints the winner(s) (挂帅) in the caller's transaction. The challenge row is locked first
 * (`SELECT … FOR UPDATE`), so of any number of concurrent attempts exactly one sees
 * `bidding_closed` and awards; the rest queue on the lock, then see `awarded` and get 409.
 * Awards never exceed the challenge's `max_awards`. Milestones are created from the tranches,
 * losing bidders are marked and notified.
 */
export async function awardBids(
  trx: Transaction<DB>,
  deps: AppDeps,
  actor: ActorWithName,
  challengeId: string,
  bidIds: readonly string[],
  meta: RequestMeta,
) {
  const { relation } = await loadChallengeFor(trx, challengeId, actor);
  if (!relation.enterpriseMember) throw new AppError('FORBIDDEN');
  const challenge = await lockChallenge(trx, challengeId);
  if (!challenge) throw new AppError('CHALLENGE_NOT_FOUND');
  if (['awarded', 'in_delivery', 'accepted'].includes(challenge.status))
    throw new AppError('ALREADY_AWARDED');
  if (challenge.status !== 'bidding_closed') throw new AppError('CHALLENGE_STATE_CONFLICT');
  const unique = [...new Set(bidIds)];
  if (unique.length > challenge.max_awards)
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'bid_ids', reason: f.invalid.tooManyAwards(challenge.max_awards) }],
    });
  const bids = await listBidsOfChallenge(trx, challengeId);
  const chosen = unique.map((id) => bids.find((b) => b.id === id && b.status === 'submitted'));
  const invalid = unique.filter((_, i) => !chosen[i]);
  if (invalid.length > 0)
    throw new AppError('VALIDATION_FAILED', {
      fields: invalid.map((id) => ({ field: 'bid_ids', reason: `${f.invalid.bidNotInChallenge}：${id}` })),
    });
  const members = await listTeamMembers(trx, unique);
  if (members.some((m) => m.status !== 'confirmed')) throw new AppError('TEAM_NOT_CONFIRMED');
  const now = deps.clock();
  await trx
    .updateTable('bids')
    .set({ status: 'awarded', awarded_at: now })
    .where('id', 'in', unique)
    .where('status', '=', 'submitted')
    .execute();
  const losers = bids.filter((b) => b.status === 'submitted' && !unique.includes(b.id));
  if (losers.length > 0)
    await trx
      .updateTable('bids')
      .set({ status: 'not_awarded' })
      .where(
        'id',
        'in',
        losers.map((b) => b.id),
      )
      .execute();
  const milestones = unique.flatMap((bidId) =>
    challenge.reward_tranches.map((percent, i) => ({
      challenge_id: challengeId,
      bid_id: bidId,
      seq: i + 1,
      title: f.milestoneTitle(i + 1, percent),
      tranche_percent: percent,
    })),
  );
  await trx.insertInto('milestones').values(milestones).execute();
  await transitionChallenge(trx, {
    challengeId,
    from: 'bidding_closed',
    to: 'awarded',
    actor: { userId: actor.userId, label: actorLabel(actor) },
    reason: `挂帅 ${unique.length} 个揭榜方`,
    at: now,
  });
  await recordAudit(trx, meta.actor, {
    action: 'challenge.awarded',
    targetType: 'challenge',
    targetId: challengeId,
    before: { status: 'bidding_closed' },
    after: { status: 'awarded', bid_ids: unique },
  });
  for (const bid of chosen)
    await notifyUsers(trx, deps, await partiesOfBid(trx, bid!), {
      kind: 'bid.awarded',
      title: f.notify.awarded(challenge.title),
      link: `/workspace/bids/${bid!.id}`,
      challengeId,
    });
  for (const bid of losers)
    await notifyUsers(trx, deps, await partiesOfBid(trx, bid), {
      kind: 'bid.not_awarded',
      title: f.notify.notAwarded(challenge.title),
      challengeId,
    });
  return {
    challenge_id: challengeId,
    status: 'awarded',
    awarded_bid_ids: unique,
    milestones: milestones.length,
  };
}

/** Bids on a challenge: all of them for its enterprise and operators, one's own for a bidder. */
export async function bidsOfChallengeFor(db: Executor, challengeId: string, actor: ActorRef) {
  const { relation } = await loadChallengeFor(db, challengeId, actor);
  const all = await listBidsOfChallenge(db, challengeId);
  const manager = relation.enterpriseMember || actor.role === 'operator';
  const visible = manager ? all : [];
  if (!manager) for (const bid of all) if (await isBidParty(db, bid, actor.userId)) visible.push(bid);
  const members = await listTeamMembers(
    db,
    visible.map((b) => b.id),
  );
  return visible.map((b) => bidViewWith(b, members, manager));
}
