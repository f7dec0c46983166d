import type { Context } from 'hono';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { AppError } from './errors.js';

/**
 * Idempotency keys (`Idempotency-Key` header) for effects that must never double: a retried bid
 * submission or award answers with the stored first answer instead of acting again.
 *
 * The key row is inserted first in the action's own transaction. Its primary key makes a concurrent
 * request with the same key wait until the first commits (then it replays the stored answer) or
 * rolls back (then it runs itself). Failed attempts store nothing, so they may be retried.
 *
 * @example
 *   const key = await idempotencyKeyOf(c, auth.user.id, 'bid.submit', body);
 *   const { status, body } = await runIdempotent(deps.db, key, async (trx) => ({ status: 201, body: await submit(trx) }));
 */
export interface IdempotencyKey {
  userId: string;
  scope: string;
  key: string;
  requestHash: string;
}

export interface StoredAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export async function idempotencyKeyOf(
  c: Context,
  userId: string,
  scope: string,
  request: unknown,
): Promise<IdempotencyKey | null> {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return null;
  if (!KEY_PATTERN.test(key))
    throw new AppError('VALIDATION_FAILED', {
      fields: [{ field: 'Idempotency-Key', reason: '应为 1-200 个可见 ASCII 字符' }],
    });
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(request)));
  const requestHash = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { userId, scope, key, requestHash };
}

export async function runIdempotent<T>(
  db: Database,
  key: IdempotencyKey | null,
  run: (trx: Transaction<DB>) => Promise<{ status: number; body: T }>,
): Promise<StoredAnswer<T>> {
  return db.transaction().execute(async (trx) => {
    if (key) {
      const inserted = await trx
        .insertInto('idempotency_keys')
        .values({ user_id: key.userId, scope: key.scope, key: key.key, request_hash: key.requestHash })
        .onConflict((oc) => oc.doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!inserted) {
        const prior = await trx
          .selectFrom('idempotency_keys')
          .select(['request_hash', 'response_status', 'response_body'])
          .where('user_id', '=', key.userId)
          .where('scope', '=', key.scope)
          .where('key', '=', key.key)
          .executeTakeFirstOrThrow();
        if (prior.request_hash !== key.requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
        return { status: prior.response_status ?? 200, body: prior.response_body as T, replayed: true };
      }
    }
    const answer = await run(trx);
    if (key) {
      await trx
        .updateTable('idempotency_keys')
        .set({ response_status: answer.status, response_body: JSON.stringify(answer.body) })
        .where('user_id', '=', key.userId)
        .where('scope', '=', key.scope)
        .where('key', '=', key.key)
        .execute();
    }
    return { ...answer, replayed: false };
  });
}
