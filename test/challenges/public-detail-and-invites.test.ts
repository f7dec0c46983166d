import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueSearchSync } from '../../src/search/outbox.js';
import { formRequest } from '../support/account-factories.js';
import {
  bidInput,
  call,
  type FlowWorld,
  newFlowWorld,
  publishedChallenge,
} from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * The public challenge page and API show the full challenge (disciplines, tranches, bidder
 * requirements, IP/confidentiality terms, cooperation and award mode) and respect 隐藏企业名称;
 * the enterprise invites by picking from search results, not by typing ids; milestones keep their
 * sequence order.
 */
let ctx: TestContext;
let w: FlowWorld;
beforeAll(async () => {
  ctx = await createTestContext();
  w = await newFlowWorld(ctx.db, ctx.app);
});
afterAll(async () => {
  await ctx.close();
});

const page = (path: string, cookie?: string) =>
  ctx.app.request(`http://localhost${path}`, cookie ? { headers: { Cookie: cookie } } : {});

describe('public challenge detail', () => {
  it('shows the newer fields over the API and on the page', async () => {
    const id = await publishedChallenge(ctx.app, w, { disciplines: ['210'] });
    const detail = await call(ctx.app, 'GET', `/challenges/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      enterprise_name: '贵州黔茶科技有限公司',
      cooperation_mode: '技术开发',
      disciplines: [{ code: '210', name: '农学' }],
      reward_tranches: [40, 30, 30],
      bidder_requirements: '具有果蔬干燥研究经验的团队，有中试条件者优先。',
      ip_terms: 'shared',
      confidentiality: 'nda_on_award',
      terms_note: '工艺参数归双方共有，企业享有独家使用权。',
      award_mode: 'single',
      max_awards: 1,
    });
    const html = await (await page(`/challenges/${id}`)).text();
    for (const shown of [
      '40% / 30% / 30%',
      '农学',
      '双方共有',
      '挂帅后签订保密协议',
      '单一揭榜方挂帅',
      '具有果蔬干燥研究经验的团队',
      '企业享有独家使用权',
      '贵州黔茶科技有限公司',
    ])
      expect(html).toContain(shown);
  });

  it('hides the enterprise name everywhere public when asked to', async () => {
    const id = await publishedChallenge(ctx.app, w, {
      hide_enterprise_name: true,
      award_mode: 'horse_race',
      max_awards: 3,
    });
    const detail = await call(ctx.app, 'GET', `/challenges/${id}`);
    expect(detail.body).toMatchObject({ enterprise_name: null, award_mode: 'horse_race', max_awards: 3 });
    expect(JSON.stringify(detail.body)).not.toContain('黔茶科技');
    const html = await (await page(`/challenges/${id}`)).text();
    expect(html).toContain('（发榜单位不公开）');
    expect(html).toContain('赛马制（多个团队并行）（3）');
    expect(html).not.toContain('贵州黔茶科技有限公司');
  });
});

describe('inviting by picking', () => {
  it('finds experts and societies by name and invites the one picked', async () => {
    const id = await publishedChallenge(ctx.app, w);
    // 张研究员 has a public profile but no account: listed, not invitable.
    const zhang = await ctx.db
      .insertInto('expert_profiles')
      .values({ name: '张研究员', affiliation: '贵州省茶叶研究所', title: '研究员' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueueSearchSync(ctx.db, 'expert', [w.expertA.profileId, zhang.id]);
    await enqueueSearchSync(ctx.db, 'society', [w.society.org.id]);
    await ctx.drainOutbox();

    const manage = `/workspace/challenges/${id}`;
    const before = await (await page(manage, w.enterprise.cookie)).text();
    expect(before).toContain('搜索专家或学会');
    expect(before).not.toContain('专家编号');

    const experts = await (
      await page(`${manage}?invite_q=${encodeURIComponent('王教授')}`, w.enterprise.cookie)
    ).text();
    expect(experts).toContain(`value="expert:${w.expertA.profileId}"`);
    expect(experts).toContain('邀请：王教授');
    const zhangHtml = await (
      await page(`${manage}?invite_q=${encodeURIComponent('张研究员')}`, w.enterprise.cookie)
    ).text();
    expect(zhangHtml).toContain('尚未注册账号，暂不能邀请');
    expect(zhangHtml).not.toContain(`value="expert:${zhang.id}"`);

    const societies = await (
      await page(`${manage}?invite_q=${encodeURIComponent('茶叶学会')}`, w.enterprise.cookie)
    ).text();
    expect(societies).toContain(`value="organisation:${w.society.org.id}"`);

    const sent = await ctx.app.request(
      `http://localhost${manage}/invitations`,
      formRequest({ target: `expert:${w.expertA.profileId}`, message: '请王教授揭榜' }, w.enterprise.cookie),
    );
    expect(sent.status).toBe(303);
    const rows = await ctx.db
      .selectFrom('challenge_invitations')
      .select(['expert_profile_id', 'organisation_id', 'message', 'status'])
      .where('challenge_id', '=', id)
      .execute();
    expect(rows).toEqual([
      {
        expert_profile_id: w.expertA.profileId,
        organisation_id: null,
        message: '请王教授揭榜',
        status: 'pending',
      },
    ]);
    const after = await (
      await page(`${manage}?invite_q=${encodeURIComponent('王教授')}`, w.enterprise.cookie)
    ).text();
    expect(after).not.toContain(`value="expert:${w.expertA.profileId}"`);
    expect(after).toContain('已邀请');
    expect(after).toContain('data-testid="invitations-sent"');
  });

  it('shows 已揭榜 instead of 邀请 for who already bids, and 邀请 again once the bid is withdrawn', async () => {
    const id = await publishedChallenge(ctx.app, w);
    await enqueueSearchSync(ctx.db, 'expert', [w.expertA.profileId]);
    await ctx.drainOutbox();
    const bid = await call(ctx.app, 'POST', `/challenges/${id}/bids`, {
      cookie: w.expertA.cookie,
      body: bidInput(),
    });
    expect(bid.status).toBe(201);
    const manage = `/workspace/challenges/${id}?invite_q=${encodeURIComponent('王教授')}`;
    const bidding = await (await page(manage, w.enterprise.cookie)).text();
    expect(bidding).toContain('data-testid="already-bid"');
    expect(bidding).not.toContain(`value="expert:${w.expertA.profileId}"`);

    const withdrawn = await call(ctx.app, 'POST', `/bids/${bid.body.id}/withdraw`, {
      cookie: w.expertA.cookie,
    });
    expect(withdrawn.status).toBe(200);
    const after = await (await page(manage, w.enterprise.cookie)).text();
    expect(after).not.toContain('data-testid="already-bid"');
    expect(after).toContain(`value="expert:${w.expertA.profileId}"`);
  });

  it('rejects a forged or missing pick with a Chinese field error, and strangers see no picker', async () => {
    const id = await publishedChallenge(ctx.app, w);
    const manage = `/workspace/challenges/${id}`;
    for (const target of ['', 'expert:not-a-uuid', 'enterprise:00000000-0000-4000-8000-000000000000']) {
      const res = await ctx.app.request(
        `http://localhost${manage}/invitations`,
        formRequest({ target, message: '' }, w.enterprise.cookie),
      );
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('请指定一位专家');
    }
    const unknownExpert = await ctx.app.request(
      `http://localhost${manage}/invitations`,
      formRequest({ target: 'expert:00000000-0000-4000-8000-000000000000' }, w.enterprise.cookie),
    );
    expect(unknownExpert.status).toBe(404);
    expect(
      await ctx.db.selectFrom('challenge_invitations').select('id').where('challenge_id', '=', id).execute(),
    ).toEqual([]);
    const stranger = await page(manage, w.outsider.cookie);
    expect([403, 404]).toContain(stranger.status);
    expect(await stranger.text()).not.toContain('搜索专家或学会');
  });
});

describe('milestones', () => {
  it('keep their sequence order for every awardee (赛马制)', async () => {
    const id = await publishedChallenge(ctx.app, w, {
      award_mode: 'horse_race',
      max_awards: 2,
      reward_tranches: [20, 30, 50],
    });
    const team = await call(ctx.app, 'POST', `/challenges/${id}/bids`, {
      cookie: w.expertA.cookie,
      body: bidInput(),
    });
    const society = await call(ctx.app, 'POST', `/challenges/${id}/bids`, {
      cookie: w.society.cookie,
      body: bidInput({ kind: 'organisation', organisation_id: w.society.org.id }),
    });
    expect(
      (await call(ctx.app, 'POST', `/challenges/${id}/close`, { cookie: w.enterprise.cookie, body: {} }))
        .status,
    ).toBe(200);
    const award = await call(ctx.app, 'POST', `/challenges/${id}/award`, {
      cookie: w.enterprise.cookie,
      body: { bid_ids: [society.body.id, team.body.id] },
    });
    expect(award.status).toBe(200);
    // Delete-and-reinsert in reverse would show any order taken from insertion instead of seq.
    const rows = await ctx.db.selectFrom('milestones').selectAll().where('challenge_id', '=', id).execute();
    await ctx.db.deleteFrom('milestones').where('challenge_id', '=', id).execute();
    for (const row of [...rows].sort((a, b) => b.seq - a.seq))
      await ctx.db.insertInto('milestones').values(row).execute();

    const list = (await call(ctx.app, 'GET', `/challenges/${id}/milestones`, { cookie: w.enterprise.cookie }))
      .body.data as Array<{ bid_id: string; seq: number; tranche_percent: number; title: string }>;
    expect(list).toHaveLength(6);
    for (const bidId of [team.body.id, society.body.id]) {
      const own = list.filter((m) => m.bid_id === bidId);
      expect(own.map((m) => m.seq)).toEqual([1, 2, 3]);
      expect(own.map((m) => m.tranche_percent)).toEqual([20, 30, 50]);
    }
    // The awardees' groups come in one stable order, each group contiguous.
    const groups = list.map((m) => m.bid_id).filter((b, i, all) => i === 0 || all[i - 1] !== b);
    expect(groups).toHaveLength(2);
    const html = await (await page(`/workspace/challenges/${id}`, w.enterprise.cookie)).text();
    const positions = ['第 1 阶段（付款 20%）', '第 2 阶段（付款 30%）', '第 3 阶段（付款 50%）'].map((t) =>
      html.indexOf(t),
    );
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // The reward fact names the tranches in words, not as a bare "(20/30/50)".
    expect(html).toContain('分 3 期：20% / 30% / 50%');
    const publicHtml = await (await page(`/challenges/${id}`)).text();
    expect(publicHtml).toMatch(
      /<dt>支付方式<\/dt><dd data-testid="reward-tranches">分 3 期：20% \/ 30% \/ 50%<\/dd>/,
    );
  });
});
