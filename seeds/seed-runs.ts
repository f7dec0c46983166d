import type { Transaction } from 'kysely';
import type { DB } from '../src/db/schema.js';

/**
 * Claims a one-time seed by name (a row in seed_runs), inside the seed's own transaction: true the
 * first time, false ever after, and false for a second process seeding at the same moment, so a
 * restart or two instances never seed twice.
 */
export async function claimSeedRun(trx: Transaction<DB>, name: string): Promise<boolean> {
  const claimed = await trx
    .insertInto('seed_runs')
    .values({ name })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return claimed.numInsertedOrUpdatedRows !== 0n;
}
