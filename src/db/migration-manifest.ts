import { migrations } from '../../migrations/index.js';

/**
 * The newest migration this build was written against. /readyz compares it with the database so an
 * instance never serves on a schema it does not understand.
 */
export const latestMigration = Object.keys(migrations).sort().at(-1)!;
