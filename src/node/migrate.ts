import { type Kysely, Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';

export function createMigrator(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** Applies every pending migration; throws with the failing migration's cause. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  log: (message: string) => void = () => {},
): Promise<void> {
  // Kysely's PostgreSQL adapter takes an advisory lock: instances starting together apply each migration once.
  const { error, results } = await createMigrator(db).migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Success') log(`migration applied: ${result.migrationName}`);
    if (result.status === 'Error') log(`migration failed: ${result.migrationName}`);
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
