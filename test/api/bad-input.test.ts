import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let outboxBefore: number;

beforeAll(async () => {
  ctx = await createTestContext();
  const org = await newEnterprise(ctx.db);
  await newChallenge(ctx.db, { enterpriseId: org.id });
  await ctx.drainOutbox();
  outboxBefore = (await ctx.db.selectFrom('search_outbox').selectAll().execute()).length;
});
afterAll(async () => {
  // Nothing a bad request did may have changed anything.
  expect((await ctx.db.selectFrom('search_outbox').selectAll().execute()).length).toBe(outboxBefore);
  expect(ctx.logLines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  await ctx.close();
});

const post = (body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  ctx.app.request('/api/v1/search/challenges', { method: 'POST', body, headers });

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await res.json()) as {
    code: string;
    status: number;
    title: string;
    errors?: Array<{ field: string; reason: string }>;
  };
  expect(problem).toMatchObject({ code, status });
  expect(problem.title).toMatch(/[\u4e00-\u9fff]/);
  return problem;
}

describe('bad input gets a specific 4xx problem, never a 500', () => {
  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    await expectProblem(await post('{"q": "辣椒",'), 400, 'MALFORMED_JSON');
  });

  it('wrong content type → 415', async () => {
    await expectProblem(
      await post('q=辣椒', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await expectProblem(
      await post('{"q":"x"}', { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('unknown fields → 422 naming the field', async () => {
    const problem = await expectProblem(
      await post(JSON.stringify({ q: '辣椒', admin: true })),
      422,
      'VALIDATION_FAILED',
    );
    expect(problem.errors?.[0]?.reason).toContain('admin');
  });

  it('wrong types and out-of-range values → 422 with each field and a Chinese reason', async () => {
    const problem = await expectProblem(
      await post(JSON.stringify({ q: 5, per_page: 1000, sort: 'random' })),
      422,
      'VALIDATION_FAILED',
    );
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['per_page', 'q', 'sort']);
    expect(problem.errors?.find((e) => e.field === 'per_page')?.reason).toBe('不能大于 100');
  });

  it('oversized bodies → 413, whether declared or not', async () => {
    const big = JSON.stringify({ q: 'x'.repeat(300 * 1024) });
    await expectProblem(await post(big), 413, 'PAYLOAD_TOO_LARGE');
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const res = await ctx.app.request('/api/v1/search/challenges', {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('NUL bytes in a body or a query → 422', async () => {
    await expectProblem(await post(JSON.stringify({ q: 'a\u0000b' })), 422, 'VALIDATION_FAILED');
    await expectProblem(await ctx.app.request('/api/v1/search/challenges?q=a%00b'), 422, 'VALIDATION_FAILED');
    await expectProblem(await ctx.app.request('/api/v1/challenges?region=52%0001'), 422, 'VALIDATION_FAILED');
  });

  it('invalid UTF-8 → 400', async () => {
    await expectProblem(
      await post(new Uint8Array([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
      400,
      'MALFORMED_JSON',
    );
  });

  it('non-UUID ids → 400 INVALID_ID; unknown UUID → 404', async () => {
    await expectProblem(await ctx.app.request('/api/v1/challenges/123'), 400, 'INVALID_ID');
    await expectProblem(await ctx.app.request("/api/v1/challenges/1' or '1'='1"), 400, 'INVALID_ID');
    await expectProblem(
      await ctx.app.request('/api/v1/challenges/7b0c7f1e-8a53-4f0f-9d0e-0a8f1c1d2e3f'),
      404,
      'CHALLENGE_NOT_FOUND',
    );
  });

  it('bad filters in the query string → 422', async () => {
    await expectProblem(await ctx.app.request('/api/v1/challenges?reward_min=abc'), 422, 'VALIDATION_FAILED');
    await expectProblem(await ctx.app.request('/api/v1/challenges?region=110000'), 422, 'VALIDATION_FAILED');
    await expectProblem(await ctx.app.request('/api/v1/challenges?page=0'), 422, 'VALIDATION_FAILED');
    await expectProblem(await ctx.app.request('/api/v1/challenges?status=draft'), 422, 'VALIDATION_FAILED');
  });

  it('unknown API paths → 404 problem; unknown pages → a Chinese 404 page', async () => {
    await expectProblem(await ctx.app.request('/api/v1/nothing-here'), 404, 'NOT_FOUND');
    const page = await ctx.app.request('/nothing-here');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('页面或资源不存在');
  });

  it('a bad page query shows the Chinese form of the same error', async () => {
    const page = await ctx.app.request('/challenges?reward_min=abc');
    expect(page.status).toBe(422);
    expect(await page.text()).toContain('提交的内容有误');
  });
});
