import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../../src/modules/imports/import.read.js';
import { importDataset } from '../../src/modules/imports/import.usecases.js';
import { formRequest, newOrganisationFor, signedIn } from '../support/account-factories.js';
import { newChallenge } from '../support/factories.js';
import { teaDataset } from '../support/supply-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * 为你推荐 (expert 李研究员, society staff of 省食品科学技术学会), 待邀请 (operator 陈老师) and the
 * enterprise 黔椒食品's 邀请揭榜 on its challenge page.
 */
let ctx: TestContext;
let personas: {
  enterprise: Awaited<ReturnType<typeof signedIn>>;
  li: Awaited<ReturnType<typeof signedIn>>;
  newcomer: Awaited<ReturnType<typeof signedIn>>;
  societyStaff: Awaited<ReturnType<typeof signedIn>>;
  operator: Awaited<ReturnType<typeof signedIn>>;
};
let ids: {
  chili: string;
  tea: string;
  closed: string;
  underReview: string;
  liProfile: string;
  wangProfile: string;
};

beforeAll(async () => {
  ctx = await createTestContext({ matching: true });
  const result = await importDataset(
    ctx.db,
    readJson(new TextEncoder().encode(JSON.stringify(teaDataset()))),
    {
      fileName: 'tea.json',
      format: 'json',
      actor: { userId: null, label: '测试' },
    },
  );
  if (!result.ok) throw new Error(result.messages.join('\n'));

  personas = {
    enterprise: await signedIn(ctx.db, ctx.app, 'enterprise'),
    li: await signedIn(ctx.db, ctx.app, 'expert'),
    newcomer: await signedIn(ctx.db, ctx.app, 'expert'),
    societyStaff: await signedIn(ctx.db, ctx.app, 'society'),
    operator: await signedIn(ctx.db, ctx.app, 'operator'),
  };
  // 李研究员 claims the imported profile; the society's secretary works for 省食品科学技术学会.
  const li = await ctx.db
    .updateTable('expert_profiles')
    .set({ user_id: personas.li.user.id })
    .where('external_key', '=', 'EXP-LI')
    .returning('id')
    .executeTakeFirstOrThrow();
  const wang = await ctx.db
    .selectFrom('expert_profiles')
    .select('id')
    .where('external_key', '=', 'EXP-WANG')
    .executeTakeFirstOrThrow();
  const food = await ctx.db
    .updateTable('organisations')
    .set({ verification_status: 'verified', verified_at: new Date() })
    .where('external_key', '=', 'SOC-FOOD')
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('organisation_members')
    .values({ organisation_id: food.id, user_id: personas.societyStaff.user.id, role: 'admin' })
    .execute();

  const enterprise = await newOrganisationFor(ctx.db, personas.enterprise.user.id, {
    name: '遵义黔椒食品有限公司',
    verification_status: 'verified',
  });
  const chili = await newChallenge(ctx.db, {
    enterpriseId: enterprise.id,
    title: '辣椒烘干后颜色发暗，想找专家改进烘干工艺',
    problem: '合作社烘房烘出的干辣椒颜色发暗、色价低，客商压价。',
    industry_code: 'rural-chilli',
    region_code: '520302',
  });
  const tea = await newChallenge(ctx.db, { enterpriseId: enterprise.id });
  const closed = await newChallenge(ctx.db, {
    enterpriseId: enterprise.id,
    status: 'bidding_closed',
    title: '辣椒热泵干燥色泽保持（已截止）',
    industry_code: 'rural-chilli',
  });
  const underReview = await newChallenge(ctx.db, {
    enterpriseId: enterprise.id,
    status: 'under_review',
    title: '辣椒干燥褐变控制（审核中）',
    industry_code: 'rural-chilli',
  });
  ids = {
    chili: chili.id,
    tea: tea.id,
    closed: closed.id,
    underReview: underReview.id,
    liProfile: li.id,
    wangProfile: wang.id,
  };
  await ctx.drainOutbox();
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

const get = (path: string, cookie?: string) =>
  ctx.app.request(path, cookie ? { headers: { Cookie: cookie } } : {});

describe('GET /api/v1/me/recommended-challenges (为你推荐)', () => {
  it('ranks the chili-drying challenge first for the drying expert, with reasons, only open ones', async () => {
    const res = await get('/api/v1/me/recommended-challenges', personas.li.cookie);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.basis).toMatchObject({ kind: 'expert', id: ids.liProfile, name: '李研究员' });
    expect(body.data[0]).toMatchObject({ id: ids.chili, bid_submitted: false, reward_wan: 50 });
    expect(body.data[0].reasons.join(' ')).toMatch(/匹配：.*(干燥|烘干|辣椒)/);
    expect(body.data[0].reasons).toContain('同在遵义市');
    const listed = body.data.map((c: { id: string }) => c.id);
    expect(listed).not.toContain(ids.closed);
    expect(listed).not.toContain(ids.underReview);
  });

  it('recommends from the society and its experts for society staff', async () => {
    const body = await (await get('/api/v1/me/recommended-challenges', personas.societyStaff.cookie)).json();
    expect(body.basis).toMatchObject({ kind: 'society', name: '贵州省食品科学技术学会' });
    expect(body.basis.summary).toContain('热泵干燥');
    expect(body.data[0].id).toBe(ids.chili);
  });

  it('asks an expert without a profile to fill one in, instead of guessing', async () => {
    const body = await (await get('/api/v1/me/recommended-challenges', personas.newcomer.cookie)).json();
    expect(body).toEqual({ basis: null, data: [] });
    const page = await (await get('/me/recommendations', personas.newcomer.cookie)).text();
    expect(page).toContain('填写专家资料');
  });

  it('is for experts and societies only', async () => {
    expect((await get('/api/v1/me/recommended-challenges', personas.enterprise.cookie)).status).toBe(403);
    expect((await get('/api/v1/me/recommended-challenges')).status).toBe(401);
    expect((await get('/api/v1/me/recommended-challenges?limit=0', personas.li.cookie)).status).toBe(422);
  });

  it('shows the list with scores, reasons and a 我要揭榜 link on /me/recommendations', async () => {
    const res = await get('/me/recommendations', personas.li.cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('为你推荐的榜单');
    expect(html).toContain('辣椒烘干后颜色发暗');
    expect(html).toMatch(/匹配度 \d+/);
    expect(html).toContain(`href="/challenges/${ids.chili}/bid"`);
  });
});

describe('GET /api/v1/admin/challenges/invite-suggestions (待邀请)', () => {
  it('lists open challenges with few bids and whom to invite, for operators', async () => {
    const res = await get('/api/v1/admin/challenges/invite-suggestions', personas.operator.cookie);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.few_bids_below).toBe(3);
    const chili = body.data.find((c: { id: string }) => c.id === ids.chili);
    expect(chili).toMatchObject({ bid_count: 0, enterprise_name: '遵义黔椒食品有限公司' });
    expect(chili.experts[0]).toMatchObject({ name: '李研究员', registered: true });
    expect(body.data.map((c: { id: string }) => c.id)).not.toContain(ids.closed);
    const page = await (await get('/admin/invite-suggestions', personas.operator.cookie)).text();
    expect(page).toContain('待邀请');
    expect(page).toContain('李研究员');
  });

  it('is refused to everyone else', async () => {
    expect(
      (await get('/api/v1/admin/challenges/invite-suggestions', personas.enterprise.cookie)).status,
    ).toBe(403);
    expect((await get('/admin/invite-suggestions', personas.li.cookie)).status).toBe(403);
  });
});

describe('邀请揭榜 from the challenge page', () => {
  it('offers the posting enterprise an invite form per registered expert, and nobody else', async () => {
    const own = await (await get(`/challenges/${ids.chili}`, personas.enterprise.cookie)).text();
    expect(own).toContain(`action="/workspace/challenges/${ids.chili}/invitations"`);
    expect(own).toContain(`name="expert_profile_id" value="${ids.liProfile}"`);
    // 王教授 has no account: the card says so instead of offering a form that would fail.
    expect(own).not.toContain(`value="${ids.wangProfile}"`);
    const visitor = await (await get(`/challenges/${ids.chili}`)).text();
    expect(visitor).toContain('推荐专家');
    expect(visitor).not.toContain('邀请揭榜');
    const expert = await (await get(`/challenges/${ids.chili}`, personas.li.cookie)).text();
    expect(expert).not.toContain('/invitations"');
  });

  it('records the invitation and then shows 已邀请', async () => {
    const res = await ctx.app.request(
      `http://localhost/workspace/challenges/${ids.chili}/invitations`,
      formRequest({ expert_profile_id: ids.liProfile, message: '' }, personas.enterprise.cookie),
    );
    expect(res.status).toBe(303);
    const rows = await ctx.db
      .selectFrom('challenge_invitations')
      .select(['expert_profile_id', 'status'])
      .where('challenge_id', '=', ids.chili)
      .execute();
    expect(rows).toEqual([{ expert_profile_id: ids.liProfile, status: 'pending' }]);
    const page = await (await get(`/challenges/${ids.chili}`, personas.enterprise.cookie)).text();
    expect(page).toContain('data-testid="invited"');
    expect(page).not.toContain(`name="expert_profile_id" value="${ids.liProfile}"`);
  });
});
