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
