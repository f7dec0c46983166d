import { type Kysely, sql } from 'kysely';

/**
 * 揭榜挂帅 end to end: the full challenge form (disciplines, tranches, bidder requirements, terms,
 * award mode), optimistic-concurrency versions and content revisions, public Q&A, invitations, bids
 * (solo, team, organisation) with private evaluations, awards, milestones with submissions, ratings,
 * in-app notifications and idempotency keys.
 * Frozen history: never edit after it has shipped; add a new migration instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Payment tranches in percent (40/30/30): 1-6 positive parts summing to 100. A function because a
  // check constraint may not contain a subquery.
  await sql`
    create function tranches_valid(parts smallint[]) returns boolean
    language sql immutable strict parallel safe as $$
      select cardinality(parts) between 1 and 6
        and (select bool_and(p > 0) and sum(p) = 100 from unnest(parts) as p)
    $$`.execute(db);

  await db.schema
    .alterTable('challenges')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1).check(sql`version >= 1`))
    .addColumn('disciplines', sql`text[]`, (c) =>
      c.notNull().defaultTo(sql`'{}'`).check(sql`cardinality(disciplines) <= 10`),
    )
    .addColumn('reward_tranches', sql`smallint[]`, (c) =>
      c.notNull().defaultTo(sql`'{100}'`).check(sql`tranches_valid(reward_tranches)`),
    )
    .addColumn('bidder_requirements', 'text', (c) =>
      c.notNull().defaultTo('').check(sql`length(bidder_requirements) <= 2000`),
    )
    .addColumn('ip_terms', 'text', (c) =>
      c
        .notNull()
        .defaultTo('negotiable')
        .check(sql`ip_terms in ('enterprise_owns', 'bidder_owns', 'shared', 'negotiable')`),
    )
    .addColumn('confidentiality', 'text', (c) =>
      c
        .notNull()
        .defaultTo('none')
        .check(sql`confidentiality in ('none', 'nda_before_details', 'nda_on_award')`),
    )
    .addColumn('terms_note', 'text', (c) => c.notNull().defaultTo('').check(sql`length(terms_note) <= 2000`))
    .addColumn('award_mode', 'text', (c) =>
      c.notNull().defaultTo('single').check(sql`award_mode in ('single', 'horse_race')`),
    )
    .addColumn('max_awards', 'smallint', (c) =>
      c.notNull().defaultTo(1).check(sql`max_awards between 1 and 10`),
    )
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await sql`alter table challenges add constraint challenges_award_mode_count check ((award_mode = 'single') = (max_awards = 1))`.execute(
    db,
  );
  // A challenge may be withdrawn before it was ever published (from draft or review).
  await sql`alter table challenges drop constraint challenges_public_has_published_at`.execute(db);
  await sql`alter table challenges add constraint challenges_public_has_published_at check (status in ('draft', 'under_review', 'returned', 'rejected', 'withdrawn') or published_at is not null)`.execute(
    db,
  );
  // Serves the deadline sweep ("published challenges whose bid deadline has passed").
  await sql`create index challenges_published_deadline_idx on challenges (bid_deadline) where status = 'published'`.execute(
    db,
  );

  // The content of a challenge before each edit once it left draft: what bidders saw, kept.
  await db.schema
    .createTable('challenge_revisions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('challenge_id', 'uuid', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('edited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('challenge_revisions_version_key', ['challenge_id', 'version'])
    .execute();

  // Public Q&A (答疑): anyone signed in asks; the enterprise answers publicly.
  await db.schema
    .createTable('challenge_questions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('challenge_id', 'uuid', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('asked_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('question', 'text', (c) => c.notNull().check(sql`length(question) between 2 and 1000`))
    .addColumn('answer', 'text', (c) => c.check(sql`length(answer) between 1 and 2000`))
    .addColumn('answered_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('answered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('challenge_questions_answer_complete', sql`(answer is null) = (answered_at is null)`)
    .execute();
  // Serves a challenge's Q&A list in order.
  await db.schema
    .createIndex('challenge_questions_challenge_idx')
    .on('challenge_questions')
    .columns(['challenge_id', 'created_at'])
    .execute();

  // Invitations to bid: an expert (by profile, answered by its account) or an organisation (society).
  await db.schema
    .createTable('challenge_invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('challenge_id', 'uuid', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('expert_profile_id', 'uuid', (c) => c.references('expert_profiles.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id').onDelete('cascade'))
    .addColumn('message', 'text', (c) => c.notNull().defaultTo('').check(sql`length(message) <= 1000`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'accepted', 'declined')`),
    )
    .addColumn('invited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('responded_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('responded_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'challenge_invitations_one_invitee',
      sql`num_nonnulls(expert_profile_id, organisation_id) = 1`,
    )
    .execute();
  // One invitation per invitee and challenge (a second click does not invite twice).
  await sql`create unique index challenge_invitations_expert_key on challenge_invitations (challenge_id, expert_profile_id) where expert_profile_id is not null`.execute(
    db,
  );
  await sql`create unique index challenge_invitations_org_key on challenge_invitations (challenge_id, organisation_id) where organisation_id is not null`.execute(
    db,
  );

  // Bids (揭榜申请). Confidential: never indexed; read only through the bid use cases' checks.
  await db.schema
    .createTable('bids')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('challenge_id', 'uuid', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('expert', 'team', 'organisation')`))
    // The expert who leads (solo or team), or the member who filed it for an organisation.
    .addColumn('lead_user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('approach', 'text', (c) => c.notNull().check(sql`length(approach) between 10 and 10000`))
    .addColumn('promised_indicators', 'text', (c) =>
      c.notNull().check(sql`length(promised_indicators) between 2 and 5000`),
    )
    .addColumn('price_wan', 'numeric(12, 2)', (c) =>
      c.notNull().check(sql`price_wan >= 0 and price_wan <= 1000000`),
    )
    .addColumn('duration_days', 'integer', (c) => c.notNull().check(sql`duration_days between 1 and 3650`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('submitted')
        .check(sql`status in ('submitted', 'withdrawn', 'awarded', 'not_awarded')`),
    )
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('awarded_at', 'timestamptz')
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'bids_organisation_kind',
      sql`(kind = 'organisation') = (organisation_id is not null)`,
    )
    .addCheckConstraint('bids_awarded_has_date', sql`(status = 'awarded') = (awarded_at is not null)`)
    .execute();
  await sql`create trigger bids_set_updated_at before update on bids for each row execute function set_updated_at()`.execute(
    db,
  );
  // One live bid per bidder per challenge: per organisation for organisation bids, per lead expert
  // otherwise. Withdrawn bids do not count, so a bidder may withdraw and file again.
  await sql`create unique index bids_live_org_key on bids (challenge_id, organisation_id) where organisation_id is not null and status <> 'withdrawn'`.execute(
    db,
  );
  await sql`create unique index bids_live_lead_key on bids (challenge_id, lead_user_id) where organisation_id is null and status <> 'withdrawn'`.execute(
    db,
  );
  // Serves "my bids" (bidder workspace).
  await db.schema.createIndex('bids_lead_idx').on('bids').column('lead_user_id').execute();

  // Team members of a team bid; each confirms (or declines) their place.
  await db.schema
    .createTable('bid_team_members')
    .addColumn('bid_id', 'uuid', (c) => c.notNull().references('bids.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('').check(sql`length(role) <= 50`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('invited').check(sql`status in ('invited', 'confirmed', 'declined')`),
    )
    .addColumn('responded_at', 'timestamptz')
    .addPrimaryKeyConstraint('bid_team_members_pkey', ['bid_id', 'user_id'])
    .execute();
  // Serves "team bids I am named in".
  await db.schema.createIndex('bid_team_members_user_idx').on('bid_team_members').column('user_id').execute();

  // The enterprise's private evaluation of a bid: never shown to the bidder.
  await db.schema
    .createTable('bid_evaluations')
    .addColumn('bid_id', 'uuid', (c) => c.primaryKey().references('bids.id').onDelete('cascade'))
    .addColumn('shortlisted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('score', 'numeric(5, 2)', (c) => c.check(sql`score between 0 and 100`))
    .addColumn('note', 'text', (c) => c.notNull().defaultTo('').check(sql`length(note) <= 5000`))
    .addColumn('evaluated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Delivery steps of an awarded bid, one per payment tranche.
  await db.schema
    .createTable('milestones')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('challenge_id', 'uuid', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('bid_id', 'uuid', (c) => c.notNull().references('bids.id').onDelete('cascade'))
    .addColumn('seq', 'smallint', (c) => c.notNull().check(sql`seq between 1 and 6`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('tranche_percent', 'smallint', (c) =>
      c.notNull().check(sql`tranche_percent between 1 and 100`),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'submitted', 'accepted', 'returned')`),
    )
    .addColumn('accepted_at', 'timestamptz')
    .addUniqueConstraint('milestones_bid_seq_key', ['bid_id', 'seq'])
    .execute();
  // Serves a challenge's delivery view.
  await db.schema
    .createIndex('milestones_challenge_idx')
    .on('milestones')
    .columns(['challenge_id', 'seq'])
    .execute();

  await db.schema
    .createTable('milestone_submissions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('milestone_id', 'uuid', (c) => c.notNull().references('milestones.id').onDelete('cascade'))
    .addColumn('evidence', 'text', (c) => c.notNull().check(sql`length(evidence) between 2 and 10000`))
    .addColumn('submitted_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decision', 'text', (c) => c.check(sql`decision in ('accepted', 'returned')`))
    .addColumn('decision_reason', 'text')
    .addColumn('decided_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'milestone_submissions_return_has_reason',
      sql`decision is distinct from 'returned' or length(coalesce(decision_reason, '')) > 0`,
    )
    .execute();
  // Serves a milestone's submission history.
  await db.schema
    .createIndex('milestone_submissions_milestone_idx')
    .on('milestone_submissions')
    .columns(['milestone_id', 'created_at'])
    .execute();
  // At most one submission awaiting a decision per milestone.
  await sql`create unique index milestone_submissions_open_key on milestone_submissions (milestone_id) where decision is null`.execute(
    db,
  );

  // Mutual ratings once a challenge is closed: enterprise ↔ each awarded bid.
  await db.schema
    .createTable('challenge_ratings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('challenge_id', 'uuid', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('bid_id', 'uuid', (c) => c.notNull().references('bids.id').onDelete('cascade'))
    .addColumn('direction', 'text', (c) =>
      c.notNull().check(sql`direction in ('enterprise_to_bidder', 'bidder_to_enterprise')`),
    )
    .addColumn('rater_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('score', 'smallint', (c) => c.notNull().check(sql`score between 1 and 5`))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo('').check(sql`length(comment) <= 1000`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('challenge_ratings_once_key', ['bid_id', 'direction'])
    .execute();

  // In-app notifications; e-mail copies go through the mail outbox.
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('link', 'text')
    .addColumn('challenge_id', 'uuid', (c) => c.references('challenges.id').onDelete('cascade'))
    .addColumn('read_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Serves the notification list (newest first) and the unread count.
  await db.schema
    .createIndex('notifications_user_idx')
    .on('notifications')
    .columns(['user_id', 'id desc'])
    .execute();
  await sql`create index notifications_unread_idx on notifications (user_id) where read_at is null`.execute(
    db,
  );

  // Idempotency keys: the first request with a key stores its answer; a retry gets the same answer.
  // The primary key makes a concurrent duplicate wait for the first transaction, then see its row.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull().check(sql`length(key) between 1 and 200`))
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['user_id', 'scope', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'idempotency_keys',
    'notifications',
    'challenge_ratings',
    'milestone_submissions',
    'milestones',
    'bid_evaluations',
    'bid_team_members',
    'bids',
    'challenge_invitations',
    'challenge_questions',
    'challenge_revisions',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop index if exists challenges_published_deadline_idx`.execute(db);
  await sql`alter table challenges drop constraint if exists challenges_public_has_published_at`.execute(db);
  await sql`alter table challenges add constraint challenges_public_has_published_at check (status in ('draft', 'under_review', 'returned', 'rejected') or published_at is not null)`.execute(
    db,
  );
  await sql`alter table challenges drop constraint if exists challenges_award_mode_count`.execute(db);
  await db.schema
    .alterTable('challenges')
    .dropColumn('version')
    .dropColumn('disciplines')
    .dropColumn('reward_tranches')
    .dropColumn('bidder_requirements')
    .dropColumn('ip_terms')
    .dropColumn('confidentiality')
    .dropColumn('terms_note')
    .dropColumn('award_mode')
    .dropColumn('max_awards')
    .dropColumn('created_by')
    .execute();
  await sql`drop function if exists tranches_valid(smallint[])`.execute(db);
}
