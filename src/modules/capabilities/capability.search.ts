import type { Meilisearch } from 'meilisearch';
import { paginationOf } from '../../http/pagination.js';
import type { SearchIndexes } from '../../search/client.js';
import { facetValues, quoteFilter, regionFilter } from '../../search/facets.js';
import { normaliseQuery } from '../../search/query-text.js';
import { messages } from '../../web/messages.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import type { CapabilitySearchQuery, capabilityKinds } from './capability.schemas.js';
import type { CapabilitySearchDocument } from './capability.search-documents.js';

type Deps = { search: Meilisearch; indexes: SearchIndexes; reference: ReferenceData };

function filterOf(query: CapabilitySearchQuery): string[] {
  const filters: string[] = [];
  if (query.kind) filters.push(`kind = ${quoteFilter(query.kind)}`);
  if (query.trl !== undefined) filters.push(`trl = ${query.trl}`);
  if (query.cooperation) filters.push(`cooperation_modes = ${quoteFilter(query.cooperation)}`);
  if (query.industry) filters.push(`industry_code = ${quoteFilter(query.industry)}`);
  if (query.region) filters.push(regionFilter(query.region));
  return filters;
}

/** Public capability search with facets (类型, TRL, 合作方式, 产业, 地区); only published ones are indexed. */
export async function searchCapabilities(deps: Deps, query: CapabilitySearchQuery) {
  const response = await deps.search
    .index<CapabilitySearchDocument>(deps.indexes.uid('capabilities'))
    .search(normaliseQuery(query.q), {
      filter: filterOf(query),
      facets: ['kind', 'trl', 'cooperation_modes', 'industry_code', 'prefecture_code'],
      page: query.page,
      hitsPerPage: query.per_page,
      matchingStrategy: 'last',
      locales: ['cmn'],
    });
  const regionName = (code: string) => deps.reference.regionName.get(code) ?? code;
  return {
    data: response.hits.map((hit) => ({
      id: hit.id,
      title: hit.title,
      kind: hit.kind as (typeof capabilityKinds)[number],
      fields: hit.fields,
      trl: hit.trl,
      cooperation_modes: hit.cooperation_modes,
      price: { negotiable: hit.price_negotiable, min_wan: hit.price_min_wan, max_wan: hit.price_max_wan },
      industry: hit.industry_code
        ? { code: hit.industry_code, name: hit.industry_name ?? hit.industry_code }
        : null,
      region: hit.region_code ? { code: hit.region_code, name: regionName(hit.region_code) } : null,
      owner: { type: hit.owner_type, id: hit.owner_id, name: hit.owner_name },
    })),
    facets: {
      kind: facetValues(response.facetDistribution, 'kind', (v) => messages.matching.capabilityKinds[v] ?? v),
      trl: facetValues(response.facetDistribution, 'trl', (v) => messages.supply.trl(Number(v))).sort(
        (a, b) => Number(a.value) - Number(b.value),
      ),
      cooperation: facetValues(response.facetDistribution, 'cooperation_modes', (v) => v),
      industry: facetValues(
        response.facetDistribution,
        'industry_code',
        (v) => deps.reference.industryName.get(v) ?? v,
      ),
      region: facetValues(response.facetDistribution, 'prefecture_code', regionName),
    },
    pagination: paginationOf(query.page, query.per_page, response.totalHits ?? 0),
  };
}

/** Ids of every match (up to the index's pagination depth), in result order: what an export writes. */
export async function searchCapabilityIds(
  deps: Deps,
  query: CapabilitySearchQuery,
  max = 1000,
): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ids.length < max; page++) {
    const result = await searchCapabilities(deps, { ...query, page, per_page: 100 });
    ids.push(...result.data.map((c) => c.id));
    if (page >= result.pagination.total_pages) break;
  }
  return ids.slice(0, max);
}
