import type { Database } from '../../db/database.js';

export interface ReferenceData {
  /** Current regions and industries (retired ones are not offered for new records). */
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
  /** Current disciplines (GB/T 13745), by code and by name: forms take names, records keep codes. */
  disciplineName: Map<string, string>;
  disciplineCodeByName: Map<string, string>;
  /** Current regions by full and short name (遵义市 and 遵义 alike); names are unique in Guizhou. */
  regionCodeByName: Map<string, string>;
  /** Every region and industry by code, retired ones too: names for records made before a retirement. */
  regionByCode: Map<string, { name: string; level: string; parent_code: string | null }>;
  industryByCode: Map<string, { name: string }>;
}

export async function loadReferenceData(db: Database): Promise<ReferenceData> {
  const [allRegions, allIndustries, disciplines] = await Promise.all([
    db
      .selectFrom('regions')
      .select(['code', 'name', 'short_name', 'level', 'parent_code', 'retired_at'])
      .orderBy('code')
      .execute(),
    db
      .selectFrom('industries')
      .select(['code', 'name', 'group_name', 'sort', 'retired_at'])
      .orderBy('sort')
      .orderBy('code')
      .execute(),
    db.selectFrom('disciplines').select(['code', 'name']).where('retired_at', 'is', null).execute(),
  ]);
  const regions = allRegions.filter((r) => r.retired_at === null).map(({ retired_at: _, ...r }) => r);
  const industries = allIndustries.filter((i) => i.retired_at === null).map(({ retired_at: _, ...i }) => i);
  return {
    regions,
    industries,
    regionName: new Map(regions.map((r) => [r.code, r.name])),
    industryName: new Map(industries.map((i) => [i.code, i.name])),
    disciplineName: new Map(disciplines.map((d) => [d.code, d.name])),
    disciplineCodeByName: new Map(disciplines.map((d) => [d.name, d.code])),
    regionCodeByName: new Map(
      regions.flatMap((r) => [[r.name, r.code] as const, [r.short_name, r.code] as const]),
    ),
    regionByCode: new Map(allRegions.map((r) => [r.code, r])),
    industryByCode: new Map(allIndustries.map((i) => [i.code, i])),
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

/**
 * Items as people type them (names: 食品科学技术; 遵义市、湄潭县) or as programs send them (codes)
 * → the codes records keep, each once, and the first item that is neither, for a field error that
 * names it.
 */
function resolveCodes(
  items: string[],
  codeByName: ReadonlyMap<string, string>,
  nameOf: ReadonlyMap<string, string>,
) {
  const codes = [...new Set(items.map((item) => codeByName.get(item) ?? item))];
  return { codes, unknown: codes.find((code) => !nameOf.has(code)) };
}

/** Disciplines (GB/T 13745) by name or code → codes, and the first unknown one. */
export function disciplineCodesOf(
  items: string[],
  reference: Pick<ReferenceData, 'disciplineCodeByName' | 'disciplineName'>,
) {
  return resolveCodes(items, reference.disciplineCodeByName, reference.disciplineName);
}

/** Regions by name, short name or code → codes, and the first unknown one. */
export function regionCodesOf(
  items: string[],
  reference: Pick<ReferenceData, 'regionCodeByName' | 'regionName'>,
) {
  return resolveCodes(items, reference.regionCodeByName, reference.regionName);
}
