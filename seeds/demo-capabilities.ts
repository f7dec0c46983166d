import type { Database } from '../src/db/database.js';
import { recordAudit } from '../src/modules/audit/audit.js';
import { insertCapability, markCapabilityPublished } from '../src/modules/capabilities/capability.queries.js';
import { capabilityBody } from '../src/modules/capabilities/capability.schemas.js';
import { enqueueSearchSync } from '../src/search/outbox.js';
import capabilitiesFile from './demo/capabilities.json' with { type: 'json' };
import { claimSeedRun } from './seed-runs.js';

const SEED_NAME = 'demo-capabilities-v1';
const DAY = 86_400_000;
// No user wrote these: the audit log shows a system actor, as for other non-request writes.
const audit = { userId: null, role: 'system', ip: null };

/**
 * Seeds demo capabilities (成果/服务能力) once, after the demo organisations (seeds/demo-content.ts)
 * and the demo experts (seeds/demo-stations.ts), so the public /capabilities listing and the
 * challenges' 相关成果 are not empty. Each one is validated by the module's own `capabilityBody`,
 * inserted as a draft and (unless it stays a draft) published with the module's queries, with the
 * same audit rows and search outbox rows the use cases write. Dated relative to `now`. Returns true
 * when it seeded; false when already seeded or when a demo owner is missing.
 */
export async function seedDemoCapabilities(db: Database, now: Date): Promise<boolean> {
  const seeds = capabilitiesFile.capabilities.map((c) => ({ ...c, input: capabilityBody.parse(c.content) }));
  const expertKeys = [...new Set(seeds.flatMap((c) => (c.owner.expert ? [c.owner.expert] : [])))];
  const organisationKeys = [
    ...new Set(seeds.flatMap((c) => (c.owner.organisation ? [c.owner.organisation] : []))),
  ];
  return db.transaction().execute(async (trx) => {
    const [experts, organisations] = await Promise.all([
      trx
        .selectFrom('expert_profiles')
        .select(['id', 'external_key'])
        .where('external_key', 'in', expertKeys)
        .execute(),
      trx
        .selectFrom('organisations')
        .select(['id', 'external_key'])
        .where('external_key', 'in', organisationKeys)
        .execute(),
    ]);
    const expertId = new Map(experts.map((e) => [e.external_key!, e.id]));
    const organisationId = new Map(organisations.map((o) => [o.external_key!, o.id]));
    if (expertId.size !== expertKeys.length || organisationId.size !== organisationKeys.length) return false;
    if (!(await claimSeedRun(trx, SEED_NAME))) return false;

    const ids: string[] = [];
    for (const seed of seeds) {
      const owner = seed.owner.expert
        ? { expertId: expertId.get(seed.owner.expert)! }
        : { organisationId: organisationId.get(seed.owner.organisation!)! };
      const id = await insertCapability(trx, owner, seed.input);
      // Written a few days before it was published: a believable timeline on the owner's pages.
      const createdAt = new Date(now.getTime() - (seed.days_ago + (seed.status === 'draft' ? 0 : 3)) * DAY);
      await trx
        .updateTable('capabilities')
        .set({ external_key: seed.key, created_at: createdAt })
        .where('id', '=', id)
        .execute();
      await recordAudit(trx, audit, {
        action: 'capability.created',
        targetType: 'capability',
        targetId: id,
        after: { title: seed.input.title, kind: seed.input.kind, owner },
      });
      if (seed.status === 'published') {
        await markCapabilityPublished(trx, id, new Date(now.getTime() - seed.days_ago * DAY));
        await recordAudit(trx, audit, {
          action: 'capability.published',
          targetType: 'capability',
          targetId: id,
          before: { status: 'draft' },
          after: { status: 'published' },
        });
      }
      ids.push(id);
    }
    // One outbox row per capability, as the use cases write: the worker indexes the published ones.
    await enqueueSearchSync(trx, 'capability', ids);
    return true;
  });
}
