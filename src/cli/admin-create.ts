/**
 * `npm run admin:create -- --email chen@gzast.example --name 陈老师` creates the first operator
 * (科协管理员). The password is read from ADMIN_PASSWORD or generated and printed once.
 */
import { parseArgs } from 'node:util';
import { recordAudit } from '../modules/audit/audit.js';
import { hashPassword, passwordProblem } from '../modules/auth/password.js';
import { randomString } from '../modules/auth/secret-token.js';
import { runCli } from './cli-runtime.js';

const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } } });

await runCli('admin:create', async (runtime) => {
  if (!values.email) throw new Error('usage: npm run admin:create -- --email ADDRESS [--name 姓名]');
  const generated = !process.env.ADMIN_PASSWORD;
  const password = process.env.ADMIN_PASSWORD ?? `jb-${randomString(12)}`;
  const problem = passwordProblem(password, { email: values.email });
  if (problem) throw new Error(`ADMIN_PASSWORD: ${problem}`);
  const hash = await hashPassword(password);
  await runtime.db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('users')
      .values({
        email: values.email!,
        display_name: values.name ?? '科协管理员',
        role: 'operator',
        password_hash: hash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      { userId: null, role: 'cli', ip: null },
      {
        action: 'user.operator_created',
        targetType: 'user',
        targetId: user.id,
        after: { email: values.email, role: 'operator' },
      },
    );
  });
  console.log(`operator created: ${values.email}`);
  if (generated) console.log(`password (shown once): ${password}`);
});
