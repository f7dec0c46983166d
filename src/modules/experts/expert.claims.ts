import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import type { RequestMeta } from '../auth/account.usecases.js';
import { type ActorRef, canViewExpertProfile } from '../auth/policy.js';
import { notifyUsers } from '../notifications/notification.js';

/**
 * 认领专家资料: an expert profile imported from a society's spreadsheet has no account. Its owner,
 * signed in as an expert, asks to claim it (with evidence); an operator confirms or rejects with a
 * reason. On confirmation the profile is linked to the account, and the profile the account had
 * until then (created empty at signup, or filled in since) is detached and hidden rather than
 * deleted: bids, capabilities and station records may point at it, and nothing a user wrote is lost.
 * Every step writes an audit row in its own transaction.
 */
const m = messages.expertClaim;
const noNul = (s: string) => !s.includes('\u0000');

export const claimBody = z
  .object({
    evidence: z
      .string()
      .trim()
      // A custom check (not .min) so the form shows this specific reason, not the generic length message.
      .refine((s) => s.length > 0, m.evidenceRequired)
      .max(2000)
      .refine(noNul, messages.validation.nulByte)
      .openapi({ example: '本人即贵州大学茶学院王某某，工号 2003xxx，可用单位邮箱核实。' }),
  })
  .strict()
  .openapi('ExpertClaimRequest');

export const claimDecisionBody = z
  .object({
    decision: z.enum(['approved', 'rejected']),
    reason: z.string().trim().max(500).refine(noNul, messages.validation.nulByte).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.decision === 'rejected' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: m.reasonRequired });
  })
  .openapi('ExpertClaimDecision');

export const claimSchema = z
  .object({
    id: z.uuid(),
    expert_profile_id: z.uuid(),
    expert_name: z.string(),
    expert_affiliation: z.string(),
    user_id: z.uuid(),
    claimant_name: z.string(),
    claimant_email: z.string(),
    evidence: z.string(),
    status: z.enum(['pending', 'approved', 'rejected']),
    reason: z.string().nullable(),
    created_at: z.iso.datetime(),
    decided_at: z.iso.datetime().nullable(),
  })
  .openapi('ExpertClaim');

export type ClaimView = z.infer<typeof claimSchema>;

function claimsQuery(db: Database) {
  return db
    .selectFrom('expert_profile_claims as c')
    .innerJoin('expert_profiles as p', 'p.id', 'c.expert_profile_id')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .select([
      'c.id',
      'c.expert_profile_id',
      'p.name as expert_name',
      'p.affiliation as expert_affiliation',
      'c.user_id',
      'u.display_name as claimant_name',
      'u.email as claimant_email',
      'c.evidence',
      'c.status',
      'c.reason',
      'c.created_at',
      'c.decided_at',
    ]);
}

type ClaimRow = Awaited<ReturnType<ReturnType<typeof claimsQuery>['execute']>>[number];

export const claimView = (r: ClaimRow): ClaimView => ({
  ...r,
  status: r.status as ClaimView['status'],
  created_at: r.created_at.toISOString(),
  decided_at: r.decided_at ? r.decided_at.toISOString() : null,
});

/** The operator's queue: open claims, oldest first. */
export async function listPendingClaims(db: Database) {
  const rows = await claimsQuery(db)
    .where('c.status', '=', 'pending')
    .orderBy('c.created_at')
    .limit(200)
    .execute();
  return rows.map(claimView);
}

/** A claimant's own claims, newest first. */
export async function listClaimsOf(db: Database, userId: string) {
  const rows = await claimsQuery(db)
    .where('c.user_id', '=', userId)
    .orderBy('c.created_at', 'desc')
    .execute();
  return rows.map(claimView);
}

/** The profile as a claimant may see it, or 404 (hidden profiles are not known to exist). */
export async function loadClaimableProfile(db: Database, actor: ActorRef, profileId: string) {
  const profile = await db
    .selectFrom('expert_profiles')
    .select(['id', 'name', 'title', 'affiliation', 'user_id', 'visibility'])
    .where('id', '=', profileId)
    .executeTakeFirst();
  if (!profile || !canViewExpertProfile(actor, profile)) throw new AppError('NOT_FOUND');
  return profile;
}

export async function requestClaim(
  deps: AppDeps,
  actor: ActorRef,
  profileId: string,
  input: { evidence: string },
  meta: RequestMeta,
) {
  return deps.db.transaction().execute(async (trx) => {
    const profile = await loadClaimableProfile(trx, actor, profileId);
    if (profile.user_id !== null) throw new AppError('EXPERT_PROFILE_CLAIMED');
    const created = await trx
      .insertInto('expert_profile_claims')
      .values({ expert_profile_id: profileId, user_id: actor.userId, evidence: input.evidence })
      // The partial unique index allows one open claim per (profile, user).
      .onConflict((oc) =>
        oc.columns(['expert_profile_id', 'user_id']).where('status', '=', 'pending').doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (!created) throw new AppError('CLAIM_PENDING');
    await recordAudit(trx, meta.actor, {
      action: 'expert_claim.requested',
      targetType: 'expert_profile',
      targetId: profileId,
      after: { claim_id: created.id, evidence: input.evidence },
    });
    return claimView(await claimsQuery(trx).where('c.id', '=', created.id).executeTakeFirstOrThrow());
  });
}

/**
 * Confirms or rejects an open claim. Row locks (claim, then profile) make two operators deciding at
 * once, or two claims on one profile being approved at once, end with exactly one owner.
 */
export async function decideClaim(
  deps: AppDeps,
  actor: ActorRef,
  claimId: string,
  input: { decision: 'approved' | 'rejected'; reason?: string | undefined },
  meta: RequestMeta,
) {
  if (actor.role !== 'operator') throw new AppError('FORBIDDEN');
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const claim = await trx
      .selectFrom('expert_profile_claims')
      .select(['id', 'expert_profile_id', 'user_id', 'status'])
      .where('id', '=', claimId)
      .forUpdate()
      .executeTakeFirst();
    if (!claim) throw new AppError('NOT_FOUND');
    if (claim.status !== 'pending') throw new AppError('ALREADY_DECIDED');
    const reason = input.reason ?? null;
    let previousProfileId: string | null = null;
    if (input.decision === 'approved') {
      const profile = await trx
        .selectFrom('expert_profiles')
        .select(['id', 'user_id'])
        .where('id', '=', claim.expert_profile_id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (profile.user_id !== null) throw new AppError('EXPERT_PROFILE_CLAIMED');
      // The account's own profile, if any, steps aside: unlinked (user_id is unique) and hidden.
      const previous = await trx
        .updateTable('expert_profiles')
        .set({ user_id: null, visibility: 'hidden' })
        .where('user_id', '=', claim.user_id)
        .returning('id')
        .executeTakeFirst();
      previousProfileId = previous?.id ?? null;
      await trx
        .updateTable('expert_profiles')
        .set({ user_id: claim.user_id })
        .where('id', '=', claim.expert_profile_id)
        .execute();
      // Other open claims on this profile can no longer succeed; their authors are told why.
      const rivals = await trx
        .updateTable('expert_profile_claims')
        .set({ status: 'rejected', reason: m.claimedByAnother, decided_by: actor.userId, decided_at: now })
        .where('expert_profile_id', '=', claim.expert_profile_id)
        .where('status', '=', 'pending')
        .where('id', '!=', claim.id)
        .returning('user_id')
        .execute();
      await notifyUsers(
        trx,
        deps,
        rivals.map((r) => r.user_id),
        {
          kind: 'expert_claim.rejected',
          title: m.notifyRejected,
          body: m.claimedByAnother,
          link: `/experts/${claim.expert_profile_id}/claim`,
        },
      );
      await enqueueSearchSync(trx, 'expert', [
        claim.expert_profile_id,
        ...(previousProfileId ? [previousProfileId] : []),
      ]);
    }
    await trx
      .updateTable('expert_profile_claims')
      .set({ status: input.decision, reason, decided_by: actor.userId, decided_at: now })
      .where('id', '=', claim.id)
      .execute();
    await notifyUsers(trx, deps, [claim.user_id], {
      kind: input.decision === 'approved' ? 'expert_claim.approved' : 'expert_claim.rejected',
      title: input.decision === 'approved' ? m.notifyApproved : m.notifyRejected,
      body: reason ?? '',
      link:
        input.decision === 'approved'
          ? `/experts/${claim.expert_profile_id}`
          : `/experts/${claim.expert_profile_id}/claim`,
    });
    await recordAudit(trx, meta.actor, {
      action: input.decision === 'approved' ? 'expert_claim.approved' : 'expert_claim.rejected',
      targetType: 'expert_profile',
      targetId: claim.expert_profile_id,
      before: { claim_id: claim.id, status: 'pending', user_id: null },
      after: {
        claim_id: claim.id,
        status: input.decision,
        ...(input.decision === 'approved'
          ? { user_id: claim.user_id, previous_profile_hidden: previousProfileId }
          : {}),
      },
      reason,
    });
    return claimView(await claimsQuery(trx).where('c.id', '=', claim.id).executeTakeFirstOrThrow());
  });
}
