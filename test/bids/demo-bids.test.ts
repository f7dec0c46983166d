import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import bidsFile from '../../seeds/demo/bids.json' with { type: 'json' };
import { DEMO_PASSWORD, seedDemoAccounts } from '../../seeds/demo-accounts.js';
import { seedDemoBids } from '../../seeds/demo-bids.js';
import { seedDemoCapabilities } from '../../seeds/demo-capabilities.js';
import { seedDemoContent } from '../../seeds/demo-content.js';
import { seedDemoStations } from '../../seeds/demo-stations.js';
import { bidListSchema, bidSchema } from '../../src/modules/bids/bid.schemas.js';
import { logInAs, signedIn } from '../support/account-factories.js';
import { call } from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const [expertSeed, societySeed] = bidsFile.bids;
const SOCIETY = '贵州省山地农业工程学会';
const CHALLENGE = '夏秋茶苦涩味重卖不上价，求夏秋茶加工利用方案';

let ctx: TestContext;
let challengeId: string;
let cookies: { enterprise: string; expert: string; society: string };
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const page = async (path: string, cookie: string) => {
  const res = await ctx.app.request(`http://localhost${path}`, { headers: { Cookie: cookie } });
  return { status: res.status, html: await res.text() };
};

describe('demo bids (development seeds)', () => {
  test('seed once, only after the demo content and the demo accounts exist', async () => {
    const now = new Date();
    // Nothing to bid on, nobody to bid: nothing seeded and nothing claimed, so a later start still seeds.
    expect(await seedDemoBids(ctx.db, now)).toBe(false);
    expect(await seedDemoContent(ctx.db, now)).toBe(true);
    expect(await seedDemoStations(ctx.db, now)).toBe(true);
    expect(await seedDemoCapabilities(ctx.db, now)).toBe(true);
    expect(await seedDemoBids(ctx.db, now)).toBe(false);
    await seedDemoAccounts(ctx.db);
    // A demo database seeded long ago, whose 夏秋茶 challenge has closed meanwhile: nothing to seed.
    const later = new Date(now.getTime() + 60 * 86_400_000);
    expect(await seedDemoBids(ctx.db, later)).toBe(false);
    expect(await seedDemoBids(ctx.db, now)).toBe(true);
    expect(await seedDemoBids(ctx.db, now)).toBe(false);

    const challenge = await ctx.db
      .selectFrom('challenges')
      .select(['id', 'title'])
      .where('external_key', '=', bidsFile.challenge)
      .executeTakeFirstOrThrow();
    expect(challenge.title).toBe(CHALLENGE);
    challengeId = challenge.id;
    const bids = await ctx.db
      .selectFrom('bids as b')
      .innerJoin('users as u', 'u.id', 'b.lead_user_id')
      .leftJoin('organisations as o', 'o.id', 'b.organisation_id')
      .select(['b.id', 'b.challenge_id', 'b.kind', 'b.status', 'b.created_at', 'u.email', 'o.name as org'])
      .orderBy('b.created_at')
      .execute();
    expect(bids.map((b) => [b.challenge_id, b.kind, b.status, b.email, b.org])).toEqual([
      [challengeId, 'expert', 'submitted', 'expert@demo.jiebang.cn', null],
      [challengeId, 'organisation', 'submitted', 'society@demo.jiebang.cn', SOCIETY],
    ]);
    expect(bids.every((b) => b.created_at.getTime() < now.getTime())).toBe(true);

    // Written the way a bid over the API is written: an audit row by the demo user, the enterprise
    // notified in the app; no mail to the demo addresses and nothing for the search index.
    const audits = await ctx.db
      .selectFrom('audit_log as a')
      .innerJoin('users as u', 'u.id', 'a.actor_user_id')
      .select(['a.target_id', 'a.actor_role', 'u.email'])
      .where('a.action', '=', 'bid.submitted')
      .execute();
    expect(audits.map((a) => [a.target_id, a.actor_role, a.email])).toEqual(
      expect.arrayContaining([
        [bids[0]!.id, 'expert', 'expert@demo.jiebang.cn'],
        [bids[1]!.id, 'society', 'society@demo.jiebang.cn'],
      ]),
    );
    expect(audits).toHaveLength(2);
    const notified = await ctx.db
      .selectFrom('notifications as n')
      .innerJoin('users as u', 'u.id', 'n.user_id')
      .select(['u.email'])
      .where('n.kind', '=', 'bid.received')
      .where('n.challenge_id', '=', challengeId)
      .execute();
    expect(notified.map((n) => n.email)).toEqual([
      'enterprise@demo.jiebang.cn',
      'enterprise@demo.jiebang.cn',
    ]);
    const mails = await ctx.db
      .selectFrom('outbound_emails')
      .select('id')
      .where('to_address', 'like', '%@demo.jiebang.cn')
      .execute();
    expect(mails).toHaveLength(0);
    const outbox = await ctx.db.selectFrom('search_outbox').select('entity').distinct().execute();
    expect(outbox.map((o) => o.entity)).not.toContain('bid');

    cookies = {
      enterprise: await logInAs(ctx.app, 'enterprise@demo.jiebang.cn', DEMO_PASSWORD),
      expert: await logInAs(ctx.app, 'expert@demo.jiebang.cn', DEMO_PASSWORD),
      society: await logInAs(ctx.app, 'society@demo.jiebang.cn', DEMO_PASSWORD),
    };
  });

  test('the demo enterprise sees exactly the two bids, with its evaluation, on its page and over the API', async () => {
    const { status, html } = await page(`/workspace/challenges/${challengeId}`, cookies.enterprise);
    expect(status).toBe(200);
    expect(html).toContain('揭榜申请（2）');
    expect(html).not.toContain('还没有揭榜申请');
    expect(html).toContain('王教授');
    expect(html).toContain(SOCIETY);
    expect(html).toContain(expertSeed!.content.promised_indicators);
    expect(html).toContain(societySeed!.content.promised_indicators);

    const res = await call(ctx.app, 'GET', `/challenges/${challengeId}/bids`, { cookie: cookies.enterprise });
    expect(res.status).toBe(200);
    const { data } = bidListSchema.parse(res.body);
    expect(data.map((b) => [b.kind, b.lead.display_name, b.organisation?.name ?? null, b.status])).toEqual([
      ['expert', '王教授', null, 'submitted'],
      ['organisation', '学会 李秘书长', SOCIETY, 'submitted'],
    ]);
    expect(data.map((b) => [b.approach, b.price_wan, b.duration_days])).toEqual(
      [expertSeed!, societySeed!].map((s) => [
        s.content.approach,
        s.content.price_wan,
        s.content.duration_days,
      ]),
    );
    // Within the challenge's reward (40 万元), and the enterprise's private evaluation is there to fill in.
    expect(data.every((b) => b.price_wan <= 40 && b.evaluation !== null)).toBe(true);
  });

  test('the demo expert and the demo society each see their own bid, and only it, in their workspace', async () => {
    for (const [who, seed, other] of [
      ['expert', expertSeed!, societySeed!],
      ['society', societySeed!, expertSeed!],
    ] as const) {
      const mine = await call(ctx.app, 'GET', '/me/bids', { cookie: cookies[who] });
      expect(mine.status).toBe(200);
      const { data } = bidListSchema.parse(mine.body);
      expect(data).toHaveLength(1);
      expect(data[0]).toMatchObject({
        kind: seed.content.kind,
        status: 'submitted',
        challenge: { id: challengeId, title: CHALLENGE },
        approach: seed.content.approach,
        // The enterprise's evaluation is never shown to the bidder.
        evaluation: null,
      });
      const onChallenge = await call(ctx.app, 'GET', `/challenges/${challengeId}/bids`, {
        cookie: cookies[who],
      });
      expect(onChallenge.body.data.map((b: { id: string }) => b.id)).toEqual([data[0]!.id]);

      const workspace = await page('/workspace', cookies[who]);
      expect(workspace.html).toContain('我的揭榜申请');
      expect(workspace.html).toContain(`/workspace/bids/${data[0]!.id}`);
      expect(workspace.html).toContain(CHALLENGE);
      const bidPage = await page(`/workspace/bids/${data[0]!.id}`, cookies[who]);
      expect(bidPage.status).toBe(200);
      expect(bidPage.html).toContain(seed.content.promised_indicators);
      expect(bidPage.html).not.toContain(other.content.promised_indicators);
    }
  });

  test('an unrelated expert, society or enterprise sees neither bid', async () => {
    const all = bidListSchema.parse(
      (await call(ctx.app, 'GET', `/challenges/${challengeId}/bids`, { cookie: cookies.enterprise })).body,
    ).data;
    for (const role of ['expert', 'society', 'enterprise'] as const) {
      const outsider = await signedIn(ctx.db, ctx.app, role);
      const list = await call(ctx.app, 'GET', `/challenges/${challengeId}/bids`, { cookie: outsider.cookie });
      expect(list.status, role).toBe(200);
      expect(list.body.data, role).toEqual([]);
      // Confidential: a bid's existence is not confirmed to someone who may not see it.
      for (const bid of all)
        expect(
          (await call(ctx.app, 'GET', `/bids/${bid.id}`, { cookie: outsider.cookie })).status,
          role,
        ).toBe(404);
    }
    const otherEnterprise = await signedIn(ctx.db, ctx.app, 'enterprise');
    const work = await page(`/workspace/challenges/${challengeId}`, otherEnterprise.cookie);
    // Public challenge: a stranger may know it exists, but not manage it.
    expect(work.status).toBe(403);
    expect(work.html).not.toContain(expertSeed!.content.promised_indicators);
  });

  test('the demo enterprise closes bidding and appoints the society (挂帅) through the API', async () => {
    const bids = bidListSchema.parse(
      (await call(ctx.app, 'GET', `/challenges/${challengeId}/bids`, { cookie: cookies.enterprise })).body,
    ).data;
    const society = bids.find((b) => b.kind === 'organisation')!;
    const expert = bids.find((b) => b.kind === 'expert')!;
    const closed = await call(ctx.app, 'POST', `/challenges/${challengeId}/close`, {
      cookie: cookies.enterprise,
      body: { reason: '已收到两份申请，提前截止比选' },
    });
    expect(closed.status).toBe(200);
    const awarded = await call(ctx.app, 'POST', `/challenges/${challengeId}/award`, {
      cookie: cookies.enterprise,
      body: { bid_ids: [society.id] },
    });
    expect(awarded.status).toBe(200);
    expect(awarded.body).toMatchObject({ status: 'awarded', awarded_bid_ids: [society.id], milestones: 1 });

    const rows = await ctx.db
      .selectFrom('bids')
      .select(['id', 'status'])
      .where('challenge_id', '=', challengeId)
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({
      [society.id]: 'awarded',
      [expert.id]: 'not_awarded',
    });
    const societyView = bidSchema.parse(
      (await call(ctx.app, 'GET', `/bids/${society.id}`, { cookie: cookies.society })).body,
    );
    expect(societyView).toMatchObject({ status: 'awarded', challenge: { status: 'awarded' } });
    const toExpert = await ctx.db
      .selectFrom('notifications as n')
      .innerJoin('users as u', 'u.id', 'n.user_id')
      .select('n.kind')
      .where('u.email', '=', 'expert@demo.jiebang.cn')
      .where('n.challenge_id', '=', challengeId)
      .execute();
    expect(toExpert.map((n) => n.kind)).toContain('bid.not_awarded');
  });
});
