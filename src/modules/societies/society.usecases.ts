import type { AppDeps } from '../../app-deps.js';
import { AppError, type FieldProblem } from '../../http/errors.js';
import { messages } from '../../web/messages.js';
import { type AuditActor, recordAudit } from '../audit/audit.js';
import { type ActorRef, canFormServiceTeam, canViewSocietyProfile } from '../auth/policy.js';
import { publicChallengeStatuses } from '../challenges/challenge.lifecycle.js';
import { findMembership } from '../organisations/organisation.queries.js';
import { publicStationStatuses } from '../stations/station.lifecycle.js';
import {
  filterMemberExperts,
  findSociety,
  insertServiceTeam,
  listMemberExperts,
  listPublicStationsOfSociety,
  listPublishedCapabilitiesOfOrganisation,
  listServiceTeams,
  listWonChallenges,
} from './society.queries.js';
import type { ServiceTeamInput } from './society.schemas.js';

const m = messages.supply;

/** 404 for a society the actor may not know exists (see canViewSocietyProfile). */
export async function loadVisibleSociety(deps: AppDeps, actor: ActorRef | null, id: string) {
  const society = await findSociety(deps.db, id);
  const membership = society ? await findMembership(deps.db, id, actor?.userId ?? null) : null;
  if (!society || !canViewSocietyProfile(actor, society, membership)) throw new AppError('SOCIETY_NOT_FOUND');
  return { society, membership };
}

/** The society's public page: member experts, capabilities, service teams, stations, won challenges. */
export async function loadSocietyDetail(deps: AppDeps, actor: ActorRef | null, id: string) {
  const { society } = await loadVisibleSociety(deps, actor, id);
  const reference = await deps.reference.get();
  const codeName = (code: string) => ({ code, name: reference.regionName.get(code) ?? code });
  const [experts, capabilities, teams, stations, won] = await Promise.all([
    listMemberExperts(deps.db, id),
    listPublishedCapabilitiesOfOrganisation(deps.db, id),
    listServiceTeams(deps.db, id),
    listPublicStationsOfSociety(deps.db, id, publicStationStatuses),
    listWonChallenges(deps.db, id, publicChallengeStatuses),
  ]);
  return {
    id: society.id,
    name: society.name,
    discipline: society.discipline ?? '',
    description: society.description,
    region: society.region_code ? codeName(society.region_code) : null,
    verified: society.verification_status === 'verified',
    service_regions: society.service_region_codes.map(codeName),
    experts,
    capabilities,
    service_teams: teams.map((t) => {
      const lead = t.members.find((x) => x.role === 'lead');
      return {
        id: t.id,
        name: t.name,
        industry: t.industry_code
          ? { code: t.industry_code, name: t.industry_name ?? t.industry_code }
          : null,
        regions: t.region_codes.map(codeName),
        description: t.description,
        lead: lead ? { id: lead.id, name: lead.name } : null,
        members: t.members.map((x) => ({
          id: x.id,
          name: x.name,
          title: x.title,
          role: x.role as 'lead' | 'member',
        })),
      };
    }),
    stations: stations.map((s) => ({
      id: s.id,
      name: s.name,
      kind: s.kind_name,
      region: s.region_code ? { code: s.region_code, name: s.region_name ?? s.region_code } : null,
    })),
    won_challenges: won,
  };
}

/**
 * A society member forms a service team of the society's own experts, with one lead. Every expert
 * must be a member of the society; the team and its members are written in one transaction.
 */
export async function createServiceTeam(
  deps: AppDeps,
  actor: ActorRef,
  societyId: string,
  input: ServiceTeamInput,
  audit: AuditActor,
) {
  const { society, membership } = await loadVisibleSociety(deps, actor, societyId);
  if (!canFormServiceTeam(membership, society)) throw new AppError('FORBIDDEN');
  const reference = await deps.reference.get();
  const problems: FieldProblem[] = [];
  if (input.industry_code && !reference.industryName.has(input.industry_code))
    problems.push({ field: 'industry_code', reason: m.invalidIndustry });
  if (input.region_codes.some((code) => !reference.regionName.has(code)))
    problems.push({ field: 'region_codes', reason: m.invalidRegion });
  const expertIds = [...new Set([input.lead_expert_id, ...input.member_expert_ids])];
  const members = await filterMemberExperts(deps.db, societyId, expertIds);
  if (!members.has(input.lead_expert_id))
    problems.push({ field: 'lead_expert_id', reason: m.expertNotInSociety });
  if (input.member_expert_ids.some((id) => !members.has(id)))
    problems.push({ field: 'member_expert_ids', reason: m.expertNotInSociety });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const id = await insertServiceTeam(
        trx,
        societyId,
        {
          name: input.name,
          industry_code: input.industry_code,
          region_codes: input.region_codes,
          description: input.description,
        },
        expertIds.map((expertId) => ({
          expert_id: expertId,
          role: expertId === input.lead_expert_id ? ('lead' as const) : ('member' as const),
        })),
      );
      await recordAudit(trx, audit, {
        action: 'service_team.created',
        targetType: 'service_team',
        targetId: id,
        after: {
          society_id: societyId,
          name: input.name,
          lead: input.lead_expert_id,
          members: expertIds.length,
        },
      });
      return id;
    });
  } catch (error) {
    if ((error as { constraint?: string }).constraint === 'service_teams_society_name_key')
      throw new AppError('VALIDATION_FAILED', { fields: [{ field: 'name', reason: m.teamNameTaken }] });
    throw error;
  }
}
