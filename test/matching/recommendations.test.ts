import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionChallenge } from '../../src/modules/challenges/challenge.lifecycle.js';
import { readJson } from '../../src/modules/imports/import.read.js';
import { importDataset } from '../../src/modules/imports/import.usecases.js';
import { newCapability, teaDataset } from '../support/supply-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let chiliId: string;
let underReviewId: string;

beforeAll(async () => {
  ctx = await createTestContext({ matching: true });
  const dataset = teaDataset();
  dataset.challenges.push({ ...dataset.challenges[0]!, key: 'CH-HIDDEN', title: '尚在审核中的辣椒烘干难题' });
  const result = await importDataset(ctx.db, readJson(new TextEncoder().encode(JSON.stringify(dataset))), {
    fileName: 'tea.json',
    format: 'json',
    actor: { userId: null, label: '测试' },
  });
  if (!result.ok) throw new Error(result.messages.join('\n'));
  const challenges = await ctx.db.selectFrom('challenges').select(['id', 'external_key']).execute();
  chiliId = challenges.find((c) => c.external_key === 'CH-CHILI')!.id;
  underReviewId = challenges.find((c) => c.external_key === 'CH-HIDDEN')!.id;
  // An operator approves the imported challenge (审核通过).
  await ctx.db.transaction().execute((trx) =>
    transitionChallenge(trx, {
      challengeId: chiliId,
      from: 'under_review',
      to: 'published',
      actor: { userId: null, label: '审核员' },
      at: new Date(),
    }),
  );
  const li = await ctx.db
    .selectFrom('expert_profiles')
    .select('id')
    .where('external_key', '=', 'EXP-LI')
    .executeTakeFirstOrThrow();
  await newCapability(ctx.db, { ownerExpertId: li.id });
  await newCapability(ctx.db, { ownerExpertId: li.id, title: '未发布的辣椒烘干草稿', status: 'draft' });
  await ctx.drainOutbox();
});
afterAll(async () => {
  await ctx.close();
});

describe('GET /api/v1/challenges/{id}/recommendations', () => {
  it('ranks the drying expert first for a colloquial chili-drying challenge, with reasons', async () => {
    const res = await ctx.app.request(`/api/v1/challenges/${chiliId}/recommendations`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.experts[0]).toMatchObject({ name: '李研究员', title: '研究员', availability: 'available' });
    expect(body.experts[0].reasons.join(' ')).toMatch(/匹配/);
    expect(body.experts[0].reasons).toContain('同在遵义市');
    for (const other of body.experts.slice(1)) expect(other.score).toBeLessThan(body.experts[0].score);
    expect(body.societies[0].name).toBe('贵州省食品科学技术学会');
    expect(body.societies[0].reasons.join(' ')).toMatch(/学科对口|会员专家匹配/);
  });

  it('lists published capabilities as 相关成果, never drafts', async () => {
    const body = await (
      await ctx.app.request(`/api/v1/challenges/${chiliId}/recommendations?limit=5`)
    ).json();
    expect(body.capabilities.map((c: { name: string }) => c.name)).toEqual(['辣椒热泵低温干燥护色技术']);
    expect(body.capabilities[0]).toMatchObject({ kind: 'achievement', owner_name: '李研究员' });
  });

  it('answers 404 for a challenge that is not public, and 400 for a bad id', async () => {
    expect((await ctx.app.request(`/api/v1/challenges/${underReviewId}/recommendations`)).status).toBe(404);
    expect((await ctx.app.request('/api/v1/challenges/nope/recommendations')).status).toBe(400);
    expect((await ctx.app.request(`/api/v1/challenges/${chiliId}/recommendations?limit=99`)).status).toBe(
      422,
    );
  });
});

describe('challenge page', () => {
  it('shows 推荐专家, 推荐学会 and 相关成果 with scores and reasons', async () => {
    const res = await ctx.app.request(`/challenges/${chiliId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-testid="recommendations"');
    expect(html).toContain('推荐专家');
    expect(html).toContain('李研究员');
    expect(html).toContain('相关成果');
    expect(html).toContain('辣椒热泵低温干燥护色技术');
    expect(html).toContain('同在遵义市');
  });
});
