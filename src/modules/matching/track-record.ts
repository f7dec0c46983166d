import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/database.js';

/**
 * What the platform itself knows of a candidate's delivery (track record), read from PostgreSQL for
 * the experts and societies a recommendation is about to show. Dev and imported data have none of it,
 * so everything here is a bonus on top of topical fit, never a requirement.
 */
export interface TrackRecord {
  /** Bids appointed 挂帅 (lost and withdrawn bids never count). */
  awarded: number;
  /** Of those, challenges accepted (验收, solved). */
  solved: number;
  /** Awarded bids on challenges of the same industry as the one being matched. */
  awardedInIndustry: number;
  /** Confirmed service records (服务记录). */
  services: number;
  /** Ratings enterprises gave the candidate's bids (1-5), and their count. */
  ratingAverage: number | null;
  ratings: number;
}

export interface ExpertTrackRecord extends TrackRecord {
  /** Has an account: availability was set by the expert, not defaulted by an import. */
  registered: boolean;
}

export interface SocietyTrackRecord extends TrackRecord {
  /** The society's stations (学会工作站, 专家服务站, …) running now (status active). */
  activeStations: number;
}

interface TrackRecordRow {
  candidate_id: string;
  awarded: string | number;
  solved: string | number;
  awarded_in_industry: string | number;
  services: string | number;
  rating_average: string | number | null;
  ratings: string | number;
}

const uuidsOf = (ids: string[]) => [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));

/**
 * The `bid_figures` CTE shared by experts and societies: per candidate, over a preceding
 * `candidate_bids (candidate_id, bid_id)` CTE of its live (not withdrawn) bids, the awarded ones,
 * accepted ones, same-industry ones and the enterprises' ratings of them.
 */
function bidFigures(industryCode: string | null): RawBuilder<unknown> {
  return sql`bid_figures as (
      select cb.candidate_id,
        count(*) filter (where b.status = 'awarded') as awarded,
        count(*) filter (where b.status = 'awarded' and c.status = 'accepted') as solved,
        count(*) filter (where b.status = 'awarded' and c.industry_code = ${industryCode}) as awarded_in_industry,
        avg(r.score) as rating_average,
        count(r.id) as ratings
      from candidate_bids cb
        join bids b on b.id = cb.bid_id
        join challenges c on c.id = b.challenge_id
        left join challenge_ratings r on r.bid_id = b.id and r.direction = 'enterprise_to_bidder'
      group by cb.candidate_id
    )`;
}

function trackRecordOf(row: TrackRecordRow): TrackRecord {
  return {
    awarded: Number(row.awarded),
    solved: Number(row.solved),
    awardedInIndustry: Number(row.awarded_in_industry),
    services: Number(row.services),
    ratingAverage: row.rating_average === null ? null : Number(row.rating_average),
    ratings: Number(row.ratings),
  };
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
  const ids = uuidsOf(expertIds);
  if (ids.length === 0) return new Map();
  const { rows } = await sql<TrackRecordRow & { registered: boolean }>`
    with e as (
      select id, user_id from expert_profiles where id = any(${ids}::uuid[])
    ),
    candidate_bids as (
      select e.id as candidate_id, b.id as bid_id from e
        join bids b on b.lead_user_id = e.user_id and b.status <> 'withdrawn'
      union
      select e.id, m.bid_id from e
        join bid_team_members m on m.user_id = e.user_id and m.status = 'confirmed'
        join bids b on b.id = m.bid_id and b.status <> 'withdrawn'
    ),
    ${bidFigures(industryCode)},
    service_figures as (
      select sre.expert_id, count(*) as services
      from service_record_experts sre
        join service_records sr on sr.id = sre.record_id and sr.status = 'confirmed'
      where sre.expert_id = any(${ids}::uuid[])
      group by sre.expert_id
    )
    select e.id as candidate_id, e.user_id is not null as registered,
      coalesce(bf.awarded, 0) as awarded, coalesce(bf.solved, 0) as solved,
      coalesce(bf.awarded_in_industry, 0) as awarded_in_industry,
      coalesce(sf.services, 0) as services,
      bf.rating_average, coalesce(bf.ratings, 0) as ratings
    from e
      left join bid_figures bf on bf.candidate_id = e.id
      left join service_figures sf on sf.expert_id = e.id`.execute(db);
  return new Map(
    rows.map((row) => [row.candidate_id, { ...trackRecordOf(row), registered: row.registered }]),
  );
}

/**
 * Track records of some societies (organisation ids), with awards in `industryCode` counted apart.
 * One query: the bids the society filed as an organisation (never withdrawn ones), the confirmed
 * service records of its stations (whatever the station's status now: the service was delivered),
 * and its stations running now.
 *
 * @example
 *   const records = await loadSocietyTrackRecords(db, ['…uuid…'], 'rural-tea');
 *   records.get('…uuid…') // { awarded: 1, solved: 1, …, services: 12, activeStations: 2 }
 */
export async function loadSocietyTrackRecords(
  db: Database,
  societyIds: string[],
  industryCode: string | null,
): Promise<Map<string, SocietyTrackRecord>> {
  const ids = uuidsOf(societyIds);
  if (ids.length === 0) return new Map();
  const { rows } = await sql<TrackRecordRow & { active_stations: string | number }>`
    with s as (
      select id from organisations where id = any(${ids}::uuid[]) and kind = 'society'
    ),
    candidate_bids as (
      select b.organisation_id as candidate_id, b.id as bid_id
      from bids b
      where b.organisation_id = any(${ids}::uuid[]) and b.status <> 'withdrawn'
    ),
    ${bidFigures(industryCode)},
    station_figures as (
      select society_id, count(*) as active_stations
      from stations
      where society_id = any(${ids}::uuid[]) and status = 'active'
      group by society_id
    ),
    service_figures as (
      select st.society_id, count(*) as services
      from stations st
        join service_records sr on sr.station_id = st.id and sr.status = 'confirmed'
      where st.society_id = any(${ids}::uuid[])
      group by st.society_id
    )
    select s.id as candidate_id,
      coalesce(bf.awarded, 0) as awarded, coalesce(bf.solved, 0) as solved,
      coalesce(bf.awarded_in_industry, 0) as awarded_in_industry,
      coalesce(sf.services, 0) as services,
      bf.rating_average, coalesce(bf.ratings, 0) as ratings,
      coalesce(stf.active_stations, 0) as active_stations
    from s
      left join bid_figures bf on bf.candidate_id = s.id
      left join service_figures sf on sf.society_id = s.id
      left join station_figures stf on stf.society_id = s.id`.execute(db);
  return new Map(
    rows.map((row) => [
      row.candidate_id,
      { ...trackRecordOf(row), activeStations: Number(row.active_stations) },
    ]),
  );
}
