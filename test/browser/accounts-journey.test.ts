import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisationFor, newUser, PERSONA_PASSWORD } from '../support/account-factories.js';
import { hasChromium, launchBrowser, serveOverHttp } from '../support/browser.js';
import { newChallenge, newCreditCode } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * Issue 3's "done when": every account journey in a real browser (Debian chromium) against the app
 * served over HTTP, with the database side effects checked. Mail is read from the dev outbox
 * (`outbound_emails`), as a developer would.
 */
let ctx: TestContext;
let browser: Browser;
let http: Awaited<ReturnType<typeof serveOverHttp>>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!hasChromium && process.env.CI) throw new Error('chromium is missing: .ci/run installs it with apt');
  ctx = await createTestContext();
  http = await serveOverHttp(ctx);
  if (hasChromium) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await http?.close();
  await ctx?.close();
});

/** A fresh browser profile (own cookie jar): one per person or device. */
async function newDevice(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A 4xx answer (a form re-shown with its errors) is expected; anything else the console reports is not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  return { page, errors };
}

const url = (path: string) => `${http.baseUrl}${path}`;

async function logIn(page: Page, email: string, password = PERSONA_PASSWORD) {
  await page.goto(url('/login'));
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/account$/);
}

/** The newest mail to `to` in the dev outbox, and the site path of the link in it. */
async function lastMailLink(to: string): Promise<string> {
  const mail = await ctx.db
    .selectFrom('outbound_emails')
    .select('body_text')
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const link = /https?:\/\/\S+/.exec(mail.body_text)?.[0];
  if (!link) throw new Error(`no link in mail to ${to}`);
  return new URL(link).pathname + new URL(link).search;
}

describe.skipIf(!hasChromium && !process.env.CI)('accounts in a browser', () => {
  it('signs up as 企业, 专家 and 学会 member, each landing on their account page', async () => {
    const people = [
      { role: 'enterprise', label: '企业', name: '张经理', email: 'zhang@qiancha-browser.example' },
      { role: 'expert', label: '专家', name: '王教授', email: 'wang@gzu-browser.example' },
      { role: 'society', label: '学会', name: '李秘书长', email: 'li@tea-society-browser.example' },
    ];
    for (const person of people) {
      const { page, errors } = await newDevice();
      await page.goto(url('/signup'));
      await page.getByLabel('我是').selectOption(person.role);
      await page.getByLabel('邮箱').fill(person.email);
      await page.getByLabel('密码').fill(PERSONA_PASSWORD);
      await page.getByLabel('姓名').fill(person.name);
      await page.getByRole('button', { name: '注册并登录' }).click();
      await page.waitForURL(/\/account$/);
      await expect(page.locator('h1').textContent()).resolves.toContain(`${person.name}（${person.label}）`);
      const row = await ctx.db
        .selectFrom('users')
        .select('role')
        .where('email', '=', person.email)
        .executeTakeFirstOrThrow();
      expect(row.role).toBe(person.role);
      expect(errors).toEqual([]);
    }
  }, 90_000);

  it('a weak password is refused on the signup form with a Chinese reason', async () => {
    const { page } = await newDevice();
    await page.goto(url('/signup'));
    await page.getByLabel('邮箱').fill('weak@qiancha-browser.example');
    await page.getByLabel('密码').fill('12345678');
    await page.getByLabel('姓名').fill('张经理');
    await page.getByRole('button', { name: '注册并登录' }).click();
    await expect(page.locator('[data-field-error="password"]').textContent()).resolves.toMatch(
      /[\u4e00-\u9fff]/,
    );
    const row = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'weak@qiancha-browser.example')
      .executeTakeFirst();
    expect(row).toBeUndefined();
  }, 60_000);

  it('logs in and out, and "退出所有设备" signs the other device out too', async () => {
    const wang = await newUser(ctx.db, 'expert');
    const laptop = await newDevice();
    const phone = await newDevice();
    await logIn(laptop.page, wang.email);
    await logIn(phone.page, wang.email);

    // The account page lists both devices.
    await laptop.page.reload();
    expect(await laptop.page.locator('tr[data-session-id]').count()).toBe(2);

    await laptop.page.getByRole('button', { name: '退出所有设备' }).click();
    await laptop.page.waitForURL(/\/login$/);
    await phone.page.goto(url('/account'));
    await phone.page.waitForURL(/\/login\?next=/);
    const left = await ctx.db.selectFrom('sessions').select('id').where('user_id', '=', wang.id).execute();
    expect(left).toEqual([]);

    // Plain log out ends only this session.
    await logIn(laptop.page, wang.email);
    await laptop.page.locator('header').getByRole('button', { name: '退出登录' }).click();
    await laptop.page.waitForURL(`${http.baseUrl}/`);
    await laptop.page.goto(url('/account'));
    await laptop.page.waitForURL(/\/login\?next=/);
    expect(laptop.errors).toEqual([]);
  }, 90_000);

  it('changes the password: the old one stops working, the new one works', async () => {
    const li = await newUser(ctx.db, 'society');
    const { page } = await newDevice();
    await logIn(page, li.email);
    await page.getByLabel('当前密码').fill(PERSONA_PASSWORD);
    await page.getByLabel('新密码').fill('黔南都匀毛尖-二〇二六春');
    await page.getByRole('button', { name: '修改密码' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('密码已修改');
    // This device stays signed in with its new session.
    await page.goto(url('/account'));
    await page.waitForURL(/\/account$/);

    const other = await newDevice();
    await other.page.goto(url('/login'));
    await other.page.getByLabel('邮箱').fill(li.email);
    await other.page.getByLabel('密码').fill(PERSONA_PASSWORD);
    await other.page.getByRole('button', { name: '登录' }).click();
    await expect(other.page.locator('.form-errors').textContent()).resolves.toMatch(/[\u4e00-\u9fff]/);
    await logIn(other.page, li.email, '黔南都匀毛尖-二〇二六春');
  }, 90_000);

  it('resets a forgotten password with the one-time link from the mail', async () => {
    const zhang = await newUser(ctx.db, 'enterprise');
    const { page, errors } = await newDevice();
    await page.goto(url('/login'));
    await page.getByRole('link', { name: '忘记密码？' }).click();
    await page.getByLabel('邮箱').fill(zhang.email);
    await page.getByRole('button', { name: '发送重置链接' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('重置链接已发送');

    const link = await lastMailLink(zhang.email);
    expect(link).toMatch(/^\/password\/reset\?token=/);
    await page.goto(url(link));
    await page.getByLabel('新密码').fill('遵义红茶-湄潭翠芽-2027');
    await page.getByRole('button', { name: '设置新密码' }).click();
    await expect(page.locator('.form-errors').textContent()).resolves.toContain('密码已重置');
    await logIn(page, zhang.email, '遵义红茶-湄潭翠芽-2027');

    // The link is one-time: a second use is refused.
    await page.goto(url(link));
    await page.getByLabel('新密码').fill('另一个新密码-黔东南-2028');
    await page.getByRole('button', { name: '设置新密码' }).click();
    // click() returns once the answer page is committed, not parsed; count() does not wait, so the
    // page must have loaded first.
    await page.waitForLoadState();
    await expect(page.locator('.form-errors').count()).resolves.toBe(1);
    await expect(page.locator('.form-errors').textContent()).resolves.not.toContain('密码已重置');
    expect(errors).toEqual([]);
  }, 90_000);

  it('registers an organisation (bad code → Chinese field error), invites a colleague who accepts, makes them admin', async () => {
    const zhang = await newUser(ctx.db, 'enterprise');
    const colleague = await newUser(ctx.db, 'enterprise', { display_name: '刘工程师' });
    const admin = await newDevice();
    await logIn(admin.page, zhang.email);
    await admin.page.getByRole('link', { name: /登记机构/ }).click();
    await admin.page.waitForURL(/\/organisations\/new$/);
    const good = newCreditCode('520300');
    const bad = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
    await admin.page.getByLabel('机构名称').fill('贵州黔茶科技有限公司');
    await admin.page.getByLabel('统一社会信用代码').fill(bad);
    // The region is picked by name (grouped by prefecture), as a person would.
    await admin.page.getByLabel('所在地区').selectOption({ label: '湄潭县' });
    await admin.page.getByRole('button', { name: '提交认证' }).click();
    await expect(admin.page.locator('[data-field-error="credit_code"]').textContent()).resolves.toContain(
      '统一社会信用代码',
    );
    await admin.page.getByLabel('统一社会信用代码').fill(good);
    await admin.page.getByRole('button', { name: '提交认证' }).click();
    await admin.page.waitForURL(/\/organisations\/[0-9a-f-]{36}$/);
    await expect(admin.page.getByTestId('verification-status').textContent()).resolves.toBe('待认证');
    const orgId = admin.page.url().split('/').pop()!;

    await admin.page.getByLabel('同事邮箱').fill(colleague.email);
    await admin.page.getByRole('button', { name: '发送邀请' }).click();
    await expect(admin.page.getByRole('status').textContent()).resolves.toContain(colleague.email);

    const other = await newDevice();
    await logIn(other.page, colleague.email);
    await other.page.goto(url(await lastMailLink(colleague.email)));
    await other.page.getByRole('button', { name: '接受邀请' }).click();
    await other.page.waitForURL(url(`/organisations/${orgId}`));
    await expect(other.page.locator('h1').textContent()).resolves.toBe('贵州黔茶科技有限公司');

    await admin.page.goto(url(`/organisations/${orgId}`));
    await admin.page
      .locator('tr', { hasText: '刘工程师' })
      .getByRole('button', { name: '设为管理员' })
      .click();
    await admin.page.waitForURL(url(`/organisations/${orgId}`));
    await expect(admin.page.locator('tr', { hasText: '刘工程师' }).textContent()).resolves.toContain(
      '管理员',
    );
    const member = await ctx.db
      .selectFrom('organisation_members')
      .select('role')
      .where('organisation_id', '=', orgId)
      .where('user_id', '=', colleague.id)
      .executeTakeFirstOrThrow();
    expect(member.role).toBe('admin');
    expect(admin.errors).toEqual([]);
  }, 120_000);

  it('the operator verifies one organisation and rejects another with a reason', async () => {
    const owner = await newUser(ctx.db, 'enterprise');
    const good = await newOrganisationFor(ctx.db, owner.id, { name: '遵义红椒源食品有限公司' });
    const doubtful = await newOrganisationFor(ctx.db, owner.id, { name: '黔西南某某贸易公司' });
    const chen = await newUser(ctx.db, 'operator');
    const { page } = await newDevice();
    await logIn(page, chen.email);
    await page.goto(url('/admin/verifications'));

    const approve = page.locator(`section[data-organisation-id="${good.id}"]`);
    await approve.getByRole('button', { name: '通过认证' }).click();
    await page.waitForURL(/\/admin\/verifications$/);
    expect(await page.locator(`section[data-organisation-id="${good.id}"]`).count()).toBe(0);

    const reject = page.locator(`section[data-organisation-id="${doubtful.id}"]`);
    await reject.getByRole('button', { name: '不通过' }).click();
    // No reason: refused with a Chinese field error.
    await expect(
      page
        .locator(`section[data-organisation-id="${doubtful.id}"] [data-field-error="reason"]`)
        .textContent(),
    ).resolves.toContain('原因');
    await page
      .locator(`section[data-organisation-id="${doubtful.id}"]`)
      .getByLabel('原因（不通过时必填）')
      .fill('营业执照与信用代码不一致');
    await page
      .locator(`section[data-organisation-id="${doubtful.id}"]`)
      .getByRole('button', { name: '不通过' })
      .click();
    await page.waitForURL(/\/admin\/verifications$/);

    const rows = await ctx.db
      .selectFrom('organisations')
      .select(['id', 'verification_status', 'verification_reason'])
      .where('id', 'in', [good.id, doubtful.id])
      .execute();
    expect(rows.find((r) => r.id === good.id)?.verification_status).toBe('verified');
    expect(rows.find((r) => r.id === doubtful.id)).toMatchObject({
      verification_status: 'rejected',
      verification_reason: '营业执照与信用代码不一致',
    });
  }, 90_000);

  it('an unverified organisation cannot submit its challenge for publication', async () => {
    const zhang = await newUser(ctx.db, 'enterprise');
    const org = await newOrganisationFor(ctx.db, zhang.id, { name: '毕节待认证农业公司' });
    const challenge = await newChallenge(ctx.db, { enterpriseId: org.id, status: 'draft' });
    const { page } = await newDevice();
    await logIn(page, zhang.email);
    await page.goto(url(`/workspace/challenges/${challenge.id}`));
    await page.getByRole('button', { name: '提交审核' }).click();
    await expect(page.locator('body').textContent()).resolves.toContain('机构尚未通过认证');
    const row = await ctx.db
      .selectFrom('challenges')
      .select('status')
      .where('id', '=', challenge.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('draft');
  }, 60_000);

  it('an expert claims an imported profile and the operator confirms it', async () => {
    const imported = await ctx.db
      .insertInto('expert_profiles')
      .values({
        external_key: 'GZ-EXP-B001',
        name: '周研究员',
        title: '研究员',
        affiliation: '贵州省农业科学院',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const wang = await newUser(ctx.db, 'expert');
    const chen = await newUser(ctx.db, 'operator');
    const expert = await newDevice();
    await logIn(expert.page, wang.email);
    await expert.page.goto(url(`/experts/${imported.id}`));
    await expert.page.getByRole('link', { name: '这是我：认领此资料' }).click();
    await expert.page.waitForURL(url(`/experts/${imported.id}/claim`));
    await expert.page.getByLabel('认领依据').fill('本人周某，省农科院茶叶研究所，可致电所办核实。');
    await expert.page.getByRole('button', { name: '提交认领申请' }).click();
    await expect(expert.page.getByRole('status').textContent()).resolves.toContain('认领申请已提交');

    const operator = await newDevice();
    await logIn(operator.page, chen.email);
    await operator.page.getByRole('link', { name: /专家资料认领审核/ }).click();
    await operator.page.waitForURL(/\/admin\/expert-claims$/);
    const section = operator.page.locator('section', { hasText: '周研究员' });
    await expect(section.textContent()).resolves.toContain('省农科院茶叶研究所');
    await section.getByRole('button', { name: '确认认领' }).click();
    await operator.page.waitForURL(/\/admin\/expert-claims$/);
    expect(await operator.page.locator('section', { hasText: '周研究员' }).count()).toBe(0);

    await expert.page.goto(url(`/experts/${imported.id}/claim`));
    await expect(expert.page.getByTestId('claim-status').textContent()).resolves.toBe('已确认');
    const row = await ctx.db
      .selectFrom('expert_profiles')
      .select('user_id')
      .where('id', '=', imported.id)
      .executeTakeFirstOrThrow();
    expect(row.user_id).toBe(wang.id);
    expect(expert.errors).toEqual([]);
    expect(operator.errors).toEqual([]);
  }, 90_000);

  it('creates an API token in the UI (shown once), uses it over the API, revokes it (then 401)', async () => {
    const wang = await newUser(ctx.db, 'expert');
    const { page, errors } = await newDevice();
    await logIn(page, wang.email);
    await page.getByLabel('令牌名称').fill('数据同步脚本');
    await page.getByLabel('权限').selectOption('read');
    await page.getByRole('button', { name: '创建令牌' }).click();
    const token = (await page.getByTestId('new-token').textContent())!;
    expect(token).toMatch(/^jbt_[a-z2-7]+\.[a-z2-7]+$/);

    const call = () => fetch(url('/api/v1/me'), { headers: { Authorization: `Bearer ${token}` } });
    const ok = await call();
    expect(ok.status).toBe(200);
    expect((await ok.json()).email).toBe(wang.email);

    // Shown once: the account page never shows it again.
    await page.goto(url('/account'));
    expect(await page.content()).not.toContain(token);
    await page.locator('tr', { hasText: '数据同步脚本' }).getByRole('button', { name: '吊销' }).click();
    await page.waitForURL(/\/account$/);
    await expect(page.locator('tr', { hasText: '数据同步脚本' }).textContent()).resolves.toContain('已吊销');
    expect((await call()).status).toBe(401);
    expect(errors).toEqual([]);
  }, 90_000);
});
