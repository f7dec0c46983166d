import type { Settings } from 'meilisearch';
import siteSynonyms from './synonyms/site-search.json' with { type: 'json' };

/**
 * Index definitions as code. `applyIndexSettings` (src/search/settings.ts) applies them idempotently
 * at start and to every fresh index built by a reindex. The index uid is `<MEILI_INDEX_PREFIX><name>`.
 *
 * Facts measured on this machine that shape these settings:
 * - Chinese is segmented by Meilisearch's charabia; `localizedAttributes: cmn` makes it segment
 *   Chinese consistently instead of guessing (short texts are often misdetected as Japanese).
 * - Matching is by prefix on segmented words: synonyms bridge colloquial and technical words.
 * - `maxTotalHits` is the real pagination depth; larger values only cost memory and time.
 */
export interface IndexDefinition {
  name: string;
  primaryKey: string;
  settings: Settings;
}

/** Expand synonym groups (every word in a group is a synonym of every other) into Meilisearch's map. */
export function synonymMap(groups: string[][]): Record<string, string[]> {
  const map: Record<string, Set<string>> = {};
  for (const group of groups) {
    for (const word of group) {
      map[word] ??= new Set();
      for (const other of group) if (other !== word) map[word].add(other);
    }
  }
  return Object.fromEntries(Object.entries(map).map(([word, others]) => [word, [...others]]));
}

export const challengesIndex: IndexDefinition = {
  name: 'challenges',
  primaryKey: 'id',
  settings: {
    // Order = weight: a hit in the title beats a hit in the background text.
    searchableAttributes: [
      'title',
      'problem',
      'targets',
      'industry_name',
      'background',
      'region_name',
      'enterprise_name',
    ],
    filterableAttributes: [
      'status',
      'industry_code',
      'industry_group',
      'region_code',
      'prefecture_code',
      'reward_wan',
      'bid_deadline_ts',
      'cooperation_mode',
    ],
    sortableAttributes: ['published_at_ts', 'reward_wan', 'bid_deadline_ts'],
    displayedAttributes: ['*'],
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness', 'published_at_ts:desc'],
    localizedAttributes: [{ attributePatterns: ['*'], locales: ['cmn'] }],
    synonyms: synonymMap(siteSynonyms.groups),
    // Chinese words are short: typo tolerance on 2-character words creates noise, not recall.
    typoTolerance: { minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
    pagination: { maxTotalHits: 2000 },
    faceting: { maxValuesPerFacet: 100 },
  },
};

export const allIndexes: IndexDefinition[] = [challengesIndex];
