/**
 * How many documents of an index contain a term: the input of IDF, asked of Meilisearch itself with
 * count-only queries. A challenge has ~50 terms and every index needs its own counts, so without a
 * cache they are most of a recommendation's queries; with it, a process asks once per term and
 * index per `ttlMs`. Counts move slowly (IDF is a logarithm: a few new profiles change nothing).
 */
export interface TermCountCache {
  /** The cached count, or undefined when absent or expired. `term` '' is the index's size. */
  get(indexUid: string, term: string): number | undefined;
  set(indexUid: string, term: string, count: number): void;
}

export interface TermCountCacheOptions {
  /** 0 turns caching off (every recommendation counts afresh). */
  ttlMs: number;
  /** Oldest entries go first beyond this many. */
  maxEntries: number;
  now?: () => number;
}

/**
 * @example
 * const counts = createTermCountCache({ ttlMs: 10 * 60_000, maxEntries: 20_000 });
 * counts.set('experts', '干燥', 412);
 * counts.get('experts', '干燥'); // 412, until ten minutes have passed
 */
export function createTermCountCache(options: TermCountCacheOptions): TermCountCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { count: number; at: number }>();
  const keyOf = (indexUid: string, term: string) => `${indexUid}\u0000${term}`;
  return {
    get(indexUid, term) {
      if (options.ttlMs <= 0) return undefined;
      const key = keyOf(indexUid, term);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now() - entry.at >= options.ttlMs) {
        entries.delete(key);
        return undefined;
      }
      return entry.count;
    },
    set(indexUid, term, count) {
      if (options.ttlMs <= 0) return;
      const key = keyOf(indexUid, term);
      entries.delete(key);
      entries.set(key, { count, at: now() });
      // A Map iterates in insertion order: the first key is the oldest.
      while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}
