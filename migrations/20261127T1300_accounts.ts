import { type Kysely, sql } from 'kysely';

/**
 * Accounts: sessions, personal API tokens, password resets, organisation verification and
 * invitations, expert profile claims, the audit log, rate-limit counters and the mail outbox.
 * Frozen history: never edit after it has shipped; add a new migration instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('phone', 'text', (c) => c.check(sql`phone ~ '^\\+?[0-9 -]{5,20}$'`))
    .addColumn('password_changed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`alter table users add constraint users_display_name_length check (length(display_name) between 1 and 50)`.execute(
    db,
  );
  await sql`create trigger users_set_updated_at before update on users for each row execute function set_updated_at()`.execute(
    db,
  );

  // Sessions as in the Lucia guide: the cookie carries `<id>.<secret>`; only SHA-256(secret) is
  // stored, so a leaked table cannot be replayed as cookies.
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('secret_hash', 'bytea', (c) => c.notNull().check(sql`length(secret_hash) = 32`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_verified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  // Serves "log out of all devices" and the session list on the account page.
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 60`))
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('read', 'write')`))
    .addColumn('secret_hash', 'bytea', (c) => c.notNull().check(sql`length(secret_hash) = 32`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  // Serves the token list on the account page.
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('password_reset_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('secret_hash', 'bytea', (c) => c.notNull().check(sql`length(secret_hash) = 32`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  // Serves "invalidate a user's outstanding reset tokens" after a reset or password change.
  await db.schema
    .createIndex('password_reset_tokens_user_idx')
    .on('password_reset_tokens')
    .column('user_id')
    .execute();

  await db.schema
    .alterTable('organisations')
    .addColumn('verification_reason', 'text')
    .addColumn('verified_at', 'timestamptz')
    .addColumn('verified_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await sql`alter table organisations add constraint organisations_rejection_has_reason check (verification_status <> 'rejected' or length(coalesce(verification_reason, '')) > 0)`.execute(
    db,
  );
  // Serves the operator's verification queue (oldest pending first).
  await sql`create index organisations_pending_idx on organisations (created_at) where verification_status = 'pending'`.execute(
    db,
  );

  await db.schema
    .createTable('organisation_invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addColumn('email', 'text', (c) => c.notNull().check(sql`length(email) <= 254`))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member')`))
    .addColumn('secret_hash', 'bytea', (c) => c.notNull().check(sql`length(secret_hash) = 32`))
    .addColumn('invited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  // Serves the open invitations of an organisation.
  await db.schema
    .createIndex('organisation_invitations_org_idx')
    .on('organisation_invitations')
    .column('organisation_id')
    .execute();

  await db.schema
    .createTable('expert_profile_claims')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('expert_profile_id', 'uuid', (c) =>
      c.notNull().references('expert_profiles.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('evidence', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'approved', 'rejected')`),
    )
    .addColumn('reason', 'text')
    .addColumn('decided_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One open claim per (profile, user): a second click does not queue a duplicate.
  await sql`create unique index expert_profile_claims_open_key on expert_profile_claims (expert_profile_id, user_id) where status = 'pending'`.execute(
    db,
  );

  // Append-only record of every state-changing action, written in the action's own transaction.
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actor_role', 'text')
    .addColumn('ip', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('reason', 'text')
    .execute();
  // Serves "history of one object" (operator views, tests).
  await db.schema
    .createIndex('audit_log_target_idx')
    .on('audit_log')
    .columns(['target_type', 'target_id', 'id'])
    .execute();

  // Fixed-window counters shared by every instance (Node or Workers): one row per bucket and window.
  await db.schema
    .createTable('rate_limits')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pkey', ['bucket', 'window_start'])
    .execute();
  // Serves the periodic purge of expired windows.
  await db.schema.createIndex('rate_limits_window_idx').on('rate_limits').column('window_start').execute();

  // Mail outbox: written in the same transaction as the action that sends it; the development
  // mailer stops here, an SMTP sender drains it.
  await db.schema
    .createTable('outbound_emails')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'outbound_emails',
    'rate_limits',
    'audit_log',
    'expert_profile_claims',
    'organisation_invitations',
    'password_reset_tokens',
    'api_tokens',
    'sessions',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop index if exists organisations_pending_idx`.execute(db);
  await sql`alter table organisations drop constraint if exists organisations_rejection_has_reason`.execute(
    db,
  );
  await db.schema
    .alterTable('organisations')
    .dropColumn('verification_reason')
    .dropColumn('verified_at')
    .dropColumn('verified_by')
    .dropColumn('created_by')
    .execute();
  await sql`drop trigger if exists users_set_updated_at on users`.execute(db);
  await sql`alter table users drop constraint if exists users_display_name_length`.execute(db);
  await db.schema
    .alterTable('users')
    .dropColumn('phone')
    .dropColumn('password_changed_at')
    .dropColumn('updated_at')
    .execute();
}
