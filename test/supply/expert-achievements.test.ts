import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formRequest, jsonRequest, signedIn } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * 代表性成果 on the expert's own profile form: rows added and removed without script, validated by
 * the same zod schema as the API (PUT /api/v1/me/expert-profile), and shown on the public profile.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const profile = { name: '王教授', title: '教授', affiliation: '贵州大学茶学院', region_code: '520100' };

async function achievementsOf(userId: string) {
  return ctx.db
    .selectFrom('expert_achievements as a')
    .innerJoin('expert_profiles as e', 'e.id', 'a.expert_id')
    .select(['a.kind', 'a.title', 'a.year', 'a.detail'])
    .where('e.user_id', '=', userId)
    .orderBy('a.title')
    .execute();
}

describe('achievements in the expert profile form', () => {
  it('saves filled rows, skips the blank one, and shows them on the public profile', async () => {
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    const res = await ctx.app.request(
      '/me/expert-profile',
      formRequest(
        {
          ...profile,
          'achievements.0.kind': 'paper',
          'achievements.0.title': '茶园小绿叶蝉生态调控研究',
          'achievements.0.year': '2021',
          'achievements.0.detail': '《茶叶科学》',
          'achievements.1.kind': 'patent',
          'achievements.1.title': '一种茶园害虫诱捕装置',
          'achievements.2.kind': 'award',
        },
        expert.cookie,
      ),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('资料已保存');
    expect(await achievementsOf(expert.user.id)).toEqual([
      { kind: 'patent', title: '一种茶园害虫诱捕装置', year: null, detail: '' },
      { kind: 'paper', title: '茶园小绿叶蝉生态调控研究', year: 2021, detail: '《茶叶科学》' },
    ]);
    const { id } = await ctx.db
      .selectFrom('expert_profiles')
      .select('id')
      .where('user_id', '=', expert.user.id)
      .executeTakeFirstOrThrow();
    const page = await (await ctx.app.request(`/experts/${id}`)).text();
    expect(page).toContain('茶园小绿叶蝉生态调控研究');
    expect(page).toContain('[专利] 一种茶园害虫诱捕装置');

    const form = await (
      await ctx.app.request('/me/expert-profile', { headers: { Cookie: expert.cookie } })
    ).text();
    expect(form).toContain('value="茶园小绿叶蝉生态调控研究"');
    expect(form).toContain('name="achievements.1.remove"');
    // The region is picked by name, grouped by prefecture, and the saved one is selected.
    expect(form).toMatch(/<select id="f-region_code" name="region_code"/);
    expect(form).toContain('<option value="520100" selected="">贵阳市（全市）</option>');
    expect(form).toMatch(
      /<optgroup label="遵义市"><option value="520300">遵义市（全市）<\/option>[\s\S]*?<option value="520328">湄潭县<\/option>/,
    );
    expect(form).not.toContain('如 520100');
    // A provincial expert or society picks the province itself.
    expect(form).toContain('<option value="520000">贵州省（全省）</option>');
  });

  it('removes a ticked row and keeps the others', async () => {
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    const rows = {
      'achievements.0.kind': 'project',
      'achievements.0.title': '黔北茶区绿色防控示范',
      'achievements.1.kind': 'award',
      'achievements.1.title': '贵州省科技进步奖二等奖',
    };
    await ctx.app.request('/me/expert-profile', formRequest({ ...profile, ...rows }, expert.cookie));
    await ctx.app.request(
      '/me/expert-profile',
      formRequest({ ...profile, ...rows, 'achievements.0.remove': 'on' }, expert.cookie),
    );
    expect((await achievementsOf(expert.user.id)).map((a) => a.title)).toEqual(['贵州省科技进步奖二等奖']);
  });

  it('adds a blank row on 添加一行 without saving anything', async () => {
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    const res = await ctx.app.request(
      '/me/expert-profile',
      formRequest(
        {
          ...profile,
          'achievements.0.kind': 'paper',
          'achievements.0.title': '未保存的论文',
          add_achievement: '1',
        },
        expert.cookie,
      ),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('value="未保存的论文"');
    expect(html).toContain('name="achievements.2.title"');
    expect(html).not.toContain('资料已保存');
    const saved = await ctx.db
      .selectFrom('expert_profiles')
      .select('id')
      .where('user_id', '=', expert.user.id)
      .executeTakeFirst();
    expect(saved).toBeUndefined();
  });

  it('refuses a bad row at its field with 422 and saves nothing', async () => {
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    const res = await ctx.app.request(
      '/me/expert-profile',
      formRequest(
        {
          ...profile,
          'achievements.0.kind': 'paper',
          'achievements.0.title': '正常的论文',
          'achievements.3.kind': 'paper',
          'achievements.3.title': '年份不对的论文',
          'achievements.3.year': '1800',
        },
        expert.cookie,
      ),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    // The bad row is renumbered to 1 in the re-rendered form, and its error sits at that input.
    expect(html).toMatch(/class="field invalid"><label for="f-achievements\.1\.year"/);
    expect(await achievementsOf(expert.user.id)).toEqual([]);
  });
});

describe('achievements over the API (same schema)', () => {
  it('replaces the list when given, keeps it when omitted, and refuses a bad kind per field', async () => {
    const expert = await signedIn(ctx.db, ctx.app, 'expert');
    const put = (body: unknown) =>
      ctx.app.request('/api/v1/me/expert-profile', jsonRequest('PUT', body, expert.cookie));
    expect(
      (await put({ ...profile, achievements: [{ kind: 'award', title: '全国茶叶科技奖', year: 2019 }] }))
        .status,
    ).toBe(200);
    expect((await put({ ...profile, title: '研究员' })).status).toBe(200);
    expect((await achievementsOf(expert.user.id)).map((a) => a.title)).toEqual(['全国茶叶科技奖']);

    const bad = await put({ ...profile, achievements: [{ kind: 'novel', title: '小说' }] });
    expect(bad.status).toBe(422);
    const problem = await bad.json();
    expect(JSON.stringify(problem)).toContain('achievements.0.kind');
    expect((await achievementsOf(expert.user.id)).map((a) => a.title)).toEqual(['全国茶叶科技奖']);
  });
});
