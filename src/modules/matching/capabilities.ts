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

/** Same weights as experts: what fits an expert's profile fits a capability's text alike. */
export function rankCapabilities(
  candidates: Array<CandidateSignals<CapabilityDocument>>,
  challengeRegion: string | null | undefined,
): Array<Ranked<CapabilityDocument>> {
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
