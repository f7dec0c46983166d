import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { latestMigration } from '../../src/db/migration-manifest.js';
import { createMigrator, migrateToLatest } from '../../src/node/migrate.js';
import { newCreditCode } from '../support/factories.js';

const name = `m_${Date.now()}_${process.pid}`;
let db: Kysely<unknown>;
let admin: pg.Client;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString() });
  // `drop database … with (force)` at the end terminates idle clients; that is expected, not a failure.
  pool.on('error', () => {});
  db = new Kysely({ dialect: new PostgresDialect({ pool }) });
});
afterAll(async () => {
  await db.destroy();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe('migrations', () => {
  it('apply to an empty database, and down then up again', async () => {
    await migrateToLatest(db);
    const tables = await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'organisations',
        'users',
        'expert_profiles',
        'challenges',
        'challenge_status_events',
        'regions',
        'industries',
        'disciplines',
        'search_outbox',
      ]),
    );
    const migrator = createMigrator(db);
    const down = await migrator.migrateDown();
    expect(down.error).toBeUndefined();
    await migrateToLatest(db);
  });

  it('list every file of migrations/ in migrations/index.ts, and /readyz expects the newest', () => {
    const files = readdirSync('migrations')
      .filter((f) => /^\d{8}T\d{4}_.+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(Object.keys(migrations).sort()).toEqual(files.sort());
    expect(latestMigration).toBe(files.sort().at(-1));
  });

  it('enforce the 统一社会信用代码 check character in the database itself', async () => {
    const valid = newCreditCode();
    const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    const insert = (code: string) =>
      sql`insert into organisations (kind, name, credit_code) values ('enterprise', '测试企业', ${code})`.execute(
        db,
      );
    await expect(insert(valid)).resolves.toBeDefined();
    await expect(insert(wrongCheck)).rejects.toThrow(/organisations_credit_code_check/);
    await expect(insert('91520100ABCDEFGHIO')).rejects.toThrow(/check/);
  });

  it('refuse a status outside the life cycle and a negative reward', async () => {
    const org = await sql<{
      id: string;
    }>`insert into organisations (kind, name) values ('enterprise', '约束测试企业') returning id`.execute(db);
    const insert = (status: string, reward: number) =>
      sql`insert into challenges (enterprise_id, title, region_code, reward_wan, bid_deadline, status, published_at)
          values (${org.rows[0]!.id}, '约束测试榜单', '520100', ${reward}, now(), ${status}, now())`.execute(
        db,
      );
    await sql`insert into regions (code, name, short_name, level, parent_code) values ('520000', '贵州省', '贵州', 'province', null), ('520100', '贵阳市', '贵阳', 'prefecture', '520000') on conflict do nothing`.execute(
      db,
    );
    await expect(insert('anything', 10)).rejects.toThrow(/challenges_status_check/);
    await expect(insert('draft', 10)).resolves.toBeDefined();
    await expect(insert('draft', -1)).rejects.toThrow(/reward_wan_check/);
  });
});

describe('generated database types', () => {
  it('match the migrated schema (kysely-codegen --verify)', () => {
    const result = spawnSync('npx', ['tsx', 'src/cli/db-types.ts', '--verify'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stdout + result.stderr).not.toMatch(/out of date|differ/i);
    expect(result.status).toBe(0);
  }, 60_000);
});
