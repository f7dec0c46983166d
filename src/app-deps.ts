import type { Meilisearch } from 'meilisearch';
import type { Database } from './db/database.js';
import type { Logger } from './http/logger.js';
import type { ReferenceCache } from './modules/reference/reference.queries.js';
import type { SearchIndexes } from './search/client.js';

/**
 * Everything the request-serving app needs, passed in explicitly by an entry point (Node server,
 * Workers entry, tests). No module reads the environment or holds a singleton.
 */
export interface AppDeps {
  environment: 'development' | 'production' | 'test';
  db: Database;
  /** Client holding the search-only key: the request path never sees an admin or master key. */
  search: Meilisearch;
  indexes: SearchIndexes;
  reference: ReferenceCache;
  logger: Logger;
  clock: () => Date;
  /** The newest migration this build expects; /readyz reports not ready until the database has it. */
  expectedMigration: string;
  /** Wakes the outbox worker after a local write (absent where no worker runs in-process). */
  outbox?: { notify(): void };
}
