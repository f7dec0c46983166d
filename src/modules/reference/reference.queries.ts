import type { Database } from '../../db/database.js';

export interface ReferenceData {
  regions: Array<{
    code: string;
    name: string;
    short_name: string;
    level: string;
    parent_code: string | null;
  }>;
  industries: Array<{ code: string; name: string; group_name: string; sort: number }>;
  regionName: Map<string, string>;
  industryName: Map<string, string>;
}

export async function loadReferenceData(db: Database): Promise<ReferenceData> {
  const [regions, industries] = await Promise.all([
    db
      .selectFrom('regions')
      .where('retired_at', 'is', null)
      .select(['code', 'name', 'short_name', 'level', 'parent_code'])
      .orderBy('code')
      .execute(),
    db
      .selectFrom('industries')
      .where('retired_at', 'is', null)
      .select(['code', 'name', 'group_name', 'sort'])
      .orderBy('sort')
      .orderBy('code')
      .execute(),
  ]);
  return {
    regions,
    industries,
    regionName: new Map(regions.map((r) => [r.code, r.name])),
    industryName: new Map(industries.map((i) => [i.code, i.name])),
  };
}

/**
 * Reference data changes only with a release or a reference import; caching it for a minute saves a
 * query on every page. Concurrent callers share one load.
 */
export function createReferenceCache(db: Database, ttlMs = 60_000, now: () => number = Date.now) {
  let cached: { at: number; data: Promise<ReferenceData> } | undefined;
  return {
    get(): Promise<ReferenceData> {
      if (!cached || now() - cached.at > ttlMs) {
        const data = loadReferenceData(db);
        cached = { at: now(), data };
        data.catch(() => {
          cached = undefined;
        });
      }
      return cached.data;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
export type ReferenceCache = ReturnType<typeof createReferenceCache>;
