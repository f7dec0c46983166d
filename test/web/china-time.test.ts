import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chinaDate, chinaDateTime } from '../../src/web/china-time.js';
import { signedIn } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('dates and times in China Standard Time', () => {
  test('UTC instants read as Beijing time, across midnight', () => {
    expect(chinaDateTime(new Date('2026-12-03T10:30:00Z'))).toBe('2026-12-03 18:30');
    expect(chinaDateTime('2026-12-03T17:05:00Z')).toBe('2026-12-04 01:05');
    expect(chinaDate('2026-12-03T16:00:00Z')).toBe('2026-12-04');
    // A deadline given as a date is stored as its last second in China, and reads as that date.
    expect(chinaDate('2027-01-22T15:59:59Z')).toBe('2027-01-22');
  });

  test('the notifications page shows when a notification came in Beijing time', async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');
    await ctx.db
      .insertInto('notifications')
      .values({
        user_id: wang.user.id,
        kind: 'test',
        title: '深夜到达的通知',
        body: '',
        created_at: new Date('2026-12-03T17:05:00Z'),
      })
      .execute();
    const html = await (
      await ctx.app.request('http://localhost/notifications', { headers: { Cookie: wang.cookie } })
    ).text();
    expect(html).toContain('深夜到达的通知');
    expect(html).toContain('<small>2026-12-04 01:05</small>');
  });
});
