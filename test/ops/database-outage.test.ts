import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyReferenceData } from '../../seeds/reference-data.js';
import type { Database } from '../../src/db/database.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/node/embedded-postgres.js';
import { freePort } from '../../src/node/free-port.js';
import { migrateToLatest } from '../../src/node/migrate.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/** A pool whose idle clients may be cut by the outage without an unhandled error. */
function quietPool(url: string) {
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => {});
  return pool;
}

// This file runs its own PostgreSQL so that stopping it disturbs no other test file.
let postgres: EmbeddedPostgres;
let ctx: TestContext;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-outage-'));
  postgres = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'data'),
    port: await freePort(),
    ephemeral: true,
  });
  const setup = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: quietPool(postgres.url) }),
  });
  await migrateToLatest(setup);
  await applyReferenceData(setup as unknown as Database);
  await setup.destroy();
  ctx = await createTestContext({ databaseUrl: postgres.url });
  const org = await newEnterprise(ctx.db);
  await newChallenge(ctx.db, { enterpriseId: org.id });
}, 60_000);
afterAll(async () => {
  await ctx.close();
  await postgres.stop();
});

describe('PostgreSQL dropping out', () => {
  it('turns /readyz to 503 with Retry-After and API requests to fast 503s, without crashing; all recover when it is back', async () => {
    expect((await ctx.app.request('/readyz')).status).toBe(200);
    expect((await ctx.app.request('/api/v1/challenges')).status).toBe(200);

    await postgres.pause();
    const ready = await ctx.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(await ready.json()).toMatchObject({
      status: 'not_ready',
      checks: { database: { ok: false }, search: { ok: true } },
    });

    const started = performance.now();
    const api = await ctx.app.request('/api/v1/challenges');
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('5');
    expect(await api.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    // Fails fast: well under the 2 s connect timeout plus margin (not a benchmark; a hang guard).
    expect(performance.now() - started).toBeLessThan(5000);
    const page = await ctx.app.request('/');
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('数据库暂时不可用');

    await postgres.resume();
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await ctx.app.request('/api/v1/challenges')).status;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(recovered).toBe(200);
    expect((await ctx.app.request('/readyz')).status).toBe(200);
  }, 60_000);
});
