import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedMeilisearch, startEmbeddedMeilisearch } from '../../src/node/embedded-meilisearch.js';
import { freePort } from '../../src/node/free-port.js';
import { drainOutboxOnce, outboxBacklog } from '../../src/search/outbox.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

// Its own Meilisearch, so stopping it disturbs no other test file.
let meili: EmbeddedMeilisearch;
let ctx: TestContext;

beforeAll(async () => {
  meili = await startEmbeddedMeilisearch({
    dataDir: await mkdtemp(path.join(tmpdir(), 'jiebang-meili-')),
    port: await freePort(),
    ephemeral: true,
  });
  ctx = await createTestContext({ meiliUrl: meili.url, meiliMasterKey: meili.masterKey });
}, 60_000);
afterAll(async () => {
  await ctx.close();
  await meili.stop();
});

describe('a search outage delays search and loses nothing', () => {
  it('keeps every change in the outbox while Meilisearch is down, then indexes each exactly once', async () => {
    const org = await newEnterprise(ctx.db);
    await meili.pause();

    const created = [];
    for (let i = 0; i < 12; i++)
      created.push(
        await newChallenge(ctx.db, { enterpriseId: org.id, title: `停机期间发布的榜单 第${i + 1}号` }),
      );
    // Writes succeed while search is down; pushes fail and are kept with a retry time.
    expect(await drainOutboxOnce(ctx.outboxDeps)).toBe(0);
    const pending = await ctx.db
      .selectFrom('search_outbox')
      .select(['attempts', 'last_error', 'available_at'])
      .execute();
    expect(pending.length).toBeGreaterThanOrEqual(12);
    expect(pending.every((row) => row.attempts === 1 && row.last_error)).toBe(true);
    expect((await ctx.app.request('/readyz')).status).toBe(503);
    const searchDuringOutage = await ctx.app.request('/api/v1/search/challenges?q=x');
    expect(searchDuringOutage.status).toBe(503);
    expect(await searchDuringOutage.json()).toMatchObject({ code: 'SEARCH_UNAVAILABLE' });
    // Listing from PostgreSQL keeps working while search is down.
    expect((await ctx.app.request('/api/v1/challenges')).status).toBe(200);

    await meili.resume();
    // Make the retries due now instead of waiting out the backoff.
    await ctx.db
      .updateTable('search_outbox')
      .set({ available_at: new Date(0) })
      .execute();
    await ctx.drainOutbox();
    expect(await outboxBacklog(ctx.db)).toBe(0);

    const index = ctx.searchAdmin.index(ctx.indexes.uid('challenges'));
    const docs = await index.getDocuments({ limit: 100 });
    const ids = docs.results.map((d) => d.id as string);
    expect(ids.sort()).toEqual(created.map((c) => c.id).sort());
    expect(new Set(ids).size).toBe(ids.length);
    const res = await ctx.app.request(
      `/api/v1/search/challenges?q=${encodeURIComponent('停机期间')}&per_page=50`,
    );
    expect(((await res.json()) as { pagination: { total: number } }).pagination.total).toBe(12);
  }, 60_000);

  it('removes a challenge from the index when it stops being public', async () => {
    const org = await newEnterprise(ctx.db);
    const challenge = await newChallenge(ctx.db, { enterpriseId: org.id, title: '即将撤榜的榜单' });
    await ctx.drainOutbox();
    const index = ctx.searchAdmin.index(ctx.indexes.uid('challenges'));
    await expect(index.getDocument(challenge.id)).resolves.toBeDefined();
    const { transitionChallenge } = await import('../../src/modules/challenges/challenge.lifecycle.js');
    await ctx.db.transaction().execute((trx) =>
      transitionChallenge(trx, {
        challengeId: challenge.id,
        from: 'published',
        to: 'withdrawn',
        actor: { userId: null, label: '测试' },
        reason: '需求变更',
        at: new Date(),
      }),
    );
    await ctx.drainOutbox();
    await expect(index.getDocument(challenge.id)).rejects.toThrow();
  });
});
