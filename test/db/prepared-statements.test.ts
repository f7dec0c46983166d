import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared, preparingPool } from '../../src/db/prepared-statements.js';
import type { DB } from '../../src/db/schema.js';
import { listPublicChallengesCounted } from '../../src/modules/challenges/challenge.queries.js';
import { loadReferenceData } from '../../src/modules/reference/reference.queries.js';
import { insertPublishedChallenges, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * Named prepared statements (src/db/prepared-statements.ts): only marked queries are prepared on the
 * server, the number of names is bounded, and the public listing's generic plan (the one PostgreSQL
 * may settle on after five runs) still knows its page is small instead of assuming a tenth of the table.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  const qiancha = await newEnterprise(ctx.db, { name: '贵州黔茶科技有限公司' });
  await insertPublishedChallenges(ctx.db, {
    enterpriseId: qiancha.id,
    count: 5000,
    title: '茶叶加工废水处理',
  });
});
afterAll(() => ctx.close());

/** A one-connection Kysely over the preparing pool, so the session's prepared statements can be read. */
function singleConnection(maxNames?: number) {
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool(pool, maxNames) }) });
  const preparedOnServer = async () =>
    (await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(db)).rows.map(
      (r) => r.name,
    );
  return { db, preparedOnServer };
}

describe('named prepared statements', () => {
  it('prepares marked queries once per connection under a stable name, and nothing else', async () => {
    const { db, preparedOnServer } = singleConnection();
    try {
      const marked = () =>
        prepared(db.selectFrom('industries').select('name').where('code', '=', 'rural-tea'));
      expect((await marked().execute())[0]?.name).toBe('茶叶');
      expect((await marked().execute())[0]?.name).toBe('茶叶');
      await db.selectFrom('industries').select('name').where('code', '=', 'rural-tea').execute();
      expect(await preparedOnServer()).toEqual(['jiebang_1']);
    } finally {
      await db.destroy();
    }
  });

  it('runs marked queries unnamed once the name budget is spent', async () => {
    const { db, preparedOnServer } = singleConnection(1);
    try {
      await prepared(db.selectFrom('industries').select('code').limit(1)).execute();
      const second = await prepared(
        db.selectFrom('regions').select('code').where('code', '=', '520000'),
      ).execute();
      expect(second).toEqual([{ code: '520000' }]);
      expect(await preparedOnServer()).toEqual(['jiebang_1']);
    } finally {
      await db.destroy();
    }
  });

  it('plans the public listing for a 20-row page even under its generic plan', async () => {
    const { db } = singleConnection();
    try {
      // Force what PostgreSQL may choose on its own after five executions.
      const reference = await loadReferenceData(ctx.db);
      await db.connection().execute(async (conn) => {
        await sql`set plan_cache_mode = force_generic_plan`.execute(conn);
        const tea = { industry: 'rural-tea' };
        for (let i = 0; i < 3; i++) {
          const page = await listPublicChallengesCounted(
            conn,
            tea,
            { offset: 20, limit: 20 },
            200,
            reference,
          );
          expect(page.rows).toHaveLength(20);
          expect(page).toMatchObject({ total: 220, exact: false });
        }
        // The industry is a parameter (of the page and of the count window); sizes and offsets are not.
        // A deep page is not worth a name of its own (its offset is part of the text).
        await listPublicChallengesCounted(conn, tea, { offset: 2000, limit: 20 }, 200, reference);
        const statements = (
          await sql<{ name: string; generic_plans: number }>`
            select name, generic_plans from pg_prepared_statements`.execute(conn)
        ).rows;
        expect(statements).toEqual([{ name: 'jiebang_1', generic_plans: 3 }]);
        const plan = (
          await sql<{ 'QUERY PLAN': string }>`explain execute jiebang_1('rural-tea', 'rural-tea')`.execute(
            conn,
          )
        ).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        // The page is known to be 20 rows and the count window 201: with parameters for them, a generic
        // plan assumes a tenth of the table (500 rows here; 10,000 at 100,000) and hash-joins the lot.
        expect(plan).toContain('challenges_public_listing_idx');
        const limits = [...plan.matchAll(/Limit\s+\(cost=[\d.]+ rows=(\d+) /g)].map((m) => Number(m[1]));
        expect(limits.sort((a, b) => a - b)).toEqual([20, 201]);
      });
    } finally {
      await db.destroy();
    }
  });
});
