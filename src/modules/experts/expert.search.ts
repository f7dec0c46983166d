import type { Meilisearch } from 'meilisearch';
import { paginationOf } from '../../http/pagination.js';
import type { SearchIndexes } from '../../search/client.js';
import { facetValues, quoteFilter, regionFilter } from '../../search/facets.js';
import { normaliseQuery } from '../../search/query-text.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import type { ExpertSearchQuery } from './expert.schemas.js';
import type { ExpertSearchDocument } from './expert.search-documents.js';

type Deps = { search: Meilisearch; indexes: SearchIndexes; reference: ReferenceData };

function filterOf(query: ExpertSearchQuery): string[] {
  const filters: string[] = [];
  if (query.discipline) filters.push(`discipline = ${quoteFilter(query.discipline)}`);
  if (query.title) filters.push(`title = ${quoteFilter(query.title)}`);
  if (query.region) filters.push(regionFilter(query.region));
  if (query.availability) filters.push(`availability = ${quoteFilter(query.availability)}`);
  return filters;
}

/**
 * Public expert search with facets (学科, 地区, 职称). Uses the search-only key; the index holds only
 * public profiles and never contact details (see expert.search-documents.ts).
 */
export async function searchExperts(deps: Deps, query: ExpertSearchQuery) {
  const response = await deps.search
    .index<ExpertSearchDocument>(deps.indexes.uid('experts'))
    .search(normaliseQuery(query.q), {
      filter: filterOf(query),
      facets: ['discipline', 'prefecture_code', 'title'],
      page: query.page,
      hitsPerPage: query.per_page,
      matchingStrategy: 'last',
      locales: ['cmn'],
      ...(query.q.trim() === '' ? { sort: ['name:asc'] } : {}),
    });
  return {
    data: response.hits.map((hit) => ({
      id: hit.id,
      name: hit.name,
      title: hit.title,
      affiliation: hit.affiliation,
      discipline: hit.discipline,
      region: hit.region_code
        ? { code: hit.region_code, name: deps.reference.regionName.get(hit.region_code) ?? hit.region_code }
        : null,
      fields: hit.fields,
      availability: hit.availability as 'available' | 'limited' | 'unavailable',
      society_names: hit.society_names,
    })),
    facets: {
      discipline: facetValues(response.facetDistribution, 'discipline', (v) => v),
      region: facetValues(
        response.facetDistribution,
        'prefecture_code',
        (v) => deps.reference.regionName.get(v) ?? v,
      ),
      title: facetValues(response.facetDistribution, 'title', (v) => v),
    },
    pagination: paginationOf(query.page, query.per_page, response.totalHits ?? 0),
  };
}

/** Ids of every match (up to the index's pagination depth), in result order: what an export writes. */
export async function searchExpertIds(deps: Deps, query: ExpertSearchQuery, max = 1000): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ids.length < max; page++) {
    const result = await searchExperts(deps, { ...query, page, per_page: 100 });
    ids.push(...result.data.map((e) => e.id));
    if (page >= result.pagination.total_pages) break;
  }
  return ids.slice(0, max);
}
