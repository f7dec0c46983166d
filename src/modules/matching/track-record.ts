import { sql } from 'kysely';
import type { Database } from '../../db/database.js';

/**
 * What the platform itself knows of an expert's delivery (track record), read from PostgreSQL for
 * the candidates a recommendation is about to show. Dev and imported data have none of it, so
 * everything here is a bonus on top of topical fit, never a requirement.
 */
export interface ExpertTrackRecord {
  /** Has an account: availability was set by the expert, not defaulted by an import. */
  registered: boolean;
  /** Bids (as lead or confirmed team member) appointed 挂帅. */
  awarded: number;
  /** Of those, challenges accepted (验收, solved). */
  solved: number;
  /** Awarded bids on challenges of the same industry as the one being matched. */
  awardedInIndustry: number;
  /** Confirmed service records (服务记录) the expert took part in. */
  services: number;
  /** Ratings enterprises gave the expert's bids (1-5), and their count. */
  ratingAverage: number | null;
  ratings: number;
}

interface TrackRecordRow {
  expert_id: string;
  registered: boolean;
  awarded: string | number;
  solved: string | number;
  awarded_in_industry: string | number;
  services: string | number;
  rating_average: string | number | null;
  ratings: string | number;
}

/**
 * Track records of some expert profiles, with awards in `industryCode` counted apart. One query;
 * bids are found through the profile's user (lead or confirmed team member), never withdrawn ones.
 *
 * @example
 *   const records = await loadExpertTrackRecords(db, ['…uuid…'], '0101');
 *   records.get('…uuid…') // { registered: true, awarded: 2, solved: 1, … }
 */
export async function loadExpertTrackRecords(
  db: Database,
  expertIds: string[],
  industryCode: string | null,
): Promise<Map<string, ExpertTrackRecord>> {
  const ids = [...new Set(expertIds)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (ids.length === 0) return new Map();
  const { rows } = await sql<TrackRecordRow>`
    with e as (
      select id, user_id from expert_profiles where id = any(${ids}::uuid[])
    ),
    expert_bids as (
      select e.id as expert_id, b.id as bid_id from e
        join bids b on b.lead_user_id = e.user_id and b.status <> 'withdrawn'
      union
      select e.id, m.bid_id from e
        join bid_team_members m on m.user_id = e.user_id and m.status = 'confirmed'
        join bids b on b.id = m.bid_id and b.status <> 'withdrawn'
    ),
    bid_figures as (
      select eb.expert_id,
        count(*) filter (where b.status = 'awarded') as awarded,
        count(*) filter (where b.status = 'awarded' and c.status = 'accepted') as solved,
        count(*) filter (where b.status = 'awarded' and c.industry_code = ${industryCode}) as awarded_in_industry,
        avg(r.score) as rating_average,
        count(r.id) as ratings
      from expert_bids eb
        join bids b on b.id = eb.bid_id
        join challenges c on c.id = b.challenge_id
        left join challenge_ratings r on r.bid_id = b.id and r.direction = 'enterprise_to_bidder'
      group by eb.expert_id
    ),
    service_figures as (
      select sre.expert_id, count(*) as services
      from service_record_experts sre
        join service_records sr on sr.id = sre.record_id and sr.status = 'confirmed'
      where sre.expert_id = any(${ids}::uuid[])
      group by sre.expert_id
    )
    select e.id as expert_id, e.user_id is not null as registered,
      coalesce(bf.awarded, 0) as awarded, coalesce(bf.solved, 0) as solved,
      coalesce(bf.awarded_in_industry, 0) as awarded_in_industry,
      coalesce(sf.services, 0) as services,
      bf.rating_average, coalesce(bf.ratings, 0) as ratings
    from e
      left join bid_figures bf on bf.expert_id = e.id
      left join service_figures sf on sf.expert_id = e.id`.execute(db);
  return new Map(
    rows.map((row) => [
      row.expert_id,
      {
        registered: row.registered,
        awarded: Number(row.awarded),
        solved: Number(row.solved),
        awardedInIndustry: Number(row.awarded_in_industry),
        services: Number(row.services),
        ratingAverage: row.rating_average === null ? null : Number(row.rating_average),
        ratings: Number(row.ratings),
      },
    ]),
  );
}
