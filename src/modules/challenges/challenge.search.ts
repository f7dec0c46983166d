import type { Meilisearch } from 'meilisearch';
import { paginationOf } from '../../http/pagination.js';
import type { SearchIndexes } from '../../search/client.js';
import { normaliseQuery } from '../../search/query-text.js';
import { messages } from '../../web/messages.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import type { ChallengeSearchQuery, ChallengeSearchResult } from './challenge.schemas.js';
import type { ChallengeSearchDocument } from './challenge.search-documents.js';

// Private-use characters mark hits; the text is HTML-escaped first, then they become <mark>, so
// whatever a user wrote can never inject markup.
const PRE = '\uE000';
const POST = '\uE001';

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

export const markHits = (text: string) =>
  escapeHtml(text).replaceAll(PRE, '<mark>').replaceAll(POST, '</mark>');

const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

function filterOf(query: ChallengeSearchQuery): string[] {
  const filters = [
    `status IN [${['published', 'bidding_closed', 'awarded', 'in_delivery', 'accepted'].map(quote).join(', ')}]`,
  ];
  if (query.status) filters.push(`status = ${quote(query.status)}`);
  if (query.industry) filters.push(`industry_code = ${quote(query.industry)}`);
  if (query.region)
    filters.push(`(region_code = ${quote(query.region)} OR prefecture_code = ${quote(query.region)})`);
  if (query.reward_min !== undefined) filters.push(`reward_wan >= ${query.reward_min}`);
  if (query.reward_max !== undefined) filters.push(`reward_wan <= ${query.reward_max}`);
  return filters;
}

const sortOf: Record<ChallengeSearchQuery['sort'], string[] | undefined> = {
  relevance: undefined,
  newest: ['published_at_ts:desc'],
  reward: ['reward_wan:desc'],
  deadline: ['bid_deadline_ts:asc'],
};

/**
 * Public challenge search: Meilisearch with filters, facets and highlights. Uses the search-only
 * key; the index holds only public documents, and the filter restates it as defence in depth.
 */
export async function searchChallenges(
  deps: { search: Meilisearch; indexes: SearchIndexes; reference: ReferenceData },
  query: ChallengeSearchQuery,
): Promise<ChallengeSearchResult> {
  const q = normaliseQuery(query.q);
  const response = await deps.search
    .index<ChallengeSearchDocument>(deps.indexes.uid('challenges'))
    .search(q, {
      filter: filterOf(query),
      facets: ['industry_code', 'prefecture_code', 'status'],
      page: query.page,
      hitsPerPage: query.per_page,
      ...(sortOf[query.sort] ? { sort: sortOf[query.sort] } : {}),
      // Long Chinese queries segment into many words and Meilisearch reads only the first 10;
      // `last` drops words from the end instead of returning nothing.
      matchingStrategy: 'last',
      locales: ['cmn'],
      attributesToHighlight: ['title'],
      attributesToCrop: ['problem'],
      cropLength: 40,
      highlightPreTag: PRE,
      highlightPostTag: POST,
      attributesToRetrieve: [
        'id',
        'title',
        'status',
        'reward_wan',
        'bid_deadline_ts',
        'published_at_ts',
        'cooperation_mode',
        'industry_code',
        'industry_name',
        'region_code',
        'region_name',
        'enterprise_name',
      ],
    });
  const facetList = (name: string, label: (value: string) => string) =>
    Object.entries(response.facetDistribution?.[name] ?? {})
      .map(([value, count]) => ({ value, label: label(value), count }))
      .sort((a, b) => b.count - a.count);
  return {
    data: response.hits.map((hit) => ({
      id: hit.id,
      title: hit.title,
      status: hit.status as ChallengeSearchResult['data'][number]['status'],
      reward_wan: hit.reward_wan,
      bid_deadline: new Date(hit.bid_deadline_ts * 1000).toISOString(),
      published_at: hit.published_at_ts ? new Date(hit.published_at_ts * 1000).toISOString() : null,
      cooperation_mode: hit.cooperation_mode,
      industry: hit.industry_code
        ? { code: hit.industry_code, name: hit.industry_name ?? hit.industry_code }
        : null,
      region: { code: hit.region_code, name: hit.region_name },
      enterprise_name: hit.enterprise_name,
      highlight: {
        title: markHits(String(hit._formatted?.title ?? hit.title)),
        snippet: markHits(String(hit._formatted?.problem ?? '')),
      },
    })),
    facets: {
      industry: facetList('industry_code', (v) => deps.reference.industryName.get(v) ?? v),
      region: facetList('prefecture_code', (v) => deps.reference.regionName.get(v) ?? v),
      status: facetList('status', (v) => messages.status[v] ?? v),
    },
    pagination: paginationOf(query.page, query.per_page, response.totalHits ?? 0),
    query: { q, processing_ms: response.processingTimeMs },
  };
}
