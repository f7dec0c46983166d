import type { Child } from 'hono/jsx';
import { messages } from './messages.js';

/** The page frame every server-rendered page shares. */
export function Layout(props: { title?: string; children: Child; query?: string }) {
  const title = props.title
    ? `${props.title} - ${messages.site.name}`
    : `${messages.site.name} | ${messages.site.tagline}`;
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="stylesheet" href="/assets/site.css" />
        <link rel="icon" type="image/svg+xml" href="/assets/favicon.svg" />
      </head>
      <body>
        <header class="site">
          <div class="inner">
            <a class="logo" href="/">
              {messages.site.name}
            </a>
            <span class="tagline">{messages.site.tagline}</span>
            <nav>
              <a href="/challenges">{messages.site.allChallenges}</a>
              <a href="/api/docs">{messages.site.apiDocs}</a>
            </nav>
          </div>
        </header>
        <main>{props.children}</main>
        <footer class="site">{messages.site.footer}</footer>
      </body>
    </html>
  );
}

export function SearchBox(props: { query?: string; autofocus?: boolean }) {
  return (
    <search>
      <form class="search" action="/challenges" method="get">
        <input
          type="search"
          name="q"
          value={props.query ?? ''}
          placeholder={messages.site.searchPlaceholder}
          aria-label={messages.site.searchButton}
          maxlength={200}
          autofocus={props.autofocus}
        />
        <button type="submit">{messages.site.searchButton}</button>
      </form>
    </search>
  );
}
