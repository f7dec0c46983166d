/**
 * The `--scale` part of `npm run bench:matching`: loads generated experts and challenges beside the
 * labelled dataset (through the same import path), then measures recommendation and search latency
 * next to raw Meilisearch searches in the same run. A benchmark, not a test: nothing here fails.
 */
import { type Kysely, sql } from 'kysely';
import type { Meilisearch } from 'meilisearch';
import { createApp } from '../../app.js';
import type { Database } from '../../db/database.js';
import { latestMigration } from '../../db/migration-manifest.js';
import type { Logger } from '../../http/logger.js';
import { readImportFile } from '../../modules/imports/import.files.js';
import { importDataset } from '../../modules/imports/import.usecases.js';
import type { Matcher } from '../../modules/matching/match.js';
import { createReferenceCache } from '../../modules/reference/reference.queries.js';
import type { SearchIndexes } from '../../search/client.js';
import { reindexAll } from '../../search/reindex.js';
import { benchQueries, generateCorpus } from './corpus.js';

export interface ScaleSizes {
  experts: number;
  challenges: number;
}

/** `50000:20000` → 50,000 experts and 20,000 challenges. */
export function parseScale(value: string): ScaleSizes {
  const match = /^(\d+):(\d+)$/.exec(value.trim());
  if (!match) throw new Error(`--scale takes <experts>:<challenges>, e.g. 50000:20000 (got "${value}")`);
  return { experts: Number(match[1]), challenges: Number(match[2]) };
}

/**
 * Imports a generated corpus (experts, challenges, a realistic number of societies and enterprises),
 * approves every waiting challenge in bulk as an operator would, and rebuilds the indexes from
 * PostgreSQL with `reindexAll` instead of draining one outbox row per record.
 */
export async function loadGeneratedCorpus(
  deps: { db: Database; admin: Meilisearch; indexes: SearchIndexes },
  sizes: ScaleSizes,
  log: (message: string) => void,
): Promise<void> {
  const corpus = generateCorpus({
    experts: sizes.experts,
    challenges: sizes.challenges,
    // About as many societies and enterprises as the province has: distractors for societies too.
    societies: 60,
    enterprises: Math.max(1, Math.round(sizes.challenges / 10)),
  });
  const started = performance.now();
  const read = await readImportFile(new TextEncoder().encode(JSON.stringify(corpus)), 'generated.json', {
    maxBytes: 1024 * 1024 * 1024,
  });
  const result = await importDataset(deps.db, read.dataset, {
    fileName: 'generated.json',
    format: read.format,
    actor: { userId: null, label: 'bench:matching --scale' },
  });
  if (!result.ok) throw new Error(`generated import refused:\n${result.messages.slice(0, 10).join('\n')}`);
  const imported = performance.now();
  // Imported challenges wait for review (审核): an operator approving them all, in bulk, with history.
  await sql`
    with published as (
      update challenges set status = 'published', published_at = now()
      where status = 'under_review' returning id
    )
    insert into challenge_status_events (challenge_id, from_status, to_status, actor_label, reason)
    select id, 'under_review', 'published', 'bench:matching', '批量审核通过' from published`.execute(
    deps.db as unknown as Kysely<unknown>,
  );
  // The import queued every record for the outbox; one full rebuild replaces that backlog.
  await deps.db.deleteFrom('search_outbox').execute();
  const counts = await reindexAll(deps);
  await deps.db.deleteFrom('search_outbox').execute();
  log(
    `generated ${sizes.experts} experts and ${sizes.challenges} challenges: imported in ${((imported - started) / 1000).toFixed(1)} s, published and reindexed (${Object.entries(
      counts,
    )
      .map(([entity, n]) => `${n} ${entity}`)
      .join(', ')}) in ${((performance.now() - imported) / 1000).toFixed(1)} s`,
  );
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

export interface LatencyRow {
  label: string;
  /** One p50 and one p95 per round. */
  p50: number[];
  p95: number[];
  target?: string;
}

/**
 * Latency of the production paths beside raw Meilisearch, round by round (the machine is shared:
 * each row reports the median of the rounds' percentiles). Sequential, one request at a time.
 */
export async function measureLatency(
  deps: {
    db: Database;
    search: Meilisearch;
    indexes: SearchIndexes;
    matcher: Matcher;
    logger: Logger;
    recommend: (challengeId: string) => Promise<unknown>;
    /** The same with the matcher's term-count cache off. */
    recommendUncached: (challengeId: string) => Promise<unknown>;
    challenges: Array<{ id: string; title: string }>;
  },
  rounds: number,
): Promise<LatencyRow[]> {
  const app = createApp({
    environment: 'production',
    db: deps.db,
    search: deps.search,
    indexes: deps.indexes,
    reference: createReferenceCache(deps.db),
    logger: deps.logger,
    clock: () => new Date(),
    expectedMigration: latestMigration,
    matcher: deps.matcher,
    publicUrl: 'http://bench.invalid',
  });
  const get = async (url: string) => {
    const response = await app.request(url);
    if (response.status !== 200) throw new Error(`GET ${url} → ${response.status}`);
    await response.arrayBuffer();
  };
  const queries = benchQueries(7, 200);
  const challengesUid = deps.indexes.uid('challenges');
  const expertsUid = deps.indexes.uid('experts');
  // The search page's own request, sent straight to the engine.
  const rawPageSearch = (q: string) =>
    deps.search.index(challengesUid).search(q, {
      filter: [`status IN ["published", "bidding_closed", "awarded", "in_delivery", "accepted"]`],
      facets: ['industry_code', 'prefecture_code', 'status'],
      page: 1,
      hitsPerPage: 20,
      matchingStrategy: 'last',
      locales: ['cmn'],
      attributesToHighlight: ['title'],
      attributesToCrop: ['problem'],
      cropLength: 40,
    });
  // The simplest useful expert search: a challenge's title, top 20 keys.
  const rawExpertSearch = (q: string) =>
    deps.search.index(expertsUid).search(q, { limit: 20, attributesToRetrieve: ['key'], locales: ['cmn'] });

  const cases: Array<{ label: string; target?: string; items: Array<() => Promise<unknown>> }> = [
    {
      label: 'recommendations (use case), term counts cached',
      target: 'p95 < 100 ms',
      items: deps.challenges.map((c) => () => deps.recommend(c.id)),
    },
    {
      label: 'recommendations, term counts not cached',
      target: 'p95 < 100 ms',
      items: deps.challenges.map((c) => () => deps.recommendUncached(c.id)),
    },
    {
      label: '  GET /api/v1/challenges/{id}/recommendations',
      items: deps.challenges.map((c) => () => get(`/api/v1/challenges/${c.id}/recommendations`)),
    },
    {
      label: '  raw Meilisearch: expert search (title)',
      items: deps.challenges.map((c) => () => rawExpertSearch(c.title)),
    },
    {
      label: 'search page GET /challenges?q=…',
      target: 'p95 < 50 ms',
      items: queries.map((q) => () => get(`/challenges?q=${encodeURIComponent(q)}`)),
    },
    {
      label: '  raw Meilisearch: the page’s search',
      items: queries.map((q) => () => rawPageSearch(q)),
    },
  ];
  // Warm up caches (reference data, segmenter, engine) before measuring.
  for (const c of cases) for (const run of c.items.slice(0, 5)) await run();

  const rows: LatencyRow[] = cases.map((c) => ({
    label: c.label,
    p50: [],
    p95: [],
    ...(c.target ? { target: c.target } : {}),
  }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      const samples: number[] = [];
      for (const run of c.items) samples.push(await timed(run));
      rows[i]!.p50.push(percentile(samples, 50));
      rows[i]!.p95.push(percentile(samples, 95));
    }
  }
  return rows;
}

export function formatLatencyRows(rows: LatencyRow[]): string[] {
  const f = (v: number) => `${v.toFixed(1)} ms`.padStart(9);
  const range = (v: number[]) =>
    v.length > 1 ? ` (${Math.min(...v).toFixed(0)}-${Math.max(...v).toFixed(0)})` : '';
  const lines = [`${''.padEnd(48)}      p50       p95   target`];
  for (const row of rows) {
    const p95 = median(row.p95);
    const verdict = row.target
      ? `${row.target} ${p95 < Number(/\d+/.exec(row.target)?.[0]) ? 'met' : 'NOT met'}`
      : '';
    lines.push(
      `${row.label.padEnd(48)} ${f(median(row.p50))} ${f(p95)}   ${verdict}${range(row.p95) ? `  p95 per round${range(row.p95)}` : ''}`,
    );
  }
  return lines;
}
