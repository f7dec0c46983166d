/**
 * `npm run bench:import -- [--experts 50000]`: times the import of a generated file of N expert
 * rows (plus 200 societies) through the production import code into a fresh, throw-away database,
 * then times the search outbox drain into a fresh index prefix. Uses DATABASE_URL / MEILI_URL when
 * set, else embedded services in a temp directory; removes everything at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { applyReferenceData } from '../../seeds/reference-data.js';
import { createDatabase } from '../db/database.js';
import { createLogger } from '../http/logger.js';
import { readImportFile } from '../modules/imports/import.files.js';
import { importDataset } from '../modules/imports/import.usecases.js';
import { startEmbeddedMeilisearch } from '../node/embedded-meilisearch.js';
import { startEmbeddedPostgres } from '../node/embedded-postgres.js';
import { freePort } from '../node/free-port.js';
import { migrateToLatest } from '../node/migrate.js';
import { createSearchClient, searchIndexes } from '../search/client.js';
import { drainOutboxOnce } from '../search/outbox.js';
import { applyIndexSettings } from '../search/settings.js';

const { values: args } = parseArgs({
  options: {
    experts: { type: 'string', default: '50000' },
    'skip-index': { type: 'boolean', default: false },
  },
});
const n = Number(args.experts);
const cleanups: Array<() => Promise<unknown>> = [];

// Generated profiles: varied words from general domain vocabulary, never from an evaluation set.
const topics = [
  '茶树栽培',
  '辣椒育种',
  '热泵干燥',
  '食用菌栽培',
  '生猪疫病防控',
  '中药材种植',
  '磷石膏综合利用',
  '锰渣无害化',
  '隧道支护',
  '机器视觉检测',
  '白酒酿造工艺',
  '刺梨加工',
  '水土保持',
  '大数据分析',
  '高边坡加固',
  '铝合金加工',
];
const titles = ['教授', '副教授', '研究员', '副研究员', '高级工程师', '工程师', '高级农艺师'];
const regions = ['520100', '520200', '520300', '520400', '520500', '520600', '522300', '522600', '522700'];
function dataset() {
  const societies = Array.from({ length: 200 }, (_, i) => ({
    key: `BS${i}`,
    name: `贵州省第${i}专业学会`,
    discipline: topics[i % topics.length],
    description: `围绕${topics[i % topics.length]}开展学术交流与技术服务。`,
    region_code: '520000',
  }));
  const experts = Array.from({ length: n }, (_, i) => ({
    key: `BE${i}`,
    name: `专家${i}`,
    title: titles[i % titles.length],
    affiliation: `贵州某研究院第${i % 300}研究室`,
    region_code: regions[i % regions.length],
    society_keys: [`BS${i % 200}`, `BS${(i * 7) % 200}`],
    fields: [topics[i % topics.length], topics[(i * 3) % topics.length], `方向${i % 997}`],
    bio: `长期从事${topics[i % topics.length]}与${topics[(i * 5) % topics.length]}研究，主持省级科技项目多项，服务企业解决生产中的技术难题。`.repeat(
      2,
    ),
  }));
  return { name: 'bench-import', societies, experts };
}

async function main() {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-bench-import-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      port: await freePort(),
      ephemeral: true,
    });
    cleanups.push(() => server.stop());
    adminUrl = server.url;
  }
  const name = `bench_import_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const { db } = createDatabase({ url: url.toString() });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db as unknown as Kysely<unknown>);
  await applyReferenceData(db);

  const bytes = new TextEncoder().encode(JSON.stringify(dataset()));
  const t0 = performance.now();
  const { dataset: raw, format } = await readImportFile(bytes, 'bench.json');
  const t1 = performance.now();
  const result = await importDataset(db, raw, {
    fileName: 'bench.json',
    format,
    actor: { userId: null, label: 'bench' },
  });
  const t2 = performance.now();
  if (!result.ok) throw new Error(result.messages.slice(0, 10).join('\n'));
  console.log(
    `${n} experts + 200 societies (${(bytes.byteLength / 1024 / 1024).toFixed(1)} MiB JSON): read ${((t1 - t0) / 1000).toFixed(1)} s, validate + write ${((t2 - t1) / 1000).toFixed(1)} s, total ${((t2 - t0) / 1000).toFixed(1)} s`,
  );
  const again = await importDataset(db, raw, {
    fileName: 'bench.json',
    format,
    actor: { userId: null, label: 'bench' },
  });
  const t3 = performance.now();
  console.log(
    `re-import (all updates): ${((t3 - t2) / 1000).toFixed(1)} s, ${again.ok ? again.counts.experts.updated : 0} experts updated`,
  );

  if (!args['skip-index']) {
    let meiliUrl = process.env.MEILI_URL;
    let key = process.env.MEILI_MASTER_KEY;
    if (!meiliUrl) {
      const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-bench-import-meili-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const meili = await startEmbeddedMeilisearch({ dataDir: dir, port: await freePort(), ephemeral: true });
      cleanups.push(() => meili.stop());
      meiliUrl = meili.url;
      key = meili.masterKey;
    }
    const search = createSearchClient(meiliUrl, key, 120_000);
    const indexes = searchIndexes(`${name}_`);
    cleanups.push(async () => {
      for (const index of (await search.getIndexes({ limit: 1000 })).results)
        if (index.uid.startsWith(indexes.prefix)) await search.deleteIndex(index.uid).waitTask();
    });
    await applyIndexSettings(search, indexes);
    const deps = { db, admin: search, indexes, logger: createLogger('warn') };
    let rows = 0;
    for (let k = await drainOutboxOnce(deps, 5000); k > 0; k = await drainOutboxOnce(deps, 5000)) rows += k;
    console.log(
      `outbox drained into Meilisearch (${rows} rows): ${((performance.now() - t3) / 1000).toFixed(1)} s`,
    );
  }
}

let code = 0;
try {
  await main();
} catch (error) {
  console.error('bench:import failed:', error instanceof Error ? error.message : error);
  code = 1;
} finally {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => {});
}
process.exit(code);
