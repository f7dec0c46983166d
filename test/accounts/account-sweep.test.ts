import { afterAll, beforeAll, expect, test } from 'vitest';
import { sweepAccounts } from '../../src/modules/auth/account.sweep.js';
import { newSecretToken } from '../../src/modules/auth/secret-token.js';
import { createSession } from '../../src/modules/auth/session.js';
import { newUser } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const day = 86_400_000;
const meta = { ip: '10.0.0.1', userAgent: 'test' };

async function resetToken(userId: string, expiresAt: Date) {
  const token = newSecretToken();
  await ctx.db
    .insertInto('password_reset_tokens')
    .values({
      id: token.id,
      user_id: userId,
      secret_hash: Buffer.from(token.secretHash),
      expires_at: expiresAt,
    })
    .execute();
  return token.id;
}

test('the sweep purges ended rate-limit windows, expired sessions and reset links, and keeps live ones', async () => {
  const now = new Date();
  const wang = await newUser(ctx.db, 'expert');
  const live = await createSession(ctx.db, wang.id, new Date(now.getTime() - 2 * day), meta);
  const idle = await createSession(ctx.db, wang.id, new Date(now.getTime() - 15 * day), meta);
  // Active every hour but created 91 days ago: past the absolute lifetime.
  const old = await createSession(ctx.db, wang.id, new Date(now.getTime() - 91 * day), meta);
  await ctx.db
    .updateTable('sessions')
    .set({ last_verified_at: now })
    .where('id', '=', old.session.id)
    .execute();
  const liveReset = await resetToken(wang.id, new Date(now.getTime() + 3_600_000));
  const deadReset = await resetToken(wang.id, new Date(now.getTime() - 1000));
  await ctx.db
    .insertInto('rate_limits')
    .values([
      { bucket: 'login:ip:10.0.0.1', window_start: new Date(now.getTime() - 2 * day), hits: 5 },
      { bucket: 'login:ip:10.0.0.1', window_start: new Date(now.getTime() - 600_000), hits: 3 },
    ])
    .execute();

  const counts = await sweepAccounts(ctx.db, now);

  expect(counts).toEqual({ rateLimits: 1, sessions: 2, resetTokens: 1 });
  const sessions = await ctx.db.selectFrom('sessions').select('id').where('user_id', '=', wang.id).execute();
  expect(sessions.map((s) => s.id)).toEqual([live.session.id]);
  expect(sessions.map((s) => s.id)).not.toContain(idle.session.id);
  const resets = await ctx.db
    .selectFrom('password_reset_tokens')
    .select('id')
    .where('user_id', '=', wang.id)
    .execute();
  expect(resets.map((r) => r.id)).toEqual([liveReset]);
  expect(resets.map((r) => r.id)).not.toContain(deadReset);
  const windows = await ctx.db.selectFrom('rate_limits').select('hits').execute();
  expect(windows.map((w) => w.hits)).toEqual([3]);
});

test('a second sweep finds nothing to do (idempotent)', async () => {
  await sweepAccounts(ctx.db, new Date());
  expect(await sweepAccounts(ctx.db, new Date())).toEqual({ rateLimits: 0, sessions: 0, resetTokens: 0 });
});
