import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import {
  type ChallengeStatus,
  transitionChallenge,
} from '../../src/modules/challenges/challenge.lifecycle.js';
import { creditCodeCheckCharacter } from '../../src/modules/organisations/credit-code.js';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A fresh, valid 统一社会信用代码 for a region (never a shared fixture). */
export function newCreditCode(regionCode = '520100', prefix = '91'): string {
  let body = `${prefix}${regionCode}`;
  while (body.length < 17) body += CHARSET[randomInt(CHARSET.length)];
  return body + creditCodeCheckCharacter(body);
}

/** Persona: an enterprise such as 黔茶科技. */
export async function newEnterprise(
  db: Database,
  overrides: Partial<{ name: string; region_code: string; verification_status: string }> = {},
) {
  return db
    .insertInto('organisations')
    .values({
      kind: 'enterprise',
      name: overrides.name ?? '贵州黔茶科技有限公司',
      credit_code: newCreditCode(overrides.region_code ?? '520300'),
      region_code: overrides.region_code ?? '520328',
      verification_status: overrides.verification_status ?? 'verified',
    })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

const walk: Record<ChallengeStatus, ChallengeStatus[]> = {
  draft: [],
  under_review: ['under_review'],
  returned: ['under_review', 'returned'],
  rejected: ['under_review', 'rejected'],
  published: ['under_review', 'published'],
  bidding_closed: ['under_review', 'published', 'bidding_closed'],
  awarded: ['under_review', 'published', 'bidding_closed', 'awarded'],
  in_delivery: ['under_review', 'published', 'bidding_closed', 'awarded', 'in_delivery'],
  accepted: ['under_review', 'published', 'bidding_closed', 'awarded', 'in_delivery', 'accepted'],
  failed: ['under_review', 'published', 'bidding_closed', 'failed'],
  withdrawn: ['withdrawn'],
};

export interface NewChallenge {
  enterpriseId: string;
  status?: ChallengeStatus;
  title?: string;
  problem?: string;
  background?: string;
  industry_code?: string;
  region_code?: string;
  reward_wan?: number;
  hide_enterprise_name?: boolean;
}

/** A challenge that reached `status` through the real life cycle (events and outbox rows included). */
export async function newChallenge(db: Database, input: NewChallenge) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('challenges')
      .values({
        enterprise_id: input.enterpriseId,
        title: input.title ?? '茶园病虫害绿色防控技术攻关',
        background: input.background ?? '湄潭县茶园面积大，近年小绿叶蝉危害加重。',
        problem: input.problem ?? '需要在不增加农残的前提下控制虫口密度。',
        targets: '虫口减退率不低于 80%，出口检测合格。',
        industry_code: input.industry_code ?? 'rural-tea',
        region_code: input.region_code ?? '520328',
        reward_wan: input.reward_wan ?? 50,
        bid_deadline: new Date(Date.now() + 30 * 86_400_000),
        hide_enterprise_name: input.hide_enterprise_name ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let from: ChallengeStatus = 'draft';
    for (const to of walk[input.status ?? 'published']) {
      await transitionChallenge(trx, {
        challengeId: row.id,
        from,
        to,
        actor: { userId: null, label: '测试' },
        at: new Date(),
      });
      from = to;
    }
    return row;
  });
}

/**
 * Bulk-inserts `count` published tea challenges of one enterprise in a single statement (a listing at
 * a size where query plans matter), titled `<title> <n>`, the n-th published n minutes ago, in region
 * 520102, or alternately 520328 and 520102 with `alternateRegions`; then refreshes the planner's
 * statistics so plans see the new size. Bypasses the lifecycle and the search outbox on purpose: these
 * rows are for PostgreSQL queries, not for search.
 */
export async function insertPublishedChallenges(
  db: Database,
  input: {
    enterpriseId: string;
    count: number;
    title: string;
    rewardWan?: number;
    alternateRegions?: boolean;
  },
): Promise<void> {
  const region = input.alternateRegions
    ? sql`case when n % 2 = 0 then '520328' else '520102' end`
    : sql`'520102'`;
  await sql`
    insert into challenges (enterprise_id, title, industry_code, region_code, reward_wan, bid_deadline,
                            status, published_at)
    select ${input.enterpriseId}::uuid, ${input.title} || ' ' || n, 'rural-tea', ${region},
           ${input.rewardWan ?? 30}, now() + interval '30 days', 'published', now() - n * interval '1 minute'
    from generate_series(1, ${input.count}::int) as n`.execute(db);
  await sql`analyze challenges`.execute(db);
}
