import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { OwnerKind } from './attachment.schemas.js';

/** Named queries of attachments; callers have checked the owner's visibility first. */
type Executor = Kysely<DB> | Transaction<DB>;

const columns = [
  'a.id',
  'a.owner_kind',
  'a.owner_id',
  'a.file_name',
  'a.content_type',
  'a.byte_size',
  'a.sha256',
  'a.storage_key',
  'a.created_at',
  'a.uploaded_by',
  'u.display_name as uploader_name',
] as const;

function selectLive(db: Executor) {
  return db
    .selectFrom('attachments as a')
    .leftJoin('users as u', 'u.id', 'a.uploaded_by')
    .select(columns)
    .where('a.deleted_at', 'is', null);
}

export type AttachmentRow = NonNullable<Awaited<ReturnType<typeof findAttachment>>>;

export async function findAttachment(db: Executor, id: string) {
  return selectLive(db).where('a.id', '=', id).executeTakeFirst();
}

/** Served by attachments_owner_live_idx. */
export async function listAttachmentsOf(db: Executor, kind: OwnerKind, ownerId: string) {
  return selectLive(db)
    .where('a.owner_kind', '=', kind)
    .where('a.owner_id', '=', ownerId)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .execute();
}

/**
 * Serialises uploads to one owner for the rest of the transaction, so that "at most N files" holds
 * under concurrent uploads (a count-then-insert would let two requests both see N-1).
 */
export async function lockOwnerAttachments(trx: Transaction<DB>, kind: OwnerKind, ownerId: string) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`attachments:${kind}:${ownerId}`}, 0))`.execute(
    trx,
  );
}

export async function countLiveAttachments(db: Executor, kind: OwnerKind, ownerId: string) {
  const row = await db
    .selectFrom('attachments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('owner_kind', '=', kind)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertAttachment(
  trx: Transaction<DB>,
  values: {
    id: string;
    owner_kind: OwnerKind;
    owner_id: string;
    file_name: string;
    content_type: string;
    byte_size: number;
    sha256: string;
    storage_key: string;
    uploaded_by: string;
  },
) {
  await trx.insertInto('attachments').values(values).execute();
}

/** Guarded soft delete: a second delete of the same file changes nothing (returns false). */
export async function markAttachmentDeleted(trx: Transaction<DB>, id: string, by: string, at: Date) {
  const result = await trx
    .updateTable('attachments')
    .set({ deleted_at: at, deleted_by: by })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Records that a deleted file's bytes are gone from storage (only deleted rows, per the table's check). */
export async function markAttachmentBytesPurged(db: Executor, ids: readonly string[], at: Date) {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('attachments')
    .set({ bytes_purged_at: at })
    .where('id', 'in', ids)
    .where('deleted_at', 'is not', null)
    .where('bytes_purged_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Deleted files whose bytes may still be in storage, deleted before `deletedBefore`, oldest first;
 * locked for the rest of the transaction. SKIP LOCKED: two instances sweeping at once take disjoint
 * batches instead of waiting on each other. Served by attachments_bytes_unpurged_idx.
 */
export async function lockUnpurgedDeletedAttachments(
  trx: Transaction<DB>,
  deletedBefore: Date,
  limit: number,
) {
  return trx
    .selectFrom('attachments')
    .select(['id', 'storage_key', 'deleted_at'])
    .where('deleted_at', 'is not', null)
    .where('bytes_purged_at', 'is', null)
    .where('deleted_at', '<=', deletedBefore)
    .orderBy('deleted_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}
