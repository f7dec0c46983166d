import { messages } from '../../web/messages.js';

/**
 * How complete a challenge's description is, to guide the enterprise before it submits. Each item
 * has a weight (sum 100); a challenge that bidders can act on scores ≥ 80.
 */
export interface CompletenessInput {
  background: string;
  problem: string;
  targets: string;
  industry_code: string | null;
  disciplines: readonly string[];
  region_code: string;
  /** 'county' when the region is a county (县级), which lets experts judge the distance. */
  region_level?: string | null;
  reward_wan: number;
  reward_tranches: readonly number[];
  delivery_deadline: unknown;
  bidder_requirements: string;
  ip_terms: string;
  terms_note: string;
}

const checks: Array<[field: string, weight: number, ok: (c: CompletenessInput) => boolean]> = [
  ['background', 15, (c) => c.background.trim().length >= 50],
  ['problem', 20, (c) => c.problem.trim().length >= 50],
  ['targets', 15, (c) => c.targets.trim().length >= 20],
  ['industry_code', 8, (c) => c.industry_code !== null],
  ['disciplines', 5, (c) => c.disciplines.length > 0],
  ['region_county', 5, (c) => c.region_level === 'county' || /^52\d{2}(?!00)\d{2}$/.test(c.region_code)],
  ['reward', 8, (c) => c.reward_wan > 0],
  ['tranches', 4, (c) => c.reward_tranches.length > 1],
  ['delivery_deadline', 7, (c) => c.delivery_deadline !== null && c.delivery_deadline !== undefined],
  ['bidder_requirements', 8, (c) => c.bidder_requirements.trim().length >= 10],
  ['terms', 5, (c) => c.ip_terms !== 'negotiable' || c.terms_note.trim().length >= 10],
];

export function challengeCompleteness(c: CompletenessInput): {
  score: number;
  missing: { field: string; hint: string }[];
} {
  let score = 0;
  const missing: { field: string; hint: string }[] = [];
  for (const [field, weight, ok] of checks) {
    if (ok(c)) score += weight;
    else missing.push({ field, hint: messages.flow.completeness.hints[field] ?? field });
  }
  return { score, missing };
}

/** What must be there before an operator is asked to review (422 with these fields otherwise). */
export function missingForReview(c: CompletenessInput): string[] {
  const missing: string[] = [];
  if (c.background.trim().length < 20) missing.push('background');
  if (c.problem.trim().length < 20) missing.push('problem');
  if (c.targets.trim().length < 10) missing.push('targets');
  return missing;
}
