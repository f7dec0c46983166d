import type { Meilisearch } from 'meilisearch';
import type { Database } from '../../db/database.js';
import type { SearchIndexes } from '../../search/client.js';
import { liveBiddersOf } from '../bids/bid.queries.js';
import { publicChallengeStatuses } from '../challenges/challenge.lifecycle.js';
import type { ChallengeInput, Matcher, RankedMatch } from './match.js';
import { loadExpertTrackRecords, loadSocietyTrackRecords } from './track-record.js';

/**
 * Recommendations for a challenge: 推荐专家, 推荐学会 (with their service teams) and 相关成果, each
 * ranked with a score and reasons. The one production path: the API, the challenge page and
 * `npm run bench:matching` all call these functions.
 */
export interface RecommendationDeps {
  db: Database;
  search: Meilisearch;
  indexes: SearchIndexes;
  matcher: Matcher;
}

/** What the matcher reads of a challenge: its words, industry as written, and place. */
export async function loadChallengeMatchInput(
  db: Database,
  challengeId: string,
  options: { publicOnly: boolean },
): Promise<ChallengeInput | null> {
  let query = db
    .selectFrom('challenges as c')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .where('c.id', '=', challengeId)
    .select([
      'c.title',
      'c.background',
      'c.problem',
      'c.targets',
      'c.industry_label',
      'i.name as industry_name',
      'c.region_code',
      'c.industry_code',
    ]);
  if (options.publicOnly) query = query.where('c.status', 'in', publicChallengeStatuses);
  const row = await query.executeTakeFirst();
  if (!row) return null;
  return {
    title: row.title,
    description: [row.problem, row.background, row.targets].filter((s) => s.trim() !== '').join('\n'),
    industry: row.industry_label ?? row.industry_name,
    industry_code: row.industry_code,
    region_code: row.region_code,
  };
}

export interface ExpertRecommendation extends RankedMatch {
  title: string;
  affiliation: string;
  availability: string;
  /** Has an account, so an enterprise can invite them on the platform. */
  registered: boolean;
}

export interface SocietyRecommendation extends RankedMatch {
  teams: Array<{ id: string; name: string }>;
  /** Verified by the association, so an enterprise can invite it. */
  verified: boolean;
}

export interface CapabilityRecommendation extends RankedMatch {
  kind: string;
  owner_name: string;
}

export interface Recommendations {
  experts: ExpertRecommendation[];
  societies: SocietyRecommendation[];
  capabilities: CapabilityRecommendation[];
}

/** Ranks experts, societies and capabilities (one pass, one multi-search), then adds what a card shows. */
export async function recommendForChallenge(
  deps: RecommendationDeps,
  challenge: ChallengeInput,
  limit: number,
): Promise<Recommendations> {
  const { experts, societies, capabilities } = await deps.matcher.recommend(deps.search, challenge, {
    expertIndexUid: deps.indexes.uid('experts'),
    societyIndexUid: deps.indexes.uid('societies'),
    capabilityIndexUid: deps.indexes.uid('capabilities'),
    limit,
    platformSignals: {
      experts: (ids) => loadExpertTrackRecords(deps.db, ids, challenge.industry_code ?? null),
      societies: (ids) => loadSocietyTrackRecords(deps.db, ids, challenge.industry_code ?? null),
    },
  });
  const [expertRows, teamRows, capabilityRows, societyRows] = await Promise.all([
    experts.length
      ? deps.db
          .selectFrom('expert_profiles')
          .select(['id', 'title', 'affiliation', 'availability', 'user_id'])
          .where(
            'id',
            'in',
            experts.map((e) => e.id),
          )
          .execute()
      : [],
    societies.length
      ? deps.db
          .selectFrom('service_teams')
          .select(['id', 'name', 'society_id'])
          .where(
            'society_id',
            'in',
            societies.map((s) => s.id),
          )
          .where('status', '=', 'active')
          .orderBy('name')
          .execute()
      : [],
    capabilities.length
      ? deps.db
          .selectFrom('capabilities as c')
          .leftJoin('expert_profiles as e', 'e.id', 'c.owner_expert_id')
          .leftJoin('organisations as o', 'o.id', 'c.owner_organisation_id')
          .select(['c.id', 'c.kind', 'e.name as expert_name', 'o.name as organisation_name'])
          .where(
            'c.id',
            'in',
            capabilities.map((c) => c.id),
          )
          .execute()
      : [],
    societies.length
      ? deps.db
          .selectFrom('organisations')
          .select(['id', 'verification_status'])
          .where(
            'id',
            'in',
            societies.map((s) => s.id),
          )
          .execute()
      : [],
  ]);
  const verified = new Set(societyRows.filter((r) => r.verification_status === 'verified').map((r) => r.id));
  const expertById = new Map(expertRows.map((r) => [r.id, r]));
  const capabilityById = new Map(capabilityRows.map((r) => [r.id, r]));
  return {
    // The index may briefly hold a profile hidden a moment ago: show only what the database still has.
    experts: experts
      .filter((e) => expertById.has(e.id))
      .map((e) => {
        const row = expertById.get(e.id)!;
        return {
          ...e,
          title: row.title,
          affiliation: row.affiliation,
          availability: row.availability,
          registered: row.user_id !== null,
        };
      }),
    societies: societies.map((s) => ({
      ...s,
      teams: teamRows.filter((t) => t.society_id === s.id).map((t) => ({ id: t.id, name: t.name })),
      verified: verified.has(s.id),
    })),
    capabilities: capabilities
      .filter((c) => capabilityById.has(c.id))
      .map((c) => {
        const row = capabilityById.get(c.id)!;
        return { ...c, kind: row.kind, owner_name: row.expert_name ?? row.organisation_name ?? '' };
      }),
  };
}

/** What the posting enterprise needs to invite from the recommendations: who was invited already. */
export interface InviteContext {
  challengeId: string;
  invitedExperts: Set<string>;
  invitedOrganisations: Set<string>;
  /** Who already bids on it (not withdrawn): shown 已揭榜, not invited. */
  biddingExperts: Set<string>;
  biddingOrganisations: Set<string>;
}

/**
 * Non-null only for a member of the challenge's enterprise while the challenge is open for bids
 * (the only time an invitation is accepted): the page then shows 邀请揭榜 beside each recommendation.
 */
export async function loadInviteContext(
  db: Database,
  userId: string | null,
  challengeId: string,
): Promise<InviteContext | null> {
  if (!userId) return null;
  const owner = await db
    .selectFrom('challenges as c')
    .innerJoin('organisation_members as m', 'm.organisation_id', 'c.enterprise_id')
    .select('c.id')
    .where('c.id', '=', challengeId)
    .where('c.status', '=', 'published')
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
  if (!owner) return null;
  const [invited, bidders] = await Promise.all([
    db
      .selectFrom('challenge_invitations')
      .select(['expert_profile_id', 'organisation_id'])
      .where('challenge_id', '=', challengeId)
      .execute(),
    liveBiddersOf(db, challengeId),
  ]);
  return {
    challengeId,
    invitedExperts: new Set(invited.flatMap((i) => (i.expert_profile_id ? [i.expert_profile_id] : []))),
    invitedOrganisations: new Set(invited.flatMap((i) => (i.organisation_id ? [i.organisation_id] : []))),
    biddingExperts: bidders.expertProfileIds,
    biddingOrganisations: bidders.organisationIds,
  };
}
