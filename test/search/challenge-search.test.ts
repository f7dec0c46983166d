import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let chilli: { id: string };
let tea: { id: string };
let draft: { id: string };
let hidden: { id: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const hongjiao = await newEnterprise(ctx.db, { name: '遵义红椒源食品有限公司', region_code: '520304' });
  const qiancha = await newEnterprise(ctx.db, { name: '贵州黔茶科技有限公司' });
  chilli = await newChallenge(ctx.db, {
    enterpriseId: hongjiao.id,
    title: '朝天椒热泵干燥过程色泽保持工艺研发',
    problem: '辣椒在干燥过程中红色素降解、褐变，色价下降。',
    industry_code: 'rural-chilli',
    region_code: '520304',
    reward_wan: 80,
  });
  tea = await newChallenge(ctx.db, { enterpriseId: qiancha.id, reward_wan: 20 });
  draft = await newChallenge(ctx.db, {
    enterpriseId: qiancha.id,
    status: 'draft',
    title: '辣椒干燥草稿不应被搜到',
  });
  hidden = await newChallenge(ctx.db, {
    enterpriseId: qiancha.id,
    title: '红茶萎凋车间温湿度智能控制',
    hide_enterprise_name: true,
    reward_wan: 10,
    status: 'bidding_closed',
  });
  await ctx.drainOutbox();
});
afterAll(() => ctx.close());

const search = async (query: string) => {
  const res = await ctx.app.request(`/api/v1/search/challenges?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    data: Array<{ id: string; enterprise_name: string | null; highlight: { title: string } }>;
    facets: Record<string, Array<{ value: string; label: string; count: number }>>;
    pagination: { total: number };
  };
};

describe('challenge search in Chinese', () => {
  it('finds a challenge about 辣椒干燥 when someone types 辣椒烘干', async () => {
    const result = await search(`q=${encodeURIComponent('辣椒烘干')}`);
    expect(result.data[0]?.id).toBe(chilli.id);
    expect(result.data[0]?.highlight.title).toContain('<mark>');
  });

  it('never returns unpublished challenges', async () => {
    const result = await search(`q=${encodeURIComponent('辣椒干燥草稿')}`);
    expect(result.data.map((d) => d.id)).not.toContain(draft.id);
    const stored = await ctx.searchAdmin.index(ctx.indexes.uid('challenges')).getDocuments({ limit: 100 });
    expect(stored.results.map((d) => d.id)).not.toContain(draft.id);
  });

  it('filters by industry, prefecture and reward, and counts facets', async () => {
    const byIndustry = await search('industry=rural-chilli');
    expect(byIndustry.data.map((d) => d.id)).toEqual([chilli.id]);
    const byPrefecture = await search('region=520300');
    expect(byPrefecture.data.map((d) => d.id).sort()).toEqual([chilli.id, tea.id, hidden.id].sort());
    const byReward = await search('reward_min=50');
    expect(byReward.data.map((d) => d.id)).toEqual([chilli.id]);
    const all = await search('');
    expect(all.pagination.total).toBe(3);
    expect(all.facets.industry?.find((f) => f.value === 'rural-chilli')).toMatchObject({
      label: '辣椒',
      count: 1,
    });
    expect(all.facets.status?.find((f) => f.value === 'bidding_closed')).toMatchObject({
      label: '揭榜截止',
      count: 1,
    });
  });

  it('does not reveal an enterprise that chose to hide its name, in results or in the index', async () => {
    const result = await search(`q=${encodeURIComponent('萎凋')}`);
    expect(result.data[0]).toMatchObject({ id: hidden.id, enterprise_name: null });
    const doc = await ctx.searchAdmin.index(ctx.indexes.uid('challenges')).getDocument(hidden.id);
    expect(JSON.stringify(doc)).not.toContain('黔茶科技');
  });

  it('escapes user text in highlights so a title cannot inject markup', async () => {
    const org = await newEnterprise(ctx.db, { name: '测试企业有限公司' });
    const evil = await newChallenge(ctx.db, {
      enterpriseId: org.id,
      title: '<script>alert(1)</script>磷石膏综合利用',
    });
    await ctx.drainOutbox();
    const result = await search(`q=${encodeURIComponent('磷石膏')}`);
    const hit = result.data.find((d) => d.id === evil.id);
    expect(hit?.highlight.title).toContain('&lt;script&gt;');
    expect(hit?.highlight.title).not.toContain('<script>');
  });
});
