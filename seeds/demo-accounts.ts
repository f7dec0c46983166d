import { sql } from 'kysely';
import type { Database } from '../src/db/database.js';
import { hashPassword } from '../src/modules/auth/password.js';

/**
 * One demo account per role, for trying the platform in development only (never seeded when
 * NODE_ENV=production; src/server.ts decides). The enterprise and society accounts administer
 * demo organisations. Credentials are printed at start and listed in README.
 */
export const DEMO_PASSWORD = 'jiebang-demo-2026';
export const demoAccounts = [
  {
    email: 'enterprise@demo.jiebang.cn',
    display_name: '黔茶科技 张经理',
    role: 'enterprise',
    org: 'org-qiancha',
  },
  { email: 'expert@demo.jiebang.cn', display_name: '王教授', role: 'expert', org: null },
  {
    email: 'society@demo.jiebang.cn',
    display_name: '学会 李秘书长',
    role: 'society',
    org: 'org-soc-shannong',
  },
  { email: 'operator@demo.jiebang.cn', display_name: '科协管理员 陈老师', role: 'operator', org: null },
] as const;

/** Idempotent: existing demo accounts are left alone. Returns the accounts for the start log. */
export async function seedDemoAccounts(db: Database) {
  const hash = await hashPassword(DEMO_PASSWORD);
  for (const account of demoAccounts) {
    await db.transaction().execute(async (trx) => {
      const user = await trx
        .insertInto('users')
        .values({
          email: account.email,
          display_name: account.display_name,
          role: account.role,
          password_hash: hash,
        })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!user) return;
      if (account.role === 'expert') {
        await trx
          .insertInto('expert_profiles')
          .values({
            user_id: user.id,
            name: '王教授',
            title: '教授',
            affiliation: '贵州大学茶学院',
            fields: ['茶叶加工', '茶树栽培'],
          })
          .execute();
      }
      if (account.org) {
        const org = await trx
          .selectFrom('organisations')
          .select('id')
          .where('external_key', '=', account.org)
          .executeTakeFirst();
        if (org)
          await trx
            .insertInto('organisation_members')
            .values({ organisation_id: org.id, user_id: user.id, role: 'admin' })
            .execute();
      }
    });
  }
  return demoAccounts.map((a) => ({ email: a.email, role: a.role, password: DEMO_PASSWORD }));
}
