import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reindexAll } from '../../src/search/reindex.js';
import { awaitTask } from '../../src/search/tasks.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
const N = 60;

beforeAll(async () => {
  ctx = await createTestContext();
  const org = await newEnterprise(ctx.db);
  for (let i = 0; i < N; i++)
    await newChallenge(ctx.db, { enterpriseId: org.id, title: `茶叶加工技术难题 第${i + 1}号` });
  await ctx.drainOutbox();
});
afterAll(() => ctx.close());

describe('search:reindex', () => {
  it('rebuilds into a fresh index and swaps it in while searches keep answering in full', async () => {
    const index = ctx.searchAdmin.index(ctx.indexes.uid('challenges'));
    // Corrupt the live index to prove the rebuild comes from PostgreSQL, not from the old index.
    // awaitTask, not waitTask(): the client's default wait gives up after 5 s, and on the engine every
    // test file shares these tasks may queue behind another file's batches for longer than that.
    await awaitTask(index.deleteDocuments({ filter: 'reward_wan >= 0' }), 'corrupt: delete');
    await awaitTask(
      index.addDocuments([{ id: 'stale-doc', title: '不该存在的文档', status: 'published' }]),
      'corrupt: stale document',
    );

    let searching = true;
    const statuses: number[] = [];
    const searches = (async () => {
      while (searching) {
        const res = await ctx.app.request(`/api/v1/search/challenges?q=${encodeURIComponent('茶叶')}`);
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    })();
    const progress: number[] = [];
    const counts = await reindexAll(
      { db: ctx.db, admin: ctx.searchAdmin, indexes: ctx.indexes },
      { batchSize: 7, onProgress: (_e, done) => void progress.push(done) },
    );
    searching = false;
    await searches;

    expect(counts).toMatchObject({ challenge: N, expert: 0, society: 0, capability: 0 });
    expect(progress.at(-1)).toBe(N);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const stats = await index.getStats();
    expect(stats.numberOfDocuments).toBe(N);
    await expect(index.getDocument('stale-doc')).rejects.toThrow();
    // No leftover rebuild indexes.
    const uids = (await ctx.searchAdmin.getIndexes({ limit: 100 })).results
      .map((i) => i.uid)
      .filter((u) => u.startsWith(ctx.indexes.prefix));
    expect(uids).toContain(ctx.indexes.uid('challenges'));
    expect(uids.filter((u) => u.includes('_rebuild_'))).toEqual([]);
    const settings = await index.getSettings();
    expect(settings.filterableAttributes).toContain('industry_code');
  }, 60_000);

  it('queues again whatever changed while the snapshot was being built', async () => {
    const org = await newEnterprise(ctx.db);
    const late = await newChallenge(ctx.db, { enterpriseId: org.id, title: '重建期间修改的榜单' });
    await ctx.drainOutbox();
    let changed = false;
    await reindexAll(
      { db: ctx.db, admin: ctx.searchAdmin, indexes: ctx.indexes },
      {
        batchSize: 5,
        onProgress: async () => {
          if (changed) return;
          changed = true;
          // A change mid-rebuild whose outbox row the worker already pushed into the old index.
          await ctx.db.updateTable('challenges').set({ reward_wan: 99 }).where('id', '=', late.id).execute();
        },
      },
    );
    const queued = await ctx.db.selectFrom('search_outbox').select('entity_id').execute();
    expect(queued.map((q) => q.entity_id)).toContain(late.id);
    await ctx.drainOutbox();
    const doc = await ctx.searchAdmin.index(ctx.indexes.uid('challenges')).getDocument(late.id);
    expect(doc.reward_wan).toBe(99);
  }, 60_000);
});
