import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { listenForOutboxWrites } from '../../src/node/outbox-listener.js';
import { startOutboxWorker } from '../../src/search/outbox.js';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('outbox wake-up across connections', () => {
  it('pushes a change committed on another connection at once, long before the next poll', async () => {
    // Poll only once a minute: only the LISTEN/NOTIFY path can make this fast.
    const worker = startOutboxWorker(ctx.outboxDeps, 60_000);
    const listener = listenForOutboxWrites(ctx.databaseUrl, () => worker.notify(), createLogger('silent'));
    try {
      await new Promise((r) => setTimeout(r, 300)); // let the listener connect and the first drain pass
      const org = await newEnterprise(ctx.db);
      const challenge = await newChallenge(ctx.db, { enterpriseId: org.id, title: '通知唤醒测试榜单' });
      const index = ctx.searchAdmin.index(ctx.indexes.uid('challenges'));
      let found = false;
      for (let i = 0; i < 100 && !found; i++) {
        found = await index.getDocument(challenge.id).then(
          () => true,
          () => false,
        );
        if (!found) await new Promise((r) => setTimeout(r, 50));
      }
      expect(found).toBe(true);
    } finally {
      await listener.stop();
      await worker.stop({ drainTimeoutMs: 100 });
    }
  });
});
