import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchChallengeAlerts } from '../../src/modules/matching/alerts.js';
import { enqueueSearchSync } from '../../src/search/outbox.js';
import { formRequest, signedIn } from '../support/account-factories.js';
import { call } from '../support/challenge-flow-factories.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * 新榜单提醒: an expert saves a search (or opts into profile-match alerts); publishing a challenge
 * that matches notifies them in the app, once.
 */
let ctx: TestContext;
let enterpriseId: string;

beforeAll(async () => {
  ctx = await createTestContext({ matching: true });
  enterpriseId = (await newEnterprise(ctx.db)).id;
});
afterAll(async () => {
  await ctx.close();
});

const chiliChallenge = {
  title: '烘干的辣椒颜色发暗',
  problem: '辣椒烘干后颜色发暗发褐，色价低，想改进烘干工艺。',
  background: '遵义的辣椒加工厂，用热风烘房。',
  industry_code: 'rural-chilli',
  region_code: '520328',
};

/** Publishes a challenge, indexes it and runs the alert dispatcher as the server would. */
async function publishAndDispatch(overrides: Partial<typeof chiliChallenge> = {}) {
  const { id } = await newChallenge(ctx.db, { enterpriseId, ...chiliChallenge, ...overrides });
  await ctx.drainOutbox();
  while ((await dispatchChallengeAlerts(ctx.deps, new Date())) > 0) {
    // until nothing is pending
  }
  return id;
}

async function alertsOf(userId: string) {
  return ctx.db
    .selectFrom('notifications')
    .select(['kind', 'title', 'body', 'link', 'challenge_id'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'challenge.alert')
    .execute();
}

describe('the dispatcher with no alert saved', () => {
  it('has nothing pending, whatever was published (a bulk publish costs it nothing)', async () => {
    for (let i = 0; i < 3; i++) await newChallenge(ctx.db, { enterpriseId, ...chiliChallenge });
    await ctx.drainOutbox();
    expect(await dispatchChallengeAlerts(ctx.deps, new Date())).toBe(0);
    const runs = await ctx.db.selectFrom('challenge_alert_runs').select('challenge_id').execute();
    expect(runs).toEqual([]);
  });
});

describe('saved searches over the API (/api/v1/me/alerts)', () => {
  it('saves a search with its filters and lists it with a Chinese summary', async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');

    const created = await call(ctx.app, 'POST', '/me/alerts', {
      cookie: wang.cookie,
      body: { q: '辣椒 烘干', region: '520300', reward_min: 10 },
    });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'search', q: '辣椒 烘干', region: '520300', reward_min: 10 });
    expect(created.body.summary).toBe('关键词「辣椒 烘干」，地区：遵义市，悬赏不低于 10 万元');
    const listed = await call(ctx.app, 'GET', '/me/alerts', { cookie: wang.cookie });
    expect(listed.body.data.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
    const row = await ctx.db
      .selectFrom('saved_searches')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: wang.user.id, query: '辣椒 烘干', region_code: '520300' });
  });

  it('refuses a search without any criterion or with an unknown industry, per field', async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');

    const empty = await call(ctx.app, 'POST', '/me/alerts', { cookie: wang.cookie, body: { q: '  ' } });
    const unknown = await call(ctx.app, 'POST', '/me/alerts', {
      cookie: wang.cookie,
      body: { industry: 'no-such-industry' },
    });

    expect(empty.status).toBe(422);
    expect(empty.body.errors).toEqual([{ field: 'q', reason: '请至少填写关键词或一项筛选条件' }]);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ field: 'industry', reason: '没有这个产业' }]);
    expect(
      await ctx.db.selectFrom('saved_searches').select('id').where('user_id', '=', wang.user.id).execute(),
    ).toEqual([]);
  });

  it('keeps one profile-match alert per user: asking again returns it', async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');

    const first = await call(ctx.app, 'POST', '/me/alerts', {
      cookie: wang.cookie,
      body: { kind: 'profile' },
    });
    const again = await call(ctx.app, 'POST', '/me/alerts', {
      cookie: wang.cookie,
      body: { kind: 'profile' },
    });

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it("deletes one's own alert; someone else's is 404 and stays", async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');
    const liu = await signedIn(ctx.db, ctx.app, 'expert');
    const saved = await call(ctx.app, 'POST', '/me/alerts', { cookie: wang.cookie, body: { q: '茶叶' } });

    const byOther = await call(ctx.app, 'DELETE', `/me/alerts/${saved.body.id}`, { cookie: liu.cookie });
    expect(byOther.status).toBe(404);
    expect(
      await ctx.db.selectFrom('saved_searches').select('id').where('id', '=', saved.body.id).execute(),
    ).toHaveLength(1);

    const byOwner = await call(ctx.app, 'DELETE', `/me/alerts/${saved.body.id}`, { cookie: wang.cookie });
    expect(byOwner.status).toBe(204);
    expect(
      await ctx.db.selectFrom('saved_searches').select('id').where('id', '=', saved.body.id).execute(),
    ).toEqual([]);
  });

  it('is for experts and society staff, not enterprises', async () => {
    const enterprise = await signedIn(ctx.db, ctx.app, 'enterprise');
    const res = await call(ctx.app, 'POST', '/me/alerts', { cookie: enterprise.cookie, body: { q: '辣椒' } });
    expect(res.status).toBe(403);
  });
});

describe('alerts when a challenge is published', () => {
  it('notifies the owner of a matching saved search once, and not the owner of another', async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');
    const liu = await signedIn(ctx.db, ctx.app, 'expert');
    await call(ctx.app, 'POST', '/me/alerts', { cookie: wang.cookie, body: { q: '辣椒', region: '520300' } });
    await call(ctx.app, 'POST', '/me/alerts', { cookie: liu.cookie, body: { q: '磷石膏' } });

    const challengeId = await publishAndDispatch();
    await publishAndDispatch({ title: '辣椒烘干（第二个榜单，毕节）', region_code: '520500' });

    expect(await alertsOf(wang.user.id)).toEqual([
      {
        kind: 'challenge.alert',
        title: '新榜单符合你的提醒：烘干的辣椒颜色发暗',
        body: '符合你保存的搜索（关键词「辣椒」，地区：遵义市）。',
        link: `/challenges/${challengeId}`,
        challenge_id: challengeId,
      },
    ]);
    expect(await alertsOf(liu.user.id)).toEqual([]);
    // A later round (or another instance) does not notify again.
    await ctx.db.deleteFrom('challenge_alert_runs').where('challenge_id', '=', challengeId).execute();
    await dispatchChallengeAlerts(ctx.deps, new Date());
    expect(await alertsOf(wang.user.id)).toHaveLength(1);
  });

  it('does not alert about challenges published before the search was saved', async () => {
    await publishAndDispatch({ title: '刺梨果汁褐变' });
    const zhao = await signedIn(ctx.db, ctx.app, 'expert');
    await call(ctx.app, 'POST', '/me/alerts', { cookie: zhao.cookie, body: { q: '刺梨' } });
    // The run marker is removed, as if the dispatcher had been down: the alert still must not fire.
    await ctx.db.deleteFrom('challenge_alert_runs').execute();

    await dispatchChallengeAlerts(ctx.deps, new Date());

    expect(await alertsOf(zhao.user.id)).toEqual([]);
  });

  it('notifies a profile-match subscriber when the new challenge recommends them', async () => {
    const li = await signedIn(ctx.db, ctx.app, 'expert');
    const profile = await ctx.db
      .insertInto('expert_profiles')
      .values({
        user_id: li.user.id,
        name: '李研究员',
        title: '研究员',
        affiliation: '贵州省农业科学院',
        fields: ['果蔬干燥与品质调控', '辣椒加工'],
        bio: '长期从事辣椒、果蔬热风干燥与护色工艺研究。',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueueSearchSync(ctx.db, 'expert', [profile.id]);
    await call(ctx.app, 'POST', '/me/alerts', { cookie: li.cookie, body: { kind: 'profile' } });

    const challengeId = await publishAndDispatch({ title: '辣椒烘干后发暗怎么办' });

    expect(await alertsOf(li.user.id)).toEqual([
      expect.objectContaining({
        challenge_id: challengeId,
        body: '该榜单的推荐名单中有你（或你所在的学会）。',
      }),
    ]);
  });
});

describe('保存为提醒 in the web UI', () => {
  it('offers the button on a search, saves it from the form and lists it on /me/alerts', async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');
    const page = await (
      await ctx.app.request('/challenges?q=%E8%BE%A3%E6%A4%92&region=520300', {
        headers: { Cookie: wang.cookie },
      })
    ).text();
    expect(page).toContain('data-testid="save-search"');
    expect(page).toContain('保存为提醒');
    const anonymous = await (await ctx.app.request('/challenges?q=%E8%BE%A3%E6%A4%92')).text();
    expect(anonymous).not.toContain('data-testid="save-search"');

    const saved = await ctx.app.request(
      '/me/alerts',
      formRequest({ q: '辣椒', region: '520300' }, wang.cookie),
    );
    expect(saved.status).toBe(303);
    const list = await (await ctx.app.request('/me/alerts', { headers: { Cookie: wang.cookie } })).text();

    expect(list).toContain('关键词「辣椒」，地区：遵义市');
    const row = await ctx.db
      .selectFrom('saved_searches')
      .select('id')
      .where('user_id', '=', wang.user.id)
      .executeTakeFirstOrThrow();
    const deleted = await ctx.app.request(`/me/alerts/${row.id}/delete`, formRequest({}, wang.cookie));
    expect(deleted.status).toBe(303);
    expect(
      await ctx.db.selectFrom('saved_searches').select('id').where('user_id', '=', wang.user.id).execute(),
    ).toEqual([]);
  });
});
