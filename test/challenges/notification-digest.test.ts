import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDailyDigests } from '../../src/modules/notifications/notification.digest.js';
import { notifyUsers } from '../../src/modules/notifications/notification.js';
import { startOfChinaDay } from '../../src/web/china-time.js';
import { formRequest, signedIn } from '../support/account-factories.js';
import { call } from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * 通知邮件方式: immediate (default), a daily digest, or none. The digest sweep is driven with a test
 * clock (the `now` it is given) and must send one mail per user per day however often it runs.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const mailsTo = (email: string) =>
  ctx.db
    .selectFrom('outbound_emails')
    .select(['kind', 'subject', 'body_text'])
    .where('to_address', '=', email)
    .orderBy('id')
    .execute();

const notify = (userIds: string[], title: string) =>
  ctx.db.transaction().execute((trx) => notifyUsers(trx, ctx.deps, userIds, { kind: 'test.event', title }));

describe('notification e-mail preference', () => {
  it('is immediate by default and can be set over the API; bad values are 422', async () => {
    const wang = await signedIn(ctx.db, ctx.app, 'expert');
    expect(
      (await call(ctx.app, 'GET', '/me/notification-preferences', { cookie: wang.cookie })).body,
    ).toEqual({
      email: 'immediate',
    });
    const put = await call(ctx.app, 'PUT', '/me/notification-preferences', {
      cookie: wang.cookie,
      body: { email: 'daily_digest' },
    });
    expect(put).toMatchObject({ status: 200, body: { email: 'daily_digest' } });
    const row = await ctx.db
      .selectFrom('notification_preferences')
      .select('email_mode')
      .where('user_id', '=', wang.user.id)
      .executeTakeFirstOrThrow();
    expect(row.email_mode).toBe('daily_digest');
    const bad = await call(ctx.app, 'PUT', '/me/notification-preferences', {
      cookie: wang.cookie,
      body: { email: 'weekly' },
    });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await call(ctx.app, 'GET', '/me/notification-preferences')).status).toBe(401);
  });

  it('is a choice on the notifications page', async () => {
    const liu = await signedIn(ctx.db, ctx.app, 'expert');
    const page = await ctx.app.request('http://localhost/notifications', { headers: { Cookie: liu.cookie } });
    const html = await page.text();
    expect(html).toContain('邮件通知方式');
    expect(html).toContain('每日汇总为一封邮件');
    const saved = await ctx.app.request(
      'http://localhost/notifications/preferences',
      formRequest({ email: 'none' }, liu.cookie),
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/notifications?saved=1');
    expect(
      (await call(ctx.app, 'GET', '/me/notification-preferences', { cookie: liu.cookie })).body.email,
    ).toBe('none');
  });

  it('mails immediately, only in the digest, or not at all', async () => {
    const immediate = await signedIn(ctx.db, ctx.app, 'expert');
    const digest = await signedIn(ctx.db, ctx.app, 'expert');
    const none = await signedIn(ctx.db, ctx.app, 'society');
    for (const [persona, email] of [
      [digest, 'daily_digest'],
      [none, 'none'],
    ] as const)
      await call(ctx.app, 'PUT', '/me/notification-preferences', { cookie: persona.cookie, body: { email } });

    await notify([immediate.user.id, digest.user.id, none.user.id], '榜单「茶园病虫害监测」收到新的提问');
    await notify([digest.user.id, none.user.id], '您被邀请揭榜「茶园病虫害监测」');

    expect((await mailsTo(immediate.user.email)).map((m) => m.kind)).toEqual(['test.event']);
    expect(await mailsTo(digest.user.email)).toEqual([]);
    expect(await mailsTo(none.user.email)).toEqual([]);
    // In-app notifications are the same for everyone.
    const inApp = await ctx.db
      .selectFrom('notifications')
      .select('user_id')
      .where('user_id', 'in', [digest.user.id, none.user.id])
      .execute();
    expect(inApp).toHaveLength(4);

    // Today is not over: nothing yet. Tomorrow (China time) the digest goes out, once.
    expect(await sendDailyDigests(ctx.deps, new Date())).toBe(0);
    const tomorrow = new Date(startOfChinaDay(new Date()).getTime() + 86_400_000 + 3_600_000);
    const runs = await Promise.all([
      sendDailyDigests(ctx.deps, tomorrow),
      sendDailyDigests(ctx.deps, tomorrow),
      sendDailyDigests(ctx.deps, tomorrow),
    ]);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await sendDailyDigests(ctx.deps, new Date(tomorrow.getTime() + 3_600_000))).toBe(0);
    const digestMails = await mailsTo(digest.user.email);
    expect(digestMails).toHaveLength(1);
    expect(digestMails[0]).toMatchObject({
      kind: 'notification.digest',
      subject: '【揭榜】您有 2 条新通知（每日汇总）',
    });
    expect(digestMails[0]!.body_text).toContain('榜单「茶园病虫害监测」收到新的提问');
    expect(digestMails[0]!.body_text).toContain('您被邀请揭榜「茶园病虫害监测」');
    expect(await mailsTo(none.user.email)).toEqual([]);
    expect((await mailsTo(immediate.user.email)).map((m) => m.kind)).toEqual(['test.event']);

    // The next day has nothing new: a ledger row, no mail; the old notifications are not repeated.
    const dayAfter = new Date(tomorrow.getTime() + 86_400_000);
    await sendDailyDigests(ctx.deps, dayAfter);
    expect(await mailsTo(digest.user.email)).toHaveLength(1);
    const ledger = await ctx.db
      .selectFrom('notification_digests')
      .select(['notification_count'])
      .where('user_id', '=', digest.user.id)
      .orderBy('digest_date')
      .execute();
    expect(ledger.map((l) => l.notification_count)).toEqual([2, 0]);
  });

  it('does not re-mail what was mailed before the user switched to the digest', async () => {
    const zhao = await signedIn(ctx.db, ctx.app, 'expert');
    await notify([zhao.user.id], '榜单「刺梨汁褐变」已发布');
    expect(await mailsTo(zhao.user.email)).toHaveLength(1);
    // The switch is stamped by the app clock in whole milliseconds, the notification by PostgreSQL's
    // now() in microseconds, and the digest takes notifications from the switch on: a switch in the
    // same millisecond would be stamped before the notification and take it in. A person is never
    // that quick; the test waits for the next millisecond so that it is not either.
    const mailedBy = Date.now();
    while (Date.now() <= mailedBy) await new Promise((resolve) => setTimeout(resolve, 1));
    await call(ctx.app, 'PUT', '/me/notification-preferences', {
      cookie: zhao.cookie,
      body: { email: 'daily_digest' },
    });
    await notify([zhao.user.id], '榜单「刺梨汁褐变」收到新的提问');
    const tomorrow = new Date(startOfChinaDay(new Date()).getTime() + 86_400_000 + 60_000);
    await sendDailyDigests(ctx.deps, tomorrow);
    const mails = await mailsTo(zhao.user.email);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toBe('【揭榜】您有 1 条新通知（每日汇总）');
    expect(mails[1]!.body_text).not.toContain('已发布');
  });
});
