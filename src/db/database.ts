import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { preparingPool } from './prepared-statements.js';
import type { DB } from './schema.js';

export type Database = Kysely<DB>;

// numeric → number (rewards in 万元 have 2 decimals; far inside double precision) and
// int8 → number (counts and bigserial ids stay below 2^53 here).
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  /** Per-statement limit; 0 disables it (bulk CLIs and benchmarks). Default 15 s. */
  statementTimeoutMs?: number;
  onPoolError?: (error: Error) => void;
  /**
   * Send queries marked with `prepared()` as named prepared statements (default true). Off where
   * a connection pooler in transaction mode sits between us and PostgreSQL and cannot keep them.
   */
  namedStatements?: boolean;
}

/**
 * One pool per process, created by the entry point and passed to `createApp`.
 * Fails fast when PostgreSQL is away (2 s connect timeout) so requests answer 503 instead of hanging,
 * and an idle client dying (server restart) is logged instead of crashing the process.
 */
export function createDatabase(options: DatabaseOptions): { db: Database; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    // A statement stuck behind a lock must not hold a request forever.
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    application_name: 'jiebang',
  });
  // Without a listener, an idle client's error (e.g. PostgreSQL restarted) is an uncaught exception.
  pool.on('error', (error) => options.onPoolError?.(error));
  const dialectPool = options.namedStatements === false ? pool : preparingPool(pool);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool: dialectPool }) }), pool };
}
