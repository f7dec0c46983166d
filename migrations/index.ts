import type { Migration } from 'kysely';
import * as core from './20261127T1200_core.js';
import * as accounts from './20261127T1300_accounts.js';

/**
 * Every migration, by name, in order. Listed statically (rather than read from the folder at run
 * time) so that the same list works under tsx, vitest and the Workers bundle. A test checks that
 * every file in this folder is listed here.
 */
export const migrations: Record<string, Migration> = {
  '20261127T1200_core': core,
  '20261127T1300_accounts': accounts,
};
