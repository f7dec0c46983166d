import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/database.js';

/**
 * The yearly evaluation indicators (学会年度工作评价), each defined exactly once: its group, Chinese
 * name and tooltip, and the SQL that lists the records behind it. The figure is always an aggregate
 * of those same rows (count, sum or distinct count), so the drill-down can never disagree with the
 * number. Everything is computed from records dated in the year (China time), so a past year is
 * reproducible at any later date.
 *
 * Each query returns, for every society (or one), rows of
 * `{ society_id, ref_id, ref_type, label, on_date, detail, amount }`.
 */
export interface IndicatorRow {
  society_id: string;
  /** The record behind the figure (station, service record, organisation, bid, capability, expert, region, industry). */
  ref_id: string;
  ref_type:
    | 'station'
    | 'service_record'
    | 'organisation'
    | 'bid'
    | 'challenge'
    | 'capability'
    | 'expert'
    | 'region'
    | 'industry';
  label: string;
  on_date: string | null;
  detail: string;
  amount: number;
}

export type IndicatorGroup = 'stations' | 'services' | 'challenges' | 'supply' | 'coverage';

export interface IndicatorDefinition {
  key: string;
  group: IndicatorGroup;
  name: string;
  unit: string;
  /** Shown as a tooltip next to the figure: what is counted, from which records. */
  tooltip: string;
  aggregate: 'count' | 'sum' | 'distinct';
  rows(db: Database, year: number, societyId: string | null): Promise<IndicatorRow[]>;
}

export const indicatorGroups: Record<IndicatorGroup, string> = {
  stations: '工作站建设',
  services: '服务成效',
  challenges: '揭榜挂帅',
  supply: '成果与专家',
  coverage: '县域与产业覆盖',
};

/** Year bounds in China time (UTC+8): [start, end). */
function bounds(year: number) {
  return {
    start: `${year}-01-01T00:00:00+08:00`,
    end: `${year + 1}-01-01T00:00:00+08:00`,
    firstDay: `${year}-01-01`,
    lastDay: `${year}-12-31`,
  };
}

const societyFilter = (column: string, societyId: string | null) =>
  societyId ? sql`and ${sql.ref(column)} = ${societyId}::uuid` : sql``;

/**
 * Stations active at some time during the year: approved before the year ended, and not expired,
 * revoked or withdrawn before it began (read from the status events, so it holds for past years).
 */
function stationsActiveDuring(year: number, societyId: string | null): RawBuilder<unknown> {
  const { start, end } = bounds(year);
  return sql`
    select s.* from stations s
    where exists (select 1 from station_status_events e
                  where e.station_id = s.id and e.action = 'approve' and e.created_at < ${end}::timestamptz)
      and not exists (select 1 from station_status_events e
                  where e.station_id = s.id and e.to_status in ('expired', 'revoked')
                    and e.created_at < ${start}::timestamptz
                    and not exists (select 1 from station_status_events r
                                    where r.station_id = s.id and r.action = 'renew' and r.id > e.id
                                      and r.created_at < ${start}::timestamptz))
      ${societyFilter('s.society_id', societyId)}`;
}

/** Confirmed service records served during the year, at the society's stations. */
function confirmedRecordsDuring(year: number, societyId: string | null): RawBuilder<unknown> {
  const { firstDay, lastDay } = bounds(year);
  return sql`
    select sr.*, s.society_id, s.host_organisation_id, s.name as station_name from service_records sr
    join stations s on s.id = sr.station_id
    where sr.status = 'confirmed' and sr.served_on between ${firstDay}::date and ${lastDay}::date
      ${societyFilter('s.society_id', societyId)}`;
}

async function run(db: Database, query: RawBuilder<IndicatorRow>): Promise<IndicatorRow[]> {
  const result = await query.execute(db);
  return result.rows.map((r) => ({ ...r, amount: Number(r.amount) }));
}

const recordKindNames = sql`case kind when 'visit' then '走访调研' when 'training' then '技术培训' when 'consulting' then '咨询服务'
  when 'problem_solved' then '解决技术难题' when 'standard_drafted' then '制定标准' else kind end`;

function recordsOfKind(kinds: string[] | null) {
  return (db: Database, year: number, societyId: string | null) =>
    run(
      db,
      sql<IndicatorRow>`
        select r.society_id, r.id::text as ref_id, 'service_record' as ref_type, r.title as label,
               r.served_on::text as on_date, r.station_name || ' · ' || ${recordKindNames} as detail,
               r.beneficiaries as amount
        from (${confirmedRecordsDuring(year, societyId)}) r
        ${kinds ? sql`where r.kind in (${sql.join(kinds)})` : sql``}
        order by r.served_on, r.id`,
    );
}

export const indicators: IndicatorDefinition[] = [
  {
    key: 'stations_active',
    group: 'stations',
    name: '运行站点数',
    unit: '个',
    tooltip:
      '本年度内任一时间处于运行状态的学会工作站、专家服务站和创新分支机构（年底前获批，且年初前未到期或撤销）。',
    aggregate: 'count',
    rows: (db, year, societyId) =>
      run(
        db,
        sql<IndicatorRow>`
          select s.society_id, s.id::text as ref_id, 'station' as ref_type, s.name as label,
                 s.term_end::text as on_date, k.name || ' · ' || r.name as detail, 1 as amount
          from (${stationsActiveDuring(year, societyId)}) s
          join station_kinds k on k.code = s.kind_code join regions r on r.code = s.region_code
          order by s.name`,
      ),
  },
  {
    key: 'stations_new',
    group: 'stations',
    name: '新设站点数',
    unit: '个',
    tooltip: '本年度内经科协批准设立的站点（以批准记录的日期为准）。',
    aggregate: 'count',
    rows: (db, year, societyId) => {
      const { start, end } = bounds(year);
      return run(
        db,
        sql<IndicatorRow>`
          select s.society_id, s.id::text as ref_id, 'station' as ref_type, s.name as label,
                 (e.created_at at time zone 'Asia/Shanghai')::date::text as on_date, k.name as detail, 1 as amount
          from stations s join station_status_events e on e.station_id = s.id and e.action = 'approve'
          join station_kinds k on k.code = s.kind_code
          where e.created_at >= ${start}::timestamptz and e.created_at < ${end}::timestamptz
            ${societyFilter('s.society_id', societyId)}
          order by e.created_at`,
      );
    },
  },
  {
    key: 'stations_excellent',
    group: 'stations',
    name: '评为优秀的站点数',
    unit: '个',
    tooltip: '科协管理员对本年度评定为「优秀」的站点（良好、合格见明细）。',
    aggregate: 'sum',
    rows: (db, year, societyId) =>
      run(
        db,
        sql<IndicatorRow>`
          select s.society_id, s.id::text as ref_id, 'station' as ref_type, s.name as label, null as on_date,
                 case g.grade when 'excellent' then '优秀' when 'good' then '良好' else '合格' end || '：' || g.reason as detail,
                 case when g.grade = 'excellent' then 1 else 0 end as amount
          from station_grades g join stations s on s.id = g.station_id
          where g.year = ${year} ${societyFilter('s.society_id', societyId)}
          order by g.grade, s.name`,
      ),
  },
  {
    key: 'records_confirmed',
    group: 'services',
    name: '已确认服务记录数',
    unit: '条',
    tooltip: '本年度内开展、并经东道单位确认的服务记录（走访、培训、咨询、解决难题、制定标准）。',
    aggregate: 'count',
    rows: recordsOfKind(null),
  },
  {
    key: 'beneficiaries',
    group: 'services',
    name: '受益人次',
    unit: '人次',
    tooltip: '本年度已确认服务记录所填受益人数之和。',
    aggregate: 'sum',
    rows: recordsOfKind(null),
  },
  {
    key: 'enterprises_served',
    group: 'services',
    name: '服务企业数',
    unit: '家',
    tooltip: '本年度已确认服务记录服务到的企业（记录所填受益企业，未填时为东道企业），同一企业只计一次。',
    aggregate: 'distinct',
    rows: (db, year, societyId) =>
      run(
        db,
        sql<IndicatorRow>`
          select r.society_id, o.id::text as ref_id, 'organisation' as ref_type, o.name as label,
                 r.served_on::text as on_date, r.title as detail, 1 as amount
          from (${confirmedRecordsDuring(year, societyId)}) r
          join organisations o on o.id = coalesce(r.beneficiary_organisation_id, r.host_organisation_id)
          where o.kind = 'enterprise'
          order by o.name, r.served_on`,
      ),
  },
  {
    key: 'problems_solved',
    group: 'services',
    name: '解决技术难题数',
    unit: '项',
    tooltip: '本年度已确认、类型为「解决技术难题」的服务记录。',
    aggregate: 'count',
    rows: recordsOfKind(['problem_solved']),
  },
  {
    key: 'standards_drafted',
    group: 'services',
    name: '制定标准数',
    unit: '项',
    tooltip: '本年度已确认、类型为「制定标准」的服务记录（团体标准等）。',
    aggregate: 'count',
    rows: recordsOfKind(['standard_drafted']),
  },
  {
    key: 'challenges_bid',
    group: 'challenges',
    name: '揭榜数',
    unit: '项',
    tooltip: '本年度学会以机构名义提交的揭榜申请（不含撤回的），同一榜单只计一次。',
    aggregate: 'distinct',
    rows: (db, year, societyId) => {
      const { start, end } = bounds(year);
      return run(
        db,
        sql<IndicatorRow>`
          select b.organisation_id as society_id, c.id::text as ref_id, 'challenge' as ref_type, c.title as label,
                 (b.created_at at time zone 'Asia/Shanghai')::date::text as on_date, b.status as detail, 1 as amount
          from bids b join challenges c on c.id = b.challenge_id
          where b.organisation_id is not null and b.status <> 'withdrawn'
            and b.created_at >= ${start}::timestamptz and b.created_at < ${end}::timestamptz
            ${societyFilter('b.organisation_id', societyId)}
          order by b.created_at`,
      );
    },
  },
  {
    key: 'challenges_won',
    group: 'challenges',
    name: '挂帅数',
    unit: '项',
    tooltip: '本年度学会以机构名义揭榜并被选定挂帅的榜单（以挂帅日期为准）。',
    aggregate: 'distinct',
    rows: (db, year, societyId) => {
      const { start, end } = bounds(year);
      return run(
        db,
        sql<IndicatorRow>`
          select b.organisation_id as society_id, c.id::text as ref_id, 'challenge' as ref_type, c.title as label,
                 (b.awarded_at at time zone 'Asia/Shanghai')::date::text as on_date, '挂帅' as detail, 1 as amount
          from bids b join challenges c on c.id = b.challenge_id
          where b.organisation_id is not null and b.awarded_at >= ${start}::timestamptz and b.awarded_at < ${end}::timestamptz
            ${societyFilter('b.organisation_id', societyId)}
          order by b.awarded_at`,
      );
    },
  },
  {
    key: 'challenges_accepted',
    group: 'challenges',
    name: '通过验收数',
    unit: '项',
    tooltip: '学会挂帅的榜单中，本年度通过企业验收（状态变为「已验收」）的。',
    aggregate: 'distinct',
    rows: (db, year, societyId) => {
      const { start, end } = bounds(year);
      return run(
        db,
        sql<IndicatorRow>`
          select b.organisation_id as society_id, c.id::text as ref_id, 'challenge' as ref_type, c.title as label,
                 (e.created_at at time zone 'Asia/Shanghai')::date::text as on_date, '已验收' as detail, 1 as amount
          from bids b join challenges c on c.id = b.challenge_id
          join challenge_status_events e on e.challenge_id = c.id and e.to_status = 'accepted'
          where b.organisation_id is not null and b.status = 'awarded'
            and e.created_at >= ${start}::timestamptz and e.created_at < ${end}::timestamptz
            ${societyFilter('b.organisation_id', societyId)}
          order by e.created_at`,
      );
    },
  },
  {
    key: 'capabilities_published',
    group: 'supply',
    name: '发布成果与服务能力数',
    unit: '项',
    tooltip: '本年度由学会或其会员专家发布（且未被下架）的成果、专利、服务能力、仪器设备和标准服务。',
    aggregate: 'distinct',
    rows: (db, year, societyId) => {
      const { start, end } = bounds(year);
      return run(
        db,
        sql<IndicatorRow>`
          select x.society_id, x.id::text as ref_id, 'capability' as ref_type, x.title as label,
                 (x.published_at at time zone 'Asia/Shanghai')::date::text as on_date, x.owner as detail, 1 as amount
          from (
            select c.*, c.owner_organisation_id as society_id, '学会' as owner from capabilities c
            where c.owner_organisation_id is not null
            union all
            select c.*, es.society_id, e.name as owner from capabilities c
            join expert_profiles e on e.id = c.owner_expert_id
            join expert_societies es on es.expert_id = e.id
          ) x
          join organisations o on o.id = x.society_id and o.kind = 'society'
          where x.status = 'published' and x.published_at >= ${start}::timestamptz and x.published_at < ${end}::timestamptz
            ${societyFilter('x.society_id', societyId)}
          order by x.published_at`,
      );
    },
  },
  {
    key: 'capabilities_transferred',
    group: 'supply',
    name: '成果转化服务数',
    unit: '项',
    tooltip: '本年度已确认、并关联了平台成果（成果转让、许可或技术服务落地）的服务记录。',
    aggregate: 'count',
    rows: (db, year, societyId) =>
      run(
        db,
        sql<IndicatorRow>`
          select r.society_id, r.id::text as ref_id, 'service_record' as ref_type, r.title as label,
                 r.served_on::text as on_date, c.title as detail, 1 as amount
          from (${confirmedRecordsDuring(year, societyId)}) r join capabilities c on c.id = r.capability_id
          order by r.served_on`,
      ),
  },
  {
    key: 'experts_active',
    group: 'supply',
    name: '参与服务的专家数',
    unit: '人',
    tooltip: '本年度在已确认服务记录中出现过的专家，同一专家只计一次。',
    aggregate: 'distinct',
    rows: (db, year, societyId) =>
      run(
        db,
        sql<IndicatorRow>`
          select r.society_id, e.id::text as ref_id, 'expert' as ref_type, e.name as label,
                 r.served_on::text as on_date, r.title as detail, 1 as amount
          from (${confirmedRecordsDuring(year, societyId)}) r
          join service_record_experts x on x.record_id = r.id join expert_profiles e on e.id = x.expert_id
          order by e.name, r.served_on`,
      ),
  },
  {
    key: 'counties_covered',
    group: 'coverage',
    name: '覆盖区县数',
    unit: '个',
    tooltip: '本年度运行站点所在的区县，同一区县只计一次。',
    aggregate: 'distinct',
    rows: (db, year, societyId) =>
      run(
        db,
        sql<IndicatorRow>`
          select s.society_id, r.code::text as ref_id, 'region' as ref_type, r.name as label, null as on_date,
                 s.name as detail, 1 as amount
          from (${stationsActiveDuring(year, societyId)}) s join regions r on r.code = s.region_code
          order by r.code, s.name`,
      ),
  },
  {
    key: 'featured_industries_covered',
    group: 'coverage',
    name: '覆盖特色产业数',
    unit: '个',
    tooltip: '本年度运行站点服务范围涉及的 12 个特色产业（茶叶、辣椒、食用菌等），同一产业只计一次。',
    aggregate: 'distinct',
    rows: (db, year, societyId) =>
      run(
        db,
        sql<IndicatorRow>`
          select s.society_id, i.code as ref_id, 'industry' as ref_type, i.name as label, null as on_date,
                 s.name as detail, 1 as amount
          from (${stationsActiveDuring(year, societyId)}) s
          join industries i on i.code = any(s.industry_codes) and i.group_name = '特色产业'
          order by i.sort, s.name`,
      ),
  },
];

export const indicatorByKey = new Map(indicators.map((i) => [i.key, i]));

/** The figure of an indicator from its rows: the one place the aggregate is applied. */
export function aggregateRows(definition: IndicatorDefinition, rows: IndicatorRow[]): number {
  if (definition.aggregate === 'count') return rows.length;
  if (definition.aggregate === 'sum') return rows.reduce((total, r) => total + r.amount, 0);
  return new Set(rows.map((r) => r.ref_id)).size;
}
