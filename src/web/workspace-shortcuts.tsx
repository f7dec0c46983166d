import type { UserRole } from '../modules/auth/session.js';
import { messages } from './messages.js';

const s = messages.flow.pages.shortcuts;

/**
 * Where each role's work lives, in the order it is usually needed. Several of these pages were
 * reachable only by typing their address (the operator's dashboard and station approvals, a
 * society's stations), so the workspace lists them; each link is one the role's policy allows.
 */
const shortcutsByRole: Record<UserRole, Array<[href: string, label: string]>> = {
  // Enterprises: 发布新榜单 is already the first button of their challenge panel.
  enterprise: [
    ['/capabilities', s.findCapabilities],
    ['/stations/mine', s.stationsAsHost],
    ['/account', s.organisations],
  ],
  expert: [
    ['/me/expert-profile', s.expertProfile],
    ['/me/recommendations', s.recommendations],
    ['/me/alerts', s.alerts],
    ['/capabilities/new', s.newCapability],
    ['/stations/mine', s.stationsAsExpert],
  ],
  society: [
    ['/me/recommendations', s.recommendations],
    ['/stations/mine', s.myStations],
    ['/stations/new', s.newStation],
    ['/capabilities/new', s.newCapability],
    ['/evaluation', s.evaluation],
    ['/imports', s.imports],
    ['/me/alerts', s.alerts],
  ],
  operator: [
    ['/admin/dashboard', s.dashboard],
    ['/stations/mine', s.stationApprovals],
    ['/admin/verifications', s.verifications],
    ['/admin/expert-claims', s.expertClaims],
    ['/admin/invite-suggestions', s.inviteSuggestions],
    ['/evaluation', s.evaluation],
    ['/imports', s.imports],
  ],
};

export function WorkspaceShortcuts({ role }: { role: UserRole }) {
  return (
    <nav class="shortcuts" aria-label={s.title} data-testid="workspace-shortcuts">
      {shortcutsByRole[role].map(([href, label]) => (
        <a href={href}>{label}</a>
      ))}
    </nav>
  );
}

export { shortcutsByRole };
