import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canOrganisationAct } from '../../src/modules/auth/policy.js';
import { jsonRequest, logInAs, newOrganisationFor, newUser, signedIn } from '../support/account-factories.js';
import { newCreditCode } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});
const url = (path: string) => `http://localhost${path}`;

describe('registering an organisation', () => {
  test('黔茶科技 registers its company: pending, creator is admin, audited', async () => {
    const { user, cookie } = await signedIn(ctx.db, ctx.app, 'enterprise');
    const code = newCreditCode('520300');
    const res = await ctx.app.request(
      url('/api/v1/organisations'),
      jsonRequest('POST', { name: '贵州黔茶科技有限公司', credit_code: code, region_code: '520328' }, cookie),
    );
    expect(res.status).toBe(201);
    const org = await res.json();
    expect(org).toMatchObject({ kind: 'enterprise', verification_status: 'pending', my_role: 'admin' });
    const member = await ctx.db
      .selectFrom('organisation_members')
      .select('role')
      .where('organisation_id', '=', org.id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    expect(member?.role).toBe('admin');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      action: 'organisation.created',
      actor_user_id: user.id,
      actor_role: 'enterprise',
    });
  });

  test('a wrong check character is refused with a precise Chinese reason', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'enterprise');
    const code = newCreditCode('520300');
    const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    const res = await ctx.app.request(
      url('/api/v1/organisations'),
      jsonRequest('POST', { name: '贵州某公司', credit_code: wrong }, cookie),
    );
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0]).toMatchObject({
      field: 'credit_code',
      reason: expect.stringContaining('校验位'),
    });
  });

  test('a credit code already registered is a 409', async () => {
    const { cookie } = await signedIn(ctx.db, ctx.app, 'enterprise');
    const code = newCreditCode('520300');
    await ctx.app.request(
      url('/api/v1/organisations'),
      jsonRequest('POST', { name: '先登记的公司', credit_code: code }, cookie),
    );
    const res = await ctx.app.request(
      url('/api/v1/organisations'),
      jsonRequest('POST', { name: '后登记的公司', credit_code: code }, cookie),
    );
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('CREDIT_CODE_TAKEN');
  });
});

describe('visibility and ownership', () => {
  test('a pending organisation is 404 to outsiders, visible to its members and operators', async () => {
    const owner = await signedIn(ctx.db, ctx.app, 'enterprise');
    const org = await newOrganisationFor(ctx.db, owner.user.id);
    const outsider = await signedIn(ctx.db, ctx.app, 'enterprise');
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    expect((await ctx.app.request(url(`/api/v1/organisations/${org.id}`))).status).toBe(404);
    expect(
      (
        await ctx.app.request(url(`/api/v1/organisations/${org.id}`), {
          headers: { Cookie: outsider.cookie },
        })
      ).status,
    ).toBe(404);
    expect(
      (await ctx.app.request(url(`/api/v1/organisations/${org.id}`), { headers: { Cookie: owner.cookie } }))
        .status,
    ).toBe(200);
    expect(
      (
        await ctx.app.request(url(`/api/v1/organisations/${org.id}`), {
          headers: { Cookie: operator.cookie },
        })
      ).status,
    ).toBe(200);
  });

  test('a non-admin member cannot invite (403); a non-member gets 404', async () => {
    const owner = await signedIn(ctx.db, ctx.app, 'society');
    const org = await newOrganisationFor(ctx.db, owner.user.id, { kind: 'society', name: '贵州省茶叶学会' });
    const member = await signedIn(ctx.db, ctx.app, 'society');
    await ctx.db
      .insertInto('organisation_members')
      .values({ organisation_id: org.id, user_id: member.user.id, role: 'member' })
      .execute();
    const outsider = await signedIn(ctx.db, ctx.app, 'society');
    const body = { email: 'new@example.cn', role: 'member' };
    expect(
      (
        await ctx.app.request(
          url(`/api/v1/organisations/${org.id}/invitations`),
          jsonRequest('POST', body, member.cookie),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await ctx.app.request(
          url(`/api/v1/organisations/${org.id}/invitations`),
          jsonRequest('POST', body, outsider.cookie),
        )
      ).status,
    ).toBe(404);
    expect(
      await ctx.db
        .selectFrom('organisation_invitations')
        .where('organisation_id', '=', org.id)
        .select('id')
        .execute(),
    ).toHaveLength(0);
  });

  test('the last admin cannot be demoted', async () => {
    const owner = await signedIn(ctx.db, ctx.app, 'enterprise');
    const org = await newOrganisationFor(ctx.db, owner.user.id);
    const res = await ctx.app.request(
      url(`/api/v1/organisations/${org.id}/members/${owner.user.id}`),
      jsonRequest('PUT', { role: 'member' }, owner.cookie),
    );
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('LAST_ADMIN');
  });
});

describe('invitations', () => {
  test('an invited colleague accepts by the mailed link and becomes a member', async () => {
    const owner = await signedIn(ctx.db, ctx.app, 'enterprise');
    const org = await newOrganisationFor(ctx.db, owner.user.id);
    const colleague = await newUser(ctx.db, 'enterprise', { email: 'liu@qiancha.example' });
    const invite = await ctx.app.request(
      url(`/api/v1/organisations/${org.id}/invitations`),
      jsonRequest('POST', { email: 'liu@qiancha.example', role: 'member' }, owner.cookie),
    );
    expect(invite.status).toBe(201);
    const mail = await ctx.db
      .selectFrom('outbound_emails')
      .selectAll()
      .where('to_address', '=', 'liu@qiancha.example')
      .executeTakeFirstOrThrow();
    const token = decodeURIComponent(/token=([^\s]+)/.exec(mail.body_text)![1]!);
    const cookie = await logInAs(ctx.app, colleague.email);
    const res = await ctx.app.request(
      url('/api/v1/invitations/accept'),
      jsonRequest('POST', { token }, cookie),
    );
    expect(res.status).toBe(200);
    const member = await ctx.db
      .selectFrom('organisation_members')
      .select('role')
      .where('organisation_id', '=', org.id)
      .where('user_id', '=', colleague.id)
      .executeTakeFirst();
    expect(member?.role).toBe('member');
    // One-time: a second use is refused.
    expect(
      (await ctx.app.request(url('/api/v1/invitations/accept'), jsonRequest('POST', { token }, cookie)))
        .status,
    ).toBe(400);
  });
});

describe('verification by an operator', () => {
  test('the queue lists pending organisations; approving records who, when and notifies the admin', async () => {
    const owner = await signedIn(ctx.db, ctx.app, 'enterprise');
    const org = await newOrganisationFor(ctx.db, owner.user.id, { name: '遵义红椒源食品有限公司' });
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    const queue = await (
      await ctx.app.request(url('/api/v1/admin/organisations'), { headers: { Cookie: operator.cookie } })
    ).json();
    expect(queue.data.map((o: { id: string }) => o.id)).toContain(org.id);
    const res = await ctx.app.request(
      url(`/api/v1/admin/organisations/${org.id}/verification`),
      jsonRequest('POST', { decision: 'verified' }, operator.cookie),
    );
    expect(res.status).toBe(200);
    const row = await ctx.db
      .selectFrom('organisations')
      .selectAll()
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ verification_status: 'verified', verified_by: operator.user.id });
    expect(canOrganisationAct(row, 'publish')).toBe(true);
    const mails = await ctx.db
      .selectFrom('outbound_emails')
      .select('kind')
      .where('to_address', '=', owner.user.email)
      .execute();
    expect(mails.map((m) => m.kind)).toContain('verification_result');
  });

  test('rejecting requires a reason, and the reason is kept and audited', async () => {
    const owner = await signedIn(ctx.db, ctx.app, 'enterprise');
    const org = await newOrganisationFor(ctx.db, owner.user.id);
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    const path = url(`/api/v1/admin/organisations/${org.id}/verification`);
    expect(
      (await ctx.app.request(path, jsonRequest('POST', { decision: 'rejected' }, operator.cookie))).status,
    ).toBe(422);
    const res = await ctx.app.request(
      path,
      jsonRequest('POST', { decision: 'rejected', reason: '营业执照名称与填写名称不一致' }, operator.cookie),
    );
    expect(res.status).toBe(200);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', org.id)
      .where('action', '=', 'organisation.rejected')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      reason: '营业执照名称与填写名称不一致',
      actor_role: 'operator',
      before: { verification_status: 'pending' },
    });
    const seen = await (
      await ctx.app.request(url(`/api/v1/organisations/${org.id}`), { headers: { Cookie: owner.cookie } })
    ).json();
    expect(seen.verification_reason).toBe('营业执照名称与填写名称不一致');
  });

  test('a second decision on the same organisation is refused (409)', async () => {
    const owner = await signedIn(ctx.db, ctx.app, 'enterprise');
    const org = await newOrganisationFor(ctx.db, owner.user.id);
    const operator = await signedIn(ctx.db, ctx.app, 'operator');
    const path = url(`/api/v1/admin/organisations/${org.id}/verification`);
    await ctx.app.request(path, jsonRequest('POST', { decision: 'verified' }, operator.cookie));
    const again = await ctx.app.request(
      path,
      jsonRequest('POST', { decision: 'rejected', reason: '重复' }, operator.cookie),
    );
    expect(again.status).toBe(409);
  });

  test('an unverified organisation may draft but not publish or bid', () => {
    expect(canOrganisationAct({ verification_status: 'pending' }, 'draft')).toBe(true);
    expect(canOrganisationAct({ verification_status: 'pending' }, 'publish')).toBe(false);
    expect(canOrganisationAct({ verification_status: 'rejected' }, 'bid')).toBe(false);
  });
});
