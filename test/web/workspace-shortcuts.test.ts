import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { UserRole } from '../../src/modules/auth/session.js';
import { shortcutsByRole } from '../../src/web/workspace-shortcuts.js';
import { signedIn } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const roles: UserRole[] = ['enterprise', 'expert', 'society', 'operator'];

describe('workspace shortcuts (常用功能)', () => {
  test.each(roles)('the %s workspace lists its pages, and each one opens for that role', async (role) => {
    const { cookie } = await signedIn(ctx.db, ctx.app, role);
    const workspace = await (
      await ctx.app.request('http://localhost/workspace', { headers: { Cookie: cookie } })
    ).text();
    const nav = /<nav class="shortcuts"[^>]*>([\s\S]*?)<\/nav>/.exec(workspace)?.[1] ?? '';
    const hrefs = [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs).toEqual(shortcutsByRole[role].map(([href]) => href));
    for (const href of hrefs) {
      let res = await ctx.app.request(`http://localhost${href}`, { headers: { Cookie: cookie } });
      // A page may send the user on (e.g. to this year's figures); the destination must open too.
      if (res.status === 303 || res.status === 302)
        res = await ctx.app.request(new URL(res.headers.get('location')!, 'http://localhost').toString(), {
          headers: { Cookie: cookie },
        });
      expect(res.status, `${role} → ${href}`).toBe(200);
    }
  });
});
