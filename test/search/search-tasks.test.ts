import { randomUUID } from 'node:crypto';
import { Meilisearch, MeilisearchTaskTimeOutError } from 'meilisearch';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
let client: Meilisearch;
const uid = `tasks_test_${randomUUID().slice(0, 8)}`;

beforeAll(() => {
  // The real engine, through a fetch that counts the task polls.
  client = new Meilisearch({
    host: inject('meiliUrl'),
    apiKey: inject('meiliMasterKey'),
    httpClient: async (input, init) => {
      if (/\/tasks\/\d+/.test(String(input))) polls++;
      const response = await fetch(input, init);
      const text = await response.text();
      if (!response.ok) throw new Error(`${response.status} ${text}`);
      return text === '' ? undefined : JSON.parse(text);
    },
  });
});
afterAll(async () => {
  await client.deleteIndex(uid).waitTask();
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
    const started = Date.now();
    await expect(awaitTask(tinyTask(), 'settings', { timeoutMs: 150, polling })).rejects.toBeInstanceOf(
      MeilisearchTaskTimeOutError,
    );
    expect(Date.now() - started).toBeLessThan(polling.after.windowMs + 150);
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
  });

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
