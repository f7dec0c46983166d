import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExpertTrackRecords } from '../../src/modules/matching/track-record.js';
import { enqueueSearchSync } from '../../src/search/outbox.js';
import { newUser } from '../support/account-factories.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type Database, type TestContext } from '../support/test-context.js';

/**
 * Track record and availability on a challenge's 推荐专家: three experts with the same profile text
 * (果蔬干燥 for a chili-drying challenge) differ only in what the platform knows of them.
 */
let ctx: TestContext;
let enterpriseId: string;
let challengeId: string;

const dryingProfile = {
  title: '研究员',
  affiliation: '贵州省农业科学院',
  fields: ['果蔬干燥与品质调控', '辣椒加工'],
  bio: '长期从事辣椒、果蔬热风干燥与护色工艺研究。',
  region_code: '520100',
};

async function newDryingExpert(db: Database, name: string, availability = 'available') {
  const user = await newUser(db, 'expert', { display_name: name });
  const row = await db
    .insertInto('expert_profiles')
    .values({ ...dryingProfile, name, availability, user_id: user.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  await enqueueSearchSync(db, 'expert', [row.id]);
  return { profileId: row.id, userId: user.id };
}

/** A past challenge the expert won (挂帅) and, when `accepted`, delivered and had accepted (验收). */
async function pastAward(
  db: Database,
  leadUserId: string,
  options: { accepted: boolean; industry_code?: string; rating?: number; status?: string },
) {
  const challenge = await newChallenge(db, {
    enterpriseId,
    title: '往期榜单：辣椒烘干护色',
    status: options.accepted ? 'accepted' : 'awarded',
    ...(options.industry_code ? { industry_code: options.industry_code } : {}),
  });
  const status = options.status ?? 'awarded';
  const bid = await db
    .insertInto('bids')
    .values({
      challenge_id: challenge.id,
      kind: 'expert',
      lead_user_id: leadUserId,
      approach: '低温分段热风干燥，配合护色预处理与湿度控制。',
      promised_indicators: '色价提高 20%',
      price_wan: 40,
      duration_days: 120,
      status,
      awarded_at: status === 'awarded' ? new Date() : null,
      withdrawn_at: status === 'withdrawn' ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (options.rating !== undefined)
    await db
      .insertInto('challenge_ratings')
      .values({
        bid_id: bid.id,
        challenge_id: challenge.id,
        direction: 'enterprise_to_bidder',
        score: options.rating,
      })
      .execute();
  return bid.id;
}

async function recommendedExperts() {
  const res = await ctx.app.request(`/api/v1/challenges/${challengeId}/recommendations?limit=10`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { experts: Array<{ id: string; score: number; reasons: string[] }> };
  return body.experts;
}

beforeAll(async () => {
  ctx = await createTestContext({ matching: true });
  enterpriseId = (await newEnterprise(ctx.db)).id;
  challengeId = (
    await newChallenge(ctx.db, {
      enterpriseId,
      title: '烘干的辣椒颜色发暗',
      problem: '辣椒烘干后颜色发暗发褐，色价低，想改进烘干工艺。',
      background: '遵义的辣椒加工厂，用热风烘房。',
      industry_code: 'rural-chilli',
    })
  ).id;
});
afterAll(async () => {
  await ctx.close();
});

describe('expert track records (loadExpertTrackRecords)', () => {
  it('counts awards, accepted ones, same-industry ones and ratings, never withdrawn bids', async () => {
    const expert = await newDryingExpert(ctx.db, '赵研究员');
    await pastAward(ctx.db, expert.userId, { accepted: true, industry_code: 'rural-chilli', rating: 5 });
    await pastAward(ctx.db, expert.userId, { accepted: false, industry_code: 'rural-tea', rating: 4 });
    await pastAward(ctx.db, expert.userId, { accepted: false, status: 'withdrawn' });

    const records = await loadExpertTrackRecords(ctx.db, [expert.profileId, 'not-a-uuid'], 'rural-chilli');

    expect(records.get(expert.profileId)).toEqual({
      registered: true,
      awarded: 2,
      solved: 1,
      awardedInIndustry: 1,
      services: 0,
      ratingAverage: 4.5,
      ratings: 2,
    });
  });
});

describe('推荐专家 with track record and availability', () => {
  it('lifts the one of two equal matches who has delivered on the platform, and says why', async () => {
    const first = await newDryingExpert(ctx.db, '钱研究员');
    const second = await newDryingExpert(ctx.db, '孙研究员');
    await ctx.drainOutbox();
    const before = (await recommendedExperts()).filter((e) =>
      [first.profileId, second.profileId].includes(e.id),
    );
    expect(before).toHaveLength(2);
    // The record goes to whichever of the two ranked lower without one.
    const lower = before[1]!.id === first.profileId ? first : second;
    await pastAward(ctx.db, lower.userId, { accepted: true, industry_code: 'rural-chilli', rating: 5 });

    const after = (await recommendedExperts()).filter((e) =>
      [first.profileId, second.profileId].includes(e.id),
    );

    expect(after[0]?.id).toBe(lower.profileId);
    expect(after[0]?.reasons).toEqual(
      expect.arrayContaining([
        '已揭榜成功1项（同行业1项）',
        '验收通过1项',
        '企业评价5.0分（1次）',
        '近期可承接',
      ]),
    );
    expect(after[1]?.reasons).not.toContain('验收通过1项');
  });

  it('ranks an expert who accepts no challenges now below an equal one, with the reason shown', async () => {
    const busy = await newDryingExpert(ctx.db, '周研究员', 'unavailable');
    const free = await newDryingExpert(ctx.db, '吴研究员');
    await ctx.drainOutbox();

    const experts = await recommendedExperts();
    const busyAt = experts.findIndex((e) => e.id === busy.profileId);
    const freeAt = experts.findIndex((e) => e.id === free.profileId);

    expect(freeAt).toBeGreaterThanOrEqual(0);
    expect(busyAt).toBeGreaterThan(freeAt);
    expect(experts[busyAt]?.reasons).toContain('暂不接受揭榜');
    expect(experts[busyAt]!.score).toBeLessThan(experts[freeAt]!.score * 0.5);
  });
});
