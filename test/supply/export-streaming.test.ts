import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formRequest, newOrganisationFor, signedIn } from '../support/account-factories.js';
import { bidInput, call, newFlowWorld, publishedChallenge } from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * Exports past the old search cap (streamed from PostgreSQL in keyset pages), and bids exported for
 * their owners only: the posting enterprise gets every bid on its challenge, a bidder its own.
 */
let ctx: TestContext;
let staff: { cookie: string };

const ROWS = 2600;
const decode = (bytes: ArrayBuffer) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
const get = (path: string, cookie: string) => ctx.app.request(path, { headers: { Cookie: cookie } });

beforeAll(async () => {
  ctx = await createTestContext();
  // Well over the 1,000-hit search depth, written straight into the table (no index needed).
  await sql`
    insert into expert_profiles (name, title, affiliation, discipline, region_code, bio)
    select '导出专家' || lpad(n::text, 5, '0'), '教授', '贵州大学', '导出测试学', '520100',
           case when n = 7 then '=HYPERLINK("http://evil.example")' else '简介' end
    from generate_series(1, ${ROWS}) as n`.execute(ctx.db);
  // Same discipline, other region or hidden: the filters must leave them out.
  await sql`
    insert into expert_profiles (name, discipline, region_code, visibility)
    values ('遵义专家', '导出测试学', '520300', 'public'), ('隐藏专家', '导出测试学', '520100', 'hidden')`.execute(
    ctx.db,
  );
  const society = await signedIn(ctx.db, ctx.app, 'society');
  await newOrganisationFor(ctx.db, society.user.id, { kind: 'society', name: '贵州省导出学会' });
  staff = society;
}, 60_000);
afterAll(async () => {
  await ctx.close();
});

describe('exports of filtered lists without a cap', () => {
  it('streams every matching expert as CSV in listing order, formulas escaped', async () => {
    const res = await get('/experts/export.csv?discipline=导出测试学&region=520100', staff.cookie);
    expect(res.status).toBe(200);
    const lines = decode(await res.arrayBuffer())
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[1]).toContain('导出专家00001');
    expect(lines[ROWS]).toContain(`导出专家0${ROWS}`);
    expect(lines.join('\n')).toContain(`'=HYPERLINK(""http://evil.example"")`);
    expect(lines.join('\n')).not.toContain('遵义专家');
    expect(lines.join('\n')).not.toContain('隐藏专家');
  });

  it('streams the same list as an XLSX Excel reads, formula kept as text', async () => {
    const res = await get('/experts/export.xlsx?discipline=导出测试学&region=520100', staff.cookie);
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('专家');
    expect(sheet.actualRowCount).toBe(ROWS + 1);
    expect(sheet.getCell('B2').value).toBe('导出专家00001');
    const bio = sheet.getCell('J8');
    expect(bio.value).toBe(`'=HYPERLINK("http://evil.example")`);
    expect(bio.formula).toBeUndefined();
  });

  it('refuses a bad filter with 422 before streaming anything', async () => {
    expect((await get('/experts/export.csv?region=abc', staff.cookie)).status).toBe(422);
  });
});

describe('challenges exported past the search cap', () => {
  it('streams every public challenge matching the filters from PostgreSQL, hidden names hidden, formulas escaped', async () => {
    const enterprise = await signedIn(ctx.db, ctx.app, 'enterprise');
    const org = await newOrganisationFor(ctx.db, enterprise.user.id, {
      kind: 'enterprise',
      name: '贵州导出测试企业有限公司',
      verification_status: 'verified',
    });
    // 2,100 published in 湄潭县 (one hiding the enterprise, one with a formula title), plus a draft
    // and one in another prefecture that the filters must leave out.
    await sql`
      insert into challenges (enterprise_id, title, region_code, reward_wan, bid_deadline, status, published_at,
                              hide_enterprise_name)
      select ${org.id}, case when n = 5 then '=1+1' else '导出榜单' || lpad(n::text, 5, '0') end, '520328', 10,
             now() + interval '30 days', 'published', now() - n * interval '1 minute', n = 9
      from generate_series(1, 2100) as n`.execute(ctx.db);
    await sql`
      insert into challenges (enterprise_id, title, region_code, reward_wan, bid_deadline, status, published_at)
      values (${org.id}, '草稿榜单', '520328', 10, now() + interval '30 days', 'draft', null),
             (${org.id}, '贵阳榜单', '520102', 10, now() + interval '30 days', 'published', now())`.execute(
      ctx.db,
    );
    const res = await get('/challenges/export.csv?region=520300', staff.cookie);
    expect(res.status).toBe(200);
    const lines = decode(await res.arrayBuffer())
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(2101);
    expect(lines[1]).toContain('导出榜单00001');
    expect(lines[2100]).toContain('导出榜单02100');
    expect(lines[5]).toContain(`'=1+1`);
    expect(lines[9]).not.toContain('贵州导出测试企业有限公司');
    expect(lines[8]).toContain('贵州导出测试企业有限公司');
    const text = lines.join('\n');
    expect(text).not.toContain('草稿榜单');
    expect(text).not.toContain('贵阳榜单');
  }, 60_000);
});

describe('bids exported for their owner', () => {
  let world: Awaited<ReturnType<typeof newFlowWorld>>;
  let challengeId: string;

  beforeAll(async () => {
    world = await newFlowWorld(ctx.db, ctx.app);
    challengeId = await publishedChallenge(ctx.app, world);
    const a = await call(ctx.app, 'POST', `/challenges/${challengeId}/bids`, {
      cookie: world.expertA.cookie,
      body: bidInput({ approach: "=cmd|' /C calc'!A0 低温分段热风干燥，护色预处理与湿度控制，中试验证。" }),
    });
    expect(a.status).toBe(201);
    const b = await call(ctx.app, 'POST', `/challenges/${challengeId}/bids`, {
      cookie: world.expertB.cookie,
      body: bidInput({ price_wan: 30, approach: '热泵烘干与分级除湿，结合色泽在线检测，分两期实施。' }),
    });
    expect(b.status).toBe(201);
    // The society bids with its own service team (科技服务团).
    const team = await ctx.db
      .insertInto('service_teams')
      .values({ name: '茶产业科技服务团', society_id: world.society.org.id, region_codes: ['520300'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    const teamBid = await call(ctx.app, 'POST', `/challenges/${challengeId}/bids`, {
      cookie: world.society.cookie,
      body: bidInput({
        kind: 'organisation',
        organisation_id: world.society.org.id,
        service_team_id: team.id,
        approach: '学会组织服务团专家，分区域开展烘干工艺诊断与改造指导。',
      }),
    });
    expect(teamBid.status).toBe(201);
    const stored = await ctx.db
      .selectFrom('bids')
      .select('service_team_id')
      .where('id', '=', teamBid.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.service_team_id).toBe(team.id);
  }, 60_000);

  it("refuses a team bid with another society's team (422), and the database refuses it too", async () => {
    const other = await signedIn(ctx.db, ctx.app, 'society');
    const otherOrg = await newOrganisationFor(ctx.db, other.user.id, {
      kind: 'society',
      name: '贵州省另一学会',
      verification_status: 'verified',
    });
    const foreignTeam = await ctx.db
      .insertInto('service_teams')
      .values({ name: '别人的服务团', society_id: otherOrg.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const challenge2 = await publishedChallenge(ctx.app, world);
    const res = await call(ctx.app, 'POST', `/challenges/${challenge2}/bids`, {
      cookie: world.society.cookie,
      body: bidInput({
        kind: 'organisation',
        organisation_id: world.society.org.id,
        service_team_id: foreignTeam.id,
      }),
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('service_team_id');
    await expect(
      sql`update bids set service_team_id = ${foreignTeam.id} where organisation_id = ${world.society.org.id}`.execute(
        ctx.db,
      ),
    ).rejects.toThrow(/bids_service_team_fk/);
  });

  it('lets the society pick its service team on the web bid form, and stores it', async () => {
    const challenge3 = await publishedChallenge(ctx.app, world);
    const form = await (await get(`/challenges/${challenge3}/bid`, world.society.cookie)).text();
    expect(form).toContain('以科技服务团名义（可选）');
    expect(form).toContain('茶产业科技服务团');
    const team = await ctx.db
      .selectFrom('service_teams')
      .select('id')
      .where('name', '=', '茶产业科技服务团')
      .executeTakeFirstOrThrow();
    const values = {
      kind: 'organisation',
      organisation_id: world.society.org.id,
      service_team_id: team.id,
      approach: '学会服务团分区域开展烘干工艺诊断，形成改造方案并指导实施。',
      promised_indicators: '色价提高 15%',
      price_wan: '40',
      duration_days: '120',
    };
    const sent = await ctx.app.request(
      `/challenges/${challenge3}/bid`,
      formRequest(values, world.society.cookie),
    );
    expect(sent.status).toBe(303);
    const stored = await ctx.db
      .selectFrom('bids')
      .select('service_team_id')
      .where('challenge_id', '=', challenge3)
      .executeTakeFirstOrThrow();
    expect(stored.service_team_id).toBe(team.id);
  });

  it('gives the posting enterprise every bid on its challenge, escaped, with its evaluation columns', async () => {
    const res = await get(`/workspace/challenges/${challengeId}/bids/export.csv`, world.enterprise.cookie);
    expect(res.status).toBe(200);
    const lines = decode(await res.arrayBuffer())
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('报价（万元）');
    expect(lines[0]).toContain('评分');
    expect(lines[1]).toContain(`'=cmd|`);
    expect(lines[2]).toContain('热泵烘干');
    expect(lines[3]).toContain('机构揭榜,已提交');
    expect(lines[3]).toContain('茶产业科技服务团');

    const xlsx = await get(`/workspace/challenges/${challengeId}/bids/export.xlsx`, world.enterprise.cookie);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    expect(workbook.worksheets[0]!.actualRowCount).toBe(4);
    expect(workbook.worksheets[0]!.getCell('J2').value).toMatch(/^'=cmd\|/);
    expect(workbook.worksheets[0]!.getCell('J2').formula).toBeUndefined();
  });

  it('answers another enterprise with 404 and writes it nothing', async () => {
    const other = await signedIn(ctx.db, ctx.app, 'enterprise');
    await newOrganisationFor(ctx.db, other.user.id, {
      kind: 'enterprise',
      name: '贵州另一家企业有限公司',
      verification_status: 'verified',
    });
    const res = await get(`/workspace/challenges/${challengeId}/bids/export.csv`, other.cookie);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('低温分段');
  });

  it("gives a bidder its own bids only, without the enterprise's evaluation", async () => {
    const res = await get('/workspace/bids/export.csv', world.expertA.cookie);
    expect(res.status).toBe(200);
    const text = decode(await res.arrayBuffer());
    const lines = text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).not.toContain('评分');
    expect(text).toContain('低温分段');
    expect(text).not.toContain('热泵烘干');

    const outsider = decode(
      await (await get('/workspace/bids/export.csv', world.outsider.cookie)).arrayBuffer(),
    );
    expect(outsider.trimEnd().split('\r\n')).toHaveLength(1);
  });

  it('links both exports from the pages where each owner reads its bids', async () => {
    const manage = await (await get(`/workspace/challenges/${challengeId}`, world.enterprise.cookie)).text();
    expect(manage).toContain(`/workspace/challenges/${challengeId}/bids/export.xlsx`);
    const workspace = await (await get('/workspace', world.expertA.cookie)).text();
    expect(workspace).toContain('/workspace/bids/export.xlsx');
    const outsiderPage = await (await get('/workspace', world.outsider.cookie)).text();
    expect(outsiderPage).not.toContain('/workspace/bids/export.xlsx');
  });

  it('keeps enterprises away from the bidder export (403)', async () => {
    expect((await get('/workspace/bids/export.csv', world.enterprise.cookie)).status).toBe(403);
  });
});
