import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formRequest, jsonRequest, logInAs, newUser } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const url = (path: string) => `http://localhost${path}`;

/** An expert profile as a society's spreadsheet import leaves it: an external key and no account. */
async function importedProfile(overrides: { name?: string; visibility?: string } = {}) {
  return ctx.db
    .insertInto('expert_profiles')
    .values({
      external_key: `GZ-EXP-${Math.random().toString(36).slice(2, 10)}`,
      name: overrides.name ?? '王建国',
      title: '教授',
      affiliation: '贵州大学茶学院',
      visibility: overrides.visibility ?? 'public',
    })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

/** An expert account as signup makes it: with its own (empty) profile. */
async function expertWithOwnProfile() {
  const user = await newUser(ctx.db, 'expert');
  const own = await ctx.db
    .insertInto('expert_profiles')
    .values({ user_id: user.id, name: user.display_name })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { user, ownProfileId: own.id, cookie: await logInAs(ctx.app, user.email) };
}

async function operatorCookie() {
  const chen = await newUser(ctx.db, 'operator');
  return { user: chen, cookie: await logInAs(ctx.app, chen.email) };
}

const claim = (
  profileId: string,
  cookie: string,
  evidence = '本人即王建国，贵州大学茶学院，工号 2003017。',
) => ctx.app.request(url(`/api/v1/experts/${profileId}/claims`), jsonRequest('POST', { evidence }, cookie));

const decide = (claimId: string, cookie: string, body: Record<string, unknown>) =>
  ctx.app.request(
    url(`/api/v1/admin/expert-profile-claims/${claimId}/decision`),
    jsonRequest('POST', body, cookie),
  );

describe('claiming an imported expert profile (认领专家资料)', () => {
  test('an expert asks to claim an imported profile: the claim waits for an operator, audited', async () => {
    const profile = await importedProfile();
    const wang = await expertWithOwnProfile();
    const res = await claim(profile.id, wang.cookie);
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ expert_profile_id: profile.id, user_id: wang.user.id, status: 'pending' });
    const row = await ctx.db
      .selectFrom('expert_profiles')
      .select('user_id')
      .where('id', '=', profile.id)
      .executeTakeFirstOrThrow();
    expect(row.user_id).toBeNull();
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'after'])
      .where('action', '=', 'expert_claim.requested')
      .where('target_id', '=', profile.id)
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(wang.user.id);
    const mine = await ctx.app.request(url('/api/v1/me/expert-profile-claims'), {
      headers: { Cookie: wang.cookie },
    });
    expect((await mine.json()).data.map((c: { id: string }) => c.id)).toEqual([body.id]);
  });

  test('a second open claim by the same expert is refused (409), evidence is required (422, Chinese)', async () => {
    const profile = await importedProfile();
    const wang = await expertWithOwnProfile();
    expect((await claim(profile.id, wang.cookie)).status).toBe(201);
    const again = await claim(profile.id, wang.cookie);
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('CLAIM_PENDING');
    const empty = await claim(profile.id, wang.cookie, '   ');
    expect(empty.status).toBe(422);
    const problem = await empty.json();
    expect(problem.errors[0].field).toBe('evidence');
    expect(problem.errors[0].reason).toMatch(/[\u4e00-\u9fff]/);
  });

  test('a profile that already has an account cannot be claimed; hidden or unknown ones answer 404', async () => {
    const wang = await expertWithOwnProfile();
    const li = await expertWithOwnProfile();
    expect((await claim(li.ownProfileId, wang.cookie)).status).toBe(409);
    const hidden = await importedProfile({ visibility: 'hidden' });
    expect((await claim(hidden.id, wang.cookie)).status).toBe(404);
    expect((await claim('00000000-0000-4000-8000-000000000000', wang.cookie)).status).toBe(404);
  });

  test('only experts claim and only operators see the queue or decide', async () => {
    const profile = await importedProfile();
    const zhang = await newUser(ctx.db, 'enterprise');
    const zhangCookie = await logInAs(ctx.app, zhang.email);
    expect((await claim(profile.id, zhangCookie)).status).toBe(403);
    const wang = await expertWithOwnProfile();
    const { id } = await (await claim(profile.id, wang.cookie)).json();
    expect((await decide(id, wang.cookie, { decision: 'approved' })).status).toBe(403);
    const queue = await ctx.app.request(url('/api/v1/admin/expert-profile-claims'), {
      headers: { Cookie: wang.cookie },
    });
    expect(queue.status).toBe(403);
    expect((await ctx.app.request(url('/api/v1/admin/expert-profile-claims'))).status).toBe(401);
  });

  test('an operator confirms: the profile is linked to the account, the old one hidden, rival claims closed, all audited', async () => {
    const profile = await importedProfile({ name: '李茶农' });
    const wang = await expertWithOwnProfile();
    const rival = await expertWithOwnProfile();
    const { id } = await (await claim(profile.id, wang.cookie)).json();
    const { id: rivalId } = await (await claim(profile.id, rival.cookie)).json();
    const op = await operatorCookie();

    const queue = await (
      await ctx.app.request(url('/api/v1/admin/expert-profile-claims'), { headers: { Cookie: op.cookie } })
    ).json();
    expect(queue.data.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([id, rivalId]));

    const res = await decide(id, op.cookie, { decision: 'approved' });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('approved');

    const claimed = await ctx.db
      .selectFrom('expert_profiles')
      .select('user_id')
      .where('id', '=', profile.id)
      .executeTakeFirstOrThrow();
    expect(claimed.user_id).toBe(wang.user.id);
    const old = await ctx.db
      .selectFrom('expert_profiles')
      .select(['user_id', 'visibility'])
      .where('id', '=', wang.ownProfileId)
      .executeTakeFirstOrThrow();
    expect(old).toEqual({ user_id: null, visibility: 'hidden' });
    const rivalRow = await ctx.db
      .selectFrom('expert_profile_claims')
      .select(['status', 'reason'])
      .where('id', '=', rivalId)
      .executeTakeFirstOrThrow();
    expect(rivalRow.status).toBe('rejected');
    expect(rivalRow.reason).toMatch(/[\u4e00-\u9fff]/);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'actor_role', 'after'])
      .where('action', '=', 'expert_claim.approved')
      .where('target_id', '=', profile.id)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: op.user.id, actor_role: 'operator' });
    expect(audit.after).toMatchObject({ user_id: wang.user.id, previous_profile_hidden: wang.ownProfileId });
    const outbox = await ctx.db
      .selectFrom('search_outbox')
      .select('entity_id')
      .where('entity', '=', 'expert')
      .execute();
    expect(outbox.map((r) => r.entity_id)).toEqual(expect.arrayContaining([profile.id, wang.ownProfileId]));
    // Both experts hear the outcome in the app.
    const told = await ctx.db
      .selectFrom('notifications')
      .select(['user_id', 'kind'])
      .where('user_id', 'in', [wang.user.id, rival.user.id])
      .orderBy('kind')
      .execute();
    expect(told).toEqual([
      { user_id: wang.user.id, kind: 'expert_claim.approved' },
      { user_id: rival.user.id, kind: 'expert_claim.rejected' },
    ]);

    // Deciding again: 409, and the link stays.
    expect((await decide(id, op.cookie, { decision: 'rejected', reason: '重复' })).status).toBe(409);
  });

  test('an operator rejects with a reason (required), the profile stays unclaimed and the expert sees why', async () => {
    const profile = await importedProfile();
    const wang = await expertWithOwnProfile();
    const { id } = await (await claim(profile.id, wang.cookie)).json();
    const op = await operatorCookie();
    const noReason = await decide(id, op.cookie, { decision: 'rejected' });
    expect(noReason.status).toBe(422);
    expect((await noReason.json()).errors[0].field).toBe('reason');
    const res = await decide(id, op.cookie, { decision: 'rejected', reason: '工号与学会名单不符' });
    expect(res.status).toBe(200);
    const row = await ctx.db
      .selectFrom('expert_profiles')
      .select('user_id')
      .where('id', '=', profile.id)
      .executeTakeFirstOrThrow();
    expect(row.user_id).toBeNull();
    const mine = await (
      await ctx.app.request(url('/api/v1/me/expert-profile-claims'), { headers: { Cookie: wang.cookie } })
    ).json();
    expect(mine.data[0]).toMatchObject({ status: 'rejected', reason: '工号与学会名单不符' });
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('reason')
      .where('action', '=', 'expert_claim.rejected')
      .where('target_id', '=', profile.id)
      .executeTakeFirstOrThrow();
    expect(audit.reason).toBe('工号与学会名单不符');
  });

  test('the same journey through the pages: claim form, operator queue, confirmation', async () => {
    const profile = await importedProfile({ name: '赵研究员' });
    const wang = await expertWithOwnProfile();
    // The claim link shows on an imported profile, never on one already linked to an account.
    const page = await ctx.app.request(url(`/experts/${profile.id}`), { headers: { Cookie: wang.cookie } });
    expect(await page.text()).toContain(`/experts/${profile.id}/claim`);
    const linked = await ctx.app.request(url(`/experts/${wang.ownProfileId}`), {
      headers: { Cookie: wang.cookie },
    });
    expect(await linked.text()).not.toContain(`/experts/${wang.ownProfileId}/claim`);
    const form = await ctx.app.request(url(`/experts/${profile.id}/claim`), {
      headers: { Cookie: wang.cookie },
    });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('认领专家资料：赵研究员');
    const empty = await ctx.app.request(url(`/experts/${profile.id}/claim`), formRequest({}, wang.cookie));
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('请说明您就是该专家的依据');
    const sent = await ctx.app.request(
      url(`/experts/${profile.id}/claim`),
      formRequest({ evidence: '贵州省农科院茶叶所，可电话核实。' }, wang.cookie),
    );
    expect(sent.status).toBe(201);
    expect(await sent.text()).toContain('认领申请已提交');

    const op = await operatorCookie();
    const queue = await ctx.app.request(url('/admin/expert-claims'), { headers: { Cookie: op.cookie } });
    const html = await queue.text();
    expect(html).toContain('赵研究员');
    expect(html).toContain('贵州省农科院茶叶所，可电话核实。');
    const section = html.split('<section').find((part) => part.includes('赵研究员')) ?? '';
    const claimId = /data-claim-id="([0-9a-f-]{36})"/.exec(section)?.[1];
    expect(claimId).toBeDefined();
    const done = await ctx.app.request(
      url(`/admin/expert-claims/${claimId}/decision`),
      formRequest({ decision: 'approved' }, op.cookie),
    );
    expect(done.status).toBe(303);
    const row = await ctx.db
      .selectFrom('expert_profiles')
      .select('user_id')
      .where('id', '=', profile.id)
      .executeTakeFirstOrThrow();
    expect(row.user_id).toBe(wang.user.id);
  });
});
