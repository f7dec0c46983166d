import { type Kysely, sql } from 'kysely';

/**
 * Core schema: reference data, organisations, users, expert profiles, challenges with their status
 * history, and the search outbox. Invariants are enforced here, not only in application code.
 * Frozen history: never edit after it has shipped; add a new migration instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pgcrypto`.execute(db);

  // GB 32100 统一社会信用代码: 18 chars over a 31-symbol charset; the last is a check character
  // computed from the first 17 (weights 3^i mod 31). Enforced in the database so no import path
  // can store an invalid code.
  await sql`
    create function is_valid_uscc(code text) returns boolean
    language plpgsql immutable strict parallel safe as $$
    declare
      charset constant text := '0123456789ABCDEFGHJKLMNPQRTUWXY';
      weights constant int[] := array[1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28];
      total int := 0;
      pos int;
      check_value int;
    begin
      if code !~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' then
        return false;
      end if;
      for i in 1..17 loop
        pos := strpos(charset, substr(code, i, 1)) - 1;
        total := total + pos * weights[i];
      end loop;
      check_value := (31 - total % 31) % 31;
      return substr(charset, check_value + 1, 1) = substr(code, 18, 1);
    end $$`.execute(db);

  // Versions of the reference data sets applied (regions, industries, disciplines).
  await db.schema
    .createTable('reference_versions')
    .addColumn('kind', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('regions')
    .addColumn('code', 'char(6)', (c) => c.primaryKey().check(sql`code ~ '^[0-9]{6}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('province', 'prefecture', 'county')`))
    .addColumn('parent_code', 'char(6)', (c) => c.references('regions.code'))
    .addColumn('retired_at', 'timestamptz')
    .addCheckConstraint('regions_parent_matches_level', sql`(level = 'province') = (parent_code is null)`)
    .execute();
  // Serves "counties of a prefecture" (filters, dashboards).
  await db.schema.createIndex('regions_parent_idx').on('regions').column('parent_code').execute();

  await db.schema
    .createTable('industries')
    .addColumn('code', 'text', (c) => c.primaryKey().check(sql`code ~ '^[a-z0-9-]{2,40}$'`))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('aliases', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('version', 'integer', (c) => c.notNull())
    // Retired rather than deleted, so challenges posted under an old version keep a valid reference.
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('disciplines')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_code', 'text', (c) => c.references('disciplines.code'))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('organisations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Identifier in the source system of an import (interchange format `key`); re-import updates.
    .addColumn('external_key', 'text', (c) => c.unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('enterprise', 'society', 'other')`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 2 and 100`))
    .addColumn('credit_code', 'char(18)', (c) => c.unique().check(sql`is_valid_uscc(credit_code)`))
    .addColumn('region_code', 'char(6)', (c) => c.references('regions.code'))
    .addColumn('discipline', 'text')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('verification_status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`verification_status in ('pending', 'verified', 'rejected')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) =>
      c.notNull().check(sql`email ~ '^[^@\\s]+@[^@\\s]+$' and length(email) <= 254`),
    )
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('enterprise', 'expert', 'society', 'operator')`),
    )
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Emails are compared case-insensitively: one account per mailbox.
  await sql`create unique index users_email_lower_key on users (lower(email))`.execute(db);

  await db.schema
    .createTable('organisation_members')
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('organisation_members_pkey', ['organisation_id', 'user_id'])
    .execute();
  // Serves "organisations of the signed-in user".
  await db.schema
    .createIndex('organisation_members_user_idx')
    .on('organisation_members')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('expert_profiles')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_key', 'text', (c) => c.unique())
    .addColumn('user_id', 'uuid', (c) => c.unique().references('users.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 50`))
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('affiliation', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('region_code', 'char(6)', (c) => c.references('regions.code'))
    .addColumn('fields', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('bio', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('expert_societies')
    .addColumn('expert_id', 'uuid', (c) => c.notNull().references('expert_profiles.id').onDelete('cascade'))
    .addColumn('society_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('expert_societies_pkey', ['expert_id', 'society_id'])
    .execute();
  // Serves "member experts of a society".
  await db.schema
    .createIndex('expert_societies_society_idx')
    .on('expert_societies')
    .column('society_id')
    .execute();

  await db.schema
    .createTable('challenges')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_key', 'text', (c) => c.unique())
    .addColumn('enterprise_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 4 and 100`))
    .addColumn('background', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('problem', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('targets', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('industry_code', 'text', (c) => c.references('industries.code'))
    .addColumn('region_code', 'char(6)', (c) => c.notNull().references('regions.code'))
    .addColumn('reward_wan', 'numeric(12, 2)', (c) =>
      c.notNull().check(sql`reward_wan >= 0 and reward_wan <= 1000000`),
    )
    .addColumn('cooperation_mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('技术开发')
        .check(sql`cooperation_mode in ('技术开发', '技术转让', '技术许可', '技术咨询', '技术服务')`),
    )
    .addColumn('bid_deadline', 'timestamptz', (c) => c.notNull())
    .addColumn('delivery_deadline', 'timestamptz')
    .addColumn('hide_enterprise_name', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(
          sql`status in ('draft', 'under_review', 'returned', 'rejected', 'published', 'bidding_closed', 'awarded', 'in_delivery', 'accepted', 'failed', 'withdrawn')`,
        ),
    )
    .addColumn('published_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'challenges_delivery_after_bid',
      sql`delivery_deadline is null or delivery_deadline >= bid_deadline`,
    )
    .addCheckConstraint(
      'challenges_public_has_published_at',
      sql`status in ('draft', 'under_review', 'returned', 'rejected') or published_at is not null`,
    )
    .execute();
  // Serves the public listing: published challenges newest first.
  await db.schema
    .createIndex('challenges_status_published_idx')
    .on('challenges')
    .columns(['status', 'published_at desc'])
    .execute();
  // Serves "challenges of an enterprise".
  await db.schema.createIndex('challenges_enterprise_idx').on('challenges').column('enterprise_id').execute();
  // Serves the reindex catch-up ("changed since the snapshot began").
  await db.schema.createIndex('challenges_updated_at_idx').on('challenges').column('updated_at').execute();

  await db.schema
    .createTable('challenge_status_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('challenge_id', 'uuid', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Serves a challenge's history, in order.
  await db.schema
    .createIndex('challenge_status_events_challenge_idx')
    .on('challenge_status_events')
    .columns(['challenge_id', 'id'])
    .execute();

  // Transactional outbox: written in the same transaction as the change; a worker pushes the
  // current state of each entity to Meilisearch and deletes the row only once the task succeeded.
  await db.schema
    .createTable('search_outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('available_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Serves the worker's "next due rows" claim.
  await db.schema
    .createIndex('search_outbox_due_idx')
    .on('search_outbox')
    .columns(['available_at', 'id'])
    .execute();

  // updated_at is maintained by the database, so "changed since" (reindex catch-up) cannot be
  // defeated by a code path that forgets to set it.
  await sql`
    create function set_updated_at() returns trigger language plpgsql as $$
    begin
      new.updated_at := now();
      return new;
    end $$`.execute(db);
  for (const table of ['organisations', 'expert_profiles', 'challenges']) {
    await sql`create trigger ${sql.raw(`${table}_set_updated_at`)} before update on ${sql.table(table)} for each row execute function set_updated_at()`.execute(
      db,
    );
  }

  // Marks that demo content was seeded once, so a restart never re-seeds.
  await db.schema
    .createTable('seed_runs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'seed_runs',
    'search_outbox',
    'challenge_status_events',
    'challenges',
    'expert_societies',
    'expert_profiles',
    'organisation_members',
    'users',
    'organisations',
    'disciplines',
    'industries',
    'regions',
    'reference_versions',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists set_updated_at()`.execute(db);
  await sql`drop function if exists is_valid_uscc(text)`.execute(db);
}
