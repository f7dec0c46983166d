import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../src/db/database.js';
import disciplinesFile from './reference/disciplines.json' with { type: 'json' };
import industriesFile from './reference/industries.json' with { type: 'json' };
import regionsFile from './reference/regions.json' with { type: 'json' };

/**
 * Applies the reference data sets (regions GB/T 2260, industries, disciplines GB/T 13745) at every
 * start. A set is written only when its content changed (checksum in reference_versions); rows that
 * disappeared from a set are retired, never deleted, so old records keep valid references.
 */
export async function applyReferenceData(
  db: Database,
  log: (message: string) => void = () => {},
): Promise<void> {
  const sets = [
    { kind: 'regions', version: 1, content: regionsFile, apply: applyRegions },
    { kind: 'industries', version: industriesFile.version, content: industriesFile, apply: applyIndustries },
    { kind: 'disciplines', version: 1, content: disciplinesFile, apply: applyDisciplines },
  ];
  for (const set of sets) {
    const checksum = createHash('sha256').update(JSON.stringify(set.content)).digest('hex');
    await db.transaction().execute(async (trx) => {
      // One writer at a time when several instances start together.
      await sql`select pg_advisory_xact_lock(hashtext('jiebang.reference-data'))`.execute(trx);
      const current = await trx
        .selectFrom('reference_versions')
        .select('checksum')
        .where('kind', '=', set.kind)
        .executeTakeFirst();
      if (current?.checksum === checksum) return;
      await set.apply(trx as unknown as Database, set.version);
      await trx
        .insertInto('reference_versions')
        .values({ kind: set.kind, version: set.version, checksum })
        .onConflict((oc) =>
          oc.column('kind').doUpdateSet({ version: set.version, checksum, applied_at: sql`now()` }),
        )
        .execute();
      log(`reference data applied: ${set.kind} v${set.version}`);
    });
  }
}

async function applyRegions(db: Database): Promise<void> {
  // Parents first so the self-reference holds at every insert.
  const order = { province: 0, prefecture: 1, county: 2 } as const;
  const regions = [...regionsFile.regions].sort(
    (a, b) => order[a.level as keyof typeof order] - order[b.level as keyof typeof order],
  );
  for (const region of regions) {
    await db
      .insertInto('regions')
      .values({
        code: region.code,
        name: region.name,
        short_name: region.short_name,
        level: region.level,
        parent_code: region.parent_code,
      })
      .onConflict((oc) =>
        oc.column('code').doUpdateSet({
          name: region.name,
          short_name: region.short_name,
          level: region.level,
          parent_code: region.parent_code,
          retired_at: null,
        }),
      )
      .execute();
  }
  await db
    .updateTable('regions')
    .set({ retired_at: sql`now()` })
    .where(
      'code',
      'not in',
      regions.map((r) => r.code),
    )
    .where('retired_at', 'is', null)
    .execute();
}

async function applyIndustries(db: Database, version: number): Promise<void> {
  const rows = industriesFile.industries;
  for (const row of rows) {
    const values = {
      name: row.name,
      group_name: row.group,
      sort: row.sort,
      aliases: row.aliases,
      version,
      retired_at: null,
    };
    await db
      .insertInto('industries')
      .values({ code: row.code, ...values })
      .onConflict((oc) => oc.column('code').doUpdateSet(values))
      .execute();
  }
  await db
    .updateTable('industries')
    .set({ retired_at: sql`now()` })
    .where(
      'code',
      'not in',
      rows.map((r) => r.code),
    )
    .where('retired_at', 'is', null)
    .execute();
}

async function applyDisciplines(db: Database): Promise<void> {
  const rows = [...disciplinesFile.disciplines].sort(
    (a, b) => Number(a.parent_code !== null) - Number(b.parent_code !== null),
  );
  for (const row of rows) {
    await db
      .insertInto('disciplines')
      .values({ code: row.code, name: row.name, parent_code: row.parent_code })
      .onConflict((oc) =>
        oc.column('code').doUpdateSet({ name: row.name, parent_code: row.parent_code, retired_at: null }),
      )
      .execute();
  }
  await db
    .updateTable('disciplines')
    .set({ retired_at: sql`now()` })
    .where(
      'code',
      'not in',
      rows.map((r) => r.code),
    )
    .where('retired_at', 'is', null)
    .execute();
}
