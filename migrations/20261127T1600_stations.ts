import { type Kysely, sql } from 'kysely';

/**
 * Stations (学会工作站, 专家服务站, 创新分支机构) hosted by enterprises, parks and counties: their
 * life cycle with an event per transition, stationed experts with consent, service records (服务记录)
 * confirmed by the host, and the operator's yearly grades. Station kinds are reference data.
 * Frozen history: never edit after it has shipped; add a new migration instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Extensible reference data: a new kind is a row, not a code change.
  await db.schema
    .createTable('station_kinds')
    .addColumn('code', 'text', (c) => c.primaryKey().check(sql`code ~ '^[a-z0-9-]{2,40}$'`))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await sql`insert into station_kinds (code, name, sort) values
    ('society-workstation', '学会工作站', 10),
    ('expert-service-station', '专家服务站', 20),
    ('innovation-branch', '创新分支机构', 30)`.execute(db);

  await db.schema
    .createTable('stations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind_code', 'text', (c) => c.notNull().references('station_kinds.code'))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('national', 'provincial')`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 4 and 100`))
    .addColumn('society_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('host_organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('host_kind', 'text', (c) =>
      c.notNull().check(sql`host_kind in ('enterprise', 'park', 'county_government')`),
    )
    // County-level region (checked against regions.level by the use case; the FK keeps it real).
    .addColumn('region_code', 'char(6)', (c) => c.notNull().references('regions.code'))
    .addColumn('address', 'text', (c) => c.notNull().check(sql`length(address) between 2 and 200`))
    .addColumn('industry_codes', sql`text[]`, (c) =>
      c.notNull().check(sql`cardinality(industry_codes) between 1 and 10`),
    )
    .addColumn('discipline_codes', sql`text[]`, (c) =>
      c.notNull().defaultTo(sql`'{}'`).check(sql`cardinality(discipline_codes) <= 10`),
    )
    .addColumn('description', 'text', (c) =>
      c.notNull().defaultTo('').check(sql`length(description) <= 2000`),
    )
    .addColumn('term_start', 'date', (c) => c.notNull())
    .addColumn('term_end', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('applied')
        .check(
          sql`status in ('applied', 'host_confirmed', 'active', 'rejected', 'withdrawn', 'suspended', 'expired', 'revoked')`,
        ),
    )
    .addColumn('approved_at', 'timestamptz')
    // The term end a 30-day reminder was sent for: a renewal (new term end) gets its own reminder.
    .addColumn('expiry_reminder_for', 'date')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('stations_term_order', sql`term_end > term_start`)
    .addCheckConstraint('stations_host_not_society', sql`host_organisation_id <> society_id`)
    .addCheckConstraint(
      'stations_active_was_approved',
      sql`status in ('applied', 'host_confirmed', 'rejected', 'withdrawn') or approved_at is not null`,
    )
    .execute();
  // Serves "stations of a society" (society pages, yearly evaluation).
  await db.schema.createIndex('stations_society_idx').on('stations').column('society_id').execute();
  // Serves "stations hosted by an organisation" (host confirmation queue).
  await db.schema.createIndex('stations_host_idx').on('stations').column('host_organisation_id').execute();
  // Serves the operator queue and the expiry sweep (status + term end).
  await db.schema
    .createIndex('stations_status_term_idx')
    .on('stations')
    .columns(['status', 'term_end'])
    .execute();
  // Serves the reindex catch-up.
  await db.schema.createIndex('stations_updated_at_idx').on('stations').column('updated_at').execute();
  await sql`create trigger stations_set_updated_at before update on stations for each row execute function set_updated_at()`.execute(
    db,
  );

  await db.schema
    .createTable('station_status_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'uuid', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Serves a station's history, in order; and "active during year Y" (evaluation).
  await db.schema
    .createIndex('station_status_events_station_idx')
    .on('station_status_events')
    .columns(['station_id', 'id'])
    .execute();

  await db.schema
    .createTable('station_experts')
    .addColumn('station_id', 'uuid', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('expert_id', 'uuid', (c) => c.notNull().references('expert_profiles.id').onDelete('cascade'))
    // Nobody is shown as stationed without saying yes: the expert (through their account) consents.
    .addColumn('consent', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`consent in ('pending', 'given', 'declined')`),
    )
    .addColumn('consent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('station_experts_pkey', ['station_id', 'expert_id'])
    .execute();
  // Serves "stations an expert is asked to join" (consent list).
  await db.schema
    .createIndex('station_experts_expert_idx')
    .on('station_experts')
    .column('expert_id')
    .execute();

  await db.schema
    .createTable('service_records')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('station_id', 'uuid', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .check(sql`kind in ('visit', 'training', 'consulting', 'problem_solved', 'standard_drafted')`),
    )
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 2 and 100`))
    .addColumn('served_on', 'date', (c) => c.notNull())
    .addColumn('beneficiaries', 'integer', (c) => c.notNull().check(sql`beneficiaries between 0 and 1000000`))
    // The enterprise served when it is not the host (e.g. a county station serving a co-operative).
    .addColumn('beneficiary_organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('evidence', 'text', (c) => c.notNull().defaultTo('').check(sql`length(evidence) <= 5000`))
    .addColumn('challenge_id', 'uuid', (c) => c.references('challenges.id'))
    .addColumn('capability_id', 'uuid', (c) => c.references('capabilities.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('submitted').check(sql`status in ('submitted', 'confirmed', 'disputed')`),
    )
    .addColumn('dispute_reason', 'text')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('confirmed_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'service_records_confirmed_has_date',
      sql`(status = 'confirmed') = (confirmed_at is not null)`,
    )
    .addCheckConstraint(
      'service_records_dispute_has_reason',
      sql`status <> 'disputed' or length(coalesce(dispute_reason, '')) > 0`,
    )
    .execute();
  // Serves a station's records (newest first) and the yearly indicators (station + date range).
  await db.schema
    .createIndex('service_records_station_idx')
    .on('service_records')
    .columns(['station_id', 'served_on'])
    .execute();

  await db.schema
    .createTable('service_record_experts')
    .addColumn('record_id', 'uuid', (c) => c.notNull().references('service_records.id').onDelete('cascade'))
    .addColumn('expert_id', 'uuid', (c) => c.notNull().references('expert_profiles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('service_record_experts_pkey', ['record_id', 'expert_id'])
    .execute();
  // Serves "experts active in a year" (evaluation).
  await db.schema
    .createIndex('service_record_experts_expert_idx')
    .on('service_record_experts')
    .column('expert_id')
    .execute();

  // The operator's yearly grade of a station, one per station and year.
  await db.schema
    .createTable('station_grades')
    .addColumn('station_id', 'uuid', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('year', 'smallint', (c) => c.notNull().check(sql`year between 2000 and 2100`))
    .addColumn('grade', 'text', (c) => c.notNull().check(sql`grade in ('excellent', 'good', 'pass')`))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`length(reason) between 2 and 1000`))
    .addColumn('graded_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('graded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('station_grades_pkey', ['station_id', 'year'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'station_grades',
    'service_record_experts',
    'service_records',
    'station_experts',
    'station_status_events',
    'stations',
    'station_kinds',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
