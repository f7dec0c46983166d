import { sql, type Transaction } from 'kysely';
import type { Meilisearch } from 'meilisearch';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { Logger } from '../http/logger.js';
import type { SearchIndexes } from './client.js';
import { type SearchEntity, searchEntities } from './entities.js';
import { awaitTask } from './tasks.js';

/**
 * Transactional outbox. A use case that changes something searchable calls `enqueueSearchSync`
 * inside its own transaction, so the change and the promise to index it commit together. The
 * worker later loads the *current* state of each entity from PostgreSQL and upserts it (or deletes
 * it when it is no longer public). Because it always sends the current state, duplicates and
 * reordering are harmless; a row is deleted only after Meilisearch reported the task succeeded.
 *
 * @example
 *   await db.transaction().execute(async (trx) => {
 *     await trx.updateTable('challenges').set({ status: 'published' }).where('id', '=', id).execute();
 *     await enqueueSearchSync(trx, 'challenge', [id]);
 *   });
 */
export async function enqueueSearchSync(
  trx: Transaction<DB> | Database,
  entity: SearchEntity,
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .insertInto('search_outbox')
    .values(ids.map((id) => ({ entity, entity_id: id })))
    .execute();
}

export interface OutboxDeps {
  db: Database;
  admin: Meilisearch;
  indexes: SearchIndexes;
  logger: Logger;
}

/**
 * Claims up to `batchSize` due rows (lease of 60 s, so a crashed worker's rows come back), pushes
 * them, and deletes them. Returns how many rows were settled. Small batches on purpose: a large batch
 * blocks later updates in Meilisearch's queue.
 */
export async function drainOutboxOnce(deps: OutboxDeps, batchSize = 100): Promise<number> {
  const claimed = await sql<{ id: number; entity: string; entity_id: string; attempts: number }>`
    update search_outbox set locked_until = now() + interval '60 seconds'
    where id in (
      select id from search_outbox
      where available_at <= now() and (locked_until is null or locked_until < now())
      order by id
      limit ${batchSize}
      for update skip locked
    )
    returning id, entity, entity_id, attempts`.execute(deps.db);
  const rows = claimed.rows;
  if (rows.length === 0) return 0;

  const byEntity = new Map<string, typeof rows>();
  for (const row of rows) byEntity.set(row.entity, [...(byEntity.get(row.entity) ?? []), row]);

  let settled = 0;
  for (const [entity, entityRows] of byEntity) {
    const ids = entityRows.map((row) => row.id);
    try {
      await pushEntities(deps, entity, [...new Set(entityRows.map((row) => row.entity_id))]);
      await deps.db.deleteFrom('search_outbox').where('id', 'in', ids).execute();
      settled += ids.length;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.warn('search outbox push failed; will retry', { entity, rows: ids.length, error: message });
      // Exponential backoff per row (1 s, 2 s, 4 s … capped at 5 min); the lease is released so the retry time rules.
      await sql`
        update search_outbox
        set attempts = attempts + 1,
            last_error = ${message.slice(0, 1000)},
            locked_until = null,
            available_at = now() + make_interval(secs => least(300, power(2, attempts)))
        where id in (${sql.join(ids)})`.execute(deps.db);
    }
  }
  return settled;
}

async function pushEntities(deps: OutboxDeps, entity: string, entityIds: string[]): Promise<void> {
  const definition = searchEntities[entity as SearchEntity];
  if (!definition) throw new Error(`unknown search entity "${entity}"`);
  const documents = await definition.loadDocuments(deps.db, entityIds);
  const index = deps.admin.index(deps.indexes.uid(definition.index));
  const present = new Set(documents.map((doc) => String(doc.id)));
  const gone = entityIds.filter((id) => !present.has(id));
  if (documents.length > 0)
    await awaitTask(index.addDocuments(documents), `upsert ${entity} ×${documents.length}`);
  if (gone.length > 0) await awaitTask(index.deleteDocuments(gone), `delete ${entity} ×${gone.length}`);
}

export interface OutboxWorker {
  /** Wakes the worker now (called after a local write) instead of waiting for the next poll. */
  notify(): void;
  /** Stops polling after draining what is due (graceful shutdown). */
  stop(options?: { drainTimeoutMs?: number }): Promise<void>;
}

/** Polls the outbox every `pollMs`; any instance may run one (rows are claimed with SKIP LOCKED). */
export function startOutboxWorker(deps: OutboxDeps, pollMs: number): OutboxWorker {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let wakeAgain = false;

  const tick = async () => {
    timer = undefined;
    try {
      while (!stopped && (await drainOutboxOnce(deps)) > 0) {
        // keep going while there is work
      }
    } catch (error) {
      // PostgreSQL away: try again at the next poll.
      deps.logger.warn('search outbox drain failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  const schedule = (delay: number) => {
    if (stopped || timer || running) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        const again = wakeAgain;
        wakeAgain = false;
        schedule(again ? 0 : pollMs);
      });
    }, delay);
  };
  schedule(0);

  return {
    notify() {
      if (running) wakeAgain = true;
      else if (timer) {
        clearTimeout(timer);
        timer = undefined;
        schedule(0);
      } else schedule(0);
    },
    async stop({ drainTimeoutMs = 5000 } = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      const deadline = Date.now() + drainTimeoutMs;
      try {
        while (Date.now() < deadline && (await drainOutboxOnce(deps)) > 0) {
          // final drain so that a clean shutdown leaves nothing behind when the engine is up
        }
      } catch {
        // left in the outbox: the next start picks it up
      }
    },
  };
}

export async function outboxBacklog(db: Database): Promise<number> {
  const row = await db
    .selectFrom('search_outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
