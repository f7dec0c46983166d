import type { Database } from '../src/db/database.js';
import {
  chinaDay,
  type StationAction,
  transitionStation,
} from '../src/modules/stations/station.lifecycle.js';
import { enqueueSearchSync } from '../src/search/outbox.js';
import organisationsFile from './demo/organisations.json' with { type: 'json' };
import stationsFile from './demo/stations.json' with { type: 'json' };
import { claimSeedRun } from './seed-runs.js';

const SEED_NAME = 'demo-stations-v1';
const DAY = 86_400_000;
const actor = { userId: null, label: '演示数据' };

/** The actions that take a new application to the seeded status. */
const pathTo: Record<string, StationAction[]> = {
  applied: [],
  host_confirmed: ['confirm_host'],
  active: ['confirm_host', 'approve'],
};

/**
 * Seeds demo stations (with member experts and service records) once, after the demo organisations
 * (seeds/demo-content.ts), so the dev registry, its map and the operator dashboard are not empty.
 * Stations walk the real life cycle (events and search outbox). Terms started 400 days ago; records
 * are dated relative to `now`. Returns true when it seeded; false when already seeded or when the
 * demo organisations are missing.
 */
export async function seedDemoStations(db: Database, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const orgs = await trx
      .selectFrom('organisations')
      .select(['id', 'external_key'])
      .where(
        'external_key',
        'in',
        organisationsFile.organisations.map((o) => o.key),
      )
      .execute();
    const orgId = new Map(orgs.map((o) => [o.external_key!, o.id]));
    if (orgId.size !== organisationsFile.organisations.length) return false;
    if (!(await claimSeedRun(trx, SEED_NAME))) return false;

    const expertId = new Map<string, string>();
    for (const e of stationsFile.experts) {
      const row = await trx
        .insertInto('expert_profiles')
        .values({
          external_key: e.key,
          name: e.name,
          title: e.title,
          affiliation: e.affiliation,
          fields: e.fields,
          region_code: e.region_code,
        })
        .onConflict((oc) => oc.column('external_key').doUpdateSet({ name: e.name }))
        .returning('id')
        .executeTakeFirstOrThrow();
      expertId.set(e.key, row.id);
      await trx
        .insertInto('expert_societies')
        .values({ expert_id: row.id, society_id: orgId.get(e.society_key)! })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await enqueueSearchSync(trx, 'expert', [...expertId.values()]);

    const termStart = new Date(now.getTime() - 400 * DAY);
    for (const s of stationsFile.stations) {
      const { id } = await trx
        .insertInto('stations')
        .values({
          kind_code: s.kind_code,
          level: 'provincial',
          name: s.name,
          society_id: orgId.get(s.society_key)!,
          host_organisation_id: orgId.get(s.host_key)!,
          host_kind: s.host_kind,
          region_code: s.region_code,
          address: s.address,
          industry_codes: s.industry_codes,
          description: s.description,
          term_start: chinaDay(termStart),
          term_end: chinaDay(now, 3 * 365),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('station_status_events')
        .values({
          station_id: id,
          action: 'apply',
          from_status: null,
          to_status: 'applied',
          actor_label: actor.label,
          created_at: new Date(termStart.getTime() - 20 * DAY),
        })
        .execute();
      await trx
        .insertInto('station_experts')
        .values(
          s.expert_keys.map((key) => ({
            station_id: id,
            expert_id: expertId.get(key)!,
            consent: 'given',
            consent_at: new Date(termStart.getTime() - 15 * DAY),
          })),
        )
        .execute();
      let from = 'applied' as Parameters<typeof transitionStation>[1]['from'];
      let at = new Date(termStart.getTime() - 10 * DAY);
      for (const action of pathTo[s.status] ?? []) {
        if (action === 'approve') at = termStart;
        from = await transitionStation(trx, { stationId: id, from, action, actor, at });
      }
      for (const r of s.records) {
        const servedOn = chinaDay(now, -r.days_ago);
        const record = await trx
          .insertInto('service_records')
          .values({
            station_id: id,
            kind: r.kind,
            title: r.title,
            served_on: servedOn,
            beneficiaries: r.beneficiaries,
            status: r.status,
            confirmed_at: r.status === 'confirmed' ? new Date(now.getTime() - (r.days_ago - 2) * DAY) : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('service_record_experts')
          .values(r.expert_keys.map((key) => ({ record_id: record.id, expert_id: expertId.get(key)! })))
          .execute();
      }
      // The confirmed-record count is part of the station's search document.
      await enqueueSearchSync(trx, 'station', [id]);
    }
    return true;
  });
}
