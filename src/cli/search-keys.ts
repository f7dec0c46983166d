/**
 * `npm run search:keys`: derives (idempotently) the search-only and admin keys from the master key
 * and prints them, for deployments that take keys as secrets (Cloudflare Workers).
 */

import { deriveSearchKeys } from '../node/search-keys.js';
import { createSearchClient } from '../search/client.js';
import { runCli } from './cli-runtime.js';

await runCli('search:keys', async (_runtime, { config }) => {
  if (!config.MEILI_URL || !config.MEILI_MASTER_KEY) throw new Error('set MEILI_URL and MEILI_MASTER_KEY');
  const keys = await deriveSearchKeys(
    createSearchClient(config.MEILI_URL, config.MEILI_MASTER_KEY),
    config.MEILI_INDEX_PREFIX,
  );
  console.log(`MEILI_SEARCH_KEY=${keys.searchKey}\nMEILI_ADMIN_KEY=${keys.adminKey}`);
});
