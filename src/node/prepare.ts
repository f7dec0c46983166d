import type { Kysely } from 'kysely';
import { seedDemoAccounts } from '../../seeds/demo-accounts.js';
import { seedDemoBids } from '../../seeds/demo-bids.js';
import { seedDemoCapabilities } from '../../seeds/demo-capabilities.js';
import { seedDemoContent } from '../../seeds/demo-content.js';
import { seedDemoStations } from '../../seeds/demo-stations.js';
import { applyReferenceData } from '../../seeds/reference-data.js';
import type { Logger } from '../http/logger.js';
import { enqueueMissingSearchDocuments } from '../search/reindex.js';
import { applyIndexSettings } from '../search/settings.js';
import { migrateToLatest } from './migrate.js';
import type { Runtime } from './runtime.js';

/**
 * What every start does before serving, all idempotent: migrate, apply reference data, seed demo
 * content once (development), apply index settings, and queue a sync of anything the index lacks
 * (e.g. a fresh search engine beside an existing database).
 */
export async function prepareServices(
  runtime: Runtime,
  options: { seedDemo: boolean; logger: Logger; now: Date },
): Promise<void> {
  const log = (message: string) => options.logger.info(message);
  await migrateToLatest(runtime.db as unknown as Kysely<unknown>, log);
  await applyReferenceData(runtime.db, log);
  if (options.seedDemo && (await seedDemoContent(runtime.db, options.now))) log('demo content seeded');
  if (options.seedDemo && (await seedDemoStations(runtime.db, options.now))) log('demo stations seeded');
  if (options.seedDemo && (await seedDemoCapabilities(runtime.db, options.now)))
    log('demo capabilities seeded');
  if (options.seedDemo) {
    // Development only (seedDemo is false in production): one account per role to try things with.
    for (const account of await seedDemoAccounts(runtime.db)) {
      log(`demo account (${account.role}): ${account.email} / ${account.password}`);
    }
    // After the accounts: the demo expert and society bid on the demo enterprise's 夏秋茶 challenge.
    if (await seedDemoBids(runtime.db, options.now)) log('demo bids seeded');
  }
  await applyIndexSettings(runtime.searchAdmin, runtime.indexes);
  const queued = await enqueueMissingSearchDocuments(runtime.db, runtime.searchAdmin, runtime.indexes);
  if (queued > 0) log(`queued ${queued} documents missing from the search index`);
}
