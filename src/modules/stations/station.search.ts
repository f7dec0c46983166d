import type { Meilisearch } from 'meilisearch';
import type { Database } from '../../db/database.js';
import { paginationOf } from '../../http/pagination.js';
import type { SearchIndexes } from '../../search/client.js';
import { normaliseQuery } from '../../search/query-text.js';
import type { ReferenceData } from '../reference/reference.queries.js';
import { publicStationStatuses } from './station.lifecycle.js';
import type { StationSearchQuery } from './station.schemas.js';

/**
 * The search document of a station: only public fields of running stations. Stations that are not
 * running (applications, rejected, suspended, expired, revoked) produce no document, so the outbox
 * deletes them from the index. Experts appear only once they consented; no contact details.
 */
export interface StationSearchDocument extends Record<string, unknown> {
  id: string;
  name: string;
  status: string;
  kind_code: string;
  kind_name: string;
  level: string;
  society_id: string;
  society_name: string;
  host_name: string;
  region_code: string;
  region_name: string;
  prefecture_code: string;
  prefecture_name: string;
  address: string;
  industry_codes: string[];
  industry_names: string[];
  description: string;
  expert_names: string[];
  term_end: string;
  confirmed_records: number;
}

export async function loadStationSearchDocuments(
  db: Database,
  ids: string[],
): Promise<StationSearchDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('stations as s')
    .innerJoin('station_kinds as k', 'k.code', 's.kind_code')
    .innerJoin('organisations as so', 'so.id', 's.society_id')
    .innerJoin('organisations as h', 'h.id', 's.host_organisation_id')
    .innerJoin('regions as r', 'r.code', 's.region_code')
    .leftJoin('regions as p', 'p.code', 'r.parent_code')
    .where('s.id', 'in', ids)
    .where('s.status', 'in', publicStationStatuses)
    .select((eb) => [
      's.id',
      's.name',
      's.status',
      's.kind_code',
      'k.name as kind_name',
      's.level',
      's.society_id',
      'so.name as society_name',
      'h.name as host_name',
      's.region_code',
      'r.name as region_name',
      'p.code as prefecture_code',
      'p.name as prefecture_name',
      's.address',
      's.industry_codes',
      's.description',
      eb.cast<string>('s.term_end', 'text').as('term_end'),
      eb
        .selectFrom('service_records as sr')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('sr.station_id', '=', 's.id')
        .where('sr.status', '=', 'confirmed')
        .as('confirmed_records'),
    ])
    .execute();
  if (rows.length === 0) return [];
  const [industries, experts] = await Promise.all([
    db.selectFrom('industries').select(['code', 'name']).execute(),
    db
      .selectFrom('station_experts as se')
      .innerJoin('expert_profiles as e', 'e.id', 'se.expert_id')
      .select(['se.station_id', 'e.name'])
      .where(
        'se.station_id',
        'in',
        rows.map((r) => r.id),
      )
      .where('se.consent', '=', 'given')
      .where('e.visibility', '=', 'public')
      .execute(),
  ]);
  const industryName = new Map(industries.map((i) => [i.code, i.name]));
  return rows.map((row) => ({
    ...row,
    prefecture_code: row.prefecture_code ?? row.region_code,
    prefecture_name: row.prefecture_name ?? row.region_name,
    industry_names: row.industry_codes.map((c) => industryName.get(c) ?? c),
    expert_names: experts.filter((e) => e.station_id === row.id).map((e) => e.name),
    confirmed_records: Number(row.confirmed_records ?? 0),
  }));
}

const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** Public registry search: the index holds only running stations; the filter restates it. */
export async function searchStations(
  deps: {
    search: Meilisearch;
    indexes: SearchIndexes;
    reference: ReferenceData;
    kindName: Map<string, string>;
  },
  query: StationSearchQuery,
) {
  const filter = [`status IN [${publicStationStatuses.map(quote).join(', ')}]`];
  if (query.kind) filter.push(`kind_code = ${quote(query.kind)}`);
  if (query.level) filter.push(`level = ${quote(query.level)}`);
  if (query.prefecture) filter.push(`prefecture_code = ${quote(query.prefecture)}`);
  if (query.county) filter.push(`region_code = ${quote(query.county)}`);
  if (query.industry) filter.push(`industry_codes = ${quote(query.industry)}`);
  const response = await deps.search
    .index<StationSearchDocument>(deps.indexes.uid('stations'))
    .search(normaliseQuery(query.q), {
      filter,
      facets: ['kind_code', 'prefecture_code', 'region_code', 'industry_codes'],
      page: query.page,
      hitsPerPage: query.per_page,
      matchingStrategy: 'last',
      locales: ['cmn'],
    });
  // The map shades every prefecture, so its counts ignore the place filters (the facet above would
  // leave only the chosen prefecture).
  const placeFree = filter.filter((f) => !f.startsWith('prefecture_code') && !f.startsWith('region_code'));
  const prefectureCounts =
    placeFree.length === filter.length
      ? (response.facetDistribution?.prefecture_code ?? {})
      : ((
          await deps.search
            .index<StationSearchDocument>(deps.indexes.uid('stations'))
            .search(normaliseQuery(query.q), {
              filter: placeFree,
              facets: ['prefecture_code'],
              hitsPerPage: 0,
              matchingStrategy: 'last',
              locales: ['cmn'],
            })
        ).facetDistribution?.prefecture_code ?? {});
  const facetList = (name: string, label: (value: string) => string) =>
    Object.entries(response.facetDistribution?.[name] ?? {})
      .map(([value, count]) => ({ value, label: label(value), count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return {
    data: response.hits.map((hit) => ({
      id: hit.id,
      name: hit.name,
      kind: { code: hit.kind_code, name: hit.kind_name },
      level: hit.level as 'national' | 'provincial',
      society: { id: hit.society_id, name: hit.society_name },
      host_name: hit.host_name,
      region: { code: hit.region_code, name: hit.region_name },
      prefecture: { code: hit.prefecture_code, name: hit.prefecture_name },
      industries: hit.industry_codes.map((code, i) => ({ code, name: hit.industry_names[i] ?? code })),
      term_end: hit.term_end,
      confirmed_records: hit.confirmed_records,
    })),
    facets: {
      kind: facetList('kind_code', (v) => deps.kindName.get(v) ?? v),
      prefecture: facetList('prefecture_code', (v) => deps.reference.regionName.get(v) ?? v),
      county: facetList('region_code', (v) => deps.reference.regionName.get(v) ?? v),
      industry: facetList('industry_codes', (v) => deps.reference.industryName.get(v) ?? v),
    },
    prefecture_counts: prefectureCounts,
    pagination: paginationOf(query.page, query.per_page, response.totalHits ?? 0),
  };
}
