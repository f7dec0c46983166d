import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import { liveBiddersOf } from '../bids/bid.queries.js';
import { expertSearchQuery } from '../experts/expert.schemas.js';
import { searchExperts } from '../experts/expert.search.js';
import { challengeRecommendations } from '../matching/recommendation.routes.js';
import { societySearchQuery } from '../societies/society.schemas.js';
import { searchSocieties } from '../societies/society.search.js';

/**
 * 邀请揭榜 by picking, not by typing ids: the enterprise searches the public expert and society
 * indexes (or takes the recommendations) and each candidate comes back with whether it can be
 * invited (an expert needs an account, a society must be verified) and whether it already was.
 */
export interface InviteCandidate {
  kind: 'expert' | 'organisation';
  id: string;
  name: string;
  detail: string;
  invitable: boolean;
  invited: boolean;
  /** Already bids on this challenge (not withdrawn): nothing to invite them to. */
  alreadyBid: boolean;
}

/** Form value of one candidate's 邀请 button: `expert:<uuid>` or `organisation:<uuid>`. */
export const candidateTarget = (c: Pick<InviteCandidate, 'kind' | 'id'>) => `${c.kind}:${c.id}`;

/** The invitation body a picked target stands for; anything else is no target (a 422 on the form). */
export function targetToInvitation(target: string | undefined): Record<string, string> {
  const match = /^(expert|organisation):([0-9a-fA-F-]{36})$/.exec(target ?? '');
  if (!match) return {};
  return match[1] === 'expert' ? { expert_profile_id: match[2]! } : { organisation_id: match[2]! };
}

async function annotate(
  db: Database,
  challengeId: string,
  experts: Array<{ id: string; name: string; detail: string }>,
  societies: Array<{ id: string; name: string; detail: string }>,
): Promise<InviteCandidate[]> {
  const expertIds = experts.map((e) => e.id);
  const societyIds = societies.map((s) => s.id);
  const [registered, verified, invited, bidders] = await Promise.all([
    expertIds.length === 0
      ? []
      : db
          .selectFrom('expert_profiles')
          .select('id')
          .where('id', 'in', expertIds)
          .where('user_id', 'is not', null)
          .execute(),
    societyIds.length === 0
      ? []
      : db
          .selectFrom('organisations')
          .select('id')
          .where('id', 'in', societyIds)
          .where('kind', '<>', 'enterprise')
          .where('verification_status', '=', 'verified')
          .execute(),
    db
      .selectFrom('challenge_invitations')
      .select(['expert_profile_id', 'organisation_id'])
      .where('challenge_id', '=', challengeId)
      .execute(),
    liveBiddersOf(db, challengeId),
  ]);
  const canInvite = new Set([...registered, ...verified].map((r) => r.id));
  const done = new Set(invited.flatMap((i) => [i.expert_profile_id, i.organisation_id]));
  return [
    ...experts.map((e) => ({ kind: 'expert' as const, ...e })),
    ...societies.map((s) => ({ kind: 'organisation' as const, ...s })),
  ].map((c) => ({
    ...c,
    invitable: canInvite.has(c.id),
    invited: done.has(c.id),
    alreadyBid: (c.kind === 'expert' ? bidders.expertProfileIds : bidders.organisationIds).has(c.id),
  }));
}

/** Experts and societies matching what the enterprise typed, from the public search indexes. */
export async function searchInvitees(
  deps: AppDeps,
  challengeId: string,
  q: string,
  perKind = 8,
): Promise<InviteCandidate[]> {
  const reference = await deps.reference.get();
  const searchDeps = { search: deps.search, indexes: deps.indexes, reference };
  const [experts, societies] = await Promise.all([
    searchExperts(searchDeps, expertSearchQuery.parse({ q, per_page: perKind })),
    searchSocieties(searchDeps, societySearchQuery.parse({ q, per_page: perKind })),
  ]);
  return annotate(
    deps.db,
    challengeId,
    experts.data.map((e) => ({
      id: e.id,
      name: e.name,
      detail: [e.title, e.affiliation].filter(Boolean).join('，'),
    })),
    societies.data.map((s) => ({ id: s.id, name: s.name, detail: s.region?.name ?? '' })),
  );
}

/** The matcher's recommendations as candidates; none when matching is off or search is away. */
export async function recommendedInvitees(
  deps: AppDeps,
  challengeId: string,
  limit = 5,
): Promise<InviteCandidate[]> {
  if (!deps.matcher) return [];
  const recommendations = await challengeRecommendations(deps, challengeId, limit).catch(() => null);
  if (!recommendations) return [];
  return annotate(
    deps.db,
    challengeId,
    recommendations.experts.map((e) => ({
      id: e.id,
      name: e.name,
      detail: e.reasons.join('；'),
    })),
    recommendations.societies.map((s) => ({ id: s.id, name: s.name, detail: s.reasons.join('；') })),
  );
}
