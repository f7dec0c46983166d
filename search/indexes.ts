import type { Settings } from 'meilisearch';
import { expertIndexSettings, societyIndexSettings } from './matching-settings.js';
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
      // New-challenge alerts (src/modules/matching/alerts.ts) test saved searches against just-published ids.
      'id',
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

/**
 * Experts and societies: the matcher's settings (search/matching-settings.ts) unchanged in what
 * decides ranking (searchable attributes, ranking rules, locales), plus the filters and sorts the
 * public listing pages need. The matcher relies on these; change them with the benchmark at hand
 * (`npm run bench:matching`).
 */
export const expertsIndex: IndexDefinition = {
  name: 'experts',
  primaryKey: 'id',
  settings: {
    ...expertIndexSettings,
    filterableAttributes: [
      ...expertIndexSettings.filterableAttributes,
      'prefecture_code',
      'availability',
      'title',
      'discipline',
    ],
    sortableAttributes: ['name'],
    pagination: { maxTotalHits: 1000 },
    faceting: { maxValuesPerFacet: 100 },
  },
};

export const societiesIndex: IndexDefinition = {
  name: 'societies',
  primaryKey: 'id',
  settings: {
    ...societyIndexSettings,
    filterableAttributes: [...societyIndexSettings.filterableAttributes, 'discipline', 'verified'],
    pagination: { maxTotalHits: 1000 },
    faceting: { maxValuesPerFacet: 100 },
  },
};

/** Published capabilities (成果/服务能力), for search with facets and for 相关成果 on a challenge. */
export const capabilitiesIndex: IndexDefinition = {
  name: 'capabilities',
  primaryKey: 'id',
  settings: {
    searchableAttributes: ['title', 'fields', 'industry_name', 'description', 'owner_name'],
    filterableAttributes: [
      'key',
      'kind',
      'trl',
      'cooperation_modes',
      'industry_code',
      'region_code',
      'prefecture_code',
      'owner_type',
      'owner_id',
    ],
    sortableAttributes: ['published_at_ts', 'trl'],
    rankingRules: ['words', 'attribute', 'proximity', 'exactness', 'typo', 'sort', 'published_at_ts:desc'],
    localizedAttributes: [{ attributePatterns: ['*'], locales: ['cmn'] }],
    synonyms: synonymMap(siteSynonyms.groups),
    typoTolerance: { minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
    pagination: { maxTotalHits: 1000 },
    faceting: { maxValuesPerFacet: 100 },
  },
};

/** Running stations (工作站/服务站) for the public registry: facets by kind, prefecture, county, industry. */
export const stationsIndex: IndexDefinition = {
  name: 'stations',
  primaryKey: 'id',
  settings: {
    searchableAttributes: [
      'name',
      'industry_names',
      'society_name',
      'host_name',
      'region_name',
      'prefecture_name',
      'description',
      'expert_names',
      'address',
    ],
    filterableAttributes: [
      'status',
      'kind_code',
      'level',
      'prefecture_code',
      'region_code',
      'industry_codes',
      'society_id',
    ],
    sortableAttributes: ['name', 'confirmed_records'],
    localizedAttributes: [{ attributePatterns: ['*'], locales: ['cmn'] }],
    synonyms: synonymMap(siteSynonyms.groups),
    typoTolerance: { minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
    pagination: { maxTotalHits: 1000 },
    faceting: { maxValuesPerFacet: 200 },
  },
};

export const allIndexes: IndexDefinition[] = [
  challengesIndex,
  expertsIndex,
  societiesIndex,
  capabilitiesIndex,
  stationsIndex,
];
