/**
 * Ranking of open challenges for an expert's or a society's profile (为你推荐): the same signals as
 * experts for a challenge, read the other way: the profile's concepts found in the challenge's
 * title and problem (strong) or background (weaker), retrieval agreement, the domain gate, and the
 * same prefecture as a tie-breaker.
 */
import { type CandidateSignals, type Ranked, rankExperts, type WeightedText } from './rerank.js';

/** The part of a challenge search document the matcher reads. */
export interface OpenChallengeDocument {
  id: string;
  title: string;
  problem: string;
  targets: string;
  background: string;
  industry_name: string | null;
  region_code: string;
}

export function openChallengeTexts(challenge: OpenChallengeDocument): WeightedText[] {
  return [
    { text: challenge.title, weight: 2 },
    { text: challenge.problem, weight: 1.5 },
    { text: challenge.industry_name ?? '', weight: 1.2 },
    { text: challenge.targets, weight: 1 },
    { text: challenge.background, weight: 0.8 },
  ];
}

/** Same weights as experts for a challenge: the fit is symmetric, only the texts differ. */
export function rankOpenChallenges(
  candidates: Array<CandidateSignals<OpenChallengeDocument>>,
  profileRegion: string | null | undefined,
): Array<Ranked<OpenChallengeDocument>> {
  const asExperts = candidates.map((c) => ({
    ...c,
    document: {
      id: c.document.id,
      key: c.document.id,
      name: c.document.title,
      title: '',
      affiliation: '',
      region_code: c.document.region_code,
      society_keys: [],
      society_names: [],
      fields: [c.document.title],
      bio: c.document.problem,
    },
  }));
  const byId = new Map(candidates.map((c) => [c.document.id, c.document]));
  return rankExperts(asExperts, profileRegion).map((r) => ({ ...r, document: byId.get(r.document.id)! }));
}
