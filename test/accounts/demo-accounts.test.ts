import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEMO_PASSWORD, seedDemoAccounts } from '../../seeds/demo-accounts.js';
import { logInAs } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

test('demo seeding creates one account per role, once, and each can log in', async () => {
  await seedDemoAccounts(ctx.db);
  await seedDemoAccounts(ctx.db);
  const users = await ctx.db
    .selectFrom('users')
    .select(['email', 'role'])
    .where('email', 'like', '%@demo.jiebang.cn')
    .execute();
  expect(users.map((u) => u.role).sort()).toEqual(['enterprise', 'expert', 'operator', 'society']);
  for (const user of users) await logInAs(ctx.app, user.email, DEMO_PASSWORD);
});
