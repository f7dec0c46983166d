/**
 * The other two directions of matching:
 *
 * - 为你推荐: challenges open for bids for a signed-in expert (from their profile) or society member
 *   (from the society's discipline, description and its experts' fields), with reasons;
 * - 待邀请: for operators, published challenges with few bids and whom to invite to each (the same
 *   recommendation list a challenge page shows).
 */
import { sql } from 'kysely';
import type { AppDeps } from '../../app-deps.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import type { SessionUser } from '../auth/session.js';
import type { ChallengeInput, Matcher } from './match.js';
import { loadChallengeMatchInput, recommendForChallenge } from './recommendation.usecases.js';

/** Whose profile the recommendations are for. */
export interface RecommendationBasis {
  kind: 'expert' | 'society';
  id: string;
  name: string;
  /** The words the profile is matched on, shown so the user knows what to improve. */
  summary: string;
}

/** Member experts' fields describe what a society can do; the most common ones are enough. */
const SOCIETY_MEMBER_FIELDS = 30;

export async function findExpertProfileOfUser(db: Database, userId: string) {
  return db
    .selectFrom('expert_profiles')
    .select(['id', 'name', 'fields', 'bio', 'discipline', 'affiliation', 'region_code'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** The society the user works for (the first by name when several). */
export async function findSocietyOfMember(db: Database, userId: string) {
  return db
    .selectFrom('organisation_members as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id', 'o.name', 'o.discipline', 'o.description', 'o.region_code'])
    .where('m.user_id', '=', userId)
    .where('o.kind', '=', 'society')
    .orderBy('o.name')
    .executeTakeFirst();
}

/** The society's experts' research fields, most common first. */
export async function listMemberFields(db: Database, societyId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('expert_societies as es')
    .innerJoin('expert_profiles as e', 'e.id', 'es.expert_id')
    .select(sql<string>`unnest(e.fields)`.as('field'))
    .where('es.society_id', '=', societyId)
    .execute();
  const counts = new Map<string, number>();
  for (const { field } of rows) counts.set(field, (counts.get(field) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([field]) => field);
}

/** The profile of the user as matcher input, or null when they have none yet. */
export async function loadRecommendationBasis(
  db: Database,
  user: Pick<SessionUser, 'id' | 'role'>,
): Promise<{ basis: RecommendationBasis; input: ChallengeInput } | null> {
  if (user.role === 'expert') {
    const expert = await findExpertProfileOfUser(db, user.id);
    if (!expert || (expert.fields.length === 0 && expert.bio.trim() === '')) return null;
    const title = expert.fields.join('、');
    return {
      basis: { kind: 'expert', id: expert.id, name: expert.name, summary: title || expert.discipline || '' },
      input: {
        title,
        description: expert.bio,
        industry: expert.discipline,
        region_code: expert.region_code,
      },
    };
  }
  if (user.role === 'society') {
    const society = await findSocietyOfMember(db, user.id);
    if (!society) return null;
    const fields = await listMemberFields(db, society.id, SOCIETY_MEMBER_FIELDS);
    return {
      basis: {
        kind: 'society',
        id: society.id,
        name: society.name,
        summary: [society.discipline, ...fields.slice(0, 8)].filter(Boolean).join('、'),
      },
      input: {
        title: [society.name, society.discipline].filter(Boolean).join(' '),
        description: [society.description, fields.join('、')].filter((s) => s && s.trim() !== '').join('\n'),
        industry: society.discipline,
        region_code: society.region_code,
      },
    };
  }
  return null;
}

export interface RecommendedChallenge {
  id: string;
  title: string;
  score: number;
  reasons: string[];
  reward_wan: number;
  bid_deadline: string;
  region_name: string | null;
  industry_name: string | null;
  enterprise_name: string | null;
  /** The user already has a live bid on it (揭榜 submitted). */
  bid_submitted: boolean;
}

/** Challenges are "open for bids" while published and before their deadline. */
const openForBidsFilter = (now: Date) => [
  'status = "published"',
  `bid_deadline_ts > ${Math.floor(now.getTime() / 1000)}`,
];

/**
 * 为你推荐 for the signed-in expert or society member. Only what the database still shows as open
 * is returned (the index may lag a moment behind a close).
 *
 * @example
 *   const { basis, data } = await recommendChallengesForUser(deps, user, 10);
 *   // data[0] = { title: '辣椒烘干后颜色发暗', score: 0.91, reasons: ['匹配：干燥、褐变'], ... }
 */
export async function recommendChallengesForUser(
  deps: Pick<AppDeps, 'db' | 'search' | 'indexes' | 'clock' | 'matcher'>,
  user: Pick<SessionUser, 'id' | 'role'>,
  limit: number,
): Promise<{ basis: RecommendationBasis | null; data: RecommendedChallenge[] }> {
  const loaded = await loadRecommendationBasis(deps.db, user);
  if (!loaded) return { basis: null, data: [] };
  const matcher = requireMatcher(deps.matcher);
  const now = deps.clock();
  const matches = await matcher.matchChallenges(deps.search, loaded.input, {
    indexUid: deps.indexes.uid('challenges'),
    limit,
    filter: openForBidsFilter(now),
  });
  if (matches.length === 0) return { basis: loaded.basis, data: [] };
  const rows = await deps.db
    .selectFrom('challenges as c')
    .leftJoin('regions as r', 'r.code', 'c.region_code')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .leftJoin('organisations as o', 'o.id', 'c.enterprise_id')
    .select((eb) => [
      'c.id',
      'c.reward_wan',
      'c.bid_deadline',
      'r.name as region_name',
      'i.name as industry_name',
      'o.name as enterprise_name',
      eb
        .exists(
          eb
            .selectFrom('bids as b')
            .select('b.id')
            .whereRef('b.challenge_id', '=', 'c.id')
            .where('b.status', '<>', 'withdrawn')
            .where((w) =>
              w.or([
                w('b.lead_user_id', '=', user.id),
                w(
                  'b.organisation_id',
                  'in',
                  w
                    .selectFrom('organisation_members')
                    .select('organisation_id')
                    .where('user_id', '=', user.id),
                ),
              ]),
            ),
        )
        .as('bid_submitted'),
    ])
    .where(
      'c.id',
      'in',
      matches.map((m) => m.id),
    )
    .where('c.status', '=', 'published')
    .where('c.bid_deadline', '>', now)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return {
    basis: loaded.basis,
    data: matches
      .filter((m) => byId.has(m.id))
      .map((m) => {
        const row = byId.get(m.id)!;
        return {
          ...m,
          reward_wan: Number(row.reward_wan),
          bid_deadline: new Date(row.bid_deadline).toISOString(),
          region_name: row.region_name,
          industry_name: row.industry_name,
          enterprise_name: row.enterprise_name,
          bid_submitted: Boolean(row.bid_submitted),
        };
      }),
  };
}

/** Fewer live bids than this and a challenge is worth inviting for. */
export const FEW_BIDS = 3;

/** Published challenges still open, with fewer than `FEW_BIDS` live bids: fewest bids, nearest deadline first. */
export async function listChallengesWithFewBids(db: Database, now: Date, limit: number) {
  const bidCount = sql<number>`(select count(*) from bids b where b.challenge_id = c.id and b.status <> 'withdrawn')::int`;
  return db
    .selectFrom('challenges as c')
    .leftJoin('organisations as o', 'o.id', 'c.enterprise_id')
    .select(['c.id', 'c.title', 'c.bid_deadline', 'c.reward_wan', 'o.name as enterprise_name'])
    .select(bidCount.as('bid_count'))
    .where('c.status', '=', 'published')
    .where('c.bid_deadline', '>', now)
    .where(bidCount, '<', FEW_BIDS)
    .orderBy('bid_count')
    .orderBy('c.bid_deadline')
    .limit(limit)
    .execute();
}

/**
 * 待邀请 for operators: each challenge with few bids and the experts and societies worth inviting
 * (the challenge page's recommendations), computed side by side.
 */
export async function inviteSuggestions(
  deps: Pick<AppDeps, 'db' | 'search' | 'indexes' | 'clock' | 'matcher'>,
  options: { challenges: number; perChallenge: number },
) {
  const challenges = await listChallengesWithFewBids(deps.db, deps.clock(), options.challenges);
  if (challenges.length === 0) return [];
  const matcher = requireMatcher(deps.matcher);
  return Promise.all(
    challenges.map(async (challenge) => {
      const input = await loadChallengeMatchInput(deps.db, challenge.id, { publicOnly: true });
      const recommended = input
        ? await recommendForChallenge(
            { db: deps.db, search: deps.search, indexes: deps.indexes, matcher },
            input,
            options.perChallenge,
          )
        : { experts: [], societies: [] };
      return {
        id: challenge.id,
        title: challenge.title,
        enterprise_name: challenge.enterprise_name,
        reward_wan: Number(challenge.reward_wan),
        bid_deadline: new Date(challenge.bid_deadline).toISOString(),
        bid_count: challenge.bid_count,
        experts: recommended.experts,
        societies: recommended.societies,
      };
    }),
  );
}

function requireMatcher(matcher: Matcher | undefined): Matcher {
  if (!matcher) throw new AppError('MATCHING_UNAVAILABLE', { retryAfterSeconds: 60 });
  return matcher;
}
