import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERSONA_PASSWORD } from '../support/account-factories.js';
import { hasChromium, launchBrowser, serveOverHttp } from '../support/browser.js';
import { call, challengeInput, type FlowWorld, newFlowWorld } from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';
import { appWithStorage, files, sha256Hex } from './support.js';

/**
 * 黔茶科技 attaches a PDF to its draft in a real browser; once the operator has published the
 * challenge, an anonymous visitor downloads the same bytes under the same Chinese file name.
 */
let ctx: TestContext;
let env: Awaited<ReturnType<typeof appWithStorage>>;
let world: FlowWorld;
let browser: Browser;
let http: Awaited<ReturnType<typeof serveOverHttp>>;
let dir: string;

beforeAll(async () => {
  if (!hasChromium && process.env.CI) throw new Error('chromium is missing: .ci/run installs it with apt');
  ctx = await createTestContext();
  env = await appWithStorage(ctx);
  world = await newFlowWorld(ctx.db, env.app);
  dir = mkdtempSync(path.join(tmpdir(), 'jiebang-attach-browser-'));
  http = await serveOverHttp({ ...ctx, app: env.app });
  if (hasChromium) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await env?.close();
  await ctx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium && !process.env.CI)('attachments in a browser', () => {
  it('uploads a PDF on a draft and downloads it from the published page', async () => {
    const created = await call(env.app, 'POST', '/challenges', {
      cookie: world.enterprise.cookie,
      body: challengeInput(),
    });
    const id: string = created.body.id;
    const file = path.join(dir, '线椒烘干需求说明书.pdf');
    writeFileSync(file, files.pdf());

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${http.baseUrl}/workspace/challenges/${id}/edit`);
    await page.waitForURL(/\/login\?next=/);
    await page.locator('input[name="email"]').fill(world.enterprise.user.email);
    await page.locator('input[name="password"]').fill(PERSONA_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(new RegExp(`/workspace/challenges/${id}/edit$`));

    await page.locator('section.attachments input[name="file"]').setInputFiles(file);
    await page.getByRole('button', { name: '上传附件' }).click();
    await page.waitForURL(new RegExp(`/workspace/challenges/${id}/edit$`));
    await expect(page.locator('section.attachments li a').textContent()).resolves.toBe(
      '线椒烘干需求说明书.pdf',
    );

    expect(
      (await call(env.app, 'POST', `/challenges/${id}/submit`, { cookie: world.enterprise.cookie })).status,
    ).toBe(200);
    expect(
      (
        await call(env.app, 'POST', `/challenges/${id}/review`, {
          cookie: world.operator.cookie,
          body: { decision: 'publish' },
        })
      ).status,
    ).toBe(200);

    const visitor = await browser.newContext({ acceptDownloads: true });
    const publicPage = await visitor.newPage();
    await publicPage.goto(`${http.baseUrl}/challenges/${id}`);
    const [download] = await Promise.all([
      publicPage.waitForEvent('download'),
      publicPage.getByRole('link', { name: '线椒烘干需求说明书.pdf' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('线椒烘干需求说明书.pdf');
    const saved = path.join(dir, 'downloaded.pdf');
    await download.saveAs(saved);
    expect(await sha256Hex(readFileSync(saved))).toBe(await sha256Hex(files.pdf()));
    expect(errors).toEqual([]);
    await visitor.close();
  });
});
