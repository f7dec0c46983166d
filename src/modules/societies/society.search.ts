import type { Meilisearch } from 'meilisearch';
import { paginationOf } from '../../http/pagination.js';
import type { SearchIndexes } from '../../search/client.js';
import { facetValues, quoteFilter } from '../../search/facets.js';
import { normaliseQuery } from '../../search/query-text.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import type { SocietySearchQuery } from './society.schemas.js';
import type { SocietySearchDocument } from './society.search-documents.js';

/** Public society search with facets (学科, 地区), on the search-only key. */
export async function searchSocieties(
  deps: { search: Meilisearch; indexes: SearchIndexes; reference: ReferenceData },
  query: SocietySearchQuery,
) {
  const filter: string[] = [];
  if (query.discipline) filter.push(`discipline = ${quoteFilter(query.discipline)}`);
  if (query.region) filter.push(`region_code = ${quoteFilter(query.region)}`);
  const response = await deps.search
    .index<SocietySearchDocument>(deps.indexes.uid('societies'))
    .search(normaliseQuery(query.q), {
      filter,
      facets: ['discipline', 'region_code'],
      page: query.page,
      hitsPerPage: query.per_page,
      matchingStrategy: 'last',
      locales: ['cmn'],
    });
  const regionName = (code: string) => deps.reference.regionName.get(code) ?? code;
  return {
    data: response.hits.map((hit) => ({
      id: hit.id,
      name: hit.name,
      discipline: hit.discipline,
      description: hit.description,
      region: hit.region_code ? { code: hit.region_code, name: regionName(hit.region_code) } : null,
      verified: hit.verified,
    })),
    facets: {
      discipline: facetValues(response.facetDistribution, 'discipline', (v) => v).filter(
        (f) => f.value !== '',
      ),
      region: facetValues(response.facetDistribution, 'region_code', regionName),
    },
    pagination: paginationOf(query.page, query.per_page, response.totalHits ?? 0),
  };
}
