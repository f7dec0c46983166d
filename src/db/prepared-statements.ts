import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { type RawBuilder, sql } from 'kysely';
import type pg from 'pg';

/**
 * Named prepared statements for the few queries every anonymous visitor runs (the public listing).
 *
 * Kysely sends every query unnamed, so PostgreSQL parses and plans it on each execution. For the
 * public challenge list, planning a page joined to four name tables took longer than running it
 * (0.8 ms against 0.3 ms, EXPLAIN ANALYZE at 100,000 challenges), and with two cores shared by
 * Node and PostgreSQL that held the endpoint to about a third of a bare `select … limit 20`
 * (`npm run bench`). A statement marked with `prepared()` is sent under a name instead: each pooled
 * connection parses it once and PostgreSQL may keep its plan (after five executions it compares the
 * generic plan with the custom ones, so a plan that depends on the parameters stays custom).
 *
 * Opt-in, not for every statement: each distinct SQL text becomes a statement held by every
 * connection for its lifetime, and texts that vary with their input (`in (…)` lists, multi-row
 * inserts) would grow that without end. Marked queries keep their constant parts literal, and at most
 * `MAX_NAMED_STATEMENTS` texts are named per process; later ones run unnamed, as before.
 *
 * @example
 *   const rows = await prepared(db.selectFrom('challenges').select('id').limit(20)).execute();
 */
const PREPARE_MARK = ' /* jiebang:prepared */';
export const MAX_NAMED_STATEMENTS = 200;

/** Marks a query to be sent as a named prepared statement (see above). */
export function prepared<Q extends { modifyEnd(modifier: RawBuilder<unknown>): Q }>(query: Q): Q {
  return query.modifyEnd(sql.raw(PREPARE_MARK));
}

/**
 * A Kysely pool over a pg pool that sends marked statements under a stable name. Names are given per
 * process (the same text always gets the same name), and pg re-prepares a name on each new connection.
 */
export function preparingPool(pool: pg.Pool, maxNames = MAX_NAMED_STATEMENTS): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < maxNames) {
      name = `jiebang_${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const query = (text: string, values: ReadonlyArray<unknown>) => {
        const name = text.endsWith(PREPARE_MARK) ? nameOf(text) : undefined;
        return name ? client.query({ name, text, values: [...values] }) : client.query(text, [...values]);
      };
      return {
        // Kysely's cursor overload is never used here (no pg-cursor); only the text form is.
        query: query as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}
