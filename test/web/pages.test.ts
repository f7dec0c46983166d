import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let chilli: { id: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const org = await newEnterprise(ctx.db, { name: '遵义红椒源食品有限公司' });
  chilli = await newChallenge(ctx.db, {
    enterpriseId: org.id,
    title: '辣椒热风干燥后色泽发暗问题攻关',
    industry_code: 'rural-chilli',
  });
  await newChallenge(ctx.db, { enterpriseId: org.id, title: '茶园病虫害绿色防控' });
  await ctx.drainOutbox();
});
afterAll(() => ctx.close());

describe('server-rendered pages in Chinese', () => {
  it('home names the platform, offers search and lists published challenges', async () => {
    const res = await ctx.app.request('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html><html lang="zh-CN">')).toBe(true); // standards mode, not quirks
    expect(html).toContain('揭榜 · Jiebang');
    expect(html).toContain('name="q"');
    expect(html).toContain('辣椒热风干燥后色泽发暗问题攻关');
  });

  it('the search page finds, highlights and offers facets', async () => {
    const html = await (await ctx.app.request(`/challenges?q=${encodeURIComponent('辣椒烘干')}`)).text();
    expect(html).toContain('共 1 个榜单');
    expect(html).toContain('<mark>');
    expect(html).toContain('data-facet="industry"');
    expect(html).toContain('?q=%E8%BE%A3%E6%A4%92%E7%83%98%E5%B9%B2&amp;industry=rural-chilli');
  });

  it('an empty result says so in Chinese', async () => {
    const html = await (await ctx.app.request(`/challenges?q=${encodeURIComponent('量子计算芯片')}`)).text();
    expect(html).toContain('没有找到符合条件的榜单');
  });

  it('the challenge page shows its facts and history; unknown or malformed ids get a Chinese 404', async () => {
    const html = await (await ctx.app.request(`/challenges/${chilli.id}`)).text();
    expect(html).toContain('需解决的主要技术难题');
    expect(html).toContain('遵义红椒源食品有限公司');
    expect(html).toContain('揭榜中');
    const missing = await ctx.app.request('/challenges/not-a-uuid');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('榜单不存在或尚未公开');
  });

  it('sends security headers on every page', async () => {
    const res = await ctx.app.request('/');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });
});
