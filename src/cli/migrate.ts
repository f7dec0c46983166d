/** `npm run db:migrate`: applies pending migrations (the server also does this at every start). */
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../node/migrate.js';
import { runCli } from './cli-runtime.js';

await runCli('db:migrate', async (runtime) => {
  await migrateToLatest(runtime.db as unknown as Kysely<unknown>, (message) => console.log(message));
  console.log('migrations are current');
});
