import type { publicChallengeStatuses } from './challenge.lifecycle.js';
import type {
  findPublicChallenge,
  listChallengeStatusEvents,
  listPublicChallenges,
} from './challenge.queries.js';
import type { awardModes, confidentialityValues, ipTermsValues } from './challenge.workflow.schemas.js';

type SummaryRow = Awaited<ReturnType<typeof listPublicChallenges>>['rows'][number];
type DetailRow = NonNullable<Awaited<ReturnType<typeof findPublicChallenge>>>;
type EventRow = Awaited<ReturnType<typeof listChallengeStatusEvents>>[number];

/** Full place name: a county is shown with its prefecture (遵义市湄潭县). */
export function regionLabel(row: {
  region_name: string;
  region_level: string;
  parent_region_name: string | null;
}): string {
  return row.region_level === 'county' && row.parent_region_name
    ? `${row.parent_region_name}${row.region_name}`
    : row.region_name;
}

export function toChallengeSummary(row: SummaryRow) {
  return {
    id: row.id,
    title: row.title,
    status: row.status as (typeof publicChallengeStatuses)[number],
    reward_wan: row.reward_wan,
    bid_deadline: row.bid_deadline.toISOString(),
    published_at: row.published_at?.toISOString() ?? null,
    cooperation_mode: row.cooperation_mode,
    industry: row.industry_code
      ? { code: row.industry_code, name: row.industry_name ?? row.industry_code }
      : null,
    region: { code: row.region_code, name: regionLabel(row) },
    enterprise_name: row.enterprise_name,
  };
}

export function toChallengeDetail(row: DetailRow, history: EventRow[]) {
  return {
    ...toChallengeSummary(row),
    background: row.background,
    problem: row.problem,
    targets: row.targets,
    delivery_deadline: row.delivery_deadline?.toISOString() ?? null,
    disciplines: row.discipline_names,
    reward_tranches: row.reward_tranches,
    bidder_requirements: row.bidder_requirements,
    ip_terms: row.ip_terms as (typeof ipTermsValues)[number],
    confidentiality: row.confidentiality as (typeof confidentialityValues)[number],
    terms_note: row.terms_note,
    award_mode: row.award_mode as (typeof awardModes)[number],
    max_awards: row.max_awards,
    history: history.map((e) => ({
      from_status: e.from_status,
      to_status: e.to_status,
      actor: e.actor_label,
      reason: e.reason,
      at: e.created_at.toISOString(),
    })),
  };
}
