import type { Database } from '../../db/database.js';
import type { Logger } from '../../http/logger.js';
import type { StorageAdapter } from '../../storage/storage.js';
import { lockUnpurgedDeletedAttachments, markAttachmentBytesPurged } from './attachment.queries.js';

/**
 * Files deleted more recently than this are left alone: the request that deleted one may still be
 * removing its bytes and marking the row, and the sweep should neither race nor block it.
 */
export const PURGE_GRACE_MS = 10 * 60_000;
/** A run stops after this many failed deletes in a row: storage is likely away, and each try may be slow. */
const STOP_AFTER_CONSECUTIVE_FAILURES = 3;

/**
 * Removes the bytes that `deleteAttachment` could not (storage away when the file was deleted), so a
 * deleted file does not stay in the bucket forever. Takes one batch of deleted, not yet purged rows,
 * oldest first, deletes each key (an absent key is not an error, so a retry is harmless) and marks
 * the rows whose delete succeeded; the others stay for the next run. Never throws for a storage
 * failure. Idempotent, and rows are locked with SKIP LOCKED, so every instance may run it: the Node
 * server hourly, and each run of the Workers cron (every minute) when a bucket is configured.
 *
 * @example
 *   const { purged, failed } = await purgeDeletedAttachmentBytes({ db, storage }, new Date(), { logger });
 */
export async function purgeDeletedAttachmentBytes(
  deps: { db: Database; storage: StorageAdapter },
  now: Date,
  options: { limit?: number; logger?: Logger } = {},
): Promise<{ purged: number; failed: number }> {
  const logger = options.logger;
  const deletedBefore = new Date(now.getTime() - PURGE_GRACE_MS);
  const counts = await deps.db.transaction().execute(async (trx) => {
    // Small batches: the batch's row locks (and a pooled connection) are held while its bytes are
    // deleted, and on Workers this runs every minute.
    const rows = await lockUnpurgedDeletedAttachments(trx, deletedBefore, options.limit ?? 50);
    const purgedIds: string[] = [];
    let failed = 0;
    let failedInARow = 0;
    for (const row of rows) {
      try {
        await deps.storage.delete(row.storage_key);
        purgedIds.push(row.id);
        failedInARow = 0;
      } catch (error) {
        failed += 1;
        failedInARow += 1;
        logger?.warn('attachment bytes still not deleted; kept for the next purge', {
          attachment_id: row.id,
          error: error instanceof Error ? error.message : String(error),
        });
        if (failedInARow >= STOP_AFTER_CONSECUTIVE_FAILURES) break;
      }
    }
    // A crash before this commit only means the next run deletes some already absent keys again.
    await markAttachmentBytesPurged(trx, purgedIds, now);
    return { purged: purgedIds.length, failed };
  });
  if (counts.purged + counts.failed > 0) logger?.info('attachment purge sweep', counts);
  return counts;
}
