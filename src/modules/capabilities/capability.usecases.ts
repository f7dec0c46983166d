import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import { AppError, type FieldProblem } from '../../http/errors.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { messages } from '../../web/messages.js';
import { type AuditActor, recordAudit } from '../audit/audit.js';
import {
  type ActorRef,
  type CapabilityRelation,
  canAuthorCapabilityFor,
  canEditCapability,
  canOrganisationAct,
  canTakeDownCapability,
  canViewCapability,
} from '../auth/policy.js';
import { findExpertOfUser } from '../experts/expert.queries.js';
import { findMembership } from '../organisations/organisation.queries.js';
import {
  type CapabilityRow,
  findCapability,
  insertCapability,
  markCapabilityPublished,
  markCapabilityTakenDown,
  updateCapabilityContent,
} from './capability.queries.js';
import type { CapabilityInput } from './capability.schemas.js';

const m = messages.supply;

/** How the actor relates to the capability: the owning expert's user, or a member of the owning organisation. */
export async function capabilityRelation(
  db: Database,
  actor: ActorRef | null,
  row: CapabilityRow,
): Promise<CapabilityRelation> {
  if (!actor) return { owner: false };
  if (row.owner_expert_id) return { owner: row.owner_expert_user_id === actor.userId };
  return { owner: (await findMembership(db, row.owner_organisation_id!, actor.userId)) !== null };
}

/** 404 for a capability the actor may not know exists (drafts and taken-down ones of others). */
export async function loadVisibleCapability(deps: AppDeps, actor: ActorRef | null, id: string) {
  const row = await findCapability(deps.db, id);
  if (!row) throw new AppError('CAPABILITY_NOT_FOUND');
  const relation = await capabilityRelation(deps.db, actor, row);
  if (!canViewCapability(actor, row, relation)) throw new AppError('CAPABILITY_NOT_FOUND');
  return { row, relation };
}

export function capabilityView(row: CapabilityRow, actor: ActorRef | null, relation: CapabilityRelation) {
  const internals = relation.owner || actor?.role === 'operator';
  return {
    id: row.id,
    title: row.title,
    kind: row.kind as CapabilityInput['kind'],
    description: row.description,
    fields: row.fields,
    trl: row.trl,
    cooperation_modes: row.cooperation_modes,
    price: { negotiable: row.price_negotiable, min_wan: row.price_min_wan, max_wan: row.price_max_wan },
    industry: row.industry_code
      ? { code: row.industry_code, name: row.industry_name ?? row.industry_code }
      : null,
    region: row.region_code ? { code: row.region_code, name: row.region_name ?? row.region_code } : null,
    owner: row.owner_expert_id
      ? { type: 'expert' as const, id: row.owner_expert_id, name: row.owner_expert_name ?? '' }
      : {
          type: 'organisation' as const,
          id: row.owner_organisation_id!,
          name: row.owner_organisation_name ?? '',
        },
    status: row.status as 'draft' | 'published' | 'taken_down',
    published_at: row.published_at ? row.published_at.toISOString() : null,
    takedown_reason: internals ? row.takedown_reason : null,
    can_edit: canEditCapability(relation, row),
  };
}

async function checkReferences(deps: AppDeps, input: CapabilityInput) {
  const reference = await deps.reference.get();
  const problems: FieldProblem[] = [];
  if (input.industry_code && !reference.industryName.has(input.industry_code))
    problems.push({ field: 'industry_code', reason: m.invalidIndustry });
  if (input.region_code && !reference.regionName.has(input.region_code))
    problems.push({ field: 'region_code', reason: m.invalidRegion });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
}

/** Who the new capability belongs to: the named organisation (member only) or the actor's expert profile. */
async function ownerFor(deps: AppDeps, actor: ActorRef, input: CapabilityInput) {
  if (input.organisation_id) {
    const membership = await findMembership(deps.db, input.organisation_id, actor.userId);
    if (!canAuthorCapabilityFor(membership))
      throw new AppError('VALIDATION_FAILED', {
        fields: [{ field: 'organisation_id', reason: m.notMemberOf }],
      });
    return { organisationId: input.organisation_id };
  }
  const expert = await findExpertOfUser(deps.db, actor.userId);
  if (!expert)
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'organisation_id', reason: m.noAuthorIdentity }],
    });
  return { expertId: expert.id };
}

/** Creates a draft (drafts are not indexed; the outbox row keeps the index in step all the same). */
export async function createCapability(
  deps: AppDeps,
  actor: ActorRef,
  input: CapabilityInput,
  audit: AuditActor,
) {
  await checkReferences(deps, input);
  const owner = await ownerFor(deps, actor, input);
  const id = await deps.db.transaction().execute(async (trx) => {
    const id = await insertCapability(trx, owner, input);
    await enqueueSearchSync(trx, 'capability', [id]);
    await recordAudit(trx, audit, {
      action: 'capability.created',
      targetType: 'capability',
      targetId: id,
      after: { title: input.title, kind: input.kind, owner },
    });
    return id;
  });
  return id;
}

async function loadEditable(deps: AppDeps, actor: ActorRef, id: string) {
  const { row, relation } = await loadVisibleCapability(deps, actor, id);
  if (!relation.owner) throw new AppError('FORBIDDEN');
  if (!canEditCapability(relation, row)) throw new AppError('CAPABILITY_STATE_CONFLICT');
  return row;
}

/** The owner edits content; a published capability is re-indexed in the same transaction. */
export async function updateCapability(
  deps: AppDeps,
  actor: ActorRef,
  id: string,
  input: CapabilityInput,
  audit: AuditActor,
) {
  const before = await loadEditable(deps, actor, id);
  await checkReferences(deps, input);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await updateCapabilityContent(trx, id, input))) throw new AppError('CAPABILITY_STATE_CONFLICT');
    await enqueueSearchSync(trx, 'capability', [id]);
    await recordAudit(trx, audit, {
      action: 'capability.updated',
      targetType: 'capability',
      targetId: id,
      before: { title: before.title, kind: before.kind, status: before.status },
      after: { title: input.title, kind: input.kind },
    });
  });
  deps.outbox?.notify();
}

/** Draft → published by its owner; an organisation must be verified to publish (as for challenges). */
export async function publishCapability(deps: AppDeps, actor: ActorRef, id: string, audit: AuditActor) {
  const row = await loadEditable(deps, actor, id);
  if (row.status !== 'draft') throw new AppError('CAPABILITY_STATE_CONFLICT');
  if (
    row.owner_organisation_id &&
    !canOrganisationAct({ verification_status: row.owner_organisation_verification ?? 'pending' }, 'publish')
  )
    throw new AppError('ORGANISATION_NOT_VERIFIED');
  await deps.db.transaction().execute(async (trx) => {
    if (!(await markCapabilityPublished(trx, id, deps.clock())))
      throw new AppError('CAPABILITY_STATE_CONFLICT');
    await enqueueSearchSync(trx, 'capability', [id]);
    await recordAudit(trx, audit, {
      action: 'capability.published',
      targetType: 'capability',
      targetId: id,
      before: { status: 'draft' },
      after: { status: 'published' },
    });
  });
  deps.outbox?.notify();
}

/** An operator takes a capability down with a reason; it leaves the index with the same commit. */
export async function takeDownCapability(
  deps: AppDeps,
  actor: ActorRef,
  id: string,
  reason: string,
  audit: AuditActor,
) {
  if (!canTakeDownCapability(actor)) throw new AppError('FORBIDDEN');
  const { row } = await loadVisibleCapability(deps, actor, id);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await markCapabilityTakenDown(trx, id, reason, actor.userId)))
      throw new AppError('CAPABILITY_STATE_CONFLICT');
    await enqueueSearchSync(trx, 'capability', [id]);
    await recordAudit(trx, audit, {
      action: 'capability.taken_down',
      targetType: 'capability',
      targetId: id,
      before: { status: row.status },
      after: { status: 'taken_down' },
      reason,
    });
  });
  deps.outbox?.notify();
}
