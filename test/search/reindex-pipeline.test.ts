import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reindexAll } from '../../src/search/reindex.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * How a full reindex talks to the engine (`npm run bench` measures it against a raw NDJSON import):
 * every batch goes out as NDJSON before any task is awaited, for every index, and the tasks are all
 * checked at the end. Awaiting each batch (or each index) in turn left the engine indexing small
 * batches one after another. Recorded from the real requests to the real engine.
 */
let ctx: TestContext;
const CHALLENGES = 23;
const EXPERTS = 9;

beforeAll(async () => {
  ctx = await createTestContext();
  const qiancha = await newEnterprise(ctx.db, { name: '贵州黔茶科技有限公司' });
  for (let i = 0; i < CHALLENGES; i++)
    await newChallenge(ctx.db, { enterpriseId: qiancha.id, title: `茶园病虫害绿色防控 第${i + 1}号` });
  for (let i = 0; i < EXPERTS; i++)
    await ctx.db
      .insertInto('expert_profiles')
      .values({ name: `王教授${i + 1}`, affiliation: '贵州大学茶学院', title: '教授', visibility: 'public' })
      .execute();
  await ctx.drainOutbox();
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => ctx.close());

interface Sent {
  method: string;
  url: string;
  contentType: string | null;
  body: string;
}

/** Passes every request through to the engine unchanged, keeping a note of what was sent. */
function recordRequests(): Sent[] {
  const sent: Sent[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    sent.push({
      method: request.method,
      url: request.url,
      contentType: request.headers.get('content-type'),
      body: typeof init?.body === 'string' ? init.body : '',
    });
    return realFetch(input, init);
  });
  return sent;
}

describe('search:reindex pipeline', () => {
  it('sends every batch of every index as NDJSON before awaiting any task, then checks them all', async () => {
    const sent = recordRequests();
    const counts = await reindexAll(
      { db: ctx.db, admin: ctx.searchAdmin, indexes: ctx.indexes },
      { batchSize: 5 },
    );
    vi.restoreAllMocks();
    expect(counts).toMatchObject({ challenge: CHALLENGES, expert: EXPERTS });

    const isDocuments = (s: Sent) =>
      s.method === 'POST' && /\/indexes\/[^/]+_rebuild_\d+\/documents/.test(s.url);
    const documentPosts = sent.filter(isDocuments);
    // 23 challenges in batches of 5, 9 experts in batches of 5.
    expect(documentPosts.filter((s) => s.url.includes('challenges_rebuild_'))).toHaveLength(5);
    expect(documentPosts.filter((s) => s.url.includes('experts_rebuild_'))).toHaveLength(2);
    for (const post of documentPosts) {
      expect(post.contentType).toBe('application/x-ndjson');
      expect(post.body.split('\n').every((line) => JSON.parse(line).id)).toBe(true);
    }

    const firstPost = sent.findIndex(isDocuments);
    const lastPost = sent.findLastIndex(isDocuments);
    const taskReads = sent
      .map((s, i) => ({ ...s, i }))
      .filter(
        (s) => s.method === 'GET' && /\/tasks(\/|\?|$)/.test(new URL(s.url).pathname + new URL(s.url).search),
      )
      .filter((s) => s.i > firstPost);
    expect(taskReads.length).toBeGreaterThan(0);
    // No task is polled between the first and the last batch.
    expect(taskReads[0]!.i).toBeGreaterThan(lastPost);

    const live = ctx.searchAdmin.index(ctx.indexes.uid('challenges'));
    expect((await live.getStats()).numberOfDocuments).toBe(CHALLENGES);
    expect((await ctx.searchAdmin.index(ctx.indexes.uid('experts')).getStats()).numberOfDocuments).toBe(
      EXPERTS,
    );
  }, 60_000);

  it('fails and swaps nothing when a batch is refused by the engine', async () => {
    const live = ctx.searchAdmin.index(ctx.indexes.uid('challenges'));
    const before = (await live.getStats()).numberOfDocuments;
    // Each batch gets one document the engine refuses (a document id may not contain spaces).
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (
        request.method === 'POST' &&
        /challenges_rebuild_\d+\/documents/.test(request.url) &&
        typeof init?.body === 'string'
      )
        return realFetch(input, { ...init, body: `${init.body}\n{"id": "not a valid id"}` });
      return realFetch(input, init);
    });
    await expect(
      reindexAll({ db: ctx.db, admin: ctx.searchAdmin, indexes: ctx.indexes }, { batchSize: 10 }),
    ).rejects.toThrow(/reindex challenge/);
    vi.restoreAllMocks();
    expect((await live.getStats()).numberOfDocuments).toBe(before);
    // The half-built indexes are removed.
    const uids = (await ctx.searchAdmin.getIndexes({ limit: 100 })).results.map((i) => i.uid);
    expect(uids.filter((u) => u.startsWith(ctx.indexes.prefix) && u.includes('_rebuild_'))).toEqual([]);
  }, 60_000);
});
