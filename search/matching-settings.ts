/**
 * Meilisearch settings and document shapes for expert and society matching.
 *
 * The app's indexer produces these documents from PostgreSQL; the matcher
 * (src/modules/matching) reads them back from search hits, so the field names
 * here are a contract between the two.
 *
 * Apply with `index.updateSettings(expertIndexSettings)` and await the task.
 */
import type { Settings } from 'meilisearch';

/** One expert as indexed for matching. */
export interface ExpertDocument {
  /** Meilisearch primary key (letters, digits, `-` and `_` only). */
  id: string;
  /** External key from the source system (interchange format `key`). */
  key: string;
  name: string;
  /** Professional title, e.g. 教授, 高级工程师. */
  title: string;
  affiliation: string;
  /** GB/T 2260 code: 520000 province-wide, else a prefecture or county. */
  region_code: string;
  society_keys: string[];
  /** Names of the societies in `society_keys`, denormalised for search. */
  society_names: string[];
  /** Research fields, short academic phrases: the strongest topic signal. */
  fields: string[];
  bio: string;
  /** available | limited | unavailable (the app's indexer sets it; absent means available). */
  availability?: string;
}

/** One provincial society as indexed for matching. */
export interface SocietyDocument {
  id: string;
  key: string;
  name: string;
  /** Main discipline, e.g. 环境科学与工程, 茶学. */
  discipline: string;
  description: string;
  region_code: string;
}

/**
 * Everything is searched with Chinese tokenisation: without `cmn` Meilisearch
 * may detect short Chinese strings as Japanese and segment them differently
 * from the query.
 */
const chineseEverywhere = [{ attributePatterns: ['*'], locales: ['cmn'] }];

/**
 * `attribute` before `proximity`: a query term found in `fields` is a much
 * stronger signal than one found anywhere in a long bio, while proximity
 * between unrelated query terms means little in Chinese prose. Typos are not
 * a thing in Chinese characters, so that rule goes last.
 */
const matchingRankingRules = ['words', 'attribute', 'proximity', 'exactness', 'typo', 'sort'];

export const expertIndexSettings = {
  searchableAttributes: ['fields', 'affiliation', 'bio', 'society_names', 'name'],
  filterableAttributes: ['key', 'region_code', 'society_keys'],
  rankingRules: matchingRankingRules,
  localizedAttributes: chineseEverywhere,
} satisfies Settings;

export const societyIndexSettings = {
  searchableAttributes: ['discipline', 'name', 'description'],
  filterableAttributes: ['key', 'region_code'],
  rankingRules: matchingRankingRules,
  localizedAttributes: chineseEverywhere,
} satisfies Settings;

/**
 * What the platform knows beyond the profile text, applied to the final expert and society lists of
 * a challenge (src/modules/matching/rerank.ts `applyPlatformSignals`). Both signals only re-order
 * candidates that already fit the topic: imported or dev data, with no history and the default
 * availability, keep exactly the order topical fit gives them.
 */
export const platformSignalWeights = {
  /**
   * Score multiplier by the profile's availability (可承接 / 较忙 / 暂不接受揭榜). Unavailable experts
   * stay in the list (an enterprise may still want to know them) but sink below anyone comparable.
   */
  availability: { available: 1, limited: 0.85, unavailable: 0.4 } as Record<string, number>,
  /**
   * Largest bonus a track record adds, relative to the best candidate's score, and scaled by the
   * candidate's own relative score: a strong record lifts a good match over an equal one, it does
   * not carry a weak match up the list.
   */
  trackRecord: 0.08,
  /** Units of track record: a solved (验收) challenge is the strongest evidence of delivery. */
  units: {
    solved: 1,
    /** Appointed 挂帅 but not (yet) accepted. */
    awarded: 0.6,
    /** Extra for an award in the same industry as the challenge. */
    awardedInIndustry: 0.6,
    /** A confirmed service record (服务记录) at a station. */
    service: 0.2,
    /** Per rating, times (average − 3) / 2: good ratings add, poor ones take away. */
    rating: 0.5,
    /** Societies: per station (学会工作站, 专家服务站) running now, a standing commitment at a host. */
    activeStation: 0.5,
  },
  /** Half of the bonus is reached at this many units (the bonus saturates: 10 wins ≈ 3 wins). */
  halfAtUnits: 2,
  /** How many of the best experts (and societies) are looked up in PostgreSQL for these signals. */
  pool: 60,
} as const;
