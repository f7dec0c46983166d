import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, serveOverHttp } from '../support/browser.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let browser: Browser;
let http: Awaited<ReturnType<typeof serveOverHttp>>;

beforeAll(async () => {
  if (!hasChromium && process.env.CI) throw new Error('chromium is missing: .ci/run installs it with apt');
  ctx = await createTestContext();
  const org = await newEnterprise(ctx.db, { name: '遵义红椒源食品有限公司', region_code: '520304' });
  await newChallenge(ctx.db, {
    enterpriseId: org.id,
    title: '朝天椒热泵干燥过程色泽保持工艺研发',
    problem: '辣椒在干燥过程中红色素降解、褐变。',
    industry_code: 'rural-chilli',
    region_code: '520304',
  });
  await newChallenge(ctx.db, { enterpriseId: org.id, title: '茶园病虫害绿色防控技术攻关' });
  await ctx.drainOutbox();
  http = await serveOverHttp(ctx);
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await ctx?.close();
});

describe.skipIf(!hasChromium && !process.env.CI)('a visitor in a browser', () => {
  it('opens the home page, searches in Chinese, narrows by a facet and reads a challenge', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await page.goto(`${http.baseUrl}/`);
    await expect(page.title()).resolves.toContain('揭榜 · Jiebang');
    expect(await page.getByTestId('challenge-card').count()).toBe(2);

    await page.getByRole('searchbox').fill('辣椒烘干');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.waitForURL(/\/challenges\?q=/);
    await expect(page.getByTestId('result-count').textContent()).resolves.toContain('共 1 个榜单');
    expect(await page.locator('mark').count()).toBeGreaterThan(0);

    await page.locator('[data-facet="industry"] a', { hasText: '辣椒' }).click();
    await page.waitForURL(/industry=rural-chilli/);
    await page.getByRole('link', { name: /朝天椒热泵/ }).click();
    await page.waitForURL(/\/challenges\/[0-9a-f-]{36}$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('朝天椒热泵干燥过程色泽保持工艺研发');
    await expect(page.getByText('需解决的主要技术难题').count()).resolves.toBe(1);
    // The stylesheet loaded under the CSP (the header is brand red, not unstyled).
    const headerColour = await page
      .locator('header.site')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(headerColour).toBe('rgb(180, 35, 42)');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
