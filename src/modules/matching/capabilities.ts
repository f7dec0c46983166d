/**
 * Ranking of capabilities (成果/服务能力) for a challenge. A capability is judged like an expert: by
 * the challenge's concepts found in its title and fields (strong) or description (weaker), the
 * retrieval agreement across queries, and the domain gate; same prefecture is a tie-breaker.
 */
import { type CandidateSignals, type Ranked, rankExperts, type WeightedText } from './rerank.js';

/** The part of a capability search document the matcher reads. */
export interface CapabilityDocument {
  id: string;
  key: string;
  name: string;
  title: string;
  fields: string[];
  description: string;
  region_code: string | null;
  industry_name?: string | null;
  owner_name?: string;
}

export function capabilityTexts(capability: CapabilityDocument): WeightedText[] {
  return [
    { text: capability.title, weight: 2 },
    { text: capability.fields.join('、'), weight: 2 },
    { text: capability.industry_name ?? '', weight: 1 },
    { text: capability.description, weight: 1 },
  ];
}

/**
 * The evidence a capability needs to be shown as 相关成果 at all: a lexical fit of at least
 * `lexical`, or of at least `lexicalInDomain` when its domain profile is close (`domainFit` ≥
 * `domain`). Scores are relative to the best candidate, so without a floor the best of a few
 * unrelated capabilities was shown at 匹配度 50-76 (关岭牛 → 夏秋茶加工 on two generic words). Set
 * on the 34 demo challenges × 12 demo capabilities: every capability written for a challenge fits
 * at 14.9-49, the unrelated best ones at 3.0-4.6 with a domain fit of 0.15-0.62, and related ones
 * from next door (收割机 → 履带运输机, 湿法磷酸 → 磷石膏) at 3.3-4.7 with a domain fit of 0.79-0.85.
 */
export const capabilityEvidence = { lexical: 5, lexicalInDomain: 2, domain: 0.75 };

function hasEvidence(candidate: CandidateSignals<CapabilityDocument>): boolean {
  const { lexical, lexicalInDomain, domain } = capabilityEvidence;
  const fit = candidate.lexical.score;
  return fit >= lexical || (fit >= lexicalInDomain && candidate.domainFit >= domain);
}

/**
 * Same weights as experts: what fits an expert's profile fits a capability's text alike. Only
 * capabilities with enough evidence are ranked; an empty list says "nothing related" honestly.
 */
export function rankCapabilities(
  allCandidates: Array<CandidateSignals<CapabilityDocument>>,
  challengeRegion: string | null | undefined,
): Array<Ranked<CapabilityDocument>> {
  const candidates = allCandidates.filter(hasEvidence);
  const asExperts = candidates.map((c) => ({
    ...c,
    document: {
      id: c.document.id,
      key: c.document.key,
      name: c.document.name,
      title: '',
      affiliation: '',
      region_code: c.document.region_code ?? '',
      society_keys: [],
      society_names: [],
      fields: c.document.fields,
      bio: c.document.description,
    },
  }));
  const byKey = new Map(candidates.map((c) => [c.document.key, c.document]));
  return rankExperts(asExperts, challengeRegion).map((r) => ({ ...r, document: byKey.get(r.document.key)! }));
}
