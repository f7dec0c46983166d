import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { unreadBadgeText } from '../modules/notifications/unread-badge.js';
import { messages } from './messages.js';

type Account = { display_name: string; role?: string; unread_notifications?: number };

/** The page frame every server-rendered page shares. */
export function Layout(props: {
  title?: string;
  children: Child;
  query?: string;
  /** The signed-in user (`c.get('auth')?.user ?? null`); when not passed, a neutral account link shows. */
  account?: Account | null;
}) {
  const title = props.title
    ? `${props.title} - ${messages.site.name}`
    : `${messages.site.name} | ${messages.site.tagline}`;
  // Without the doctype every page rendered in quirks mode (forms took a bottom margin, line
  // heights and table fonts followed old-browser rules).
  return (
    <>
      {raw('<!DOCTYPE html>')}
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
                <a href="/experts">{messages.supply.nav.experts}</a>
                <a href="/societies">{messages.supply.nav.societies}</a>
                <a href="/capabilities">{messages.supply.nav.capabilities}</a>
                <a href="/api/docs">{messages.site.apiDocs}</a>
                <AccountNav account={props.account} />
              </nav>
            </div>
          </header>
          <main>{props.children}</main>
          <footer class="site">{messages.site.footer}</footer>
        </body>
      </html>
    </>
  );
}

function AccountNav({ account }: { account: Account | null | undefined }) {
  if (account === undefined) return <a href="/account">{messages.account.accountTitle}</a>;
  if (account === null)
    return (
      <>
        <a href="/login">{messages.account.login}</a>
        <a href="/signup">{messages.account.signup}</a>
      </>
    );
  return (
    <>
      <a href="/workspace" data-testid="workspace-link">
        {messages.flow.pages.workspace}
      </a>
      {(account.role === 'expert' || account.role === 'society') && (
        <a href="/me/recommendations">{messages.matching.forYou.nav}</a>
      )}
      {account.role === 'operator' && <a href="/admin/invite-suggestions">{messages.matching.fewBids.nav}</a>}
      {account.unread_notifications !== undefined && (
        <NotificationsLink unread={account.unread_notifications} />
      )}
      <a href="/account" data-testid="account-link">
        {account.display_name}
      </a>
      <form method="post" action="/logout" class="nav-logout">
        <button type="submit">{messages.account.logout}</button>
      </form>
    </>
  );
}

function NotificationsLink({ unread }: { unread: number }) {
  if (unread === 0)
    return (
      <a href="/notifications" data-testid="notifications-nav">
        {messages.site.notifications}
      </a>
    );
  const count = unreadBadgeText(unread);
  return (
    <a href="/notifications" data-testid="notifications-nav" aria-label={messages.site.unreadLabel(count)}>
      {messages.site.notifications}
      <span class="unread-count">{count}</span>
    </a>
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
