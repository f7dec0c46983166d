import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chinaDay } from '../../src/modules/stations/station.lifecycle.js';
import { sweepStations } from '../../src/modules/stations/station.sweep.js';
import { newHostPersona, newSocietyPersona, newStation } from '../support/station-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
let society: Awaited<ReturnType<typeof newSocietyPersona>>;
let host: Awaited<ReturnType<typeof newHostPersona>>;
beforeAll(async () => {
  ctx = await createTestContext();
  society = await newSocietyPersona(ctx.db, ctx.app);
  host = await newHostPersona(ctx.db, ctx.app);
});
afterAll(async () => {
  await ctx.close();
});

const now = new Date('2026-06-15T02:00:00Z'); // 10:00 in Guizhou
const statusOf = async (id: string) =>
  (await ctx.db.selectFrom('stations').select('status').where('id', '=', id).executeTakeFirstOrThrow())
    .status;
const mailsFor = (kind: string) =>
  ctx.db
    .selectFrom('outbound_emails')
    .select(['to_address', 'subject', 'body_text'])
    .where('kind', '=', kind)
    .execute();

describe('sweepStations', () => {
  test('expires a station the day after its term end, as the system, with an event, mail and outbox row', async () => {
    const station = await newStation(ctx.db, {
      societyId: society.org.id,
      hostId: host.org.id,
      term_end: '2026-06-14',
      name: '贵州省茶叶学会凤冈工作站',
    });
    const lastDay = await newStation(ctx.db, {
      societyId: society.org.id,
      hostId: host.org.id,
      term_end: '2026-06-15',
      name: '今天到期的工作站',
    });
    await ctx.db.deleteFrom('search_outbox').execute();
    const result = await sweepStations(ctx.db, now);
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(await statusOf(station.id)).toBe('expired');
    // The term end is the last day of service: still running on that day.
    expect(await statusOf(lastDay.id)).toBe('active');
    const event = await ctx.db
      .selectFrom('station_status_events')
      .selectAll()
      .where('station_id', '=', station.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      action: 'expire',
      from_status: 'active',
      to_status: 'expired',
      actor_user_id: null,
      actor_label: '系统定时任务',
    });
    const outbox = await ctx.db
      .selectFrom('search_outbox')
      .select('entity_id')
      .where('entity', '=', 'station')
      .execute();
    expect(outbox.map((r) => r.entity_id)).toContain(station.id);
    const mails = await mailsFor('station_expired');
    expect(mails.map((m) => m.to_address)).toEqual(
      expect.arrayContaining([society.user.email, host.user.email]),
    );
    // Idempotent: a second run (or a second instance) changes nothing more.
    await sweepStations(ctx.db, now);
    const events = await ctx.db
      .selectFrom('station_status_events')
      .select('action')
      .where('station_id', '=', station.id)
      .execute();
    expect(events.filter((e) => e.action === 'expire')).toHaveLength(1);
  });

  test('a suspended station past its term expires too', async () => {
    const station = await newStation(ctx.db, {
      societyId: society.org.id,
      hostId: host.org.id,
      status: 'suspended',
      term_end: '2026-01-31',
    });
    await sweepStations(ctx.db, now);
    expect(await statusOf(station.id)).toBe('expired');
  });

  test('reminds society and host once, 30 days before the term end; a renewal gets its own reminder', async () => {
    const station = await newStation(ctx.db, {
      societyId: society.org.id,
      hostId: host.org.id,
      term_end: chinaDay(now, 20),
      name: '贵州省茶叶学会余庆工作站',
    });
    const far = await newStation(ctx.db, {
      societyId: society.org.id,
      hostId: host.org.id,
      term_end: chinaDay(now, 31),
      name: '贵州省茶叶学会石阡工作站',
    });
    await sweepStations(ctx.db, now);
    await sweepStations(ctx.db, now);
    const reminders = (await mailsFor('station_expiry_reminder')).filter((m) => m.subject.includes('余庆'));
    expect(reminders.map((m) => m.to_address).sort()).toEqual([host.user.email, society.user.email].sort());
    expect(reminders[0]!.body_text).toContain(chinaDay(now, 20));
    expect((await mailsFor('station_expiry_reminder')).some((m) => m.subject.includes('石阡'))).toBe(false);
    expect(await statusOf(far.id)).toBe('active');

    // Renewed to a date that is again within 30 days: a new reminder for the new term end.
    await ctx.db
      .updateTable('stations')
      .set({ term_end: chinaDay(now, 25) })
      .where('id', '=', station.id)
      .execute();
    await sweepStations(ctx.db, now);
    const after = (await mailsFor('station_expiry_reminder')).filter((m) => m.subject.includes('余庆'));
    expect(after).toHaveLength(4);
  });

  test('applications and rejected stations are never touched', async () => {
    const applied = await newStation(ctx.db, {
      societyId: society.org.id,
      hostId: host.org.id,
      status: 'applied',
      term_end: '2026-01-01',
    });
    await sweepStations(ctx.db, now);
    expect(await statusOf(applied.id)).toBe('applied');
  });
});
