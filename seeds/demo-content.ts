import type { Database } from '../src/db/database.js';
import { type ChallengeStatus, transitionChallenge } from '../src/modules/challenges/challenge.lifecycle.js';
import challengesFile from './demo/challenges.json' with { type: 'json' };
import organisationsFile from './demo/organisations.json' with { type: 'json' };
import { claimSeedRun } from './seed-runs.js';

const SEED_NAME = 'demo-content-v1';
const DAY = 86_400_000;
const actor = { userId: null, label: '演示数据' };

/** The path each demo challenge walks through the real life cycle to reach its seeded status. */
const pathTo: Record<string, ChallengeStatus[]> = {
  published: ['under_review', 'published'],
  bidding_closed: ['under_review', 'published', 'bidding_closed'],
  awarded: ['under_review', 'published', 'bidding_closed', 'awarded'],
  accepted: ['under_review', 'published', 'bidding_closed', 'awarded', 'in_delivery', 'accepted'],
};

/**
 * Seeds demo organisations and challenges once (recorded in seed_runs, so a restart never seeds
 * again). Challenges walk the real life cycle, so their history and the search outbox are filled the
 * same way user actions fill them. Returns true when it seeded.
 */
export async function seedDemoContent(db: Database, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await claimSeedRun(trx, SEED_NAME))) return false;

    const orgIds = new Map<string, string>();
    for (const org of organisationsFile.organisations) {
      const row = await trx
        .insertInto('organisations')
        .values({
          external_key: org.key,
          kind: org.kind,
          name: org.name,
          credit_code: org.credit_code,
          region_code: org.region_code,
          description: org.description,
          verification_status: 'verified',
        })
        .onConflict((oc) => oc.column('external_key').doUpdateSet({ name: org.name }))
        .returning('id')
        .executeTakeFirstOrThrow();
      orgIds.set(org.key, row.id);
    }

    for (const challenge of challengesFile.challenges) {
      const deadline = new Date(now.getTime() + challenge.bid_deadline_days * DAY);
      // Published a month before its deadline, or a week ago for open ones: a believable timeline.
      const publishedAt = new Date(Math.min(now.getTime() - 7 * DAY, deadline.getTime() - 30 * DAY));
      const row = await trx
        .insertInto('challenges')
        .values({
          external_key: challenge.key,
          enterprise_id: orgIds.get(challenge.enterprise_key)!,
          title: challenge.title,
          background: challenge.background,
          problem: challenge.problem,
          targets: challenge.targets,
          industry_code: challenge.industry_code,
          region_code: challenge.region_code,
          reward_wan: challenge.reward_wan,
          cooperation_mode: challenge.cooperation_mode,
          bid_deadline: deadline,
          delivery_deadline: new Date(deadline.getTime() + 180 * DAY),
          status: 'draft',
          created_at: new Date(publishedAt.getTime() - 3 * DAY),
        })
        .onConflict((oc) => oc.column('external_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) continue;
      await trx
        .insertInto('challenge_status_events')
        .values({
          challenge_id: row.id,
          from_status: null,
          to_status: 'draft',
          actor_label: actor.label,
          created_at: new Date(publishedAt.getTime() - 3 * DAY),
        })
        .execute();
      let from: ChallengeStatus = 'draft';
      let at = new Date(publishedAt.getTime() - 2 * DAY);
      for (const to of pathTo[challenge.status] ?? []) {
        if (to === 'published') at = publishedAt;
        else if (to === 'bidding_closed') at = deadline;
        else if (to !== 'under_review') at = new Date(Math.min(now.getTime(), at.getTime() + 10 * DAY));
        await transitionChallenge(trx, {
          challengeId: row.id,
          from,
          to,
          actor,
          at,
          reason: to === 'published' ? '审核通过' : undefined,
        });
        from = to;
      }
    }
    return true;
  });
}
