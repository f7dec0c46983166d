import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisationFor, newUser, PERSONA_PASSWORD } from '../support/account-factories.js';
import { hasChromium, launchBrowser, serveOverHttp } from '../support/browser.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * Issue 5's "done when", scaled to 50 rows: a society operator uploads a spreadsheet with bad rows,
 * reads the per-row Chinese report, fixes the file, re-imports (twice: the second run updates, never
 * duplicates) and finds every expert on /experts.
 */
let ctx: TestContext;
let browser: Browser;
let http: Awaited<ReturnType<typeof serveOverHttp>>;
let dir: string;
let email: string;

const ROWS = 50;
const titles = ['教授', '研究员', '高级工程师', '副教授'];
const regions = ['520100', '520300', '520500', '522600'];

/** The experts sheet as Excel writes it; `broken` rows carry the mistakes people make. */
async function expertWorkbook(file: string, broken: boolean) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('专家');
  sheet.addRow(['编号', '姓名', '职称', '工作单位', '地区', '研究领域', '联系电话']);
  for (let i = 1; i <= ROWS; i++) {
    const row = [
      `GZ-EXP-${String(i).padStart(3, '0')}`,
      `茶专家${i}号`,
      titles[i % titles.length],
      '贵州大学茶学院',
      regions[i % regions.length],
      '茶树栽培、茶叶加工',
      '',
    ];
    if (broken && i === 5) row[1] = ''; // 第6行「姓名」: 必填
    if (broken && i === 11) row[2] = '教授'.repeat(20); // 第12行「职称」: 超过 30 字
    if (broken && i === 30) row[4] = '火星'; // 第31行「地区」
    if (broken && i === 40) row[6] = '打电话给我'; // 第41行「联系电话」
    sheet.addRow(row);
  }
  writeFileSync(file, Buffer.from(await workbook.xlsx.writeBuffer()));
}

beforeAll(async () => {
  if (!hasChromium && process.env.CI) throw new Error('chromium is missing: .ci/run installs it with apt');
  ctx = await createTestContext();
  const user = await newUser(ctx.db, 'society');
  email = user.email;
  await newOrganisationFor(ctx.db, user.id, {
    kind: 'society',
    name: '贵州省茶叶学会',
    verification_status: 'verified',
  });
  dir = mkdtempSync(path.join(tmpdir(), 'jiebang-import-'));
  await expertWorkbook(path.join(dir, '专家名单.xlsx'), true);
  await expertWorkbook(path.join(dir, '专家名单-已修改.xlsx'), false);
  http = await serveOverHttp(ctx);
  if (hasChromium) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await ctx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium && !process.env.CI)('a society operator in a browser', () => {
  it('imports a spreadsheet, fixes the bad rows from the report, re-imports and finds every expert once', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${http.baseUrl}/imports`);
    await page.waitForURL(/\/login\?next=/);
    await page.locator('input[name="email"]').fill(email);
    await page.locator('input[name="password"]').fill(PERSONA_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/imports$/);

    // 1. The first file has four bad rows: nothing is imported, every problem is named by row and column.
    await page.locator('input[name="file"]').setInputFiles(path.join(dir, '专家名单.xlsx'));
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.waitForURL(/\/imports\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId('import-result').getAttribute('data-status')).resolves.toBe('rejected');
    const report = await page.getByTestId('import-errors').textContent();
    expect(report).toContain('第6行「姓名」: 必填');
    expect(report).toContain('第12行「职称」: 超过 30 字');
    expect(report).toContain('第31行「地区」');
    expect(report).toContain('第41行「联系电话」: 电话格式不正确');
    expect(await page.getByTestId('import-errors').locator('li').count()).toBe(4);
    const none = await ctx.db
      .selectFrom('expert_profiles')
      .select('id')
      .where('external_key', 'like', 'GZ-EXP-%')
      .execute();
    expect(none).toHaveLength(0);

    // 2. The fixed file, uploaded from the report page: all 50 created.
    await page.locator('input[name="file"]').setInputFiles(path.join(dir, '专家名单-已修改.xlsx'));
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.waitForURL(/\/imports\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId('import-result').getAttribute('data-status')).resolves.toBe('applied');
    await expect(page.locator('[data-entity="experts"] [data-count="created"]').textContent()).resolves.toBe(
      String(ROWS),
    );

    // 3. The same file again: updates by 编号, no duplicates.
    await page.locator('input[name="file"]').setInputFiles(path.join(dir, '专家名单-已修改.xlsx'));
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.waitForURL(/\/imports\/runs\/[0-9a-f-]{36}$/);
    await expect(page.locator('[data-entity="experts"] [data-count="updated"]').textContent()).resolves.toBe(
      String(ROWS),
    );
    const rows = await ctx.db
      .selectFrom('expert_profiles')
      .select('external_key')
      .where('external_key', 'like', 'GZ-EXP-%')
      .execute();
    expect(new Set(rows.map((r) => r.external_key)).size).toBe(ROWS);
    expect(rows).toHaveLength(ROWS);

    // 4. Searchable on /experts once the outbox has run (the server's worker does this every poll).
    await ctx.drainOutbox();
    await page.getByRole('link', { name: '专家', exact: true }).click();
    await page.waitForURL(/\/experts$/);
    await expect(page.getByTestId('result-count').textContent()).resolves.toContain(`共 ${ROWS} 位专家`);
    await page.getByRole('searchbox').fill('茶专家17号');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.waitForURL(/\/experts\?q=/);
    await page.getByRole('link', { name: '茶专家17号', exact: true }).click();
    await page.waitForURL(/\/experts\/[0-9a-f-]{36}$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('茶专家17号');
    // Each expert is in the index exactly once: the 职称 facet 教授 holds rows 4, 8, … 48, one card each.
    await page.goto(`${http.baseUrl}/experts?title=${encodeURIComponent('教授')}&per_page=100`);
    const names = await page.getByTestId('expert-card').locator('h2').allInnerTexts();
    expect(names).toHaveLength(Math.floor(ROWS / 4));
    expect(new Set(names).size).toBe(names.length);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
