import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { chinaDate } from '../../web/china-time.js';
import { messages } from '../../web/messages.js';

/**
 * The station life cycle, in one place (modelled on challenge.lifecycle.ts). A status is never set
 * directly: {@link transitionStation} looks the action up in {@link stationTransitions}, guards against
 * concurrent moves with `WHERE status = from`, records who/when/why as an event row, and enqueues the
 * search sync in the same transaction.
 *
 *   applied ──confirm_host──▶ host_confirmed ──approve──▶ active ──renew──▶ active (new term)
 *      │ decline_host / reject / withdraw      │ reject / withdraw     │ suspend ⇄ reinstate
 *      ▼                                       ▼                       ▼ expire (sweep) / revoke
 *   rejected / withdrawn                                          expired / revoked
 */
export const stationStatuses = [
  'applied',
  'host_confirmed',
  'active',
  'rejected',
  'withdrawn',
  'suspended',
  'expired',
  'revoked',
] as const;
export type StationStatus = (typeof stationStatuses)[number];

/** Statuses the public registry shows (and the search index holds). */
export const publicStationStatuses = ['active'] as const satisfies readonly StationStatus[];

/** Who performs an action: the applying society, the host organisation, an operator, or the sweep. */
export type StationParty = 'society' | 'host' | 'operator' | 'system';

export interface StationTransition {
  from: readonly StationStatus[];
  to: StationStatus;
  by: StationParty;
  reasonRequired: boolean;
}

export const stationTransitions = {
  confirm_host: { from: ['applied'], to: 'host_confirmed', by: 'host', reasonRequired: false },
  decline_host: { from: ['applied'], to: 'rejected', by: 'host', reasonRequired: true },
  withdraw: { from: ['applied', 'host_confirmed'], to: 'withdrawn', by: 'society', reasonRequired: false },
  approve: { from: ['host_confirmed'], to: 'active', by: 'operator', reasonRequired: false },
  reject: { from: ['applied', 'host_confirmed'], to: 'rejected', by: 'operator', reasonRequired: true },
  renew: { from: ['active', 'expired'], to: 'active', by: 'operator', reasonRequired: false },
  suspend: { from: ['active'], to: 'suspended', by: 'operator', reasonRequired: true },
  reinstate: { from: ['suspended'], to: 'active', by: 'operator', reasonRequired: false },
  revoke: { from: ['active', 'suspended'], to: 'revoked', by: 'operator', reasonRequired: true },
  expire: { from: ['active', 'suspended'], to: 'expired', by: 'system', reasonRequired: false },
} as const satisfies Record<string, StationTransition>;
export type StationAction = keyof typeof stationTransitions;
export const stationActions = Object.keys(stationTransitions) as StationAction[];
/** Actions a person may ask for over the API or a form (expiry belongs to the sweep). */
export const requestableStationActions = stationActions.filter((a) => stationTransitions[a].by !== 'system');

export interface StationActor {
  userId: string | null;
  /** Who, in words, for the record ('系统定时任务', a user's name). */
  label: string;
}

export async function transitionStation(
  trx: Transaction<DB>,
  input: {
    stationId: string;
    from: StationStatus;
    action: StationAction;
    actor: StationActor;
    reason?: string | null | undefined;
    at: Date;
    /** New term end (renew only). */
    termEnd?: string | undefined;
  },
): Promise<StationStatus> {
  const transition: StationTransition = stationTransitions[input.action];
  if (!(transition.from as readonly string[]).includes(input.from)) {
    throw new AppError('STATION_STATE_CONFLICT', {
      detail: messages.station.cannotAct(
        messages.station.actions[input.action]!,
        messages.station.statuses[input.from]!,
      ),
    });
  }
  // Guarded update: if someone else moved the station first, nothing matches and we refuse.
  const updated = await trx
    .updateTable('stations')
    .set({
      status: transition.to,
      ...(input.action === 'approve' ? { approved_at: input.at } : {}),
      ...(input.termEnd ? { term_end: input.termEnd } : {}),
    })
    .where('id', '=', input.stationId)
    .where('status', '=', input.from)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw new AppError('STATION_STATE_CONFLICT');
  await trx
    .insertInto('station_status_events')
    .values({
      station_id: input.stationId,
      action: input.action,
      from_status: input.from,
      to_status: transition.to,
      actor_user_id: input.actor.userId,
      actor_label: input.actor.label,
      reason: input.reason ?? null,
      created_at: input.at,
    })
    .execute();
  await enqueueSearchSync(trx, 'station', [input.stationId]);
  return transition.to;
}

/**
 * The calendar day in China (UTC+8, no daylight saving) as `YYYY-MM-DD`: terms end on a Guizhou
 * calendar day, whatever the server's time zone.
 */
export function chinaDay(at: Date, plusDays = 0): string {
  return chinaDate(new Date(at.getTime() + plusDays * 86_400_000));
}
