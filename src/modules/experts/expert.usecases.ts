import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { messages } from '../../web/messages.js';
import { type AuditActor, recordAudit } from '../audit/audit.js';
import { type ActorRef, canSeeExpertContact, canViewExpertProfile } from '../auth/policy.js';
import {
  findExpert,
  findExpertOfUser,
  isMemberOfVerifiedEnterprise,
  listAchievementsOfExpert,
  listPublishedCapabilitiesOfExpert,
  listSocietiesOfExpert,
  listTeamsOfExpert,
  replaceAchievementsOfExpert,
  upsertExpertProfileOfUser,
} from './expert.queries.js';
import type { ExpertProfileInput } from './expert.schemas.js';

type Availability = 'available' | 'limited' | 'unavailable';

/**
 * The public profile of an expert as this viewer may see it: 404 for hidden profiles (except for
 * their owner and operators); contact details only under the consent rule in policy.ts.
 */
export async function loadExpertDetail(deps: AppDeps, actor: ActorRef | null, id: string) {
  const expert = await findExpert(deps.db, id);
  if (!expert || !canViewExpertProfile(actor, expert)) throw new AppError('EXPERT_NOT_FOUND');
  const [societies, achievements, capabilities, teams, inVerifiedEnterprise] = await Promise.all([
    listSocietiesOfExpert(deps.db, id),
    listAchievementsOfExpert(deps.db, id),
    listPublishedCapabilitiesOfExpert(deps.db, id),
    listTeamsOfExpert(deps.db, id),
    actor ? isMemberOfVerifiedEnterprise(deps.db, actor.userId) : Promise.resolve(false),
  ]);
  const showContact = canSeeExpertContact(expert, inVerifiedEnterprise);
  return {
    id: expert.id,
    name: expert.name,
    title: expert.title,
    affiliation: expert.affiliation,
    discipline: expert.discipline,
    region: expert.region_code
      ? { code: expert.region_code, name: expert.region_name ?? expert.region_code }
      : null,
    fields: expert.fields,
    availability: expert.availability as Availability,
    society_names: societies.map((s) => s.name),
    bio: expert.bio,
    societies,
    achievements,
    capabilities,
    service_teams: teams,
    contact: showContact ? { phone: expert.contact_phone, email: expert.contact_email } : null,
    contact_withheld: showContact
      ? null
      : expert.contact_consent
        ? ('verified_enterprise_only' as const)
        : ('not_consented' as const),
    // An imported profile has no account yet; its owner may claim it (expert.claims.ts).
    claimable: expert.user_id === null,
  };
}

export function myProfileView(expert: NonNullable<Awaited<ReturnType<typeof findExpertOfUser>>>) {
  return {
    id: expert.id,
    name: expert.name,
    title: expert.title,
    affiliation: expert.affiliation,
    discipline: expert.discipline,
    region_code: expert.region_code,
    fields: expert.fields,
    bio: expert.bio,
    availability: expert.availability as Availability,
    visibility: expert.visibility as 'public' | 'hidden',
    contact_phone: expert.contact_phone,
    contact_email: expert.contact_email,
    contact_consent: expert.contact_consent,
    updated_at: expert.updated_at.toISOString(),
  };
}

export async function getMyExpertProfile(deps: AppDeps, actor: ActorRef) {
  const expert = await findExpertOfUser(deps.db, actor.userId);
  if (!expert) throw new AppError('EXPERT_NOT_FOUND');
  return myProfileView(expert);
}

/**
 * The owner saves their profile (the first save creates it). The change, its search sync (a hidden
 * profile leaves the index) and the audit row commit together.
 */
export async function saveMyExpertProfile(
  deps: AppDeps,
  actor: ActorRef,
  input: ExpertProfileInput,
  audit: AuditActor,
) {
  const reference = await deps.reference.get();
  if (input.region_code && !reference.regionName.has(input.region_code))
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'region_code', reason: messages.supply.invalidRegion }],
    });
  const before = await findExpertOfUser(deps.db, actor.userId);
  const saved = await deps.db.transaction().execute(async (trx) => {
    const id = await upsertExpertProfileOfUser(trx, actor.userId, input);
    if (input.achievements) await replaceAchievementsOfExpert(trx, id, input.achievements);
    await enqueueSearchSync(trx, 'expert', [id]);
    await recordAudit(trx, audit, {
      action: before ? 'expert_profile.updated' : 'expert_profile.created',
      targetType: 'expert_profile',
      targetId: id,
      before: before
        ? { name: before.name, visibility: before.visibility, contact_consent: before.contact_consent }
        : null,
      after: { name: input.name, visibility: input.visibility, contact_consent: input.contact_consent },
    });
    return (await findExpertOfUser(trx, actor.userId))!;
  });
  deps.outbox?.notify();
  return myProfileView(saved);
}
