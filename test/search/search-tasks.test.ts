import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Meilisearch, MeilisearchTaskTimeOutError } from 'meilisearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedMeilisearch, startEmbeddedMeilisearch } from '../../src/node/embedded-meilisearch.js';
import { freePort } from '../../src/node/free-port.js';
import { awaitTask, finishedTasks, type TaskPolling } from '../../src/search/tasks.js';

// Small windows so that a batch of a few seconds on any machine spans many of them.
const polling: TaskPolling = {
  first: { windowMs: 100, intervalMs: 5 },
  after: { windowMs: 300, intervalMs: 50 },
};
/** The most polls a wait of `elapsedMs` may send under `polling`, plus slack for the last window. */
const pollBudget = (elapsedMs: number) =>
  polling.first.windowMs / polling.first.intervalMs +
  Math.max(0, elapsedMs - polling.first.windowMs) / polling.after.intervalMs +
  5;

let polls = 0;
let meili: EmbeddedMeilisearch;
let client: Meilisearch;
const uid = `tasks_test_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  // Its own engine: the batches below keep an engine busy for seconds, and Meilisearch runs one
  // task at a time across all its indexes. On the shared engine every other test file's tasks (its
  // index settings, outbox pushes, the index deletes of TestContext.close() that wait 5 s) queued
  // behind them, and timed out on a loaded machine.
  meili = await startEmbeddedMeilisearch({
    dataDir: await mkdtemp(path.join(tmpdir(), 'jiebang-meili-tasks-')),
    port: await freePort(),
    ephemeral: true,
  });
  // The real engine, through a fetch that counts the task polls.
  client = new Meilisearch({
    host: meili.url,
    apiKey: meili.masterKey,
    httpClient: async (input, init) => {
      if (/\/tasks\/\d+/.test(String(input))) polls++;
      const response = await fetch(input, init);
      const text = await response.text();
      if (!response.ok) throw new Error(`${response.status} ${text}`);
      return text === '' ? undefined : JSON.parse(text);
    },
  });
}, 60_000);
afterAll(async () => {
  await meili?.stop();
});

/** Enqueues (without awaiting it) a batch that keeps the engine busy for a few seconds. */
async function keepEngineBusy() {
  const documents = Array.from({ length: 60_000 }, (_, i) => ({ id: i, text: `茶叶加工 第${i}号 技术难题` }));
  await client.index(uid).addDocuments(documents);
}
/** A tiny task, queued behind whatever the engine is busy with. */
const tinyTask = () => client.index(uid).updateSettings({ filterableAttributes: ['id'] });

describe('waiting for Meilisearch tasks', () => {
  it('gives up at the deadline, not at the end of a polling window', async () => {
    await keepEngineBusy();
    // Enqueued before the clock starts: how long the busy engine takes to answer the enqueue is not
    // what is measured (on a loaded machine that alone could use up a tight bound).
    const enqueued = tinyTask();
    await enqueued;
    // A second window far longer than the deadline: a wait that ran to the end of its window would
    // take 5 s (or end with the batch, succeeding), so the bound below has seconds of slack for a
    // slow machine and still tells the two apart.
    const longWindows: TaskPolling = { ...polling, after: { windowMs: 5_000, intervalMs: 50 } };
    const started = Date.now();
    await expect(
      awaitTask(enqueued, 'settings', { timeoutMs: 150, polling: longWindows }),
    ).rejects.toBeInstanceOf(MeilisearchTaskTimeOutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('polls fast at first, then slower, and still sees the task through a long batch', async () => {
    await keepEngineBusy();
    polls = 0;
    const started = Date.now();
    const task = await awaitTask(tinyTask(), 'settings', { timeoutMs: 60_000, polling });
    const elapsed = Date.now() - started;
    expect(task.status).toBe('succeeded');
    // Every 5 ms throughout would be ~elapsed/6 polls; the slower phase keeps it under this budget.
    expect(polls).toBeLessThanOrEqual(pollBudget(elapsed));
  }, 60_000);

  it('waits for a list of tasks in order and returns each whatever its status', async () => {
    const ok = (await client.index(uid).addDocuments([{ id: -1, text: '辣椒' }])).taskUid;
    const failed = (await client.index(uid).addDocuments([{ text: '没有主键' }])).taskUid;
    const tasks = await finishedTasks(client, [ok, failed], { polling });
    expect(tasks.map((t) => [t.uid, t.status])).toEqual([
      [ok, 'succeeded'],
      [failed, 'failed'],
    ]);
  });
});
