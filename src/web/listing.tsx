import { messages } from './messages.js';

/**
 * Shared pieces of the public listing pages (experts, societies, capabilities): a search box for the
 * listing's own path, facet lists that keep the other filters, and a pager. No script: every
 * facet and page is a plain link.
 */
export function linkWith(
  base: string,
  current: URLSearchParams,
  changes: Record<string, string | undefined>,
) {
  const next = new URLSearchParams(current);
  next.delete('page');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) next.delete(key);
    else next.set(key, value);
  }
  const qs = next.toString();
  return qs ? `${base}?${qs}` : base;
}

/** The current filters as a query string (for export links), without the page. */
export function filtersOf(params: URLSearchParams): string {
  const next = new URLSearchParams(params);
  next.delete('page');
  next.delete('per_page');
  const qs = next.toString();
  return qs ? `?${qs}` : '';
}

/** Reads a listing's query string, dropping empty values (an empty form field means "no filter"). */
export function listingParams(url: string): URLSearchParams {
  return new URLSearchParams([...new URL(url).searchParams].filter(([, v]) => v !== ''));
}

export function ListingSearch(props: { action: string; q: string | undefined; placeholder: string }) {
  return (
    <search>
      <form class="search" action={props.action} method="get">
        <input
          type="search"
          name="q"
          value={props.q ?? ''}
          placeholder={props.placeholder}
          aria-label={messages.site.searchButton}
          maxlength={200}
        />
        <button type="submit">{messages.site.searchButton}</button>
      </form>
    </search>
  );
}

export function FacetList(props: {
  base: string;
  title: string;
  name: string;
  values: Array<{ value: string; label: string; count: number }>;
  params: URLSearchParams;
}) {
  if (props.values.length === 0) return null;
  const active = props.params.get(props.name);
  return (
    <>
      <h3>{props.title}</h3>
      <ul data-facet={props.name}>
        {props.values.map((v) => (
          <li class={active === v.value ? 'active' : ''}>
            <a
              href={linkWith(props.base, props.params, {
                [props.name]: active === v.value ? undefined : v.value,
              })}
            >
              {v.label}
            </a>
            <span class="count">{v.count}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

export function Pager(props: { base: string; params: URLSearchParams; page: number; totalPages: number }) {
  const at = (page: number) => {
    const next = new URLSearchParams(props.params);
    next.set('page', String(page));
    return `${props.base}?${next}`;
  };
  return (
    <nav class="pager">
      {props.page > 1 && <a href={at(props.page - 1)}>{messages.challenge.previous}</a>}
      {props.page < props.totalPages && <a href={at(props.page + 1)}>{messages.challenge.next}</a>}
    </nav>
  );
}
