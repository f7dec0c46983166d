import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ChallengeStatus } from '../../src/modules/challenges/challenge.lifecycle.js';
import {
  activeStationsByPrefecture,
  challengeFunnel,
  medianDays,
} from '../../src/modules/dashboard/dashboard.queries.js';
import { newOrganisationFor, newUser } from '../support/account-factories.js';
import { newChallenge } from '../support/factories.js';
import { newStation } from '../support/station-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const PUBLISHED = new Date('2026-03-01T00:00:00Z');
const after = (days: number) => new Date(PUBLISHED.getTime() + days * 86_400_000);

/**
 * One challenge of the fixture: its status, its bids (days after publication; withdrawn ones marked)
 * and the day of the award, if any. Never-published challenges have `published: false`.
 */
interface FixtureChallenge {
  status: ChallengeStatus;
  bids: Array<{ day: number; withdrawn?: boolean; awardedDay?: number }>;
  published?: false;
}

async function seedFixture(rows: FixtureChallenge[]) {
  const manager = await newUser(ctx.db, 'enterprise');
  const enterprise = await newOrganisationFor(ctx.db, manager.id, { verification_status: 'verified' });
  for (const row of rows) {
    const { id } = await newChallenge(ctx.db, { enterpriseId: enterprise.id, status: row.status });
    if (row.published !== false)
      await ctx.db.updateTable('challenges').set({ published_at: PUBLISHED }).where('id', '=', id).execute();
    for (const bid of row.bids) {
      // Each bid by its own expert: one live bid per lead per challenge.
      const lead = await newUser(ctx.db, 'expert');
      await ctx.db
        .insertInto('bids')
        .values({
          challenge_id: id,
          kind: 'expert',
          lead_user_id: lead.id,
          approach: '低温分段烘干并控制相对湿度，保留辣椒红色素。',
          promised_indicators: '色价提高 20%',
          price_wan: 30,
          duration_days: 180,
          created_at: after(bid.day),
          status: bid.withdrawn ? 'withdrawn' : bid.awardedDay !== undefined ? 'awarded' : 'submitted',
          withdrawn_at: bid.withdrawn ? after(bid.day + 1) : null,
          awarded_at: bid.awardedDay !== undefined ? after(bid.awardedDay) : null,
        })
        .execute();
    }
  }
}

describe('operator dashboard figures against a hand-computed fixture', () => {
  test('funnel and median days: withdrawn bids and unpublished challenges do not count', async () => {
    await seedFixture([
      // A: first bid day 2, awarded day 20, accepted.
      { status: 'accepted', bids: [{ day: 2 }, { day: 5, awardedDay: 20 }] },
      // B: a bid withdrawn on day 4 does not count; first live bid day 6; awarded day 11.
      {
        status: 'awarded',
        bids: [
          { day: 4, withdrawn: true },
          { day: 6, awardedDay: 11 },
        ],
      },
      // C: first bid after a day and a half, never awarded.
      { status: 'bidding_closed', bids: [{ day: 1.5 }] },
      // D: only a withdrawn bid: posted, not bid.
      { status: 'published', bids: [{ day: 3, withdrawn: true }] },
      // E: no bid at all.
      { status: 'published', bids: [] },
      // G: first bid on day 9.
      { status: 'bidding_closed', bids: [{ day: 9 }] },
      // A draft (never published) is outside every figure, bids or not.
      { status: 'draft', published: false, bids: [] },
    ]);

    // Hand-computed: posted A–G without the draft = 6; bid = A, B, C, G = 4; awarded = A, B = 2;
    // accepted = A = 1.
    expect(await challengeFunnel(ctx.db)).toEqual({ posted: 6, bid: 4, awarded: 2, accepted: 1 });
    // First live bid: C 1.5, A 2, B 6, G 9 → median (2 + 6) / 2 = 4. Award: B 11, A 20 → 15.5.
    expect(await medianDays(ctx.db)).toEqual({ to_first_bid: 4, to_award: 15.5 });
  });

  test('running stations are counted in their prefecture, other statuses are not', async () => {
    const secretary = await newUser(ctx.db, 'society');
    const society = await newOrganisationFor(ctx.db, secretary.id, {
      kind: 'society',
      verification_status: 'verified',
    });
    const manager = await newUser(ctx.db, 'enterprise');
    const host = await newOrganisationFor(ctx.db, manager.id, { verification_status: 'verified' });
    const at = (region_code: string, status: 'active' | 'suspended' | 'applied') =>
      newStation(ctx.db, { societyId: society.id, hostId: host.id, region_code, status });
    await at('520328', 'active'); // 湄潭县 → 遵义市
    await at('520302', 'active'); // 红花岗区 → 遵义市
    await at('520521', 'active'); // 大方县 → 毕节市
    await at('522301', 'suspended'); // 兴义市: not running
    await at('520402', 'applied'); // 西秀区: not yet approved
    const counts = Object.fromEntries(
      (await activeStationsByPrefecture(ctx.db)).map((r) => [r.code.trim(), Number(r.n)]),
    );
    expect(counts).toEqual({ '520300': 2, '520500': 1 });
  });
});
