/**
 * `npm run db:types` regenerates src/db/schema.ts from a freshly migrated throw-away PostgreSQL;
 * `npm run db:types -- --verify` fails when the committed file has drifted from the migrations (CI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startEmbeddedPostgres } from '../node/embedded-postgres.js';
import { freePort } from '../node/free-port.js';
import { migrateToLatest } from '../node/migrate.js';

const verify = process.argv.includes('--verify');
const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-dbtypes-'));
const server = await startEmbeddedPostgres({
  dataDir: path.join(dir, 'pg'),
  port: await freePort(),
  ephemeral: true,
});
let status = 1;
try {
  const pool = new pg.Pool({ connectionString: server.url });
  pool.on('error', () => {});
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db);
  await db.destroy();
  const result = spawnSync(
    process.execPath,
    [
      path.resolve('node_modules/kysely-codegen/dist/cli/bin.js'),
      '--dialect=postgres',
      `--url=${server.url}`,
      '--out-file=src/db/schema.ts',
      '--numeric-parser=number',
      '--type-mapping={"int8":"number"}',
      '--exclude-pattern=kysely_*',
      ...(verify ? ['--verify'] : []),
    ],
    { stdio: 'inherit' },
  );
  status = result.status ?? 1;
} finally {
  await server.stop();
}
process.exit(status);
