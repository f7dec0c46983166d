import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { notifyUsers } from '../../src/modules/notifications/notification.js';
import { UNREAD_BADGE_CAP } from '../../src/modules/notifications/unread-badge.js';
import { formRequest, sameOrigin, signedIn } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** The header's notifications link of a page, or null when the header has none. */
async function headerLink(path: string, cookie?: string): Promise<string | null> {
  const res = await ctx.app.request(`http://localhost${path}`, { headers: cookie ? { Cookie: cookie } : {} });
  expect(res.status).toBe(200);
  const header = /<header class="site">([\s\S]*?)<\/header>/.exec(await res.text())![1]!;
  return (
    /<a href="\/notifications" data-testid="notifications-nav"[^>]*>[\s\S]*?<\/a>/.exec(header)?.[0] ?? null
  );
}

async function notify(userId: string, count: number) {
  for (let i = 0; i < count; i++)
    await notifyUsers(ctx.db, ctx.deps, [userId], { kind: 'test', title: `测试通知 ${i}`, mail: false });
}

describe('unread notifications in the site header', () => {
  test('counts a signed-in user’s unread notifications on every page and clears when read', async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');
    expect(await headerLink('/challenges', wang.cookie)).toBe(
      '<a href="/notifications" data-testid="notifications-nav">通知</a>',
    );

    await notify(wang.user.id, 3);
    for (const page of ['/', '/challenges', '/experts', '/workspace', '/account']) {
      const link = await headerLink(page, wang.cookie);
      expect(link, page).toContain('aria-label="通知（3 条未读）"');
      expect(link, page).toContain('<span class="unread-count">3</span>');
    }

    // A form that fails re-renders its page with the same header.
    const refused = await ctx.app.request('http://localhost/account/profile', {
      ...formRequest({ display_name: '王'.repeat(200) }, wang.cookie),
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('<span class="unread-count">3</span>');

    // Someone else's notifications never show in my header.
    const li = await signedIn(ctx.db, ctx.app, 'enterprise');
    expect(await headerLink('/challenges', li.cookie)).not.toContain('unread-count');

    const read = await ctx.app.request('http://localhost/notifications/read-all', {
      method: 'POST',
      headers: { Cookie: wang.cookie, ...sameOrigin },
    });
    expect(read.status).toBe(303);
    expect(await headerLink('/challenges', wang.cookie)).not.toContain('unread-count');
  });

  test(`shows ${UNREAD_BADGE_CAP}+ past the cap`, async () => {
    const zhao = await signedIn(ctx.db, ctx.app, 'society');
    await notify(zhao.user.id, UNREAD_BADGE_CAP);
    expect(await headerLink('/challenges', zhao.cookie)).toContain(
      `<span class="unread-count">${UNREAD_BADGE_CAP}</span>`,
    );
    await notify(zhao.user.id, 1);
    expect(await headerLink('/challenges', zhao.cookie)).toContain(
      `<span class="unread-count">${UNREAD_BADGE_CAP}+</span>`,
    );
  });

  test('anonymous visitors get no notifications link, and the API answers without it', async () => {
    expect(await headerLink('/challenges')).toBeNull();
    const wang = await signedIn(ctx.db, ctx.app, 'expert');
    await notify(wang.user.id, 2);
    const res = await ctx.app.request('http://localhost/api/v1/me/notifications/unread-count', {
      headers: { Cookie: wang.cookie },
    });
    expect(await res.json()).toEqual({ unread: 2 });
  });
});
