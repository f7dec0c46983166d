import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedDemoContent } from '../../seeds/demo-content.js';
import { seedDemoStations } from '../../seeds/demo-stations.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe('demo stations (development seeds)', () => {
  test('seed once after the demo organisations, and fill the public registry and its map', async () => {
    const now = new Date();
    // Without the demo organisations there is nothing to host a station: no seeding, no claim.
    expect(await seedDemoStations(ctx.db, now)).toBe(false);
    expect(await seedDemoContent(ctx.db, now)).toBe(true);
    expect(await seedDemoStations(ctx.db, now)).toBe(true);
    expect(await seedDemoStations(ctx.db, now)).toBe(false);

    const byStatus = await ctx.db
      .selectFrom('stations')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('status')
      .orderBy('status')
      .execute();
    expect(byStatus.map((r) => [r.status, Number(r.n)])).toEqual([
      ['active', 5],
      ['host_confirmed', 1],
    ]);
    const confirmed = await ctx.db
      .selectFrom('service_records')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'confirmed')
      .executeTakeFirstOrThrow();
    expect(Number(confirmed.n)).toBe(8);

    await ctx.drainOutbox();
    const registry = await (await ctx.app.request('http://localhost/stations')).text();
    expect(registry).toContain('共 5 个站点');
    const zunyi = /<a [^>]*data-prefecture="520300"[^>]*>/.exec(registry)![0];
    expect(zunyi).toContain('data-count="2"');
    const anshun = /<a [^>]*data-prefecture="520400"[^>]*>/.exec(registry)![0];
    expect(anshun).toContain('data-count="0"');
  });
});
