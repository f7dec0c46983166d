import type { Database } from '../src/db/database.js';
import { createLogger } from '../src/http/logger.js';
import type { Mailer } from '../src/mail/mailer.js';
import { submitBidBody } from '../src/modules/bids/bid.schemas.js';
import { submitBid } from '../src/modules/bids/bid.usecases.js';
import bidsFile from './demo/bids.json' with { type: 'json' };
import { demoAccounts } from './demo-accounts.js';
import { claimSeedRun } from './seed-runs.js';

const SEED_NAME = 'demo-bids-v1';
const DAY = 86_400_000;
// The demo accounts' addresses (…@demo.jiebang.cn) are no one's mailbox: the enterprise gets its
// in-app notifications (收到揭榜申请), but no mail is queued, so an SMTP-configured development
// server never sends to them.
const noMail: Mailer = { send: async () => {} };

/**
 * Seeds demo bids (揭榜申请) once, after the demo accounts (seeds/demo-accounts.ts): the demo expert
 * 王教授 (alone) and the demo society 贵州省山地农业工程学会 (as an organisation) each bid on the
 * demo enterprise's open 夏秋茶 challenge, so the enterprise account has bids to compare and
 * appoint (挂帅) on a fresh demo. Each bid goes through the bids module's own `submitBid` with the
 * demo user as actor: the same checks (role, verified organisation, bidding open), audit row and
 * enterprise notification as a bid filed over the API, and no search outbox row (bids are
 * confidential). Returns true when it seeded; false when already seeded, when a demo account,
 * organisation or the challenge is missing, or when the challenge no longer takes these bids
 * (closed, or it already has bids) in a database seeded long ago.
 */
export async function seedDemoBids(db: Database, now: Date): Promise<boolean> {
  const seeds = bidsFile.bids.map((seed) => {
    const account = demoAccounts.find((a) => a.role === seed.bidder);
    if (!account) throw new Error(`seeds/demo/bids.json: no demo account with role ${seed.bidder}`);
    return { ...seed, account };
  });
  const organisationKeys = seeds.flatMap((s) => (s.organisation ? [s.organisation] : []));
  return db.transaction().execute(async (trx) => {
    const [challenge, users, organisations] = await Promise.all([
      trx
        .selectFrom('challenges')
        .select(['id', 'status', 'bid_deadline', 'published_at'])
        .where('external_key', '=', bidsFile.challenge)
        .executeTakeFirst(),
      trx
        .selectFrom('users')
        .select(['id', 'email', 'role', 'display_name'])
        .where(
          'email',
          'in',
          seeds.map((s) => s.account.email),
        )
        .execute(),
      // The organisations with their members: a society bid is filed by one of its members.
      trx
        .selectFrom('organisations as o')
        .innerJoin('organisation_members as m', 'm.organisation_id', 'o.id')
        .select(['o.id', 'o.external_key', 'm.user_id'])
        .where('o.external_key', 'in', organisationKeys)
        .execute(),
    ]);
    const bidders = seeds.map((seed) => {
      const user = users.find((u) => u.email === seed.account.email && u.role === seed.account.role);
      const organisation = seed.organisation
        ? organisations.find((o) => o.external_key === seed.organisation && o.user_id === user?.id)
        : undefined;
      return user && (organisation || !seed.organisation) ? { seed, user, organisation } : undefined;
    });
    if (!challenge || bidders.some((b) => b === undefined)) return false;
    if (challenge.status !== 'published' || challenge.bid_deadline.getTime() <= now.getTime()) return false;
    const earlier = await trx
      .selectFrom('bids')
      .select('id')
      .where('challenge_id', '=', challenge.id)
      .executeTakeFirst();
    if (earlier) return false;
    if (!(await claimSeedRun(trx, SEED_NAME))) return false;

    // submitBid reads only the clock (is bidding open?) and the mailer; the logger is the outbox
    // mailer's, which noMail replaces.
    const deps = { clock: () => now, mailer: noMail, logger: createLogger('silent') };
    for (const bidder of bidders) {
      const { seed, user, organisation } = bidder!;
      const input = submitBidBody.parse({
        ...seed.content,
        ...(organisation ? { organisation_id: organisation.id } : {}),
      });
      const actor = { userId: user.id, role: seed.account.role, displayName: user.display_name };
      // The demo user files it, as if over the API; there is no request, hence no IP or origin.
      const meta = {
        actor: { userId: user.id, role: user.role, ip: null },
        ip: '',
        userAgent: null,
        origin: '',
      };
      const bid = await submitBid(trx, deps, actor, challenge.id, input, meta);
      // Filed some days after the challenge was published: a believable timeline, and a stable
      // order on the enterprise's page (all rows of one transaction share now()).
      const filedAt = Math.max(now.getTime() - seed.days_ago * DAY, challenge.published_at?.getTime() ?? 0);
      await trx
        .updateTable('bids')
        .set({ created_at: new Date(filedAt) })
        .where('id', '=', bid.id)
        .execute();
    }
    return true;
  });
}
