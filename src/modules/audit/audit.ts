import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

/**
 * Who did something, as the audit log records it. Built once per request by the auth middleware
 * (`actorOf(c)`), so every use case gets the same actor, role and IP.
 */
export interface AuditActor {
  userId: string | null;
  role: string | null;
  ip: string | null;
}

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
}

/**
 * Appends one audit row. Always called with the transaction of the change it records, so the log
 * and the change commit or roll back together. Never pass secrets (hashes, tokens) in before/after.
 */
export async function recordAudit(
  executor: Kysely<DB> | Transaction<DB>,
  actor: AuditActor,
  entry: AuditEntry,
): Promise<void> {
  await executor
    .insertInto('audit_log')
    .values({
      actor_user_id: actor.userId,
      actor_role: actor.role,
      ip: actor.ip,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      before: entry.before ? JSON.stringify(entry.before) : null,
      after: entry.after ? JSON.stringify(entry.after) : null,
      reason: entry.reason ?? null,
    })
    .execute();
}
