/**
 * The benchmark's baseline for the challenge list API: the least a Hono + Kysely service can do —
 * one `select … limit 20` on the same table, no joins, no count, no validation, no logging.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createDatabase } from '../../db/database.js';

const { db } = createDatabase({ url: process.env.DATABASE_URL!, poolMax: 10 });
const app = new Hono()
  .get('/readyz', (c) => c.json({ status: 'ready' }))
  .get('/challenges', async (c) =>
    c.json(
      await db
        .selectFrom('challenges')
        .select(['id', 'title', 'status', 'reward_wan', 'bid_deadline', 'published_at'])
        .where('status', 'in', ['published', 'bidding_closed', 'awarded', 'in_delivery', 'accepted'])
        .orderBy('published_at', 'desc')
        .limit(20)
        .execute(),
    ),
  );
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
