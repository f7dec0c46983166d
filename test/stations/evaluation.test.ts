import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newChallenge, newEnterprise } from '../support/factories.js';
import {
  newExpertProfile,
  newHostPersona,
  newServiceRecord,
  newSocietyPersona,
  newStation,
  personaWithSession,
} from '../support/station-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * Indicator figures against a hand-computed fixture. 省茶叶学会 in 2026:
 * - stations: 湄潭 (approved 2025, tea), 余庆 (approved 2026-03-01, tea + chilli), 凤冈 (expired on
 *   2025-01-01: active in 2025 only) → active 2, new 1, counties 2, 特色产业 2 (茶叶, 辣椒)
 * - records (served in 2026): R1 training 30 people (王教授) at 湄潭 confirmed; R2 problem solved for
 *   another enterprise 5 people (王教授, 李研究员), linked to a capability, confirmed; R3 standard at 余庆
 *   0 people confirmed; R4 submitted, R6 disputed (not counted); R5 confirmed but served 2025-12-31
 *   → confirmed 3, beneficiaries 35, enterprises 3, problems 1, standards 1, experts 2, transfers 1
 * - one organisation bid, awarded and accepted in 2026 → bid 1, won 1, accepted 1
 * - one capability published 2026-04-01 → 1; grades: 湄潭 优秀, 余庆 良好 → excellent 1
 */
let ctx: TestContext;
let tea: Awaited<ReturnType<typeof newSocietyPersona>>;
let chilli: Awaited<ReturnType<typeof newSocietyPersona>>;
let operatorCookie: string;

const expected2026: Record<string, number> = {
  stations_active: 2,
  stations_new: 1,
  stations_excellent: 1,
  records_confirmed: 3,
  beneficiaries: 35,
  enterprises_served: 3,
  problems_solved: 1,
  standards_drafted: 1,
  challenges_bid: 1,
  challenges_won: 1,
  challenges_accepted: 1,
  capabilities_published: 1,
  capabilities_transferred: 1,
  experts_active: 2,
  counties_covered: 2,
  featured_industries_covered: 2,
};

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.db;
  tea = await newSocietyPersona(db, ctx.app, '贵州省茶叶学会');
  chilli = await newSocietyPersona(db, ctx.app, '贵州省辣椒学会');
  operatorCookie = (await personaWithSession(db, ctx.app, 'operator')).cookie;
  const h1 = await newHostPersona(db, ctx.app, '贵州湄潭黔茶科技有限公司');
  const h2 = await newHostPersona(db, ctx.app, '余庆县茶叶专业合作社联合社');
  const other = await newEnterprise(db, { name: '凤冈锌硒茶业有限公司' });
  const wang = await newExpertProfile(db, { name: '王教授' });
  const li = await newExpertProfile(db, { name: '李研究员' });

  const meitan = await newStation(db, {
    societyId: tea.org.id,
    hostId: h1.org.id,
    name: '贵州省茶叶学会湄潭工作站',
    expertIds: [wang.id, li.id],
    approvedAt: new Date('2025-01-01T02:00:00Z'),
  });
  const yuqing = await newStation(db, {
    societyId: tea.org.id,
    hostId: h2.org.id,
    name: '贵州省茶叶学会余庆工作站',
    region_code: '520329',
    industry_codes: ['rural-tea', 'rural-chilli', 'ind-food'],
    approvedAt: new Date('2026-03-01T02:00:00Z'),
  });
  await newStation(db, {
    societyId: tea.org.id,
    hostId: h1.org.id,
    name: '贵州省茶叶学会凤冈工作站',
    region_code: '520327',
    status: 'expired',
    approvedAt: new Date('2025-01-01T02:00:00Z'),
  });
  const capability = await db
    .insertInto('capabilities')
    .values({
      owner_organisation_id: tea.org.id,
      kind: 'service',
      title: '茶园绿色防控技术服务',
      cooperation_modes: ['技术服务'],
      status: 'published',
      published_at: new Date('2026-04-01T02:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  await newServiceRecord(db, {
    stationId: meitan.id,
    served_on: '2026-03-10',
    beneficiaries: 30,
    expertIds: [wang.id],
  });
  const r2 = await newServiceRecord(db, {
    stationId: meitan.id,
    served_on: '2026-05-01',
    kind: 'problem_solved',
    beneficiaries: 5,
    beneficiaryOrganisationId: other.id,
    expertIds: [wang.id, li.id],
  });
  await db
    .updateTable('service_records')
    .set({ capability_id: capability.id })
    .where('id', '=', r2.id)
    .execute();
  await newServiceRecord(db, {
    stationId: yuqing.id,
    served_on: '2026-07-01',
    kind: 'standard_drafted',
    beneficiaries: 0,
  });
  await newServiceRecord(db, { stationId: meitan.id, served_on: '2026-08-01', status: 'submitted' });
  await newServiceRecord(db, { stationId: meitan.id, served_on: '2025-12-31', beneficiaries: 12 });
  await newServiceRecord(db, {
    stationId: meitan.id,
    served_on: '2026-09-09',
    status: 'disputed',
    kind: 'consulting',
  });
  await db
    .insertInto('station_grades')
    .values([
      { station_id: meitan.id, year: 2026, grade: 'excellent', reason: '全年服务 20 次' },
      { station_id: yuqing.id, year: 2026, grade: 'good', reason: '新设站点运行良好' },
    ])
    .execute();

  // 辣椒学会: its own station and record must not leak into 茶叶学会's figures.
  const chilliStation = await newStation(db, {
    societyId: chilli.org.id,
    hostId: h2.org.id,
    name: '贵州省辣椒学会遵义工作站',
    industry_codes: ['rural-chilli'],
  });
  await newServiceRecord(db, { stationId: chilliStation.id, served_on: '2026-06-06', beneficiaries: 100 });

  // An organisation bid of 茶叶学会, awarded and accepted in 2026.
  const enterprise = await newEnterprise(db);
  const challenge = await newChallenge(db, { enterpriseId: enterprise.id, status: 'accepted' });
  await db
    .updateTable('challenge_status_events')
    .set({ created_at: new Date('2026-10-10T02:00:00Z') })
    .where('challenge_id', '=', challenge.id)
    .execute();
  await db
    .insertInto('bids')
    .values({
      challenge_id: challenge.id,
      kind: 'organisation',
      organisation_id: tea.org.id,
      lead_user_id: tea.user.id,
      approach: '以生物防治为主、物理诱杀为辅的茶园绿色防控综合方案',
      duration_days: 180,
      price_wan: 40,
      promised_indicators: '虫口减退率 ≥ 80%',
      status: 'awarded',
      awarded_at: new Date('2026-05-20T02:00:00Z'),
      created_at: new Date('2026-05-01T02:00:00Z'),
    })
    .execute();
});
afterAll(async () => {
  await ctx.close();
});
const url = (path: string) => `http://localhost${path}`;
const get = (path: string, cookie: string) => ctx.app.request(url(path), { headers: { Cookie: cookie } });

describe('yearly indicators', () => {
  test('match the hand-computed figures for 2026, and each carries its tooltip', async () => {
    const res = await get(`/api/v1/evaluation/2026/societies/${tea.org.id}`, tea.cookie);
    expect(res.status).toBe(200);
    const body = await res.json();
    const values = Object.fromEntries(
      body.indicators.map((i: { key: string; value: number }) => [i.key, i.value]),
    );
    expect(values).toEqual(expected2026);
    for (const indicator of body.indicators) expect(indicator.tooltip.length).toBeGreaterThan(10);
  });

  test('are reproducible for a past year from records dated in it', async () => {
    const body = await (await get(`/api/v1/evaluation/2025/societies/${tea.org.id}`, operatorCookie)).json();
    const values = Object.fromEntries(
      body.indicators.map((i: { key: string; value: number }) => [i.key, i.value]),
    );
    expect(values).toMatchObject({
      stations_active: 2,
      stations_new: 2,
      records_confirmed: 1,
      beneficiaries: 12,
      counties_covered: 2,
      challenges_won: 0,
    });
  });

  test('drill down to exactly the records behind a figure', async () => {
    const body = await (
      await get(`/api/v1/evaluation/2026/societies/${tea.org.id}/indicators/enterprises_served`, tea.cookie)
    ).json();
    expect(body.indicator.value).toBe(3);
    expect(new Set(body.rows.map((r: { label: string }) => r.label))).toEqual(
      new Set(['贵州湄潭黔茶科技有限公司', '凤冈锌硒茶业有限公司', '余庆县茶叶专业合作社联合社']),
    );
    const records = await (
      await get(`/api/v1/evaluation/2026/societies/${tea.org.id}/indicators/records_confirmed`, tea.cookie)
    ).json();
    expect(records.rows.map((r: { on_date: string }) => r.on_date)).toEqual([
      '2026-03-10',
      '2026-05-01',
      '2026-07-01',
    ]);
  });

  test('the all-societies view lists every verified society with its own figures (operators only)', async () => {
    const res = await get('/api/v1/evaluation/2026', operatorCookie);
    const { societies } = await res.json();
    const byName = Object.fromEntries(
      societies.map((s: { name: string; values: object }) => [s.name, s.values]),
    );
    expect(byName.贵州省茶叶学会).toEqual(expected2026);
    expect(byName.贵州省辣椒学会).toMatchObject({
      records_confirmed: 1,
      beneficiaries: 100,
      stations_active: 1,
    });
    expect((await get('/api/v1/evaluation/2026', tea.cookie)).status).toBe(403);
  });

  test("a society sees only its own figures; another society's are 403", async () => {
    expect((await get(`/api/v1/evaluation/2026/societies/${tea.org.id}`, chilli.cookie)).status).toBe(403);
    expect((await get(`/api/v1/evaluation/2026/export?society=${tea.org.id}`, chilli.cookie)).status).toBe(
      403,
    );
    expect((await get('/api/v1/evaluation/2026/export', chilli.cookie)).status).toBe(403);
  });
});

describe('XLSX export', () => {
  async function readWorkbook(res: Response) {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    return workbook;
  }
  const rowValues = (sheet: ExcelJS.Worksheet, n: number) => (sheet.getRow(n).values as unknown[]).slice(1);

  test("one society's pack: a sheet per indicator group with the right numbers, definitions and details", async () => {
    const workbook = await readWorkbook(
      await get(`/api/v1/evaluation/2026/export?society=${tea.org.id}`, tea.cookie),
    );
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '工作站建设',
      '服务成效',
      '揭榜挂帅',
      '成果与专家',
      '县域与产业覆盖',
      '指标说明',
      '明细',
    ]);
    const services = workbook.getWorksheet('服务成效')!;
    expect(rowValues(services, 1)[0]).toBe('学会');
    expect(rowValues(services, 2)).toEqual(['贵州省茶叶学会', 3, 35, 3, 1, 1]);
    expect(rowValues(workbook.getWorksheet('揭榜挂帅')!, 2)).toEqual(['贵州省茶叶学会', 1, 1, 1]);
    const details = workbook.getWorksheet('明细')!;
    expect(details.rowCount).toBeGreaterThan(10);
  });

  test('the all-societies pack has a row per society', async () => {
    const workbook = await readWorkbook(await get('/api/v1/evaluation/2026/export', operatorCookie));
    const stations = workbook.getWorksheet('工作站建设')!;
    const names = [2, 3].map((n) => rowValues(stations, n)[0]);
    expect(names.sort()).toEqual(['贵州省茶叶学会', '贵州省辣椒学会'].sort());
    expect(workbook.getWorksheet('明细')).toBeUndefined();
  });
});
