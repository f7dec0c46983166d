import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import type { StorageAdapter } from '../../storage/storage.js';
import { messages } from '../../web/messages.js';
import { type AuditActor, recordAudit } from '../audit/audit.js';
import {
  type ActorRef,
  canAttachToBid,
  canAttachToChallenge,
  canAttachToServiceRecord,
  canEditCapability,
  canSeeAttachmentUploader,
  canViewServiceRecordEvidence,
} from '../auth/policy.js';
import { loadBidFor } from '../bids/bid.usecases.js';
import { loadVisibleCapability } from '../capabilities/capability.usecases.js';
import { loadChallengeFor } from '../challenges/challenge.workflow.js';
import { findRecord, findStation, findStationParties } from '../stations/station.queries.js';
import {
  allowedExtensions,
  checkAttachmentFile,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_OWNER,
  sha256Hex,
} from './attachment.files.js';
import {
  type AttachmentRow,
  countLiveAttachments,
  findAttachment,
  insertAttachment,
  listAttachmentsOf,
  lockOwnerAttachments,
  markAttachmentBytesPurged,
  markAttachmentDeleted,
} from './attachment.queries.js';
import type { AttachmentList, AttachmentView, OwnerKind } from './attachment.schemas.js';

/**
 * Attachments of challenges, bids, capabilities and service records. Every read and write first
 * loads the owner through its own module's visibility rule, so an attachment is exactly as visible
 * as its owner (service-record evidence: narrower), and the owner's 404 becomes ATTACHMENT_NOT_FOUND.
 */
const r = messages.attachments.refused;

export interface OwnerAccess {
  kind: OwnerKind;
  id: string;
  /** The owner's side (enterprise, bidder, capability owner, society/host): sees who uploaded. */
  ownerSide: boolean;
  /** May upload/delete in principle (the author side of the owner)... */
  author: boolean;
  /** ...and the owner is in a state where attachments may change now. */
  editable: boolean;
}

/** Loads the owner as the actor may see it; throws the owner's 404 when it may not. */
export async function loadOwnerFor(
  deps: AppDeps,
  actor: ActorRef | null,
  kind: OwnerKind,
  id: string,
): Promise<OwnerAccess> {
  switch (kind) {
    case 'challenge': {
      const { row, relation } = await loadChallengeFor(deps.db, id, actor);
      const author = relation.enterpriseMember;
      return { kind, id, ownerSide: author, author, editable: canAttachToChallenge(relation, row) };
    }
    case 'bid': {
      const { bid, relation } = await loadBidFor(deps.db, id, actor);
      // The same authors as bid edits (bid.usecases.ts updateBid): the lead, or the bidding organisation.
      const author =
        actor !== null &&
        (bid.lead_user_id === actor.userId || (relation.bidParty && bid.organisation_id !== null));
      return {
        kind,
        id,
        ownerSide: relation.bidParty,
        author,
        editable: canAttachToBid(author, bid, deps.clock()),
      };
    }
    case 'capability': {
      const { row, relation } = await loadVisibleCapability(deps, actor, id);
      return {
        kind,
        id,
        ownerSide: relation.owner,
        author: relation.owner,
        editable: canEditCapability(relation, row),
      };
    }
    case 'service_record': {
      const record = await findRecord(deps.db, id);
      if (!record) throw new AppError('SERVICE_RECORD_NOT_FOUND');
      const station = await findStation(deps.db, record.station_id);
      const parties = station ? await findStationParties(deps.db, station, actor) : [];
      if (!canViewServiceRecordEvidence(parties)) throw new AppError('SERVICE_RECORD_NOT_FOUND');
      const author = parties.includes('society');
      return {
        kind,
        id,
        ownerSide: author || parties.includes('host'),
        author,
        editable: canAttachToServiceRecord(parties, record),
      };
    }
  }
}

export function attachmentView(row: AttachmentRow, showUploader: boolean): AttachmentView {
  return {
    id: row.id,
    file_name: row.file_name,
    content_type: row.content_type,
    byte_size: row.byte_size,
    sha256: row.sha256,
    created_at: row.created_at.toISOString(),
    download_url: `/api/v1/attachments/${row.id}`,
    uploaded_by:
      showUploader && row.uploaded_by
        ? { user_id: row.uploaded_by, display_name: row.uploader_name ?? '' }
        : null,
  };
}

/** The owner's attachments as the actor may see them (404 when the owner is hidden from the actor). */
export async function listAttachmentsFor(
  deps: AppDeps,
  actor: ActorRef | null,
  kind: OwnerKind,
  ownerId: string,
): Promise<AttachmentList> {
  const owner = await loadOwnerFor(deps, actor, kind, ownerId);
  return listWithAccess(deps, actor, owner);
}

export async function listWithAccess(
  deps: AppDeps,
  actor: ActorRef | null,
  owner: OwnerAccess,
): Promise<AttachmentList> {
  const rows = await listAttachmentsOf(deps.db, owner.kind, owner.id);
  const showUploader = canSeeAttachmentUploader(owner.ownerSide, actor);
  return {
    items: rows.map((row) => attachmentView(row, showUploader)),
    can_change: owner.author && owner.editable,
    limits: {
      max_bytes: MAX_ATTACHMENT_BYTES,
      max_files: MAX_ATTACHMENTS_PER_OWNER,
      extensions: [...allowedExtensions],
    },
  };
}

function requireStorage(deps: AppDeps): StorageAdapter {
  if (!deps.storage) throw new AppError('STORAGE_UNAVAILABLE', { retryAfterSeconds: 30 });
  return deps.storage;
}

function assertMayChange(owner: OwnerAccess) {
  if (!owner.author) throw new AppError('FORBIDDEN');
  if (!owner.editable) throw new AppError('ATTACHMENTS_LOCKED');
}

/**
 * Stores one uploaded file for an owner. Order matters: the owner and the file are checked before
 * anything is written; then, in one transaction serialised per owner, the count limit, the row, the
 * audit entry and the bytes. A failed storage write rolls the row back; a failed commit deletes the bytes.
 */
export async function uploadAttachment(
  deps: AppDeps,
  actor: ActorRef,
  kind: OwnerKind,
  ownerId: string,
  file: File,
  audit: AuditActor,
): Promise<AttachmentView> {
  const owner = await loadOwnerFor(deps, actor, kind, ownerId);
  assertMayChange(owner);
  const storage = requireStorage(deps);
  if (file.size > MAX_ATTACHMENT_BYTES)
    throw new AppError('ATTACHMENT_TOO_LARGE', {
      fields: [{ field: 'file', reason: r.tooLarge(MAX_ATTACHMENT_BYTES) }],
    });
  const bytes = new Uint8Array(await file.arrayBuffer());
  const verdict = checkAttachmentFile(file.name, bytes);
  if (!verdict.ok) throw new AppError(verdict.code, { fields: [{ field: 'file', reason: verdict.reason }] });
  const sha256 = await sha256Hex(bytes);
  const id = crypto.randomUUID();
  const storageKey = `${kind}/${ownerId}/${id}`;
  let stored = false;
  try {
    await deps.db.transaction().execute(async (trx) => {
      await lockOwnerAttachments(trx, kind, ownerId);
      if ((await countLiveAttachments(trx, kind, ownerId)) >= MAX_ATTACHMENTS_PER_OWNER)
        throw new AppError('ATTACHMENT_LIMIT_REACHED', {
          fields: [{ field: 'file', reason: r.tooMany(MAX_ATTACHMENTS_PER_OWNER) }],
        });
      await insertAttachment(trx, {
        id,
        owner_kind: kind,
        owner_id: ownerId,
        file_name: verdict.fileName,
        content_type: verdict.contentType,
        byte_size: bytes.byteLength,
        sha256,
        storage_key: storageKey,
        uploaded_by: actor.userId,
      });
      await recordAudit(trx, audit, {
        action: 'attachment.uploaded',
        targetType: 'attachment',
        targetId: id,
        after: {
          owner_kind: kind,
          owner_id: ownerId,
          file_name: verdict.fileName,
          byte_size: bytes.byteLength,
          sha256,
        },
      });
      try {
        await storage.put(storageKey, bytes, verdict.contentType);
        stored = true;
      } catch (error) {
        throw new AppError('STORAGE_UNAVAILABLE', { retryAfterSeconds: 30, cause: error });
      }
    });
  } catch (error) {
    if (stored) await storage.delete(storageKey).catch(() => {});
    throw error;
  }
  return attachmentView((await findAttachment(deps.db, id))!, true);
}

/** An attachment the actor may see, with its owner's access (404 otherwise, whatever the reason). */
export async function loadAttachmentFor(deps: AppDeps, actor: ActorRef | null, id: string) {
  const row = await findAttachment(deps.db, id);
  if (!row) throw new AppError('ATTACHMENT_NOT_FOUND');
  try {
    const owner = await loadOwnerFor(deps, actor, row.owner_kind as OwnerKind, row.owner_id);
    return { row, owner };
  } catch (error) {
    // Hidden owner → hidden attachment: the caller may not learn which owner it belongs to.
    if (error instanceof AppError && error.status === 404) throw new AppError('ATTACHMENT_NOT_FOUND');
    throw error;
  }
}

/** The bytes of an attachment the actor may see. */
export async function openAttachment(deps: AppDeps, actor: ActorRef | null, id: string) {
  const { row } = await loadAttachmentFor(deps, actor, id);
  const storage = requireStorage(deps);
  let object: Awaited<ReturnType<StorageAdapter['get']>>;
  try {
    object = await storage.get(row.storage_key);
  } catch (error) {
    throw new AppError('STORAGE_UNAVAILABLE', { retryAfterSeconds: 30, cause: error });
  }
  if (!object) {
    deps.logger.warn('attachment bytes missing', { attachment_id: row.id, storage_key: row.storage_key });
    throw new AppError('ATTACHMENT_NOT_FOUND');
  }
  return { row, object };
}

/**
 * Soft-deletes the row (guarded, audited) and then removes the bytes and marks them purged. The bytes
 * go only after the commit, so a rolled-back delete never loses its file. If storage fails then, the
 * file is still gone for every reader, and the row stays unpurged for `purgeDeletedAttachmentBytes`.
 */
export async function deleteAttachment(deps: AppDeps, actor: ActorRef, id: string, audit: AuditActor) {
  const { row, owner } = await loadAttachmentFor(deps, actor, id);
  assertMayChange(owner);
  const storage = requireStorage(deps);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await markAttachmentDeleted(trx, id, actor.userId, deps.clock())))
      throw new AppError('ATTACHMENT_NOT_FOUND');
    await recordAudit(trx, audit, {
      action: 'attachment.deleted',
      targetType: 'attachment',
      targetId: id,
      before: {
        owner_kind: row.owner_kind,
        owner_id: row.owner_id,
        file_name: row.file_name,
        sha256: row.sha256,
      },
    });
  });
  try {
    await storage.delete(row.storage_key);
    await markAttachmentBytesPurged(deps.db, [id], deps.clock());
  } catch (error) {
    // The delete itself succeeded for the user; the purge sweep retries the bytes later.
    deps.logger.warn('attachment bytes not deleted; left for the purge sweep', {
      attachment_id: id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return { owner_kind: row.owner_kind as OwnerKind, owner_id: row.owner_id };
}
