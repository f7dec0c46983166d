import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { publicChallengeStatuses } from './challenge.lifecycle.js';

/**
 * The search document of a challenge: only what the public may see. Challenges that are not public
 * (drafts, under review, rejected, withdrawn) produce no document, so the outbox deletes them from
 * the index. Bids and contact details never appear here.
 */
export interface ChallengeSearchDocument extends Record<string, unknown> {
  id: string;
  title: string;
  background: string;
  problem: string;
  targets: string;
  status: string;
  industry_code: string | null;
  industry_name: string | null;
  industry_group: string | null;
  region_code: string;
  region_name: string;
  prefecture_code: string;
  prefecture_name: string;
  reward_wan: number;
  cooperation_mode: string;
  bid_deadline_ts: number;
  published_at_ts: number;
  enterprise_name: string | null;
}

const toEpochSeconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : 0);

export async function loadChallengeSearchDocuments(
  db: Database,
  ids: string[],
): Promise<ChallengeSearchDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('challenges as c')
    .innerJoin('organisations as o', 'o.id', 'c.enterprise_id')
    .innerJoin('regions as r', 'r.code', 'c.region_code')
    .leftJoin('regions as p', 'p.code', 'r.parent_code')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .where('c.id', 'in', ids)
    .where('c.status', 'in', publicChallengeStatuses)
    .select([
      'c.id',
      'c.title',
      'c.background',
      'c.problem',
      'c.targets',
      'c.status',
      'c.industry_code',
      'i.name as industry_name',
      'i.group_name as industry_group',
      'c.region_code',
      'r.name as region_name',
      'r.level as region_level',
      'p.code as parent_code',
      'p.name as parent_name',
      'c.reward_wan',
      'c.cooperation_mode',
      'c.bid_deadline',
      'c.published_at',
      sql<string | null>`case when c.hide_enterprise_name then null else o.name end`.as('enterprise_name'),
    ])
    .execute();
  return rows.map((row) => {
    // A county's prefecture is its parent; a challenge placed at prefecture level is its own.
    const atCounty = row.region_level === 'county';
    return {
      id: row.id,
      title: row.title,
      background: row.background,
      problem: row.problem,
      targets: row.targets,
      status: row.status,
      industry_code: row.industry_code,
      industry_name: row.industry_name,
      industry_group: row.industry_group,
      region_code: row.region_code,
      region_name: atCounty && row.parent_name ? `${row.parent_name}${row.region_name}` : row.region_name,
      prefecture_code: atCounty && row.parent_code ? row.parent_code : row.region_code,
      prefecture_name: atCounty && row.parent_name ? row.parent_name : row.region_name,
      reward_wan: row.reward_wan,
      cooperation_mode: row.cooperation_mode,
      bid_deadline_ts: toEpochSeconds(row.bid_deadline),
      published_at_ts: toEpochSeconds(row.published_at),
      enterprise_name: row.enterprise_name,
    };
  });
}
