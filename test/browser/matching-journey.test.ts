import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../../src/modules/imports/import.read.js';
import { importDataset } from '../../src/modules/imports/import.usecases.js';
import { dispatchChallengeAlerts } from '../../src/modules/matching/alerts.js';
import { newOrganisationFor, newUser, PERSONA_PASSWORD } from '../support/account-factories.js';
import { hasChromium, launchBrowser, serveOverHttp } from '../support/browser.js';
import { newChallenge } from '../support/factories.js';
import { teaDataset } from '../support/supply-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let browser: Browser;
let http: Awaited<ReturnType<typeof serveOverHttp>>;
let enterpriseEmail: string;
let challengeId: string;
let liProfileId: string;
let liEmail: string;
let enterpriseId: string;

beforeAll(async () => {
  if (!hasChromium && process.env.CI) throw new Error('chromium is missing: .ci/run installs it with apt');
  ctx = await createTestContext({ matching: true });
  const imported = await importDataset(
    ctx.db,
    readJson(new TextEncoder().encode(JSON.stringify(teaDataset()))),
    { fileName: 'tea.json', format: 'json', actor: { userId: null, label: '测试' } },
  );
  if (!imported.ok) throw new Error(imported.messages.join('\n'));
  // 李研究员 has an account, so the enterprise can invite him on the platform.
  const li = await newUser(ctx.db, 'expert', { display_name: '李研究员' });
  liEmail = li.email;
  liProfileId = (
    await ctx.db
      .updateTable('expert_profiles')
      .set({ user_id: li.id })
      .where('external_key', '=', 'EXP-LI')
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  // 黔椒食品's manager, as a demo account would be.
  const manager = await newUser(ctx.db, 'enterprise', { display_name: '黔椒食品 周经理' });
  enterpriseEmail = manager.email;
  const org = await newOrganisationFor(ctx.db, manager.id, {
    name: '遵义黔椒食品有限公司',
    verification_status: 'verified',
  });
  enterpriseId = org.id;
  challengeId = (
    await newChallenge(ctx.db, {
      enterpriseId: org.id,
      title: '辣椒烘干后颜色发暗，想找专家改进烘干工艺',
      problem: '合作社烘房烘出的干辣椒颜色发暗、色价低，客商压价。',
      industry_code: 'rural-chilli',
      region_code: '520302',
    })
  ).id;
  await ctx.drainOutbox();
  http = await serveOverHttp(ctx);
  if (hasChromium) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await ctx?.close();
});

describe.skipIf(!hasChromium && !process.env.CI)('an enterprise in a browser', () => {
  it('sees explained recommendations on its challenge and invites the top expert in one click', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // A visitor sees the explained recommendations, but no invite button.
    await page.goto(`${http.baseUrl}/challenges/${challengeId}`);
    const experts = page.getByTestId('recommended-expert');
    await expect(experts.first().locator('a').first().textContent()).resolves.toBe('李研究员');
    await expect(experts.first().locator('.score').textContent()).resolves.toMatch(/匹配度 \d+/);
    const reasons = await experts.first().locator('.reasons li').allTextContents();
    expect(reasons.join(' ')).toMatch(/匹配：.*(干燥|烘干|辣椒)/);
    expect(reasons).toContain('同在遵义市');
    await expect(page.getByTestId('recommended-societies').textContent()).resolves.toContain(
      '贵州省食品科学技术学会',
    );
    expect(await page.getByRole('button', { name: /邀请揭榜/ }).count()).toBe(0);

    // The enterprise logs in and comes back to its challenge.
    await page.goto(`${http.baseUrl}/login?next=${encodeURIComponent(`/challenges/${challengeId}`)}`);
    await page.locator('input[name="email"]').fill(enterpriseEmail);
    await page.locator('input[name="password"]').fill(PERSONA_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(new RegExp(`/challenges/${challengeId}$`));

    await page.getByRole('button', { name: '邀请揭榜：李研究员' }).click();
    await page.waitForURL(new RegExp(`/workspace/challenges/${challengeId}$`));
    const invitations = await ctx.db
      .selectFrom('challenge_invitations')
      .select(['expert_profile_id', 'status'])
      .where('challenge_id', '=', challengeId)
      .execute();
    expect(invitations).toEqual([{ expert_profile_id: liProfileId, status: 'pending' }]);

    await page.goto(`${http.baseUrl}/challenges/${challengeId}`);
    await expect(experts.first().getByTestId('invited').textContent()).resolves.toBe('已邀请');
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!hasChromium && !process.env.CI)('an expert in a browser', () => {
  it('saves a challenge search as an alert and is notified when a matching challenge is published', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${http.baseUrl}/login?next=${encodeURIComponent('/challenges?q=辣椒')}`);
    await page.locator('input[name="email"]').fill(liEmail);
    await page.locator('input[name="password"]').fill(PERSONA_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/challenges\?q=/);

    await page.getByRole('button', { name: '保存为提醒' }).click();
    await page.waitForURL(/\/me\/alerts$/);
    await expect(page.getByTestId('saved-search').first().textContent()).resolves.toContain('关键词「辣椒」');

    // An enterprise publishes a new chili challenge; the server's dispatcher runs a round.
    const fresh = await newChallenge(ctx.db, {
      enterpriseId,
      title: '线椒烘干后发褐，求护色工艺',
      problem: '辣椒烘干后发褐，色价低。',
      industry_code: 'rural-chilli',
    });
    await ctx.drainOutbox();
    await dispatchChallengeAlerts(ctx.deps, new Date());

    await page.goto(`${http.baseUrl}/notifications`);
    const alert = page.getByRole('link', { name: /新榜单符合你的提醒：线椒烘干后发褐/ });
    await expect(alert.getAttribute('href')).resolves.toBe(`/challenges/${fresh.id}`);
    expect(errors).toEqual([]);
  });
});
