import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChallenge, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let published: { id: string };
let closed: { id: string };
let underReview: { id: string };
let rejected: { id: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const qiancha = await newEnterprise(ctx.db, { name: '贵州黔茶科技有限公司' });
  published = await newChallenge(ctx.db, {
    enterpriseId: qiancha.id,
    reward_wan: 120,
    region_code: '520328',
  });
  closed = await newChallenge(ctx.db, {
    enterpriseId: qiancha.id,
    status: 'bidding_closed',
    industry_code: 'rural-chilli',
    region_code: '520102',
    reward_wan: 15,
  });
  underReview = await newChallenge(ctx.db, { enterpriseId: qiancha.id, status: 'under_review' });
  rejected = await newChallenge(ctx.db, { enterpriseId: qiancha.id, status: 'rejected' });
});
afterAll(() => ctx.close());

type List = {
  data: Array<{ id: string; region: { name: string }; industry: { name: string } | null }>;
  pagination: { total: number; page: number; per_page: number; total_pages: number };
};

describe('GET /api/v1/challenges', () => {
  it('lists only public challenges, newest first, with uniform pagination', async () => {
    const res = await ctx.app.request('/api/v1/challenges?per_page=1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as List;
    expect(body.pagination).toEqual({ page: 1, per_page: 1, total: 2, total_pages: 2, total_exact: true });
    const all = (await (await ctx.app.request('/api/v1/challenges')).json()) as List;
    expect(all.data.map((c) => c.id).sort()).toEqual([published.id, closed.id].sort());
  });

  it('filters by industry, region (prefecture includes its counties), status and reward range', async () => {
    const get = async (qs: string) =>
      ((await (await ctx.app.request(`/api/v1/challenges?${qs}`)).json()) as List).data.map((c) => c.id);
    expect(await get('industry=rural-chilli')).toEqual([closed.id]);
    expect(await get('region=520300')).toEqual([published.id]);
    expect(await get('region=520102')).toEqual([closed.id]);
    expect(await get('status=bidding_closed')).toEqual([closed.id]);
    expect(await get('reward_min=100&reward_max=200')).toEqual([published.id]);
  });

  it('names regions in full (prefecture + county) and industries from reference data', async () => {
    const all = (await (await ctx.app.request('/api/v1/challenges')).json()) as List;
    const tea = all.data.find((c) => c.id === published.id);
    expect(tea?.region.name).toBe('遵义市湄潭县');
    expect(tea?.industry?.name).toBe('茶叶');
  });
});

describe('GET /api/v1/challenges/{id}', () => {
  it('returns a public challenge with its recorded life cycle', async () => {
    const res = await ctx.app.request(`/api/v1/challenges/${closed.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      history: Array<{ to_status: string; actor: string }>;
    };
    expect(body.status).toBe('bidding_closed');
    expect(body.history.map((h) => h.to_status)).toEqual(['under_review', 'published', 'bidding_closed']);
  });

  it('answers 404 for challenges the public may not see (under review, rejected)', async () => {
    for (const hidden of [underReview, rejected]) {
      const res = await ctx.app.request(`/api/v1/challenges/${hidden.id}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    }
  });
});

describe('reference data and the contract', () => {
  it('serves Guizhou regions (9 prefectures, counties under them) and industries incl. the 12 特色产业', async () => {
    const regions = (await (await ctx.app.request('/api/v1/regions')).json()) as {
      data: Array<{ level: string; code: string }>;
    };
    expect(regions.data.filter((r) => r.level === 'prefecture').map((r) => r.code)).toEqual([
      '520100',
      '520200',
      '520300',
      '520400',
      '520500',
      '520600',
      '522300',
      '522600',
      '522700',
    ]);
    expect(regions.data.filter((r) => r.level === 'county').length).toBeGreaterThan(80);
    const industries = (await (await ctx.app.request('/api/v1/industries')).json()) as {
      data: Array<{ group: string; name: string }>;
    };
    expect(industries.data.filter((i) => i.group === '特色产业')).toHaveLength(12);
  });

  it('publishes an OpenAPI 3.1 document listing every API route with its error responses', async () => {
    const doc = (await (await ctx.app.request('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/challenges', '/api/v1/challenges/{id}', '/api/v1/search/challenges']),
    );
    for (const operations of Object.values(doc.paths)) {
      for (const op of Object.values(operations)) {
        const statuses = Object.keys(op.responses);
        expect(statuses.some((status) => status.startsWith('2'))).toBe(true);
        expect(statuses).toEqual(expect.arrayContaining(['422', '503']));
      }
    }
    const docs = await ctx.app.request('/api/docs');
    expect(docs.status).toBe(200);
  });

  it('answers health and readiness', async () => {
    expect(await (await ctx.app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await ctx.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toBeTruthy();
  });
});
