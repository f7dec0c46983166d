import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../web/messages.js';
import { recordAudit } from '../audit/audit.js';
import { mailerOf, type RequestMeta } from '../auth/account.usecases.js';
import {
  type ActorRef,
  canManageOrganisation,
  canViewOrganisation,
  canViewOrganisationInternals,
  type MemberRole,
  organisationKindFor,
} from '../auth/policy.js';
import { newSecretToken, parseSecretToken, secretMatches } from '../auth/secret-token.js';
import {
  findMembership,
  findOrganisation,
  listMembers,
  organisationColumns,
} from './organisation.queries.js';

/** Organisation use cases; each owns its transaction and writes its audit row inside it. */
export const INVITATION_TTL_MS = 7 * 86_400_000;

type Org = NonNullable<Awaited<ReturnType<typeof findOrganisation>>>;

const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string; constraint?: string }).code === '23505' &&
  (error as { constraint?: string }).constraint === constraint;

/** Public view for outsiders; members and operators also see the verification reason. */
export function organisationView(org: Org, actor: ActorRef | null, membership: MemberRole | null) {
  const internals = canViewOrganisationInternals(actor, membership);
  return {
    ...org,
    kind: org.kind as 'enterprise' | 'society' | 'other',
    verification_status: org.verification_status as 'pending' | 'verified' | 'rejected',
    verification_reason: internals ? org.verification_reason : null,
    my_role: membership,
    created_at: org.created_at.toISOString(),
  };
}

/** 404 (not 403) for an organisation the actor may not know exists. */
export async function loadVisibleOrganisation(db: Database, id: string, actor: ActorRef | null) {
  const org = await findOrganisation(db, id);
  const membership = org ? await findMembership(db, id, actor?.userId ?? null) : null;
  if (!org || !canViewOrganisation(actor, org, membership)) throw new AppError('ORGANISATION_NOT_FOUND');
  return { org, membership };
}

async function loadManagedOrganisation(db: Database, id: string, actor: ActorRef) {
  const { org, membership } = await loadVisibleOrganisation(db, id, actor);
  if (!canManageOrganisation(membership)) throw new AppError('FORBIDDEN');
  return { org, membership };
}

export async function createOrganisation(
  deps: AppDeps,
  actor: ActorRef,
  input: {
    name: string;
    credit_code: string;
    region_code?: string | undefined;
    description?: string | undefined;
  },
  meta: RequestMeta,
) {
  const kind = organisationKindFor(actor.role);
  if (!kind) throw new AppError('FORBIDDEN');
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const org = await trx
        .insertInto('organisations')
        .values({
          kind,
          name: input.name,
          credit_code: input.credit_code,
          region_code: input.region_code ?? null,
          description: input.description ?? '',
          created_by: actor.userId,
        })
        .returning(organisationColumns.map((c) => c.replace('organisations.', '')) as ['id'])
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('organisation_members')
        .values({ organisation_id: org.id, user_id: actor.userId, role: 'admin' })
        .execute();
      const created = (await findOrganisation(trx, org.id))!;
      await recordAudit(trx, meta.actor, {
        action: 'organisation.created',
        targetType: 'organisation',
        targetId: org.id,
        after: { kind, name: input.name, credit_code: input.credit_code, verification_status: 'pending' },
      });
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'organisations_credit_code_key'))
      throw new AppError('CREDIT_CODE_TAKEN', {
        fields: [{ field: 'credit_code', reason: messages.errors.CREDIT_CODE_TAKEN }],
      });
    if ((error as { code?: string }).code === '23503')
      throw new AppError('VALIDATION_FAILED', {
        fields: [{ field: 'region_code', reason: messages.organisation.invalidRegion }],
      });
    throw error;
  }
}

/** Edits by an organisation admin; a rejected organisation goes back to the queue when edited. */
export async function updateOrganisation(
  deps: AppDeps,
  actor: ActorRef,
  id: string,
  input: {
    name?: string | undefined;
    credit_code?: string | undefined;
    region_code?: string | undefined;
    description?: string | undefined;
  },
  meta: RequestMeta,
) {
  const { org: before } = await loadManagedOrganisation(deps.db, id, actor);
  const identityChanged =
    (input.name !== undefined && input.name !== before.name) ||
    (input.credit_code !== undefined && input.credit_code !== before.credit_code);
  const resubmit =
    before.verification_status === 'rejected' ||
    (before.verification_status === 'verified' && identityChanged);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('organisations')
        .set({
          ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
          ...(resubmit
            ? {
                verification_status: 'pending',
                verification_reason: null,
                verified_at: null,
                verified_by: null,
              }
            : {}),
        })
        .where('id', '=', id)
        .execute();
      const after = (await findOrganisation(trx, id))!;
      await recordAudit(trx, meta.actor, {
        action: 'organisation.updated',
        targetType: 'organisation',
        targetId: id,
        before: {
          name: before.name,
          credit_code: before.credit_code,
          region_code: before.region_code,
          verification_status: before.verification_status,
        },
        after: {
          name: after.name,
          credit_code: after.credit_code,
          region_code: after.region_code,
          verification_status: after.verification_status,
        },
      });
      return after;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'organisations_credit_code_key'))
      throw new AppError('CREDIT_CODE_TAKEN', {
        fields: [{ field: 'credit_code', reason: messages.errors.CREDIT_CODE_TAKEN }],
      });
    throw error;
  }
}

export async function membersOf(deps: AppDeps, actor: ActorRef, id: string) {
  const { membership } = await loadVisibleOrganisation(deps.db, id, actor);
  if (!canViewOrganisationInternals(actor, membership)) throw new AppError('FORBIDDEN');
  return listMembers(deps.db, id);
}

/** Changes a member's role; the last admin cannot be demoted or removed (checked under a row lock). */
export async function setMemberRole(
  deps: AppDeps,
  actor: ActorRef,
  id: string,
  userId: string,
  role: MemberRole | null,
  meta: RequestMeta,
) {
  await loadManagedOrganisation(deps.db, id, actor);
  await deps.db.transaction().execute(async (trx) => {
    // Lock the organisation's member rows so two admins demoting each other cannot both succeed.
    const members = await trx
      .selectFrom('organisation_members')
      .select(['user_id', 'role'])
      .where('organisation_id', '=', id)
      .forUpdate()
      .execute();
    const target = members.find((m) => m.user_id === userId);
    if (!target) throw new AppError('NOT_FOUND');
    const admins = members.filter((m) => m.role === 'admin').length;
    if (target.role === 'admin' && role !== 'admin' && admins <= 1) throw new AppError('LAST_ADMIN');
    if (role === null) {
      await trx
        .deleteFrom('organisation_members')
        .where('organisation_id', '=', id)
        .where('user_id', '=', userId)
        .execute();
    } else {
      await trx
        .updateTable('organisation_members')
        .set({ role })
        .where('organisation_id', '=', id)
        .where('user_id', '=', userId)
        .execute();
    }
    await recordAudit(trx, meta.actor, {
      action: role === null ? 'organisation.member_removed' : 'organisation.member_role_changed',
      targetType: 'organisation',
      targetId: id,
      before: { user_id: userId, role: target.role },
      after: role === null ? null : { user_id: userId, role },
    });
  });
}

export async function inviteMember(
  deps: AppDeps,
  actor: ActorRef & { displayName: string },
  id: string,
  input: { email: string; role: MemberRole },
  meta: RequestMeta,
) {
  const { org } = await loadManagedOrganisation(deps.db, id, actor);
  const token = newSecretToken();
  const expiresAt = new Date(deps.clock().getTime() + INVITATION_TTL_MS);
  return deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('organisation_invitations')
      .values({
        id: token.id,
        organisation_id: id,
        email: input.email,
        role: input.role,
        secret_hash: Buffer.from(token.secretHash),
        invited_by: actor.userId,
        expires_at: expiresAt,
      })
      .execute();
    const link = `${meta.origin}/invitations/accept?token=${encodeURIComponent(token.value)}`;
    await mailerOf(deps).send(trx, {
      to: input.email,
      subject: messages.mail.invitationSubject(org.name),
      text: messages.mail.invitationBody(org.name, actor.displayName, link),
      kind: 'invitation',
    });
    await recordAudit(trx, meta.actor, {
      action: 'organisation.member_invited',
      targetType: 'organisation',
      targetId: id,
      after: { email: input.email, role: input.role, invitation_id: token.id },
    });
    return { id: token.id, email: input.email, role: input.role, expires_at: expiresAt.toISOString() };
  });
}

/** Accepts an invitation: the signed-in account's email must be the invited one. */
export async function acceptInvitation(
  deps: AppDeps,
  actor: ActorRef & { email: string },
  tokenValue: string,
  meta: RequestMeta,
) {
  const now = deps.clock();
  const parsed = parseSecretToken(tokenValue);
  if (!parsed) throw new AppError('TOKEN_INVALID');
  return deps.db.transaction().execute(async (trx) => {
    const invitation = await trx
      .selectFrom('organisation_invitations')
      .selectAll()
      .where('id', '=', parsed.id)
      .forUpdate()
      .executeTakeFirst();
    if (
      !invitation ||
      invitation.accepted_at ||
      invitation.revoked_at ||
      invitation.expires_at <= now ||
      !secretMatches(parsed.secret, invitation.secret_hash) ||
      invitation.email.toLowerCase() !== actor.email.toLowerCase()
    ) {
      throw new AppError('TOKEN_INVALID');
    }
    await trx
      .updateTable('organisation_invitations')
      .set({ accepted_at: now, accepted_by: actor.userId })
      .where('id', '=', invitation.id)
      .execute();
    await trx
      .insertInto('organisation_members')
      .values({ organisation_id: invitation.organisation_id, user_id: actor.userId, role: invitation.role })
      .onConflict((oc) => oc.columns(['organisation_id', 'user_id']).doNothing())
      .execute();
    await recordAudit(trx, meta.actor, {
      action: 'organisation.invitation_accepted',
      targetType: 'organisation',
      targetId: invitation.organisation_id,
      after: { user_id: actor.userId, role: invitation.role },
    });
    return { organisationId: invitation.organisation_id };
  });
}

/**
 * An operator's decision. Guarded update (`where verification_status = 'pending'`): of two
 * operators deciding at once, the second gets ALREADY_DECIDED instead of overwriting.
 */
export async function decideVerification(
  deps: AppDeps,
  actor: ActorRef,
  id: string,
  input: { decision: 'verified' | 'rejected'; reason?: string | undefined },
  meta: RequestMeta,
) {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const org = await findOrganisation(trx, id);
    if (!org) throw new AppError('ORGANISATION_NOT_FOUND');
    const updated = await trx
      .updateTable('organisations')
      .set({
        verification_status: input.decision,
        verification_reason: input.reason ?? null,
        verified_at: input.decision === 'verified' ? now : null,
        verified_by: actor.userId,
      })
      .where('id', '=', id)
      .where('verification_status', '=', 'pending')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AppError('ALREADY_DECIDED');
    const admins = await trx
      .selectFrom('organisation_members')
      .innerJoin('users', 'users.id', 'organisation_members.user_id')
      .select('users.email')
      .where('organisation_members.organisation_id', '=', id)
      .where('organisation_members.role', '=', 'admin')
      .execute();
    for (const admin of admins) {
      await mailerOf(deps).send(trx, {
        to: admin.email,
        subject: messages.mail.verificationSubject(org.name),
        text: messages.mail.verificationBody(org.name, input.decision === 'verified', input.reason ?? null),
        kind: 'verification_result',
      });
    }
    await recordAudit(trx, meta.actor, {
      action: `organisation.${input.decision}`,
      targetType: 'organisation',
      targetId: id,
      before: { verification_status: org.verification_status },
      after: { verification_status: input.decision },
      reason: input.reason ?? null,
    });
    return (await findOrganisation(trx, id))!;
  });
}
