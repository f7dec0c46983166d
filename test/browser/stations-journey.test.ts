import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisationFor, newUser, PERSONA_PASSWORD } from '../support/account-factories.js';
import { hasChromium, launchBrowser, serveOverHttp } from '../support/browser.js';
import { newChallenge } from '../support/factories.js';
import { newExpertProfile } from '../support/station-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let browser: Browser;
let http: Awaited<ReturnType<typeof serveOverHttp>>;
const people: Record<'society' | 'host' | 'expert' | 'operator', string> = {
  society: '',
  host: '',
  expert: '',
  operator: '',
};
let societyId: string;
let hostId: string;
let otherHostId: string;
let expertId: string;
let challengeId: string;

/** Today in China, as the server computes "today". */
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  if (!hasChromium && process.env.CI) throw new Error('chromium is missing: .ci/run installs it with apt');
  ctx = await createTestContext();
  // 省茶叶学会 with its secretary-general, and 王教授, a member expert with an account (he consents).
  const secretary = await newUser(ctx.db, 'society');
  people.society = secretary.email;
  societyId = (
    await newOrganisationFor(ctx.db, secretary.id, {
      kind: 'society',
      name: '贵州省茶叶学会',
      verification_status: 'verified',
    })
  ).id;
  const wang = await newUser(ctx.db, 'expert');
  people.expert = wang.email;
  expertId = (await newExpertProfile(ctx.db, { name: '王教授', userId: wang.id })).id;
  await ctx.db
    .insertInto('expert_societies')
    .values({ expert_id: expertId, society_id: societyId })
    .execute();
  // A second member expert who is not stationed, and a second verified enterprise, so pickers pick.
  await ctx.db
    .insertInto('expert_societies')
    .values({ expert_id: (await newExpertProfile(ctx.db, { name: '赵研究员' })).id, society_id: societyId })
    .execute();
  const other = await newUser(ctx.db, 'enterprise');
  otherHostId = (
    await newOrganisationFor(ctx.db, other.id, {
      name: '安顺市山地农业有限公司',
      verification_status: 'verified',
    })
  ).id;
  // The host: 黔茶科技 with its manager.
  const manager = await newUser(ctx.db, 'enterprise');
  people.host = manager.email;
  hostId = (
    await newOrganisationFor(ctx.db, manager.id, {
      name: '湄潭黔茶科技有限公司',
      verification_status: 'verified',
    })
  ).id;
  challengeId = (
    await newChallenge(ctx.db, { enterpriseId: hostId, title: '茶园小绿叶蝉绿色防控', region_code: '520328' })
  ).id;
  people.operator = (await newUser(ctx.db, 'operator')).email;
  http = await serveOverHttp(ctx);
  if (hasChromium) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await ctx?.close();
});

/** A fresh browser context signed in through the login form; page errors and CSP reports collected. */
async function signedInPage(who: keyof typeof people, errors: string[]): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${who}: ${m.text()}`);
  });
  await page.goto(`${http.baseUrl}/login?next=${encodeURIComponent('/stations/mine')}`);
  await page.locator('input[name="email"]').fill(people[who]);
  await page.locator('input[name="password"]').fill(PERSONA_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/stations\/mine$/);
  return page;
}

/** The number in an indicator row of the yearly figures page. */
const indicator = (page: Page, key: string) =>
  page
    .locator(`tr[data-indicator="${key}"] td.value`)
    .textContent()
    .then((t) => t?.trim().split(/\s/)[0]);

describe.skipIf(!hasChromium && !process.env.CI)('a station in a browser', () => {
  it('is registered at a county with pickers, confirmed, approved, serves, and shows in the figures, the dashboard and the map', async () => {
    const errors: string[] = [];
    const today = chinaToday();
    const year = today.slice(0, 4);

    // The society applies: host, county and experts are picked, not typed as ids.
    const society = await signedInPage('society', errors);
    await society.getByRole('link', { name: '申请设立工作站' }).click();
    await society.waitForURL(/\/stations\/new$/);
    await society.locator('select[name="kind_code"]').selectOption({ label: '专家服务站' });
    await society.locator('input[name="name"]').fill('贵州省茶叶学会湄潭专家服务站');
    // The filter box (the picker script) narrows the host list and picks the only match.
    await society.locator('input[data-picker-filter="host_organisation_id"]').fill('黔茶');
    expect(await society.locator('select[name="host_organisation_id"]').inputValue()).toBe(hostId);
    await society.locator('input[data-picker-filter="region_code"]').fill('湄潭');
    expect(await society.locator('select[name="region_code"]').inputValue()).toBe('520328');
    // The county list is grouped by prefecture; typing a prefecture keeps its counties only.
    await society.locator('input[data-picker-filter="region_code"]').fill('铜仁');
    const visibleCounties = await society
      .locator('select[name="region_code"] option:not([hidden])')
      .allTextContents();
    expect(visibleCounties).toContain('江口县');
    expect(visibleCounties).not.toContain('湄潭县');
    await society.locator('select[name="region_code"]').selectOption('520328');
    await society.locator('input[name="address"]').fill('湄潭县茶城大道 1 号');
    await society.getByLabel('茶叶', { exact: true }).check();
    await society.locator('input[name="term_start"]').fill(`${year}-01-01`);
    await society.locator('input[name="term_end"]').fill(`${Number(year) + 2}-12-31`);
    await society.getByLabel(/王教授/).check();
    await society.getByRole('button', { name: '提交申请' }).click();
    await society.waitForURL(/\/stations\/[0-9a-f-]{36}$/);
    const stationUrl = society.url();
    const stationId = stationUrl.split('/').pop()!;
    await expect(society.getByTestId('station-status').textContent()).resolves.toBe('待东道单位确认');
    const saved = await ctx.db
      .selectFrom('stations')
      .select(['host_organisation_id', 'region_code', 'industry_codes', 'status'])
      .where('id', '=', stationId)
      .executeTakeFirstOrThrow();
    expect(saved).toEqual({
      host_organisation_id: hostId,
      region_code: '520328',
      industry_codes: ['rural-tea'],
      status: 'applied',
    });

    // 王教授 consents; the host confirms; the operator approves from the queue.
    const expert = await signedInPage('expert', errors);
    await expert.goto(stationUrl);
    await expert.getByRole('button', { name: '同意入驻' }).click();
    await expert.waitForURL(stationUrl);

    const host = await signedInPage('host', errors);
    await host.goto(stationUrl);
    await host.locator('select[name="action"]').selectOption({ label: '东道单位确认' });
    await host.getByRole('button', { name: '提交', exact: true }).click();
    await expect(host.getByTestId('station-status').textContent()).resolves.toBe('待科协审批');

    const operator = await signedInPage('operator', errors);
    await operator
      .getByTestId('station-queue')
      .getByRole('link', { name: '贵州省茶叶学会湄潭专家服务站' })
      .click();
    await operator.locator('select[name="action"]').selectOption({ label: '批准设立' });
    await operator.getByRole('button', { name: '提交', exact: true }).click();
    await expect(operator.getByTestId('station-status').textContent()).resolves.toBe('运行中');

    // The society logs two services, picking the expert and the challenge the first one served.
    await society.goto(stationUrl);
    const logService = async (kind: string, title: string, beneficiaries: string, linkChallenge: boolean) => {
      const form = society.locator('#add-record form');
      await form.locator('select[name="kind"]').selectOption({ label: kind });
      await form.locator('input[name="title"]').fill(title);
      await form.locator('input[name="served_on"]').fill(today);
      await form.locator('input[name="beneficiaries"]').fill(beneficiaries);
      await form.getByLabel(/王教授/).check();
      if (linkChallenge)
        await form
          .locator('select[name="challenge_id"]')
          .selectOption({ label: '茶园小绿叶蝉绿色防控（湄潭县）' });
      await form.getByRole('button', { name: '登记' }).click();
      await society.waitForURL(stationUrl);
    };
    await logService('技术培训', '茶园绿色防控现场培训', '40', true);
    await logService('咨询服务', '夏秋茶加工咨询', '12', false);
    const records = await ctx.db
      .selectFrom('service_records')
      .select(['title', 'challenge_id', 'status'])
      .where('station_id', '=', stationId)
      .orderBy('title')
      .execute();
    expect(records).toEqual([
      { title: '夏秋茶加工咨询', challenge_id: null, status: 'submitted' },
      { title: '茶园绿色防控现场培训', challenge_id: challengeId, status: 'submitted' },
    ]);

    // The host confirms both.
    await host.goto(stationUrl);
    for (let i = 0; i < 2; i++) {
      await host.getByTestId('station-records').getByRole('button', { name: '确认' }).first().click();
      await host.waitForURL(stationUrl);
    }
    await expect(host.getByTestId('station-records').textContent()).resolves.not.toContain('待确认');

    // The society's yearly figures, as shown on screen.
    await society.goto(`${http.baseUrl}/evaluation/${year}/societies/${societyId}`);
    await expect(indicator(society, 'stations_active')).resolves.toBe('1');
    await expect(indicator(society, 'records_confirmed')).resolves.toBe('2');
    await expect(indicator(society, 'beneficiaries')).resolves.toBe('52');
    await expect(indicator(society, 'counties_covered')).resolves.toBe('1');
    await expect(indicator(society, 'featured_industries_covered')).resolves.toBe('1');

    // The operator dashboard: 遵义 on the map counts the station; the county × 茶叶 cell is covered.
    await operator.goto(`${http.baseUrl}/admin/dashboard`);
    const zunyi = operator.locator('[data-testid="prefecture-map"] a[data-prefecture="520300"]');
    await expect(zunyi.getAttribute('data-count')).resolves.toBe('1');
    await expect(zunyi.locator('text').nth(1).textContent()).resolves.toContain('运行站点 1');
    await expect(
      operator
        .locator('[data-testid="prefecture-map"] a[data-prefecture="520100"]')
        .getAttribute('data-count'),
    ).resolves.toBe('0');
    const meitan = operator.locator('g[data-county="520328"] rect[data-state="station"]');
    await expect(meitan.count()).resolves.toBe(1);
    await expect(meitan.locator('title').textContent()).resolves.toContain('湄潭县 · 茶叶');

    // The public registry: its map leads to the prefecture's stations.
    await ctx.drainOutbox();
    const visitor = await browser.newPage();
    visitor.on('pageerror', (e) => errors.push(`visitor: ${e.message}`));
    await visitor.goto(`${http.baseUrl}/stations`);
    await visitor.locator('[data-testid="station-map"] a[data-prefecture="520300"]').click();
    await visitor.waitForURL(/\/stations\?prefecture=520300$/);
    await expect(visitor.getByTestId('station-card').locator('h2').allTextContents()).resolves.toEqual([
      '贵州省茶叶学会湄潭专家服务站',
    ]);
    await visitor.getByRole('link', { name: '贵州省茶叶学会湄潭专家服务站' }).click();
    await expect(visitor.getByTestId('station-experts').textContent()).resolves.toContain('王教授');
    await expect(visitor.getByTestId('station-records').textContent()).resolves.toContain(
      '茶园绿色防控现场培训',
    );

    expect(errors).toEqual([]);
  }, 300_000);

  it('the application form works without JavaScript and answers bad picks with field errors', async () => {
    const errors: string[] = [];
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${http.baseUrl}/login?next=${encodeURIComponent('/stations/new')}`);
    await page.locator('input[name="email"]').fill(people.society);
    await page.locator('input[name="password"]').fill(PERSONA_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/stations\/new$/);
    expect(await page.locator('input[data-picker-filter]').count()).toBe(0);
    // Nothing picked: every required picker says so, in Chinese, and nothing is stored.
    await page.locator('input[name="name"]').fill('贵州省茶叶学会安顺工作站');
    await page.getByRole('button', { name: '提交申请' }).click();
    // click() returns once the answer page is committed, not parsed; count() does not wait, so the
    // page must have loaded first.
    await page.waitForLoadState();
    await expect(page.locator('[data-field-error="host_organisation_id"]').count()).resolves.toBe(1);
    await expect(page.locator('[data-field-error="region_code"]').count()).resolves.toBe(1);
    await expect(page.locator('[data-field-error="industry_codes"]').count()).resolves.toBe(1);
    // Picked with the plain select and checkboxes, the application goes through.
    await page.locator('select[name="host_organisation_id"]').selectOption(otherHostId);
    await page.locator('select[name="region_code"]').selectOption({ label: '西秀区' });
    await page.locator('input[name="address"]').fill('西秀区 1 号');
    await page.getByLabel('食用菌', { exact: true }).check();
    await page.getByLabel('蔬菜', { exact: true }).check();
    await page.locator('input[name="term_start"]').fill('2026-01-01');
    await page.locator('input[name="term_end"]').fill('2027-12-31');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.waitForURL(/\/stations\/[0-9a-f-]{36}$/);
    const row = await ctx.db
      .selectFrom('stations')
      .select(['region_code', 'industry_codes'])
      .where('name', '=', '贵州省茶叶学会安顺工作站')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ region_code: '520402', industry_codes: ['rural-mushroom', 'rural-vegetable'] });
    expect(errors).toEqual([]);
  }, 60_000);
});
