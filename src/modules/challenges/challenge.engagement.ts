import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import type { RequestMeta } from '../auth/account.usecases.js';
import type { ActorRef } from '../auth/policy.js';
import { notifyUsers, organisationMemberIds } from '../notifications/notification.js';
import { type ActorWithName, loadChallengeFor } from './challenge.workflow.js';
import { bidPartyIds } from './challenge.workflow.queries.js';

/**
 * Around a published challenge: public Q&A (答疑) and invitations to bid. Schemas, queries and use
 * cases together: each is small and used only by its routes and pages.
 */
const f = messages.flow;
const noNul = (s: string) => !s.includes('\u0000');

export const questionBody = z
  .object({ question: z.string().min(2).max(1000).refine(noNul, messages.validation.nulByte) })
  .strict()
  .openapi('QuestionInput');
export const answerBody = z
  .object({ answer: z.string().min(1).max(2000).refine(noNul, messages.validation.nulByte) })
  .strict()
  .openapi('AnswerInput');
export const questionParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
  questionId: z.uuid().openapi({ param: { name: 'questionId', in: 'path' } }),
});
export const questionSchema = z
  .object({
    id: z.uuid(),
    question: z.string(),
    answer: z.string().nullable(),
    asked_at: z.iso.datetime(),
    answered_at: z.iso.datetime().nullable(),
    mine: z.boolean(),
  })
  .openapi('Question');

export const invitationBody = z
  .object({
    expert_profile_id: z.uuid().optional(),
    organisation_id: z.uuid().optional(),
    message: z.string().max(1000).refine(noNul, messages.validation.nulByte).default(''),
  })
  .strict()
  .refine((b) => (b.expert_profile_id === undefined) !== (b.organisation_id === undefined), {
    message: '请指定一位专家（expert_profile_id）或一个学会（organisation_id）',
    path: ['expert_profile_id'],
  })
  .openapi('ChallengeInvitationInput');
export const invitationResponseBody = z
  .object({ decision: z.enum(['accept', 'decline']) })
  .strict()
  .openapi('ChallengeInvitationResponse');
export const invitationSchema = z
  .object({
    id: z.uuid(),
    challenge: z.object({ id: z.uuid(), title: z.string() }),
    invitee: z.object({ kind: z.enum(['expert', 'organisation']), id: z.uuid(), name: z.string() }),
    message: z.string(),
    status: z.enum(['pending', 'accepted', 'declined']),
    created_at: z.iso.datetime(),
  })
  .openapi('ChallengeInvitation');

/** Answered questions are public; unanswered ones only to the asker, the enterprise and operators. */
export async function questionsFor(db: Database, challengeId: string, actor: ActorRef | null) {
  const { relation } = await loadChallengeFor(db, challengeId, actor);
  const all = relation.enterpriseMember || actor?.role === 'operator';
  const rows = await db
    .selectFrom('challenge_questions')
    .select(['id', 'question', 'answer', 'asked_by', 'created_at', 'answered_at'])
    .where('challenge_id', '=', challengeId)
    .where((eb) =>
      all ? eb.val(true) : eb.or([eb('answer', 'is not', null), eb('asked_by', '=', actor?.userId ?? null)]),
    )
    .orderBy('created_at')
    .execute();
  return rows.map((q) => ({
    id: q.id,
    question: q.question,
    answer: q.answer,
    asked_at: q.created_at.toISOString(),
    answered_at: q.answered_at?.toISOString() ?? null,
    mine: q.asked_by !== null && q.asked_by === actor?.userId,
  }));
}

export async function askQuestion(
  deps: AppDeps,
  actor: ActorRef,
  challengeId: string,
  question: string,
  meta: RequestMeta,
) {
  const { row } = await loadChallengeFor(deps.db, challengeId, actor);
  if (!['published', 'bidding_closed'].includes(row.status)) throw new AppError('CHALLENGE_CLOSED');
  return deps.db.transaction().execute(async (trx) => {
    const q = await trx
      .insertInto('challenge_questions')
      .values({ challenge_id: challengeId, asked_by: actor.userId, question })
      .returning(['id', 'question', 'answer', 'created_at', 'answered_at'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, meta.actor, {
      action: 'challenge.question_asked',
      targetType: 'challenge',
      targetId: challengeId,
      after: { question_id: q.id },
    });
    await notifyUsers(trx, deps, await organisationMemberIds(trx, row.enterprise_id), {
      kind: 'challenge.question',
      title: f.notify.question(row.title),
      body: question,
      link: `/workspace/challenges/${challengeId}`,
      challengeId,
    });
    return {
      id: q.id,
      question: q.question,
      answer: null,
      asked_at: q.created_at.toISOString(),
      answered_at: null,
      mine: true,
    };
  });
}

/** The enterprise answers publicly; the asker and every live bidder are notified. */
export async function answerQuestion(
  deps: AppDeps,
  actor: ActorRef,
  challengeId: string,
  questionId: string,
  answer: string,
  meta: RequestMeta,
) {
  const { row, relation } = await loadChallengeFor(deps.db, challengeId, actor);
  const question = await deps.db
    .selectFrom('challenge_questions')
    .select(['id', 'asked_by', 'question', 'answer', 'created_at'])
    .where('id', '=', questionId)
    .where('challenge_id', '=', challengeId)
    .executeTakeFirst();
  if (
    !question ||
    (!relation.enterpriseMember && question.asked_by !== actor.userId && actor.role !== 'operator')
  )
    throw new AppError('QUESTION_NOT_FOUND');
  if (!relation.enterpriseMember) throw new AppError('FORBIDDEN');
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock();
    await trx
      .updateTable('challenge_questions')
      .set({ answer, answered_by: actor.userId, answered_at: now })
      .where('id', '=', questionId)
      .execute();
    await recordAudit(trx, meta.actor, {
      action: 'challenge.question_answered',
      targetType: 'challenge',
      targetId: challengeId,
      before: { answer: question.answer },
      after: { question_id: questionId },
    });
    await notifyUsers(
      trx,
      deps,
      [question.asked_by, ...(await bidPartyIds(trx, challengeId, ['submitted']))],
      {
        kind: 'challenge.answered',
        title: f.notify.answered(row.title),
        link: `/challenges/${challengeId}`,
        challengeId,
      },
    );
    return {
      id: question.id,
      question: question.question,
      answer,
      asked_at: question.created_at.toISOString(),
      answered_at: now.toISOString(),
      mine: question.asked_by === actor.userId,
    };
  });
}

function selectInvitations(db: Database) {
  return db
    .selectFrom('challenge_invitations as i')
    .innerJoin('challenges as c', 'c.id', 'i.challenge_id')
    .leftJoin('expert_profiles as e', 'e.id', 'i.expert_profile_id')
    .leftJoin('organisations as o', 'o.id', 'i.organisation_id')
    .select([
      'i.id',
      'i.challenge_id',
      'c.title as challenge_title',
      'c.enterprise_id',
      'i.expert_profile_id',
      'e.user_id as expert_user_id',
      'e.name as expert_name',
      'i.organisation_id',
      'o.name as organisation_name',
      'i.message',
      'i.status',
      'i.created_at',
    ]);
}
type InvitationRow = Awaited<ReturnType<ReturnType<typeof selectInvitations>['execute']>>[number];

export function invitationView(i: InvitationRow) {
  return {
    id: i.id,
    challenge: { id: i.challenge_id, title: i.challenge_title },
    invitee: i.expert_profile_id
      ? { kind: 'expert' as const, id: i.expert_profile_id, name: i.expert_name ?? '' }
      : { kind: 'organisation' as const, id: i.organisation_id!, name: i.organisation_name ?? '' },
    message: i.message,
    status: i.status as 'pending' | 'accepted' | 'declined',
    created_at: i.created_at.toISOString(),
  };
}

/** The enterprise invites an expert (who must have an account to answer) or a society to bid. */
export async function inviteToChallenge(
  deps: AppDeps,
  actor: ActorWithName,
  challengeId: string,
  input: { expert_profile_id?: string | undefined; organisation_id?: string | undefined; message: string },
  meta: RequestMeta,
) {
  const { row, relation } = await loadChallengeFor(deps.db, challengeId, actor);
  if (!relation.enterpriseMember) throw new AppError('FORBIDDEN');
  if (row.status !== 'published') throw new AppError('CHALLENGE_CLOSED');
  let recipients: string[];
  if (input.expert_profile_id) {
    const expert = await deps.db
      .selectFrom('expert_profiles')
      .select(['id', 'user_id'])
      .where('id', '=', input.expert_profile_id)
      .executeTakeFirst();
    if (!expert) throw new AppError('EXPERT_NOT_FOUND');
    if (!expert.user_id)
      throw new AppError('VALIDATION_FAILED', {
        fields: [{ field: 'expert_profile_id', reason: f.invalid.expertNotRegistered }],
      });
    recipients = [expert.user_id];
  } else {
    const org = await deps.db
      .selectFrom('organisations')
      .select(['id', 'kind', 'verification_status'])
      .where('id', '=', input.organisation_id!)
      .executeTakeFirst();
    if (!org || org.kind === 'enterprise' || org.verification_status !== 'verified')
      throw new AppError('SOCIETY_NOT_FOUND');
    recipients = await organisationMemberIds(deps.db, org.id);
  }
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const created = await trx
        .insertInto('challenge_invitations')
        .values({
          challenge_id: challengeId,
          expert_profile_id: input.expert_profile_id ?? null,
          organisation_id: input.organisation_id ?? null,
          message: input.message,
          invited_by: actor.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(trx, meta.actor, {
        action: 'challenge.invitation_sent',
        targetType: 'challenge',
        targetId: challengeId,
        after: {
          invitation_id: created.id,
          expert_profile_id: input.expert_profile_id,
          organisation_id: input.organisation_id,
        },
      });
      await notifyUsers(trx, deps, recipients, {
        kind: 'challenge.invited',
        title: f.notify.invited(row.title),
        body: input.message,
        link: `/challenges/${challengeId}`,
        challengeId,
      });
      return invitationView(
        (await selectInvitations(trx as unknown as Database)
          .where('i.id', '=', created.id)
          .executeTakeFirst())!,
      );
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('CONFLICT', { detail: '已邀请过' });
    throw error;
  }
}

export async function invitationsOfChallenge(db: Database, challengeId: string, actor: ActorRef) {
  const { relation } = await loadChallengeFor(db, challengeId, actor);
  if (!relation.enterpriseMember && actor.role !== 'operator') throw new AppError('FORBIDDEN');
  const rows = await selectInvitations(db)
    .where('i.challenge_id', '=', challengeId)
    .orderBy('i.created_at')
    .execute();
  return rows.map(invitationView);
}

/** Invitations addressed to the user: as the expert of the profile, or as a member of the society. */
export async function invitationsOfUser(db: Database, userId: string) {
  const rows = await selectInvitations(db)
    .where((eb) =>
      eb.or([
        eb('e.user_id', '=', userId),
        eb(
          'i.organisation_id',
          'in',
          eb.selectFrom('organisation_members').select('organisation_id').where('user_id', '=', userId),
        ),
      ]),
    )
    .orderBy('i.created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map(invitationView);
}

export async function respondToInvitation(
  deps: AppDeps,
  actor: ActorRef,
  invitationId: string,
  decision: 'accept' | 'decline',
  meta: RequestMeta,
) {
  const mine = (await invitationsOfUser(deps.db, actor.userId)).find((i) => i.id === invitationId);
  if (!mine) throw new AppError('INVITATION_NOT_FOUND');
  return deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('challenge_invitations')
      .set({
        status: decision === 'accept' ? 'accepted' : 'declined',
        responded_by: actor.userId,
        responded_at: deps.clock(),
      })
      .where('id', '=', invitationId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AppError('ALREADY_DECIDED');
    await recordAudit(trx, meta.actor, {
      action: `challenge.invitation_${decision}ed`,
      targetType: 'challenge',
      targetId: mine.challenge.id,
      after: { invitation_id: invitationId, decision },
    });
    const row = (await selectInvitations(trx as unknown as Database)
      .where('i.id', '=', invitationId)
      .executeTakeFirst())!;
    await notifyUsers(trx, deps, await organisationMemberIds(trx, row.enterprise_id), {
      kind: 'challenge.invitation_answered',
      title: f.notify.invitationAnswered(row.challenge_title, decision === 'accept'),
      link: `/workspace/challenges/${row.challenge_id}`,
      challengeId: row.challenge_id,
      mail: false,
    });
    return invitationView(row);
  });
}
