import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../src/app.js';
import {
  PURGE_GRACE_MS,
  purgeDeletedAttachmentBytes,
} from '../../src/modules/attachments/attachment.sweep.js';
import type { StorageAdapter } from '../../src/storage/storage.js';
import { call, challengeInput, type FlowWorld, newFlowWorld } from '../support/challenge-flow-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';
import { appWithStorage, files, uploadRequest } from './support.js';

/**
 * The real local storage adapter, except that deletes fail while `down` is set (an S3 outage or a
 * disk error). `beforeDelete` lets a test hold deletes in flight. Only storage is wrapped; PostgreSQL
 * is real.
 */
function withFailingDeletes(real: StorageAdapter) {
  const outage = {
    down: false,
    beforeDelete: async () => {},
  };
  const storage: StorageAdapter = {
    kind: real.kind,
    put: (key, bytes, contentType) => real.put(key, bytes, contentType),
    get: (key) => real.get(key),
    async delete(key) {
      await outage.beforeDelete();
      if (outage.down) throw new Error('storage unavailable (simulated outage)');
      await real.delete(key);
    },
  };
  return { storage, outage };
}

let ctx: TestContext;
let env: Awaited<ReturnType<typeof appWithStorage>>;
let flaky: ReturnType<typeof withFailingDeletes>;
let app: ReturnType<typeof createApp>;
let world: FlowWorld;

beforeAll(async () => {
  ctx = await createTestContext();
  env = await appWithStorage(ctx);
  flaky = withFailingDeletes(env.storage);
  app = createApp({ ...ctx.deps, storage: flaky.storage });
  world = await newFlowWorld(ctx.db, app);
});
afterEach(async () => {
  // Each test starts with storage healthy and no deleted file left unpurged by an earlier one.
  flaky.outage.down = false;
  flaky.outage.beforeDelete = async () => {};
  await purgeDeletedAttachmentBytes({ db: ctx.db, storage: env.storage }, afterGrace());
});
afterAll(async () => {
  await env?.close();
  await ctx.close();
});

/** A sweep's clock once the grace period for in-flight request deletes has passed. */
const afterGrace = () => new Date(Date.now() + PURGE_GRACE_MS + 60_000);
const sweep = (options: { limit?: number } = {}) =>
  purgeDeletedAttachmentBytes({ db: ctx.db, storage: flaky.storage }, afterGrace(), {
    ...options,
    logger: ctx.deps.logger,
  });

async function draftChallenge() {
  const created = await call(app, 'POST', '/challenges', {
    cookie: world.enterprise.cookie,
    body: challengeInput(),
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function uploadPdf(challengeId: string, name = '线椒烘干现状说明.pdf'): Promise<string> {
  const res = await app.request(
    `http://localhost/api/v1/challenges/${challengeId}/attachments`,
    uploadRequest(name, files.pdf(), world.enterprise.cookie),
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function deleteAsEnterprise(attachmentId: string) {
  const res = await call(app, 'DELETE', `/attachments/${attachmentId}`, { cookie: world.enterprise.cookie });
  expect(res.status).toBe(204);
}

const purgeState = (attachmentId: string) =>
  ctx.db
    .selectFrom('attachments')
    .select(['deleted_at', 'bytes_purged_at'])
    .where('id', '=', attachmentId)
    .executeTakeFirstOrThrow();

const download = (attachmentId: string, cookie: string) =>
  app.request(`http://localhost/api/v1/attachments/${attachmentId}`, { headers: { Cookie: cookie } });

describe('purging the bytes of deleted attachments', () => {
  test('a delete during a storage outage hides the file at once; the sweep removes its bytes later, once', async () => {
    const challengeId = await draftChallenge();
    const attachmentId = await uploadPdf(challengeId);
    flaky.outage.down = true;
    await deleteAsEnterprise(attachmentId);

    // The bytes are still on disk and the row waits for the sweep...
    expect(await env.storedFiles()).toContain(attachmentId);
    const pending = await purgeState(attachmentId);
    expect(pending.deleted_at).not.toBeNull();
    expect(pending.bytes_purged_at).toBeNull();
    expect(ctx.logLines.some((line) => line.includes('attachment bytes not deleted'))).toBe(true);
    // ...but the file is gone for every reader.
    expect((await download(attachmentId, world.enterprise.cookie)).status).toBe(404);
    expect((await download(attachmentId, world.operator.cookie)).status).toBe(404);
    const list = await call(app, 'GET', `/challenges/${challengeId}/attachments`, {
      cookie: world.enterprise.cookie,
    });
    expect(list.body.items.map((item: { id: string }) => item.id)).not.toContain(attachmentId);

    flaky.outage.down = false;
    expect(await sweep()).toEqual({ purged: 1, failed: 0 });
    expect(await env.storedFiles()).not.toContain(attachmentId);
    const purged = await purgeState(attachmentId);
    expect(purged.bytes_purged_at).not.toBeNull();

    expect(await sweep()).toEqual({ purged: 0, failed: 0 });
    expect((await purgeState(attachmentId)).bytes_purged_at).toEqual(purged.bytes_purged_at);
  });

  test('a normal delete removes the bytes and marks the row purged at once; the sweep finds nothing', async () => {
    const attachmentId = await uploadPdf(await draftChallenge());
    await deleteAsEnterprise(attachmentId);

    expect(await env.storedFiles()).not.toContain(attachmentId);
    expect((await purgeState(attachmentId)).bytes_purged_at).not.toBeNull();
    expect(await sweep()).toEqual({ purged: 0, failed: 0 });
  });

  test('live attachments are never touched by the sweep', async () => {
    const challengeId = await draftChallenge();
    const liveId = await uploadPdf(challengeId, '保留的检测报告.pdf');
    const deletedId = await uploadPdf(challengeId, '作废的旧版.pdf');
    flaky.outage.down = true;
    await deleteAsEnterprise(deletedId);
    flaky.outage.down = false;

    expect(await sweep()).toEqual({ purged: 1, failed: 0 });
    expect(await env.storedFiles()).toContain(liveId);
    expect(await purgeState(liveId)).toEqual({ deleted_at: null, bytes_purged_at: null });
    const res = await download(liveId, world.enterprise.cookie);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(files.pdf());
  });

  test('a sweep while storage is still away keeps the row for the next run and does not throw', async () => {
    const attachmentId = await uploadPdf(await draftChallenge());
    flaky.outage.down = true;
    await deleteAsEnterprise(attachmentId);

    expect(await sweep()).toEqual({ purged: 0, failed: 1 });
    expect((await purgeState(attachmentId)).bytes_purged_at).toBeNull();
    expect(await env.storedFiles()).toContain(attachmentId);
    expect(
      ctx.logLines.some((line) => line.includes('kept for the next purge') && line.includes(attachmentId)),
    ).toBe(true);

    flaky.outage.down = false;
    expect(await sweep()).toEqual({ purged: 1, failed: 0 });
    expect(await env.storedFiles()).not.toContain(attachmentId);
  });

  test('a run gives up after three failed deletes in a row, leaving the rest untried for the next run', async () => {
    const challengeId = await draftChallenge();
    const ids = [];
    for (const name of ['一.pdf', '二.pdf', '三.pdf', '四.pdf']) ids.push(await uploadPdf(challengeId, name));
    flaky.outage.down = true;
    for (const id of ids) await deleteAsEnterprise(id);

    expect(await sweep()).toEqual({ purged: 0, failed: 3 });
    flaky.outage.down = false;
    expect(await sweep()).toEqual({ purged: 4, failed: 0 });
  });

  test('a file deleted a moment ago is left to the request that deleted it', async () => {
    const attachmentId = await uploadPdf(await draftChallenge());
    flaky.outage.down = true;
    await deleteAsEnterprise(attachmentId);
    flaky.outage.down = false;

    expect(await purgeDeletedAttachmentBytes({ db: ctx.db, storage: flaky.storage }, new Date())).toEqual({
      purged: 0,
      failed: 0,
    });
    expect(await sweep()).toEqual({ purged: 1, failed: 0 });
  });

  test('two instances sweeping at once take different rows (SKIP LOCKED) instead of waiting on each other', async () => {
    const challengeId = await draftChallenge();
    const first = await uploadPdf(challengeId, '甲.pdf');
    const second = await uploadPdf(challengeId, '乙.pdf');
    flaky.outage.down = true;
    await deleteAsEnterprise(first);
    await deleteAsEnterprise(second);
    flaky.outage.down = false;

    // Each delete waits until both sweeps have one in flight. A sweep blocked on the other's row lock
    // would never get there: the first delete would then fail after 5 s and the counts would differ.
    let inFlight = 0;
    let release: () => void = () => {};
    const bothInFlight = new Promise<void>((resolve) => {
      release = resolve;
    });
    flaky.outage.beforeDelete = async () => {
      inFlight += 1;
      if (inFlight === 2) release();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the other sweep never reached a delete')), 30_000);
      });
      await Promise.race([bothInFlight, timedOut]).finally(() => clearTimeout(timer));
    };
    const results = await Promise.all([sweep({ limit: 1 }), sweep({ limit: 1 })]);

    expect(results).toEqual([
      { purged: 1, failed: 0 },
      { purged: 1, failed: 0 },
    ]);
    expect(await env.storedFiles()).not.toContain(first);
    expect(await env.storedFiles()).not.toContain(second);
  });
});
