/**
 * `npm run bench:matching -- --dataset <file> [--out rankings.json] [--verbose] [--scale 50000:20000 [--rounds 3]]`
 *
 * Loads a dataset in the interchange format (../shared/matching/README.md) through the import code
 * into a fresh, isolated database and index prefix, drains the search outbox, runs the production
 * recommendation path (`recommendForChallenge`) for every challenge, and prints nDCG@10 and
 * recall@10 for experts and societies next to a baseline (the challenge title as a plain
 * Meilisearch query on the same indexes) when the file has `qrels`. qrels are read here only.
 *
 * `--scale <experts>:<challenges>` then imports that many generated records (src/cli/bench/corpus.ts)
 * through the same import path, publishes and reindexes them, and reports the latency of one
 * challenge's recommendations (over the dataset's challenges) and of the search page (through the
 * real app, in-process) beside raw Meilisearch searches in the same run, plus nDCG with the
 * generated distractors present.
 *
 * Services: DATABASE_URL / MEILI_URL (+ MEILI_MASTER_KEY) when set — a throw-away database and a
 * unique index prefix are created there and removed afterwards; otherwise an embedded PostgreSQL and
 * Meilisearch are started in a temp directory and removed with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { Meilisearch } from 'meilisearch';
import pg from 'pg';
import { applyReferenceData } from '../../seeds/reference-data.js';
import { createDatabase, type Database } from '../db/database.js';
import { createLogger } from '../http/logger.js';
import { readImportFile } from '../modules/imports/import.files.js';
import { ImportFileError } from '../modules/imports/import.read.js';
import { importDataset, problemMessages } from '../modules/imports/import.usecases.js';
import { createMatcher } from '../modules/matching/match.js';
import { type Qrels, scoreRankings } from '../modules/matching/metrics.js';
import {
  loadChallengeMatchInput,
  recommendForChallenge,
} from '../modules/matching/recommendation.usecases.js';
import { loadMatchingResources } from '../modules/matching/resources.js';
import { startEmbeddedMeilisearch } from '../node/embedded-meilisearch.js';
import { startEmbeddedPostgres } from '../node/embedded-postgres.js';
import { freePort } from '../node/free-port.js';
import { migrateToLatest } from '../node/migrate.js';
import { deriveSearchKeys } from '../node/search-keys.js';
import { createSearchClient, searchIndexes } from '../search/client.js';
import { drainOutboxOnce } from '../search/outbox.js';
import { applyIndexSettings } from '../search/settings.js';
import {
  formatLatencyRows,
  loadGeneratedCorpus,
  measureLatency,
  parseScale,
  type ScaleSizes,
} from './bench/matching-scale.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOP = 20;

const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string' },
    out: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    scale: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
});
if (!args.dataset) {
  console.error(
    'usage: npm run bench:matching -- --dataset <file.json> [--out rankings.json] [--verbose] [--scale 50000:20000 [--rounds 3]]',
  );
  process.exit(2);
}
let scale: ScaleSizes | undefined;
try {
  scale = args.scale ? parseScale(args.scale) : undefined;
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const rounds = Math.max(1, Number(args.rounds) || 3);

/** Everything started or created here, undone in reverse order at the end (also on Ctrl-C). */
const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp() {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => {});
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(130));
  });
}

async function isolatedDatabase(): Promise<string> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-bench-pg-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'data'),
      port: await freePort(),
      ephemeral: true,
    });
    cleanups.push(() => server.stop());
    adminUrl = server.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function isolatedSearch(): Promise<{ url: string; masterKey: string | undefined }> {
  if (process.env.MEILI_URL) return { url: process.env.MEILI_URL, masterKey: process.env.MEILI_MASTER_KEY };
  const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-bench-meili-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const meili = await startEmbeddedMeilisearch({ dataDir: dir, port: await freePort(), ephemeral: true });
  cleanups.push(() => meili.stop());
  return { url: meili.url, masterKey: meili.masterKey };
}

interface DatasetFile {
  challenges?: Array<{ key: string; title: string }>;
  qrels?: Qrels;
}

async function main() {
  const datasetPath = path.resolve(args.dataset!);
  const bytes = new Uint8Array(await readFile(datasetPath));
  // The same bytes feed the import; the labels are read from them here, beside it.
  const labelled = JSON.parse(new TextDecoder().decode(bytes)) as DatasetFile;
  const logger = createLogger('warn');

  const started = performance.now();
  const [databaseUrl, search] = await Promise.all([isolatedDatabase(), isolatedSearch()]);
  const { db } = createDatabase({ url: databaseUrl, poolMax: 5 });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db as unknown as Kysely<unknown>);
  await applyReferenceData(db);

  const prefix = `bench_${randomBytes(4).toString('hex')}_`;
  const indexes = searchIndexes(prefix);
  const master = createSearchClient(search.url, search.masterKey, 30_000);
  const keys = search.masterKey
    ? await deriveSearchKeys(master, prefix)
    : { adminKey: undefined, searchKey: undefined };
  const admin = createSearchClient(search.url, keys.adminKey, 60_000);
  const searchClient = createSearchClient(search.url, keys.searchKey);
  cleanups.push(async () => {
    for (const index of (await admin.getIndexes({ limit: 1000 })).results)
      if (index.uid.startsWith(prefix)) await admin.deleteIndex(index.uid).waitTask();
    if (search.masterKey)
      for (const key of (await master.getKeys({ limit: 1000 })).results)
        if (key.description?.includes(`(${prefix})`)) await master.deleteKey(key.uid);
  });
  await applyIndexSettings(admin, indexes);
  const version = await admin.getVersion();
  console.log(
    `services ready in ${((performance.now() - started) / 1000).toFixed(1)} s (meilisearch ${version.pkgVersion})`,
  );

  // Import through the production code.
  const importStarted = performance.now();
  let read: Awaited<ReturnType<typeof readImportFile>>;
  try {
    read = await readImportFile(bytes, path.basename(datasetPath));
  } catch (error) {
    if (error instanceof ImportFileError) throw new Error(problemMessages(error.problems).join('\n'));
    throw error;
  }
  const result = await importDataset(db, read.dataset, {
    fileName: path.basename(datasetPath),
    format: read.format,
    actor: { userId: null, label: 'bench:matching' },
  });
  if (!result.ok) throw new Error(`import refused:\n${result.messages.slice(0, 50).join('\n')}`);
  const imported = performance.now();
  const outbox = { db, admin, indexes, logger };
  let indexed = 0;
  for (let n = await drainOutboxOnce(outbox, 2000); n > 0; n = await drainOutboxOnce(outbox, 2000))
    indexed += n;
  console.log(
    `imported ${result.counts.societies.created} societies, ${result.counts.experts.created} experts, ${result.counts.challenges.created} challenges in ${((imported - importStarted) / 1000).toFixed(1)} s; indexed ${indexed} outbox rows in ${((performance.now() - imported) / 1000).toFixed(1)} s`,
  );

  const resourcesStarted = performance.now();
  const resources = loadMatchingResources(repoRoot);
  const matcher = createMatcher(resources);
  console.log(`matching resources loaded in ${Math.round(performance.now() - resourcesStarted)} ms`);

  const challenges = await db
    .selectFrom('challenges')
    .select(['id', 'external_key', 'title'])
    .where('external_key', 'is not', null)
    .execute();
  const order = new Map((labelled.challenges ?? []).map((c, i) => [c.key, i]));
  challenges.sort((a, b) => (order.get(a.external_key!) ?? 0) - (order.get(b.external_key!) ?? 0));

  const ours = { experts: new Map<string, string[]>(), societies: new Map<string, string[]>() };
  const baseline = { experts: new Map<string, string[]>(), societies: new Map<string, string[]>() };
  const latencies: number[] = [];
  const deps = { db, search: searchClient, indexes, matcher };
  for (const challenge of challenges) {
    const key = challenge.external_key!;
    const input = await loadChallengeMatchInput(db, challenge.id, { publicOnly: false });
    if (!input) continue;
    const t0 = performance.now();
    const recommended = await recommendForChallenge(deps, input, TOP);
    latencies.push(performance.now() - t0);
    ours.experts.set(
      key,
      recommended.experts.map((e) => e.key),
    );
    ours.societies.set(
      key,
      recommended.societies.map((s) => s.key),
    );
    const [e, s] = await Promise.all([
      plainSearch(searchClient, indexes.uid('experts'), challenge.title),
      plainSearch(searchClient, indexes.uid('societies'), challenge.title),
    ]);
    baseline.experts.set(key, e);
    baseline.societies.set(key, s);
  }

  if (args.out) {
    const out = Object.fromEntries(
      [...ours.experts.keys()].map((key) => [
        key,
        { experts: ours.experts.get(key), societies: ours.societies.get(key) },
      ]),
    );
    await writeFile(path.resolve(args.out), `${JSON.stringify(out, null, 2)}\n`);
    console.log(`rankings (top ${TOP}) written to ${args.out}`);
  }

  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  console.log(
    `recommendations per challenge (experts + societies + capabilities): median ${pct(0.5).toFixed(0)} ms, p95 ${pct(0.95).toFixed(0)} ms`,
  );

  if (labelled.qrels) {
    const f = (x: number) => x.toFixed(3);
    const rows = [
      [
        'baseline (title as plain query)',
        scoreRankings(baseline.experts, labelled.qrels, 'experts'),
        scoreRankings(baseline.societies, labelled.qrels, 'societies'),
      ],
      [
        'jiebang matcher',
        scoreRankings(ours.experts, labelled.qrels, 'experts'),
        scoreRankings(ours.societies, labelled.qrels, 'societies'),
      ],
    ] as const;
    console.log(
      `\n${challenges.length} challenges`.padEnd(34),
      'experts nDCG@10  recall@10   societies nDCG@10  recall@10',
    );
    for (const [label, e, s] of rows) {
      console.log(
        `${label.padEnd(33)} ${f(e.ndcg).padStart(15)} ${f(e.recall).padStart(10)} ${f(s.ndcg).padStart(19)} ${f(s.recall).padStart(10)}`,
      );
    }
    const [, be, bs] = rows[0];
    const [, oe, os] = rows[1];
    console.log(
      `targets: experts nDCG@10 ≥ 0.80 ${oe.ndcg >= 0.8 ? 'met' : 'NOT met'} (+${f(oe.ndcg - be.ndcg)} over baseline), societies nDCG@10 ≥ 0.85 ${os.ndcg >= 0.85 ? 'met' : 'NOT met'} (+${f(os.ndcg - bs.ndcg)} over baseline)`,
    );
    if (args.verbose) {
      for (const key of ours.experts.keys()) {
        const e = scoreRankings(new Map([[key, ours.experts.get(key)!]]), labelled.qrels, 'experts');
        const s = scoreRankings(new Map([[key, ours.societies.get(key)!]]), labelled.qrels, 'societies');
        console.log(`${key} experts ${f(e.ndcg)} societies ${f(s.ndcg)}`);
      }
    }
  }

  if (!scale) return;
  console.log(`\n--scale ${scale.experts}:${scale.challenges}`);
  await loadGeneratedCorpus({ db, admin, indexes }, scale, (line) => console.log(line));
  // A new process, as after a deployment: nothing cached from the small index above.
  const scaleDeps = { ...deps, matcher: createMatcher(resources) };
  // The same without the term-count cache: every recommendation counts its terms afresh.
  const uncachedDeps = { ...deps, matcher: createMatcher(resources, { termCountTtlMs: 0 }) };
  const rankedAtScale = { experts: new Map<string, string[]>(), societies: new Map<string, string[]>() };
  for (const challenge of challenges) {
    const input = await loadChallengeMatchInput(db, challenge.id, { publicOnly: false });
    if (!input) continue;
    const recommended = await recommendForChallenge(scaleDeps, input, TOP);
    rankedAtScale.experts.set(
      challenge.external_key!,
      recommended.experts.map((e) => e.key),
    );
    rankedAtScale.societies.set(
      challenge.external_key!,
      recommended.societies.map((s) => s.key),
    );
  }
  if (labelled.qrels) {
    const f = (x: number) => x.toFixed(3);
    const before = {
      experts: scoreRankings(ours.experts, labelled.qrels, 'experts'),
      societies: scoreRankings(ours.societies, labelled.qrels, 'societies'),
    };
    const after = {
      experts: scoreRankings(rankedAtScale.experts, labelled.qrels, 'experts'),
      societies: scoreRankings(rankedAtScale.societies, labelled.qrels, 'societies'),
    };
    const delta = (x: number) => `${x >= 0 ? '+' : ''}${f(x)}`;
    console.log(
      `with generated distractors (for information; targets apply without): experts nDCG@10 ${f(after.experts.ndcg)} (${delta(after.experts.ndcg - before.experts.ndcg)}), recall@10 ${f(after.experts.recall)}; societies nDCG@10 ${f(after.societies.ndcg)} (${delta(after.societies.ndcg - before.societies.ndcg)}), recall@10 ${f(after.societies.recall)}`,
    );
  }
  const rows = await measureLatency(
    {
      db,
      search: searchClient,
      indexes,
      matcher: scaleDeps.matcher,
      logger,
      challenges,
      recommend: async (challengeId) => {
        const input = await loadChallengeMatchInput(db, challengeId, { publicOnly: false });
        if (input) await recommendForChallenge(scaleDeps, input, 10);
      },
      recommendUncached: async (challengeId) => {
        const input = await loadChallengeMatchInput(db, challengeId, { publicOnly: false });
        if (input) await recommendForChallenge(uncachedDeps, input, 10);
      },
    },
    rounds,
  );
  console.log(
    `\nlatency, one request at a time: ${challenges.length} challenges / 200 queries per round, median of ${rounds} round(s)`,
  );
  for (const line of formatLatencyRows(rows)) console.log(line);
}

async function plainSearch(search: Meilisearch, uid: string, q: string): Promise<string[]> {
  const result = await search
    .index<{ key: string }>(uid)
    .search(q, { limit: TOP, attributesToRetrieve: ['key'] });
  return result.hits.map((hit) => hit.key);
}

let code = 0;
try {
  await main();
} catch (error) {
  console.error('bench:matching failed:', error instanceof Error ? error.message : error);
  code = 1;
} finally {
  await cleanUp();
}
process.exit(code);

export type { Database };
