import { type Kysely, sql } from 'kysely';

/**
 * Supply side: what experts and societies offer. Expert profile details (visibility, availability,
 * contact with consent, achievements), society roles of member experts, capabilities (成果/服务能力)
 * with their review life cycle, service teams (科技服务团) with members, a free-text industry label on
 * challenges (as written in an imported source), and a record of every import run.
 * Frozen history: never edit after it has shipped; add a new migration instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('expert_profiles')
    // Hidden profiles are kept (bids, history) but leave the public pages and the search index.
    .addColumn('visibility', 'text', (c) =>
      c.notNull().defaultTo('public').check(sql`visibility in ('public', 'hidden')`),
    )
    .addColumn('availability', 'text', (c) =>
      c.notNull().defaultTo('available').check(sql`availability in ('available', 'limited', 'unavailable')`),
    )
    .addColumn('discipline', 'text')
    // Contact details are never indexed; shown only to verified enterprises when the expert agreed.
    .addColumn('contact_phone', 'text', (c) => c.check(sql`contact_phone ~ '^\\+?[0-9 -]{5,20}$'`))
    .addColumn('contact_email', 'text', (c) =>
      c.check(sql`contact_email ~ '^[^@\\s]+@[^@\\s]+$' and length(contact_email) <= 254`),
    )
    .addColumn('contact_consent', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`alter table expert_profiles add constraint expert_profiles_field_count check (cardinality(fields) <= 30)`.execute(
    db,
  );
  // Serves the reindex catch-up ("changed since the snapshot began") for experts.
  await db.schema
    .createIndex('expert_profiles_updated_at_idx')
    .on('expert_profiles')
    .column('updated_at')
    .execute();

  await db.schema
    .alterTable('expert_societies')
    .addColumn('role', 'text', (c) =>
      c
        .notNull()
        .defaultTo('member')
        .check(sql`role in ('member', 'council_member', 'vice_president', 'president', 'secretary_general')`),
    )
    .execute();

  // Organisations: regions a society serves (besides its seat), for "regions served" and filters.
  await db.schema
    .alterTable('organisations')
    .addColumn('service_region_codes', sql`char(6)[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
  // Serves the reindex catch-up for societies.
  await db.schema
    .createIndex('organisations_updated_at_idx')
    .on('organisations')
    .column('updated_at')
    .execute();

  // The industry as the source wrote it ("辣椒加工"), kept beside the mapped reference code: matching
  // reads the words, facets read the code.
  await db.schema
    .alterTable('challenges')
    .addColumn('industry_label', 'text', (c) => c.check(sql`length(industry_label) <= 50`))
    .execute();

  await db.schema
    .createTable('expert_achievements')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('expert_id', 'uuid', (c) => c.notNull().references('expert_profiles.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('paper', 'patent', 'award', 'project')`))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 2 and 200`))
    .addColumn('year', 'smallint', (c) => c.check(sql`year between 1950 and 2100`))
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Serves an expert's profile page (achievements, newest first).
  await db.schema
    .createIndex('expert_achievements_expert_idx')
    .on('expert_achievements')
    .columns(['expert_id', 'year desc'])
    .execute();

  await db.schema
    .createTable('capabilities')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_key', 'text', (c) => c.unique())
    .addColumn('owner_expert_id', 'uuid', (c) => c.references('expert_profiles.id').onDelete('cascade'))
    .addColumn('owner_organisation_id', 'uuid', (c) => c.references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('achievement', 'patent', 'service', 'equipment', 'standard')`),
    )
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 2 and 100`))
    .addColumn('description', 'text', (c) =>
      c.notNull().defaultTo('').check(sql`length(description) <= 5000`),
    )
    .addColumn('fields', sql`text[]`, (c) =>
      c.notNull().defaultTo(sql`'{}'`).check(sql`cardinality(fields) <= 30`),
    )
    .addColumn('industry_code', 'text', (c) => c.references('industries.code'))
    // GB/T 22900 technology readiness level; services and evaluation offers may have none.
    .addColumn('trl', 'smallint', (c) => c.check(sql`trl between 1 and 9`))
    .addColumn('cooperation_modes', sql`text[]`, (c) =>
      c
        .notNull()
        .check(
          sql`cardinality(cooperation_modes) between 1 and 5 and cooperation_modes <@ array['转让', '许可', '合作开发', '技术咨询', '技术服务']::text[]`,
        ),
    )
    // Either a price range in 万元 or 面议 (negotiable), never both and never neither.
    .addColumn('price_negotiable', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('price_min_wan', 'numeric(12, 2)', (c) => c.check(sql`price_min_wan >= 0`))
    .addColumn('price_max_wan', 'numeric(12, 2)', (c) => c.check(sql`price_max_wan >= 0`))
    .addColumn('region_code', 'char(6)', (c) => c.references('regions.code'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('draft').check(sql`status in ('draft', 'published', 'taken_down')`),
    )
    .addColumn('takedown_reason', 'text')
    .addColumn('taken_down_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('published_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'capabilities_one_owner',
      sql`num_nonnulls(owner_expert_id, owner_organisation_id) = 1`,
    )
    .addCheckConstraint(
      'capabilities_price',
      sql`case when price_negotiable then price_min_wan is null and price_max_wan is null
               else price_min_wan is not null and (price_max_wan is null or price_max_wan >= price_min_wan) end`,
    )
    .addCheckConstraint(
      'capabilities_takedown_has_reason',
      sql`(status = 'taken_down') = (takedown_reason is not null and length(takedown_reason) > 0)`,
    )
    .addCheckConstraint('capabilities_published_has_date', sql`status = 'draft' or published_at is not null`)
    .execute();
  // Serve "capabilities of an expert / of an organisation" on profile pages.
  await sql`create index capabilities_owner_expert_idx on capabilities (owner_expert_id) where owner_expert_id is not null`.execute(
    db,
  );
  await sql`create index capabilities_owner_org_idx on capabilities (owner_organisation_id) where owner_organisation_id is not null`.execute(
    db,
  );
  // Serves the public listing (published, newest first).
  await db.schema
    .createIndex('capabilities_status_published_idx')
    .on('capabilities')
    .columns(['status', 'published_at desc'])
    .execute();
  // Serves the reindex catch-up.
  await db.schema
    .createIndex('capabilities_updated_at_idx')
    .on('capabilities')
    .column('updated_at')
    .execute();

  await db.schema
    .createTable('service_teams')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('society_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 2 and 100`))
    .addColumn('industry_code', 'text', (c) => c.references('industries.code'))
    .addColumn('region_codes', sql`char(6)[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('active').check(sql`status in ('active', 'dissolved')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('service_teams_society_name_key', ['society_id', 'name'])
    .execute();

  await db.schema
    .createTable('service_team_members')
    .addColumn('team_id', 'uuid', (c) => c.notNull().references('service_teams.id').onDelete('cascade'))
    .addColumn('expert_id', 'uuid', (c) => c.notNull().references('expert_profiles.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member').check(sql`role in ('lead', 'member')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('service_team_members_pkey', ['team_id', 'expert_id'])
    .execute();
  // A team has at most one lead.
  await sql`create unique index service_team_members_one_lead on service_team_members (team_id) where role = 'lead'`.execute(
    db,
  );
  // Serves "teams an expert is in" on the expert's page.
  await db.schema
    .createIndex('service_team_members_expert_idx')
    .on('service_team_members')
    .column('expert_id')
    .execute();

  for (const table of ['capabilities', 'service_teams']) {
    await sql`create trigger ${sql.raw(`${table}_set_updated_at`)} before update on ${sql.table(table)} for each row execute function set_updated_at()`.execute(
      db,
    );
  }

  // One row per import run (CLI or web), with its outcome: what an operator sees in the history.
  await db.schema
    .createTable('import_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('json', 'csv', 'xlsx')`))
    .addColumn('actor_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('applied', 'rejected')`))
    .addColumn('counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('errors', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Serves the import history, newest first.
  await db.schema.createIndex('import_runs_created_idx').on('import_runs').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'import_runs',
    'service_team_members',
    'service_teams',
    'capabilities',
    'expert_achievements',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await db.schema.alterTable('challenges').dropColumn('industry_label').execute();
  await sql`drop index if exists organisations_updated_at_idx`.execute(db);
  await db.schema.alterTable('organisations').dropColumn('service_region_codes').execute();
  await db.schema.alterTable('expert_societies').dropColumn('role').execute();
  await sql`drop index if exists expert_profiles_updated_at_idx`.execute(db);
  await sql`alter table expert_profiles drop constraint if exists expert_profiles_field_count`.execute(db);
  await db.schema
    .alterTable('expert_profiles')
    .dropColumn('visibility')
    .dropColumn('availability')
    .dropColumn('discipline')
    .dropColumn('contact_phone')
    .dropColumn('contact_email')
    .dropColumn('contact_consent')
    .execute();
}
