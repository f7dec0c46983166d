import { type Kysely, sql } from 'kysely';

/**
 * Saved-search alerts (订阅提醒): an expert or society member saves a challenge search (query and
 * filters) or opts into "profile match" alerts; when a challenge is published, matching alerts
 * notify the user in the app.
 *
 * - `saved_searches`: one row per alert; at most one `profile` alert per user (partial unique).
 * - `saved_search_hits`: each (alert, challenge) notified once, whatever the dispatcher retries.
 * - `challenge_alert_runs`: challenges already checked against every alert, so the dispatcher's
 *   queue is "recently published, not yet run"; existing public challenges count as run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('saved_searches')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('search', 'profile')`))
    .addColumn('query', 'text', (c) => c.notNull().defaultTo('').check(sql`length(query) <= 200`))
    .addColumn('industry_code', 'text')
    .addColumn('region_code', 'text', (c) => c.check(sql`region_code ~ '^52[0-9]{4}$'`))
    .addColumn('reward_min', 'numeric(12, 2)', (c) => c.check(sql`reward_min >= 0`))
    .addColumn('reward_max', 'numeric(12, 2)', (c) => c.check(sql`reward_max >= 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A search alert with no criteria would fire on every challenge: that is the profile alert's job.
    .addCheckConstraint(
      'saved_searches_search_has_criteria',
      sql`kind = 'profile' or query <> '' or industry_code is not null or region_code is not null or reward_min is not null or reward_max is not null`,
    )
    .addCheckConstraint(
      'saved_searches_profile_has_no_criteria',
      sql`kind = 'search' or (query = '' and industry_code is null and region_code is null and reward_min is null and reward_max is null)`,
    )
    .execute();
  // Serves the user's list (/me/alerts) and the per-user count limit.
  await db.schema
    .createIndex('saved_searches_user_idx')
    .on('saved_searches')
    .columns(['user_id', 'created_at'])
    .execute();
  await sql`create unique index saved_searches_one_profile_key on saved_searches (user_id) where kind = 'profile'`.execute(
    db,
  );

  await db.schema
    .createTable('saved_search_hits')
    .addColumn('saved_search_id', 'uuid', (c) =>
      c.notNull().references('saved_searches.id').onDelete('cascade'),
    )
    .addColumn('challenge_id', 'uuid', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('saved_search_hits_pkey', ['saved_search_id', 'challenge_id'])
    .execute();
  // Cascade deletes of a challenge look hits up by challenge.
  await db.schema
    .createIndex('saved_search_hits_challenge_idx')
    .on('saved_search_hits')
    .column('challenge_id')
    .execute();

  await db.schema
    .createTable('challenge_alert_runs')
    .addColumn('challenge_id', 'uuid', (c) => c.primaryKey().references('challenges.id').onDelete('cascade'))
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into challenge_alert_runs (challenge_id) select id from challenges where published_at is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('challenge_alert_runs').execute();
  await db.schema.dropTable('saved_search_hits').execute();
  await db.schema.dropTable('saved_searches').execute();
}
