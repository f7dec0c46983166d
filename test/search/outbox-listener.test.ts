import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

/**
 * True once the listener's connection has run its LISTEN (the statement finished and the session is
 * idle again). A notification sent before that is lost, so the test waits for this instead of a
 * fixed delay, which a loaded machine can outlast.
 */
async function listenerIsListening(): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and application_name = 'jiebang-outbox-listener'
      and state = 'idle' and query = 'listen search_outbox'`.execute(ctx.db);
  return rows[0]!.n > 0;
}

describe('outbox wake-up across connections', () => {
  it('pushes a change committed on another connection at once, long before the next poll', async () => {
    // Poll only once a minute: only the LISTEN/NOTIFY path can make this fast.
    const worker = startOutboxWorker(ctx.outboxDeps, 60_000);
    const listener = listenForOutboxWrites(ctx.databaseUrl, () => worker.notify(), createLogger('silent'));
    try {
      await vi.waitFor(async () => expect(await listenerIsListening()).toBe(true), {
        timeout: 15_000,
        interval: 20,
      });
      const org = await newEnterprise(ctx.db);
      const challenge = await newChallenge(ctx.db, { enterpriseId: org.id, title: '通知唤醒测试榜单' });
      const index = ctx.searchAdmin.index(ctx.indexes.uid('challenges'));
      // Up to 20 s (the engine is shared with every other test file and may be busy): still a third
      // of the 60 s poll, so only the notification can have brought the document in.
      await vi.waitFor(
        async () => {
          await index.getDocument(challenge.id);
        },
        { timeout: 20_000, interval: 50 },
      );
    } finally {
      await listener.stop();
      await worker.stop({ drainTimeoutMs: 100 });
    }
  }, 60_000);
});
