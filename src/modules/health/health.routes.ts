import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppDeps } from '../../app-deps.js';
import type { AppEnv } from '../../http/router.js';

type Check = { ok: boolean; detail?: string };

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkDatabase(deps: AppDeps): Promise<Check> {
  try {
    const result = await withTimeout(
      sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(deps.db),
      2000,
    );
    const current = result.rows[0]?.name;
    if (current !== deps.expectedMigration)
      return {
        ok: false,
        detail: `migrations not current (database has ${current ?? 'none'}, expected ${deps.expectedMigration})`,
      };
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

async function checkSearch(deps: AppDeps): Promise<Check> {
  try {
    const healthy = await withTimeout(deps.search.health(), 2000);
    return healthy.status === 'available' ? { ok: true } : { ok: false, detail: healthy.status };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** /healthz: the process answers. /readyz: PostgreSQL and Meilisearch reachable, migrations current. */
export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const [database, search] = await Promise.all([checkDatabase(deps), checkSearch(deps)]);
      const ready = database.ok && search.ok;
      if (!ready) c.header('Retry-After', '5');
      c.header('Cache-Control', 'no-store');
      return c.json(
        { status: ready ? 'ready' : 'not_ready', checks: { database, search } },
        ready ? 200 : 503,
      );
    });
}
