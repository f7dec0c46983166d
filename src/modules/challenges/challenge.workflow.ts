import type { Transaction } from 'kysely';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldProblem } from '../../http/errors.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import type { RequestMeta } from '../auth/account.usecases.js';
import {
  type ActorRef,
  type ChallengeRelation,
  canActForEnterprise,
  canEditChallenge,
  canManageChallenge,
  canOrganisationAct,
  canReviewChallenges,
  canViewChallenge,
  canWithdrawChallenge,
} from '../auth/policy.js';
import { notifyUsers, operatorIds, organisationMemberIds } from '../notifications/notification.js';
import { challengeCompleteness, missingForReview } from './challenge.completeness.js';
import { type ChallengeStatus, transitionChallenge } from './challenge.lifecycle.js';
import {
  bidPartyIds,
  type ChallengeWorkRow,
  enterprisesOfUser,
  findChallengeForWork,
  isBidderOn,
  isOrganisationMember,
  listStatusHistory,
} from './challenge.workflow.queries.js';
import {
  type CreateChallengeInput,
  deadlineToDate,
  type UpdateChallengeInput,
} from './challenge.workflow.schemas.js';

/**
 * Challenge authoring, review and the enterprise's life-cycle actions. Each use case loads the
 * challenge with the actor's relation to it (404 when the actor may not know it exists, 403 when it
 * may see but not act), owns its transaction, moves the status only through `transitionChallenge`,
 * and writes the audit row and notifications inside the same transaction.
 */
const f = messages.flow;

export interface ActorWithName extends ActorRef {
  displayName: string;
}

export const actorLabel = (actor: ActorWithName) => actor.displayName;

export async function relationTo(
  db: Database | Transaction<DB>,
  challenge: { id: string; enterprise_id: string },
  actor: ActorRef | null,
): Promise<ChallengeRelation> {
  const [enterpriseMember, bidder] = await Promise.all([
    isOrganisationMember(db, challenge.enterprise_id, actor?.userId ?? null),
    isBidderOn(db, challenge.id, actor?.userId ?? null),
  ]);
  return { enterpriseMember, bidder };
}

/** Loads a challenge the actor may know about (any status for its enterprise and operators). */
export async function loadChallengeFor(db: Database | Transaction<DB>, id: string, actor: ActorRef | null) {
  const row = await findChallengeForWork(db, id);
  if (!row) throw new AppError('CHALLENGE_NOT_FOUND');
  const relation = await relationTo(db, row, actor);
  if (!canViewChallenge(actor, row, relation)) throw new AppError('CHALLENGE_NOT_FOUND');
  return { row, relation };
}

/** The enterprise's / operator's view of a challenge; 404 for others unless public, 403 if public. */
export async function loadManagedChallenge(db: Database | Transaction<DB>, id: string, actor: ActorRef) {
  const loaded = await loadChallengeFor(db, id, actor);
  if (!canManageChallenge(actor, loaded.relation)) throw new AppError('FORBIDDEN');
  return loaded;
}

export function completenessOf(row: ChallengeWorkRow) {
  return challengeCompleteness(row);
}

export async function challengeWorkView(db: Database | Transaction<DB>, row: ChallengeWorkRow) {
  const history = await listStatusHistory(db, row.id);
  return {
    id: row.id,
    status: row.status as ChallengeStatus,
    version: row.version,
    enterprise: {
      id: row.enterprise_id,
      name: row.enterprise_name,
      verification_status: row.enterprise_verification,
    },
    title: row.title,
    background: row.background,
    problem: row.problem,
    targets: row.targets,
    industry_code: row.industry_code,
    disciplines: row.disciplines,
    region_code: row.region_code,
    reward_wan: row.reward_wan,
    reward_tranches: row.reward_tranches,
    bid_deadline: row.bid_deadline.toISOString(),
    delivery_deadline: row.delivery_deadline?.toISOString() ?? null,
    bidder_requirements: row.bidder_requirements,
    cooperation_mode: row.cooperation_mode,
    ip_terms: row.ip_terms,
    confidentiality: row.confidentiality,
    terms_note: row.terms_note,
    hide_enterprise_name: row.hide_enterprise_name,
    award_mode: row.award_mode as 'single' | 'horse_race',
    max_awards: row.max_awards,
    published_at: row.published_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    completeness: completenessOf(row),
    history: history.map((e) => ({
      from_status: e.from_status,
      to_status: e.to_status,
      actor: e.actor_label,
      reason: e.reason,
      at: e.created_at.toISOString(),
    })),
  };
}

/** Checks across fields of the merged content; the database re-checks all of them. */
function contentProblems(
  c: {
    bid_deadline: Date;
    delivery_deadline: Date | null;
    award_mode: string;
    max_awards: number;
  },
  now: Date,
  deadlineChanged: boolean,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (deadlineChanged && c.bid_deadline.getTime() <= now.getTime())
    problems.push({ field: 'bid_deadline', reason: f.invalid.bidDeadlineFuture });
  if (c.delivery_deadline && c.delivery_deadline.getTime() < c.bid_deadline.getTime())
    problems.push({ field: 'delivery_deadline', reason: f.invalid.deliveryAfterBid });
  if ((c.award_mode === 'single') !== (c.max_awards === 1))
    problems.push({ field: 'max_awards', reason: f.invalid.maxAwardsSingle });
  return problems;
}

async function referenceProblems(
  db: Database | Transaction<DB>,
  input: {
    industry_code?: string | null | undefined;
    disciplines?: string[] | undefined;
    region_code?: string | undefined;
  },
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (input.industry_code) {
    const row = await db
      .selectFrom('industries')
      .select('code')
      .where('code', '=', input.industry_code)
      .executeTakeFirst();
    if (!row) problems.push({ field: 'industry_code', reason: f.invalid.unknownIndustry });
  }
  if (input.region_code) {
    const row = await db
      .selectFrom('regions')
      .select('code')
      .where('code', '=', input.region_code)
      .executeTakeFirst();
    if (!row) problems.push({ field: 'region_code', reason: f.invalid.unknownRegion });
  }
  if (input.disciplines && input.disciplines.length > 0) {
    const known = await db
      .selectFrom('disciplines')
      .select('code')
      .where('code', 'in', input.disciplines)
      .execute();
    const unknown = input.disciplines.filter((d) => !known.some((k) => k.code === d));
    if (unknown.length > 0)
      problems.push({
        field: 'disciplines',
        reason: `${messages.validation.generic}：${unknown.join('、')}`,
      });
  }
  return problems;
}

function contentColumns(input: Partial<CreateChallengeInput>) {
  const { enterprise_id: _e, bid_deadline, delivery_deadline, ...rest } = input as CreateChallengeInput;
  return {
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    ...(bid_deadline !== undefined ? { bid_deadline: deadlineToDate(bid_deadline) } : {}),
    ...(delivery_deadline !== undefined
      ? { delivery_deadline: delivery_deadline === null ? null : deadlineToDate(delivery_deadline) }
      : {}),
  };
}

async function pickEnterprise(db: Database, actor: ActorRef, requested: string | undefined) {
  const enterprises = await enterprisesOfUser(db, actor.userId);
  if (requested) {
    const chosen = enterprises.find((e) => e.id === requested);
    if (!chosen)
      throw new AppError('FORBIDDEN', {
        fields: [{ field: 'enterprise_id', reason: f.invalid.notEnterpriseMember }],
      });
    return chosen;
  }
  if (enterprises.length === 0)
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'enterprise_id', reason: f.invalid.noEnterprise }],
    });
  if (enterprises.length > 1)
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'enterprise_id', reason: f.invalid.chooseEnterprise }],
    });
  return enterprises[0]!;
}

/** A new draft. Unverified enterprises may draft; submitting for review needs verification. */
export async function createChallenge(
  deps: AppDeps,
  actor: ActorWithName,
  input: CreateChallengeInput,
  meta: RequestMeta,
) {
  const enterprise = await pickEnterprise(deps.db, actor, input.enterprise_id);
  const columns = contentColumns(input);
  const problems = [
    ...contentProblems(
      {
        bid_deadline: columns.bid_deadline as Date,
        delivery_deadline: (columns.delivery_deadline as Date | null | undefined) ?? null,
        award_mode: input.award_mode,
        max_awards: input.max_awards,
      },
      deps.clock(),
      true,
    ),
    ...(await referenceProblems(deps.db, input)),
  ];
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
  return deps.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('challenges')
      .values({
        ...(columns as typeof columns & {
          title: string;
          region_code: string;
          reward_wan: number;
          bid_deadline: Date;
        }),
        enterprise_id: enterprise.id,
        created_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('challenge_status_events')
      .values({
        challenge_id: created.id,
        from_status: null,
        to_status: 'draft',
        actor_user_id: actor.userId,
        actor_label: actorLabel(actor),
        created_at: deps.clock(),
      })
      .execute();
    await recordAudit(trx, meta.actor, {
      action: 'challenge.created',
      targetType: 'challenge',
      targetId: created.id,
      after: { title: input.title, enterprise_id: enterprise.id, status: 'draft' },
    });
    return (await findChallengeForWork(trx, created.id))!;
  });
}

const contentKeys = [
  'title',
  'background',
  'problem',
  'targets',
  'industry_code',
  'disciplines',
  'region_code',
  'reward_wan',
  'reward_tranches',
  'bid_deadline',
  'delivery_deadline',
  'bidder_requirements',
  'cooperation_mode',
  'ip_terms',
  'confidentiality',
  'terms_note',
  'hide_enterprise_name',
  'award_mode',
  'max_awards',
] as const;

function snapshotOf(row: ChallengeWorkRow) {
  return Object.fromEntries(
    contentKeys.map((k) => {
      const v = row[k];
      return [k, v instanceof Date ? v.toISOString() : v];
    }),
  );
}

/**
 * Edits the content with optimistic concurrency: the update only applies to `expectedVersion`
 * (guarded UPDATE), otherwise 409 VERSION_CONFLICT names the current version. Editing a challenge
 * under review sends it back to draft; edits after it left draft keep the previous content as a
 * revision, and bidders of a published challenge are notified.
 */
export async function updateChallenge(
  deps: AppDeps,
  actor: ActorWithName,
  id: string,
  input: UpdateChallengeInput,
  expectedVersion: number | undefined,
  meta: RequestMeta,
) {
  const { row, relation } = await loadChallengeFor(deps.db, id, actor);
  if (!relation.enterpriseMember) throw new AppError('FORBIDDEN');
  if (!canEditChallenge(relation, row)) throw new AppError('CHALLENGE_STATE_CONFLICT');
  if (expectedVersion === undefined)
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'version', reason: f.invalid.versionRequired }],
    });
  const { version: _v, ...patch } = input;
  const columns = contentColumns(patch);
  const merged = {
    bid_deadline: (columns.bid_deadline as Date | undefined) ?? row.bid_deadline,
    delivery_deadline:
      columns.delivery_deadline !== undefined
        ? (columns.delivery_deadline as Date | null)
        : row.delivery_deadline,
    award_mode: patch.award_mode ?? row.award_mode,
    max_awards: patch.max_awards ?? row.max_awards,
  };
  const problems = [
    ...contentProblems(merged, deps.clock(), columns.bid_deadline !== undefined),
    ...(await referenceProblems(deps.db, patch)),
  ];
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
  return deps.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('challenges')
      .select(['status', 'version'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.version !== expectedVersion)
      throw new AppError('VERSION_CONFLICT', { detail: f.versionConflict(current.version) });
    if (!canEditChallenge(relation, current)) throw new AppError('CHALLENGE_STATE_CONFLICT');
    if (current.status === 'under_review') {
      await transitionChallenge(trx, {
        challengeId: id,
        from: 'under_review',
        to: 'draft',
        actor: { userId: actor.userId, label: actorLabel(actor) },
        reason: '审核期间修改内容，退回草稿',
        at: deps.clock(),
      });
    }
    if (current.status !== 'draft') {
      await trx
        .insertInto('challenge_revisions')
        .values({
          challenge_id: id,
          version: current.version,
          content: JSON.stringify(snapshotOf(row)),
          edited_by: actor.userId,
        })
        .execute();
    }
    // Guarded by the version read under the row lock above; the WHERE restates it.
    await trx
      .updateTable('challenges')
      .set({ ...columns, version: current.version + 1 })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .execute();
    if (current.status === 'published') {
      await trx.insertInto('search_outbox').values({ entity: 'challenge', entity_id: id }).execute();
      const bidders = await bidPartyIds(trx, id, ['submitted']);
      await notifyUsers(trx, deps, bidders, {
        kind: 'challenge.edited',
        title: f.notify.edited(patch.title ?? row.title),
        link: `/challenges/${id}`,
        challengeId: id,
      });
    }
    const after = (await findChallengeForWork(trx, id))!;
    await recordAudit(trx, meta.actor, {
      action: 'challenge.updated',
      targetType: 'challenge',
      targetId: id,
      before: { version: current.version, status: current.status },
      after: { version: after.version, status: after.status, fields: Object.keys(patch) },
    });
    return after;
  });
}

async function transitionAndRecord(
  trx: Transaction<DB>,
  deps: AppDeps,
  actor: ActorWithName,
  meta: RequestMeta,
  input: {
    id: string;
    from: ChallengeStatus;
    to: ChallengeStatus;
    reason?: string | undefined;
    action: string;
  },
) {
  await transitionChallenge(trx, {
    challengeId: input.id,
    from: input.from,
    to: input.to,
    actor: { userId: actor.userId, label: actorLabel(actor) },
    ...(input.reason ? { reason: input.reason } : {}),
    at: deps.clock(),
  });
  await recordAudit(trx, meta.actor, {
    action: input.action,
    targetType: 'challenge',
    targetId: input.id,
    before: { status: input.from },
    after: { status: input.to },
    reason: input.reason ?? null,
  });
}

/** draft/returned → under_review, once the essentials are written and the enterprise is verified. */
export async function submitChallenge(deps: AppDeps, actor: ActorWithName, id: string, meta: RequestMeta) {
  const { row, relation } = await loadChallengeFor(deps.db, id, actor);
  if (!canActForEnterprise(relation)) throw new AppError('FORBIDDEN');
  if (row.status !== 'draft' && row.status !== 'returned') throw new AppError('CHALLENGE_STATE_CONFLICT');
  if (!canOrganisationAct({ verification_status: row.enterprise_verification }, 'publish'))
    throw new AppError('ORGANISATION_NOT_VERIFIED');
  const missing = missingForReview(row);
  const problems: FieldProblem[] = missing.map((field) => ({ field, reason: f.invalid.incomplete }));
  if (row.bid_deadline.getTime() <= deps.clock().getTime())
    problems.push({ field: 'bid_deadline', reason: f.invalid.bidDeadlineFuture });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
  return deps.db.transaction().execute(async (trx) => {
    await transitionAndRecord(trx, deps, actor, meta, {
      id,
      from: row.status as ChallengeStatus,
      to: 'under_review',
      action: 'challenge.submitted',
    });
    await notifyUsers(trx, deps, await operatorIds(trx), {
      kind: 'challenge.submitted',
      title: f.notify.submitted(row.title),
      link: `/workspace/challenges/${id}`,
      challengeId: id,
      mail: false,
    });
    return (await findChallengeForWork(trx, id))!;
  });
}

/** The operator's decision on a challenge under review: publish, return for changes, or reject. */
export async function reviewChallenge(
  deps: AppDeps,
  actor: ActorWithName,
  id: string,
  input: { decision: 'publish' | 'return' | 'reject'; reason?: string | undefined },
  meta: RequestMeta,
) {
  if (!canReviewChallenges(actor)) throw new AppError('FORBIDDEN');
  const { row } = await loadChallengeFor(deps.db, id, actor);
  if (row.status !== 'under_review') throw new AppError('CHALLENGE_STATE_CONFLICT');
  const to = ({ publish: 'published', return: 'returned', reject: 'rejected' } as const)[input.decision];
  if (to === 'published' && row.bid_deadline.getTime() <= deps.clock().getTime())
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'bid_deadline', reason: f.invalid.bidDeadlineFuture }],
    });
  return deps.db.transaction().execute(async (trx) => {
    await transitionAndRecord(trx, deps, actor, meta, {
      id,
      from: 'under_review',
      to,
      reason: input.reason,
      action: `challenge.review.${input.decision}`,
    });
    const title = { published: f.notify.published, returned: f.notify.returned, rejected: f.notify.rejected }[
      to
    ](row.title);
    await notifyUsers(trx, deps, await organisationMemberIds(trx, row.enterprise_id), {
      kind: `challenge.${to}`,
      title,
      body: input.reason ?? '',
      link: `/workspace/challenges/${id}`,
      challengeId: id,
    });
    return (await findChallengeForWork(trx, id))!;
  });
}

const withdrawable: readonly ChallengeStatus[] = [
  'draft',
  'under_review',
  'returned',
  'published',
  'bidding_closed',
];

/** Withdraw (撤榜) before anyone is appointed; live bidders and invitees are notified. */
export async function withdrawChallenge(
  deps: AppDeps,
  actor: ActorWithName,
  id: string,
  input: { reason?: string | undefined },
  meta: RequestMeta,
) {
  const { row, relation } = await loadChallengeFor(deps.db, id, actor);
  if (!canWithdrawChallenge(actor, relation)) throw new AppError('FORBIDDEN');
  if (!withdrawable.includes(row.status as ChallengeStatus)) throw new AppError('CHALLENGE_STATE_CONFLICT');
  return deps.db.transaction().execute(async (trx) => {
    await transitionAndRecord(trx, deps, actor, meta, {
      id,
      from: row.status as ChallengeStatus,
      to: 'withdrawn',
      reason: input.reason,
      action: 'challenge.withdrawn',
    });
    const bidders = await bidPartyIds(trx, id, ['submitted']);
    await notifyUsers(trx, deps, [...bidders, ...(await organisationMemberIds(trx, row.enterprise_id))], {
      kind: 'challenge.withdrawn',
      title: f.notify.withdrawn(row.title),
      body: input.reason ?? '',
      challengeId: id,
    });
    return (await findChallengeForWork(trx, id))!;
  });
}

/** Early close of bidding by the enterprise (published → bidding_closed). */
export async function closeChallengeEarly(
  deps: AppDeps,
  actor: ActorWithName,
  id: string,
  input: { reason?: string | undefined },
  meta: RequestMeta,
) {
  const { row, relation } = await loadChallengeFor(deps.db, id, actor);
  if (!canActForEnterprise(relation)) throw new AppError('FORBIDDEN');
  if (row.status !== 'published') throw new AppError('CHALLENGE_STATE_CONFLICT');
  return deps.db.transaction().execute(async (trx) => {
    await transitionAndRecord(trx, deps, actor, meta, {
      id,
      from: 'published',
      to: 'bidding_closed',
      reason: input.reason ?? '发榜企业提前截止',
      action: 'challenge.closed_early',
    });
    await notifyUsers(trx, deps, await bidPartyIds(trx, id, ['submitted']), {
      kind: 'challenge.closed',
      title: f.notify.closed(row.title),
      challengeId: id,
      link: `/challenges/${id}`,
    });
    return (await findChallengeForWork(trx, id))!;
  });
}

/** Ends a challenge as failed (未完成) after bidding: by its enterprise or an operator, with a reason. */
export async function failChallenge(
  deps: AppDeps,
  actor: ActorWithName,
  id: string,
  input: { reason: string },
  meta: RequestMeta,
) {
  const { row, relation } = await loadChallengeFor(deps.db, id, actor);
  if (!canWithdrawChallenge(actor, relation)) throw new AppError('FORBIDDEN');
  if (!['bidding_closed', 'awarded', 'in_delivery'].includes(row.status))
    throw new AppError('CHALLENGE_STATE_CONFLICT');
  return deps.db.transaction().execute(async (trx) => {
    await transitionAndRecord(trx, deps, actor, meta, {
      id,
      from: row.status as ChallengeStatus,
      to: 'failed',
      reason: input.reason,
      action: 'challenge.failed',
    });
    await notifyUsers(trx, deps, await bidPartyIds(trx, id, ['submitted', 'awarded']), {
      kind: 'challenge.failed',
      title: f.notify.failed(row.title),
      body: input.reason,
      challengeId: id,
    });
    return (await findChallengeForWork(trx, id))!;
  });
}
