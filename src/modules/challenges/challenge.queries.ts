import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { publicChallengeStatuses } from './challenge.lifecycle.js';

/**
 * Named queries for challenges. Everything here returns only what the public may see unless its
 * name says otherwise.
 */
export interface PublicChallengeFilter {
  industry?: string | undefined;
  region?: string | undefined;
  status?: (typeof publicChallengeStatuses)[number] | undefined;
  rewardMin?: number | undefined;
  rewardMax?: number | undefined;
}

/** The public columns of a challenge, with names resolved from reference data. */
function selectPublicChallenges(db: Database) {
  return db
    .selectFrom('challenges as c')
    .innerJoin('organisations as o', 'o.id', 'c.enterprise_id')
    .innerJoin('regions as r', 'r.code', 'c.region_code')
    .leftJoin('regions as p', 'p.code', 'r.parent_code')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .where('c.status', 'in', publicChallengeStatuses)
    .select([
      'c.id',
      'c.title',
      'c.status',
      'c.reward_wan',
      'c.bid_deadline',
      'c.delivery_deadline',
      'c.published_at',
      'c.cooperation_mode',
      'c.industry_code',
      'i.name as industry_name',
      'i.group_name as industry_group',
      'c.region_code',
      'r.name as region_name',
      'r.level as region_level',
      'p.name as parent_region_name',
      'p.code as parent_region_code',
      // Enterprises may hide their name publicly; the query, not the template, enforces it.
      sql<string | null>`case when c.hide_enterprise_name then null else o.name end`.as('enterprise_name'),
    ]);
}

function applyFilter<Q extends ReturnType<typeof selectPublicChallenges>>(
  query: Q,
  filter: PublicChallengeFilter,
): Q {
  let q = query;
  if (filter.industry) q = q.where('c.industry_code', '=', filter.industry) as Q;
  if (filter.region)
    q = q.where((eb) =>
      eb.or([eb('c.region_code', '=', filter.region!), eb('r.parent_code', '=', filter.region!)]),
    ) as Q;
  if (filter.status) q = q.where('c.status', '=', filter.status) as Q;
  if (filter.rewardMin !== undefined) q = q.where('c.reward_wan', '>=', filter.rewardMin) as Q;
  if (filter.rewardMax !== undefined) q = q.where('c.reward_wan', '<=', filter.rewardMax) as Q;
  return q;
}

export async function listPublicChallenges(
  db: Database,
  filter: PublicChallengeFilter,
  page: { offset: number; limit: number },
) {
  const [rows, count] = await Promise.all([
    applyFilter(selectPublicChallenges(db), filter)
      .orderBy('c.published_at', 'desc')
      .orderBy('c.id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    applyFilter(selectPublicChallenges(db), filter)
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findPublicChallenge(db: Database, id: string) {
  return selectPublicChallenges(db)
    .where('c.id', '=', id)
    .select(['c.background', 'c.problem', 'c.targets', 'c.created_at'])
    .executeTakeFirst();
}

export async function listChallengeStatusEvents(db: Database, challengeId: string) {
  return db
    .selectFrom('challenge_status_events')
    .where('challenge_id', '=', challengeId)
    .select(['from_status', 'to_status', 'actor_label', 'reason', 'created_at'])
    .orderBy('id')
    .execute();
}
