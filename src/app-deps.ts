import type { Context } from 'hono';
import type { Meilisearch } from 'meilisearch';
import type { Database } from './db/database.js';
import type { Logger } from './http/logger.js';
import type { Mailer } from './mail/mailer.js';
import type { Matcher } from './modules/matching/match.js';
import type { ReferenceCache } from './modules/reference/reference.queries.js';
import type { SearchIndexes } from './search/client.js';
import type { StorageAdapter } from './storage/storage.js';

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
  /**
   * Where the API docs page loads swagger-ui from: the Node server serves the npm copy at `/vendor`
   * (works offline); absent → the public CDN (Workers).
   */
  docsAssetsBaseUrl?: string;
  /** Wakes the outbox worker after a local write (absent where no worker runs in-process). */
  outbox?: { notify(): void };
  /** Where mail goes (default: the `outbound_emails` outbox, see src/mail/mailer.ts). */
  mailer?: Mailer;
  /**
   * The site's public origin (e.g. https://jiebang.example) for links in mails. Required in
   * production: building reset links from the request's Host header would let an attacker mail
   * a victim a link to the attacker's host. Outside production the request origin is used.
   */
  publicUrl?: string;
  /**
   * The client's address, for per-IP rate limits and the audit log. Default: `cf-connecting-ip` on
   * Workers, else the socket address from @hono/node-server. Behind a reverse proxy, pass one that
   * reads the proxy's header.
   */
  clientIp?: (c: Context) => string | undefined;
  /**
   * The matcher (推荐专家/学会/成果). Its lexicon is read from disk by the Node entry
   * (`createMatcher(loadMatchingResources(root))`) so the request path stays runtime-neutral; without
   * it, recommendation routes answer 503 MATCHING_UNAVAILABLE and pages omit the section.
   */
  matcher?: Matcher;
  /**
   * Where attachment bytes go: a local directory (Node, `createLocalStorage`) or an S3-compatible
   * bucket (`createS3Storage`, also on Workers). Without it, attachment uploads and downloads answer
   * 503 STORAGE_UNAVAILABLE; lists still work.
   */
  storage?: StorageAdapter;
}
