import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExpertTrackRecords, loadSocietyTrackRecords } from '../../src/modules/matching/track-record.js';
import { enqueueSearchSync } from '../../src/search/outbox.js';
import { newUser } from '../support/account-factories.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { newServiceRecord, newStation } from '../support/station-factories.js';
import { createTestContext, type Database, type TestContext } from '../support/test-context.js';

/**
 * Track record and availability on a challenge's 推荐专家 and 推荐学会: experts (and societies) with
 * the same profile text (果蔬干燥 for a chili-drying challenge) differ only in what the platform
 * knows of them.
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

/** A society with the same discipline and description as its twin; the name is the only difference. */
async function newDryingSociety(db: Database, name: string) {
  const secretary = await newUser(db, 'society', { display_name: `${name} 秘书长` });
  const row = await db
    .insertInto('organisations')
    .values({
      kind: 'society',
      name,
      discipline: '食品科学与工程',
      description: '组织会员开展辣椒、果蔬热风干燥与护色工艺服务。',
      region_code: '520100',
      verification_status: 'verified',
      created_by: secretary.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await enqueueSearchSync(db, 'society', [row.id]);
  return { id: row.id, secretaryId: secretary.id };
}

/**
 * A past challenge the bidder won (挂帅) and, when `accepted`, delivered and had accepted (验收). The
 * bid is an organisation's (a society's, filed by `leadUserId`) when `organisationId` is given.
 */
async function pastAward(
  db: Database,
  leadUserId: string,
  options: {
    accepted: boolean;
    industry_code?: string;
    rating?: number;
    status?: string;
    organisationId?: string;
  },
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
      kind: options.organisationId ? 'organisation' : 'expert',
      lead_user_id: leadUserId,
      organisation_id: options.organisationId ?? null,
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

type Recommended = Array<{ id: string; score: number; reasons: string[] }>;

async function recommendations() {
  const res = await ctx.app.request(`/api/v1/challenges/${challengeId}/recommendations?limit=10`);
  expect(res.status).toBe(200);
  return (await res.json()) as { experts: Recommended; societies: Recommended };
}

async function recommendedExperts() {
  return (await recommendations()).experts;
}

/** The two societies' entries, in recommendation order. */
async function recommendedSocieties(ids: string[]) {
  return (await recommendations()).societies.filter((s) => ids.includes(s.id));
}

const trackRecordReason = /已揭榜成功|验收通过|服务记录|运行中工作站|企业评价/;

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

describe('society track records (loadSocietyTrackRecords)', () => {
  it('counts the society’s own awards, ratings, confirmed services and running stations, exactly', async () => {
    const society = await newDryingSociety(ctx.db, '贵州省辣椒学会');
    const bidder = { organisationId: society.id };
    await pastAward(ctx.db, society.secretaryId, {
      ...bidder,
      accepted: true,
      industry_code: 'rural-chilli',
      rating: 5,
    });
    await pastAward(ctx.db, society.secretaryId, {
      ...bidder,
      accepted: false,
      industry_code: 'rural-tea',
      rating: 2,
    });
    await pastAward(ctx.db, society.secretaryId, { ...bidder, accepted: false, status: 'not_awarded' });
    await pastAward(ctx.db, society.secretaryId, { ...bidder, accepted: false, status: 'withdrawn' });
    // The secretary's own expert bid is hers, not the society's.
    await pastAward(ctx.db, society.secretaryId, { accepted: true, industry_code: 'rural-chilli' });
    const station = (status: 'active' | 'expired' | 'suspended' | 'applied') =>
      newStation(ctx.db, { societyId: society.id, hostId: enterpriseId, status });
    const [running, alsoRunning, expired] = [
      await station('active'),
      await station('active'),
      await station('expired'),
    ];
    await station('suspended');
    await station('applied');
    const record = (stationId: string, status: 'confirmed' | 'submitted' | 'disputed') =>
      newServiceRecord(ctx.db, { stationId, served_on: '2026-05-10', status });
    await record(running.id, 'confirmed');
    await record(alsoRunning.id, 'confirmed');
    // Delivered and confirmed while the station ran: still a service after it expired.
    await record(expired.id, 'confirmed');
    await record(running.id, 'submitted');
    await record(running.id, 'disputed');

    const records = await loadSocietyTrackRecords(
      ctx.db,
      [society.id, enterpriseId, 'not-a-uuid'],
      'rural-chilli',
    );

    expect([...records.keys()]).toEqual([society.id]);
    expect(records.get(society.id)).toEqual({
      awarded: 2,
      solved: 1,
      awardedInIndustry: 1,
      services: 3,
      ratingAverage: 3.5,
      ratings: 2,
      activeStations: 2,
    });
  });

  it('gives a society with no history zeros, not a missing entry', async () => {
    const society = await newDryingSociety(ctx.db, '贵州省新设学会');

    const records = await loadSocietyTrackRecords(ctx.db, [society.id], null);

    expect(records.get(society.id)).toEqual({
      awarded: 0,
      solved: 0,
      awardedInIndustry: 0,
      services: 0,
      ratingAverage: null,
      ratings: 0,
      activeStations: 0,
    });
  });
});

describe('推荐学会 with track record', () => {
  it('lifts the one of two equal societies that has delivered on the platform, and says why', async () => {
    const first = await newDryingSociety(ctx.db, '贵州省星火学会');
    const second = await newDryingSociety(ctx.db, '贵州省启明学会');
    await ctx.drainOutbox();
    const ids = [first.id, second.id];
    const before = await recommendedSocieties(ids);
    expect(before).toHaveLength(2);
    // The record goes to whichever of the two ranked lower without one.
    const lower = before[1]!.id === first.id ? first : second;
    await pastAward(ctx.db, lower.secretaryId, {
      organisationId: lower.id,
      accepted: true,
      industry_code: 'rural-chilli',
      rating: 5,
    });
    const running = await newStation(ctx.db, { societyId: lower.id, hostId: enterpriseId });
    await newServiceRecord(ctx.db, { stationId: running.id, served_on: '2026-06-01' });
    await newServiceRecord(ctx.db, { stationId: running.id, served_on: '2026-06-15' });

    const after = await recommendedSocieties(ids);

    expect(after.map((s) => s.id)).toEqual([lower.id, before[0]!.id]);
    expect(after[0]!.score).toBeGreaterThan(after[1]!.score);
    expect(after[0]?.reasons).toEqual(
      expect.arrayContaining([
        '已揭榜成功1项（同行业1项）',
        '验收通过1项',
        '服务记录2次',
        '运行中工作站1个',
        '企业评价5.0分（1次）',
      ]),
    );
    // Societies state no availability, and the other one has no record to state.
    expect(after[0]?.reasons).not.toContain('近期可承接');
    expect(after[1]?.reasons.filter((r) => trackRecordReason.test(r))).toEqual([]);
    // The challenge page's 推荐学会 cards show the same reasons.
    const page = await (await ctx.app.request(`/challenges/${challengeId}`)).text();
    const societyCards = page.slice(
      page.indexOf('data-testid="recommended-societies"'),
      page.indexOf('data-testid="recommended-capabilities"'),
    );
    expect(societyCards).toContain('<li>运行中工作站1个</li>');
    expect(societyCards).toContain('<li>验收通过1项</li>');
  });

  it('does not count a withdrawn or lost bid, an unconfirmed service record or an expired station', async () => {
    const plain = await newDryingSociety(ctx.db, '贵州省朝阳学会');
    const almost = await newDryingSociety(ctx.db, '贵州省晨曦学会');
    const bidder = { organisationId: almost.id, accepted: false, industry_code: 'rural-chilli' };
    await pastAward(ctx.db, almost.secretaryId, { ...bidder, status: 'withdrawn' });
    await pastAward(ctx.db, almost.secretaryId, { ...bidder, status: 'not_awarded' });
    const expired = await newStation(ctx.db, {
      societyId: almost.id,
      hostId: enterpriseId,
      status: 'expired',
    });
    const running = await newStation(ctx.db, {
      societyId: almost.id,
      hostId: enterpriseId,
      status: 'suspended',
    });
    await newServiceRecord(ctx.db, { stationId: expired.id, served_on: '2026-03-01', status: 'submitted' });
    await newServiceRecord(ctx.db, { stationId: running.id, served_on: '2026-03-02', status: 'disputed' });
    await ctx.drainOutbox();

    const societies = await recommendedSocieties([plain.id, almost.id]);

    expect(societies).toHaveLength(2);
    expect(societies[0]!.score).toBe(societies[1]!.score);
    for (const society of societies)
      expect(society.reasons.filter((r) => trackRecordReason.test(r))).toEqual([]);
  });
});
