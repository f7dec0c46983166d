import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countPublicChallenges,
  listPublicChallenges,
  listPublicChallengesCounted,
} from '../../src/modules/challenges/challenge.queries.js';
import { loadReferenceData, type ReferenceData } from '../../src/modules/reference/reference.queries.js';
import { insertPublishedChallenges, newEnterprise } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/**
 * The public challenge list at a size where a bad plan shows: `npm run bench` found it at ~12 req/s
 * (an exact count over joins, every page) at 100,000 challenges. These tests pin the shape that fixed
 * it: a page read in listing order from the partial index, and a count that stops at its cap.
 */
let ctx: TestContext;
let reference: ReferenceData;
const ROWS = 3000;

beforeAll(async () => {
  ctx = await createTestContext();
  const qiancha = await newEnterprise(ctx.db, { name: '贵州黔茶科技有限公司' });
  await insertPublishedChallenges(ctx.db, {
    enterpriseId: qiancha.id,
    count: ROWS,
    title: '茶园病虫害绿色防控技术攻关',
    rewardWan: 50,
    alternateRegions: true,
  });
  reference = await loadReferenceData(ctx.db);
});
afterAll(() => ctx.close());

/** Runs `run` against the database and returns the EXPLAIN ANALYZE (JSON) of each statement it sent. */
async function plansOf(run: (db: TestContext['db']) => Promise<unknown>) {
  // Subquery builders pass through transformQuery too; only statements that were executed have a result.
  const built = new Map<unknown, RootOperationNode>();
  const nodes: RootOperationNode[] = [];
  const recorder: KyselyPlugin = {
    transformQuery: ({ node, queryId }) => {
      built.set(queryId, node);
      return node;
    },
    transformResult: async ({ result, queryId }) => {
      nodes.push(built.get(queryId)!);
      return result;
    },
  };
  await run(ctx.db.withPlugin(recorder));
  const plans: Array<Record<string, unknown>> = [];
  for (const node of nodes) {
    const compiled = ctx.db.getExecutor().compileQuery(node, { queryId: 'explain' });
    const result = await ctx.db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(
      CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, [...compiled.parameters]),
    );
    plans.push(result.rows[0]!['QUERY PLAN'][0]!.Plan);
  }
  return plans;
}

/** Every node of a plan tree, depth first. */
function nodesOf(plan: Record<string, unknown>): Array<Record<string, unknown>> {
  const children = (plan.Plans as Array<Record<string, unknown>> | undefined) ?? [];
  return [plan, ...children.flatMap(nodesOf)];
}

describe('public challenge list at scale', () => {
  it('reads a page in listing order from the partial index, without sorting or scanning every row', async () => {
    const [plan] = await plansOf((db) => listPublicChallenges(db, {}, { offset: 0, limit: 20 }));
    const nodes = nodesOf(plan!);
    const challengeScans = nodes.filter((n) => n['Relation Name'] === 'challenges');
    expect(challengeScans.some((n) => n['Index Name'] === 'challenges_public_listing_idx')).toBe(true);
    expect(nodes.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'challenges')).toBe(
      false,
    );
    expect(nodes.some((n) => n['Node Type'] === 'Sort' && Number(n['Actual Rows']) > 20)).toBe(false);
    expect(Math.max(...challengeScans.map((n) => Number(n['Actual Rows'])))).toBeLessThanOrEqual(20);
  });

  it('counts only up to its cap, and says when the total is not exact', async () => {
    const [plan] = await plansOf((db) => countPublicChallenges(db, {}, 200));
    // Reads at most cap + 1 challenges, not the 3,000 that match, and joins nothing to count them.
    const nodes = nodesOf(plan!);
    const challengeScans = nodes.filter((n) => n['Relation Name'] === 'challenges');
    expect(challengeScans.length).toBeGreaterThan(0);
    expect(Math.max(...challengeScans.map((n) => Number(n['Actual Rows'])))).toBeLessThanOrEqual(201);
    expect(nodes.some((n) => String(n['Node Type']).includes('Join'))).toBe(false);
    expect(await countPublicChallenges(ctx.db, {}, 200)).toEqual({ total: 200, exact: false });
    expect(await countPublicChallenges(ctx.db, {}, ROWS + 5)).toEqual({ total: ROWS, exact: true });
    expect(await countPublicChallenges(ctx.db, { region: '520300' }, ROWS)).toEqual({
      total: ROWS / 2,
      exact: true,
    });
  });

  it('reads a page and its capped count in one statement, and counts a page past the end on its own', async () => {
    const plans = await plansOf((db) =>
      listPublicChallengesCounted(db, {}, { offset: 40, limit: 20 }, 200, reference),
    );
    expect(plans).toHaveLength(1);
    const challengeScans = nodesOf(plans[0]!).filter((n) => n['Relation Name'] === 'challenges');
    expect(Math.max(...challengeScans.map((n) => Number(n['Actual Rows'])))).toBeLessThanOrEqual(241);
    const page = await listPublicChallengesCounted(
      ctx.db,
      { region: '520300' },
      { offset: 0, limit: 20 },
      5000,
      reference,
    );
    expect(page).toMatchObject({ total: ROWS / 2, exact: true });
    expect(page.rows).toHaveLength(20);
    expect(page.rows[0]).not.toHaveProperty('ahead');
    // Names come from the reference cache here and from joins in listPublicChallenges: the same rows.
    const joined = await listPublicChallenges(ctx.db, { region: '520300' }, { offset: 0, limit: 20 });
    expect(page.rows).toEqual(joined.rows);
    expect(page.rows[0]).toMatchObject({ region_code: '520328', region_level: 'county' });
    expect(page.rows[0]!.parent_region_name).toBe(reference.regionByCode.get('520300')!.name);
    expect(page.rows[0]!.industry_name).toBe('茶叶');
    expect(
      await listPublicChallengesCounted(ctx.db, {}, { offset: ROWS, limit: 20 }, 200, reference),
    ).toEqual({
      rows: [],
      total: ROWS,
      exact: true,
    });
    expect(
      await listPublicChallengesCounted(
        ctx.db,
        { industry: 'ind-none' },
        { offset: 0, limit: 20 },
        200,
        reference,
      ),
    ).toEqual({ rows: [], total: 0, exact: true });
  });

  it('answers the API with a total counted ten pages ahead, exact only when the end is in sight', async () => {
    const first = (await (await ctx.app.request('/api/v1/challenges?per_page=20')).json()) as {
      data: Array<{ id: string }>;
      pagination: Record<string, unknown>;
    };
    expect(first.data).toHaveLength(20);
    expect(first.pagination).toEqual({
      page: 1,
      per_page: 20,
      total: 200,
      total_pages: 10,
      total_exact: false,
    });
    const nearEnd = (await (await ctx.app.request('/api/v1/challenges?per_page=100&page=25')).json()) as {
      data: unknown[];
      pagination: Record<string, unknown>;
    };
    expect(nearEnd.pagination).toEqual({
      page: 25,
      per_page: 100,
      total: ROWS,
      total_pages: ROWS / 100,
      total_exact: true,
    });
    expect(nearEnd.data).toHaveLength(100);
  });
});
