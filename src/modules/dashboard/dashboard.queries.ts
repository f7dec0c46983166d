import { sql } from 'kysely';
import type { Database } from '../../db/database.js';

/**
 * The operator dashboard's figures, each one query. Prefecture of a challenge or station: its region
 * when that is a prefecture, else the region's parent.
 */
export async function challengesByStatus(db: Database) {
  return db
    .selectFrom('challenges')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .orderBy('n', 'desc')
    .execute();
}

export async function challengesByIndustry(db: Database) {
  return db
    .selectFrom('challenges as c')
    .leftJoin('industries as i', 'i.code', 'c.industry_code')
    .select([sql<string>`coalesce(i.name, '未分类')`.as('label'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('c.published_at', 'is not', null)
    .groupBy(sql`coalesce(i.name, '未分类')`)
    .orderBy('n', 'desc')
    .limit(12)
    .execute();
}

const prefectureOf = sql<string>`case when r.level = 'county' then r.parent_code else r.code end`;

export async function challengesByPrefecture(db: Database) {
  return db
    .selectFrom('challenges as c')
    .innerJoin('regions as r', 'r.code', 'c.region_code')
    .select([prefectureOf.as('code'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('c.published_at', 'is not', null)
    .groupBy(prefectureOf)
    .execute();
}

export async function activeStationsByPrefecture(db: Database) {
  return db
    .selectFrom('stations as s')
    .innerJoin('regions as r', 'r.code', 's.region_code')
    .select([prefectureOf.as('code'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('s.status', '=', 'active')
    .groupBy(prefectureOf)
    .execute();
}

/** posted → bid → awarded → accepted, counted over challenges ever published. */
export async function challengeFunnel(db: Database) {
  const row = await sql<{ posted: number; bid: number; awarded: number; accepted: number }>`
    select count(*)::int as posted,
           count(*) filter (where exists (select 1 from bids b where b.challenge_id = c.id and b.status <> 'withdrawn'))::int as bid,
           count(*) filter (where c.status in ('awarded', 'in_delivery', 'accepted')
                            or exists (select 1 from bids b where b.challenge_id = c.id and b.awarded_at is not null))::int as awarded,
           count(*) filter (where c.status = 'accepted')::int as accepted
    from challenges c where c.published_at is not null`.execute(db);
  return row.rows[0]!;
}

/**
 * Median days from publication to the first bid and to the award (null when nothing to measure).
 * Withdrawn bids do not count, as in the funnel: the enterprise never had them to consider.
 */
export async function medianDays(db: Database) {
  const row = await sql<{ to_first_bid: number | null; to_award: number | null }>`
    select
      (select round((percentile_cont(0.5) within group (order by extract(epoch from (f.first_bid - c.published_at)) / 86400))::numeric, 1)
         from challenges c join (select challenge_id, min(created_at) as first_bid from bids where status <> 'withdrawn' group by challenge_id) f on f.challenge_id = c.id
         where c.published_at is not null) as to_first_bid,
      (select round((percentile_cont(0.5) within group (order by extract(epoch from (a.awarded - c.published_at)) / 86400))::numeric, 1)
         from challenges c join (select challenge_id, min(awarded_at) as awarded from bids where awarded_at is not null group by challenge_id) a on a.challenge_id = c.id
         where c.published_at is not null) as to_award`.execute(db);
  const r = row.rows[0]!;
  return {
    to_first_bid: r.to_first_bid === null ? null : Number(r.to_first_bid),
    to_award: r.to_award === null ? null : Number(r.to_award),
  };
}

/**
 * County × 特色产业 coverage: `station` where a running station serves the industry in the county,
 * else `team` where an active service team (科技服务团) does, else `none`.
 */
export async function coverageGrid(db: Database) {
  const [counties, industries, stationCells, teamCells] = await Promise.all([
    db
      .selectFrom('regions as r')
      .innerJoin('regions as p', 'p.code', 'r.parent_code')
      .select(['r.code', 'r.name', 'p.short_name as prefecture'])
      .where('r.level', '=', 'county')
      .where('r.retired_at', 'is', null)
      .orderBy('r.code')
      .execute(),
    db
      .selectFrom('industries')
      .select(['code', 'name'])
      .where('group_name', '=', '特色产业')
      .where('retired_at', 'is', null)
      .orderBy('sort')
      .execute(),
    sql<{ region_code: string; industry_code: string }>`
      select distinct s.region_code, unnest(s.industry_codes) as industry_code from stations s where s.status = 'active'`.execute(
      db,
    ),
    sql<{ region_code: string; industry_code: string }>`
      select distinct unnest(t.region_codes) as region_code, t.industry_code from service_teams t
      where t.status = 'active' and t.industry_code is not null`.execute(db),
  ]);
  const stations = new Set(stationCells.rows.map((c) => `${c.region_code.trim()}|${c.industry_code}`));
  const teams = new Set(teamCells.rows.map((c) => `${c.region_code.trim()}|${c.industry_code}`));
  return {
    industries,
    rows: counties.map((county) => ({
      ...county,
      cells: industries.map((i) => {
        const key = `${county.code}|${i.code}`;
        return stations.has(key) ? 'station' : teams.has(key) ? 'team' : 'none';
      }) as Array<'station' | 'team' | 'none'>,
    })),
  };
}

export async function dashboardData(db: Database) {
  const [byStatus, byIndustry, byPrefecture, stations, funnel, median, coverage] = await Promise.all([
    challengesByStatus(db),
    challengesByIndustry(db),
    challengesByPrefecture(db),
    activeStationsByPrefecture(db),
    challengeFunnel(db),
    medianDays(db),
    coverageGrid(db),
  ]);
  return { byStatus, byIndustry, byPrefecture, stations, funnel, median, coverage };
}
export type DashboardData = Awaited<ReturnType<typeof dashboardData>>;
