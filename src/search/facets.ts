/**
 * Small helpers the public listings (experts, societies, capabilities) share for Meilisearch
 * filters and facets. Values are always quoted: a filter value comes from a URL.
 *
 * @example
 *   const filter = [`discipline = ${quoteFilter(query.discipline)}`];
 *   const facets = facetValues(response.facetDistribution, 'discipline', (v) => v);
 */
export const quoteFilter = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

/** One facet's values, most frequent first (ties by label), labelled for people. */
export function facetValues(
  distribution: Record<string, Record<string, number>> | undefined,
  name: string,
  label: (value: string) => string,
): FacetValue[] {
  return Object.entries(distribution?.[name] ?? {})
    .map(([value, count]) => ({ value, label: label(value), count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'zh-CN'));
}

/** The `region` filter matches a county itself or every county of a prefecture. */
export function regionFilter(region: string): string {
  return `(region_code = ${quoteFilter(region)} OR prefecture_code = ${quoteFilter(region)})`;
}
