import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { messages } from '../../web/messages.js';
import type { ImportPlan } from './import.plan.js';

/**
 * Writes a validated plan in the caller's transaction, in bulk: each chunk is one statement that
 * reads its rows from a single jsonb parameter (`jsonb_to_recordset`), so 50,000 experts are ~25
 * statements rather than 50,000, and PostgreSQL's 65,535-parameter limit never applies. Every write
 * is an upsert on the external key: re-importing a file updates rows, never duplicates them.
 * The search outbox is filled in the same transaction, also in bulk.
 */
const CHUNK = 2000;

export interface ImportCounts {
  societies: { created: number; updated: number };
  experts: { created: number; updated: number };
  enterprises: { created: number; updated: number };
  challenges: { created: number; updated: number };
}

export type WriteProgress = (done: number, total: number) => void | Promise<void>;

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const json = (rows: unknown[]) => sql`${JSON.stringify(rows)}::jsonb`;

type Upserted = { id: string; external_key: string; inserted: boolean };

/** Queues search sync rows for many ids with one statement per 50k ids. */
export async function enqueueSearchSyncBulk(
  trx: Transaction<DB>,
  entity: 'expert' | 'society' | 'challenge' | 'capability',
  ids: string[],
): Promise<void> {
  for (const chunk of chunks([...new Set(ids)], 50_000)) {
    await sql`insert into search_outbox (entity, entity_id) select ${entity}, unnest(${chunk}::text[])`.execute(
      trx,
    );
  }
}

export async function writeImport(
  trx: Transaction<DB>,
  plan: ImportPlan,
  options: { sourceName: string; actorLabel: string; onProgress?: WriteProgress },
): Promise<ImportCounts> {
  const counts: ImportCounts = {
    societies: { created: 0, updated: 0 },
    experts: { created: 0, updated: 0 },
    enterprises: { created: 0, updated: 0 },
    challenges: { created: 0, updated: 0 },
  };
  const total =
    plan.societies.length + plan.experts.length + plan.enterprises.length + plan.challenges.length;
  let done = 0;
  const advance = async (n: number) => {
    done += n;
    await options.onProgress?.(done, total);
  };
  const tally = (target: { created: number; updated: number }, rows: Upserted[]) => {
    for (const row of rows) row.inserted ? target.created++ : target.updated++;
  };

  // Societies
  const societyIds: string[] = [];
  for (const chunk of chunks(plan.societies)) {
    const { rows } = await sql<Upserted>`
      insert into organisations (external_key, kind, name, discipline, description, region_code)
      select x.key, 'society', x.name, x.discipline, x.description, x.region_code
      from jsonb_to_recordset(${json(chunk)}) as x(key text, name text, discipline text, description text, region_code text)
      on conflict (external_key) do update set
        name = excluded.name, discipline = excluded.discipline,
        description = excluded.description, region_code = excluded.region_code
      where organisations.kind = 'society'
      returning id, external_key, (xmax = 0) as inserted`.execute(trx);
    tally(counts.societies, rows);
    societyIds.push(...rows.map((r) => r.id));
    await advance(chunk.length);
  }

  // Experts, then their society memberships (the file's list replaces the imported expert's list).
  const expertIds: string[] = [];
  const societyKeys = [...new Set(plan.experts.flatMap((e) => e.society_keys))];
  const societyIdByKey = new Map<string, string>();
  for (const chunk of chunks(societyKeys, 10_000)) {
    const rows = await trx
      .selectFrom('organisations')
      .select(['id', 'external_key'])
      .where('kind', '=', 'society')
      .where('external_key', 'in', chunk)
      .execute();
    for (const row of rows) societyIdByKey.set(row.external_key!, row.id);
  }
  for (const chunk of chunks(plan.experts)) {
    const { rows } = await sql<Upserted>`
      insert into expert_profiles
        (external_key, name, title, affiliation, region_code, fields, bio, discipline,
         contact_phone, contact_email, contact_consent)
      select x.key, x.name, x.title, x.affiliation, x.region_code,
             array(select jsonb_array_elements_text(x.fields)), x.bio, x.discipline,
             x.contact_phone, x.contact_email, coalesce(x.contact_consent, false)
      from jsonb_to_recordset(${json(chunk)}) as x(
        key text, name text, title text, affiliation text, region_code text, fields jsonb, bio text,
        discipline text, contact_phone text, contact_email text, contact_consent boolean)
      on conflict (external_key) do update set
        name = excluded.name, title = excluded.title, affiliation = excluded.affiliation,
        region_code = excluded.region_code, fields = excluded.fields, bio = excluded.bio,
        discipline = coalesce(excluded.discipline, expert_profiles.discipline),
        -- A file without contact columns keeps what the expert entered on the platform.
        contact_phone = coalesce(excluded.contact_phone, expert_profiles.contact_phone),
        contact_email = coalesce(excluded.contact_email, expert_profiles.contact_email)
      returning id, external_key, (xmax = 0) as inserted`.execute(trx);
    tally(counts.experts, rows);
    // Consent changes only where the file says so (是/否), never by omission.
    const consents = chunk
      .filter((e) => e.contact_consent !== null)
      .map((e) => ({ key: e.key, c: e.contact_consent }));
    if (consents.length > 0)
      await sql`
        update expert_profiles set contact_consent = x.c
        from jsonb_to_recordset(${json(consents)}) as x(key text, c boolean)
        where expert_profiles.external_key = x.key and expert_profiles.contact_consent <> x.c`.execute(trx);
    const idByKey = new Map(rows.map((r) => [r.external_key, r.id]));
    expertIds.push(...rows.map((r) => r.id));
    const scope = plan.scopeSocietyId;
    const pairs = scope
      ? chunk.map((e) => ({ e: idByKey.get(e.key)!, s: scope }))
      : chunk.flatMap((e) =>
          e.society_keys.map((k) => ({ e: idByKey.get(e.key)!, s: societyIdByKey.get(k)! })),
        );
    const chunkIds = rows.map((r) => r.id);
    // A society's import adds its own membership and leaves the expert's other societies alone.
    if (!scope)
      await sql`
      delete from expert_societies es
      where es.expert_id = any(${chunkIds}::uuid[])
        and not exists (
          select 1 from jsonb_to_recordset(${json(pairs)}) as p(e uuid, s uuid)
          where p.e = es.expert_id and p.s = es.society_id)`.execute(trx);
    if (pairs.length > 0)
      await sql`
        insert into expert_societies (expert_id, society_id)
        select p.e, p.s from jsonb_to_recordset(${json(pairs)}) as p(e uuid, s uuid)
        on conflict do nothing`.execute(trx);
    await advance(chunk.length);
  }

  // Enterprises named in the file, and the placeholder for challenges without one.
  for (const chunk of chunks(plan.enterprises)) {
    const { rows } = await sql<Upserted>`
      insert into organisations (external_key, kind, name, credit_code, region_code)
      select x.key, 'enterprise', x.name, x.credit_code, x.region_code
      from jsonb_to_recordset(${json(chunk)}) as x(key text, name text, credit_code text, region_code text)
      on conflict (external_key) do update set
        name = excluded.name, credit_code = coalesce(excluded.credit_code, organisations.credit_code),
        region_code = coalesce(excluded.region_code, organisations.region_code)
      where organisations.kind = 'enterprise'
      returning id, external_key, (xmax = 0) as inserted`.execute(trx);
    tally(counts.enterprises, rows);
    await advance(chunk.length);
  }
  const enterpriseIdByKey = new Map<string, string>();
  const enterpriseKeys = [
    ...new Set(plan.challenges.map((c) => c.enterprise_key).filter((k): k is string => !!k)),
  ];
  for (const chunk of chunks(enterpriseKeys, 10_000)) {
    const rows = await trx
      .selectFrom('organisations')
      .select(['id', 'external_key'])
      .where('kind', '=', 'enterprise')
      .where('external_key', 'in', chunk)
      .execute();
    for (const row of rows) enterpriseIdByKey.set(row.external_key!, row.id);
  }
  let placeholderId: string | null = null;
  if (plan.challenges.some((c) => !c.enterprise_key)) {
    // One placeholder enterprise per import source: challenges from another system keep a valid
    // poster until an operator links them to the real, verified enterprise.
    const placeholder = await trx
      .insertInto('organisations')
      .values({
        external_key: `import:${options.sourceName}`,
        kind: 'enterprise',
        name: messages.imports.placeholderEnterprise(options.sourceName).slice(0, 100),
      })
      .onConflict((oc) =>
        oc
          .column('external_key')
          .doUpdateSet({ kind: 'enterprise' })
          .where('organisations.kind', '=', 'enterprise'),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    placeholderId = placeholder.id;
  }

  // Challenges: new ones enter the review queue (审核) with a recorded event; re-imports update text.
  const challengeIds: string[] = [];
  for (const chunk of chunks(plan.challenges)) {
    const rows = chunk.map((c) => ({
      ...c,
      enterprise_id: c.enterprise_key ? enterpriseIdByKey.get(c.enterprise_key)! : placeholderId!,
    }));
    const { rows: upserted } = await sql<Upserted>`
      insert into challenges
        (external_key, enterprise_id, title, problem, industry_code, industry_label, region_code,
         reward_wan, bid_deadline, status)
      select x.key, x.enterprise_id, x.title, x.description, x.industry_code, x.industry_label,
             x.region_code, x.reward_wan, x.bid_deadline, 'under_review'
      from jsonb_to_recordset(${json(rows)}) as x(
        key text, enterprise_id uuid, title text, description text, industry_code text,
        industry_label text, region_code text, reward_wan numeric, bid_deadline timestamptz)
      on conflict (external_key) do update set
        enterprise_id = excluded.enterprise_id, title = excluded.title, problem = excluded.problem,
        industry_code = excluded.industry_code, industry_label = excluded.industry_label,
        region_code = excluded.region_code, reward_wan = excluded.reward_wan,
        bid_deadline = excluded.bid_deadline
      returning id, external_key, (xmax = 0) as inserted`.execute(trx);
    tally(counts.challenges, upserted);
    challengeIds.push(...upserted.map((r) => r.id));
    const created = upserted.filter((r) => r.inserted).map((r) => r.id);
    if (created.length > 0)
      await sql`
        insert into challenge_status_events (challenge_id, from_status, to_status, actor_label, reason)
        select unnest(${created}::uuid[]), 'draft', 'under_review', ${options.actorLabel}, ${`导入自 ${options.sourceName}`}`.execute(
        trx,
      );
    await advance(chunk.length);
  }

  // Search: the imported rows, and members of imported societies (their documents carry society names).
  await enqueueSearchSyncBulk(trx, 'society', societyIds);
  if (societyIds.length > 0) {
    const members = await sql<{ expert_id: string }>`
      select distinct expert_id from expert_societies where society_id = any(${societyIds}::uuid[])`.execute(
      trx,
    );
    const imported = new Set(expertIds);
    expertIds.push(...members.rows.map((r) => r.expert_id).filter((id) => !imported.has(id)));
  }
  await enqueueSearchSyncBulk(trx, 'expert', expertIds);
  await enqueueSearchSyncBulk(trx, 'challenge', challengeIds);
  return counts;
}
