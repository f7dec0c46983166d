/**
 * The matching core's public API: rank experts and societies for a challenge.
 *
 * One multi-search per index does both retrieval (short per-concept queries)
 * and term statistics (count-only queries for IDF), so a match costs two
 * round trips for experts and societies together.
 */
import type { Meilisearch, MultiSearchQuery, SearchResponse } from 'meilisearch';
import type { ExpertDocument, SocietyDocument } from '../../../search/matching-settings.js';
import { createKeywordExtractor } from './keywords.js';
import { createDomainProfiler, lexiconTerms, type MatchingLexicon, profileSimilarity } from './lexicon.js';
import {
  type ChallengeAnalysis,
  type ChallengeInput,
  conceptsOf,
  createQueryPlanner,
  fuseRankings,
  planRetrieval,
  type RetrievalOptions,
} from './query.js';
import {
  type CandidateSignals,
  expertTexts,
  lexicalFit,
  type Ranked,
  rankExperts,
  rankSocieties,
  societyTexts,
  type TermStatistics,
  type WeightedText,
} from './rerank.js';

export type { ChallengeInput } from './query.js';

export interface RankedMatch {
  /** Meilisearch document id. */
  id: string;
  /** External key. */
  key: string;
  name: string;
  /** Higher is better; comparable within one result list only. */
  score: number;
  /** Why it was recommended, in Chinese, most telling first. */
  reasons: string[];
}

export interface MatchOptions {
  indexUid: string;
  limit: number;
}

export interface SocietyMatchOptions extends MatchOptions {
  /** Expert index whose member matches strengthen a society. */
  expertIndexUid: string;
}

export interface CombinedMatchOptions {
  expertIndexUid: string;
  societyIndexUid: string;
  limit: number;
}

export interface Matcher {
  matchExperts(search: Meilisearch, challenge: ChallengeInput, options: MatchOptions): Promise<RankedMatch[]>;
  matchSocieties(
    search: Meilisearch,
    challenge: ChallengeInput,
    options: SocietyMatchOptions,
  ): Promise<RankedMatch[]>;
  /** Both lists at once, sharing the expert ranking that societies need anyway. */
  matchAll(
    search: Meilisearch,
    challenge: ChallengeInput,
    options: CombinedMatchOptions,
  ): Promise<{ experts: RankedMatch[]; societies: RankedMatch[] }>;
}

/** Enough per query that a relevant candidate found by only one concept still gets in. */
const EXPERT_RETRIEVAL: Omit<RetrievalOptions, 'indexUid'> = { perQueryLimit: 100, maxConcepts: 16 };
const SOCIETY_RETRIEVAL: Omit<RetrievalOptions, 'indexUid'> = { perQueryLimit: 20, maxConcepts: 12 };
/** Weight of the best fitting society an expert belongs to (0..1) in the expert's score. */
const SOCIETY_BOOST = 0.1;
/** Experts considered when judging a society by its members. */
const MEMBER_POOL = 40;

interface Retrieved<T> {
  candidates: Array<CandidateSignals<T>>;
  stats: TermStatistics;
}

async function retrieve<T extends { key: string }>(
  search: Meilisearch,
  analysis: ChallengeAnalysis,
  options: RetrievalOptions,
  textsOf: (document: T) => WeightedText[],
  domainFitOf: (document: T) => number,
): Promise<Retrieved<T>> {
  const plan = planRetrieval(analysis, options);
  const queries: MultiSearchQuery[] = [
    ...plan.retrieval.map((r) => r.query),
    ...plan.termCounts.map((t) => t.query),
    plan.total,
  ];
  const { results } = await search.multiSearch<{ queries: MultiSearchQuery[] }, T>({ queries });
  const retrievalResults = results.slice(0, plan.retrieval.length) as Array<SearchResponse<T>>;
  const countResults = results.slice(plan.retrieval.length) as Array<SearchResponse<T>>;

  const stats: TermStatistics = {
    documents: countResults.at(-1)?.estimatedTotalHits ?? 0,
    documentFrequency: new Map(
      plan.termCounts.map((t, i) => [t.term, countResults[i]?.estimatedTotalHits ?? 0]),
    ),
  };
  const documents = new Map<string, T>();
  for (const result of retrievalResults) for (const hit of result.hits) documents.set(hit.key, hit);
  const fused = fuseRankings(
    retrievalResults.map((result, i) => ({
      keys: result.hits.map((hit) => hit.key),
      weight: plan.retrieval[i]?.weight ?? 0,
    })),
  );
  const concepts = conceptsOf(analysis);
  const candidates = [...documents.values()].map((document) => ({
    document,
    lexical: lexicalFit(textsOf(document), concepts, stats),
    retrieval: fused.get(document.key) ?? 0,
    domainFit: domainFitOf(document),
  }));
  return { candidates, stats };
}

/**
 * Second pass for experts: membership of a society that fits the challenge
 * (its discipline, its other members) says the expert works in the field,
 * even when their profile words differ from the challenge's.
 */
function boostBySociety(
  experts: Array<Ranked<ExpertDocument>>,
  societies: Array<Ranked<SocietyDocument>>,
): Array<Ranked<ExpertDocument>> {
  const top = societies[0]?.score ?? 0;
  if (top <= 0) return experts;
  const fitByKey = new Map(societies.map((s) => [s.document.key, s.score / top]));
  return experts
    .map((expert) => {
      const fit = Math.max(0, ...expert.document.society_keys.map((key) => fitByKey.get(key) ?? 0));
      return { ...expert, score: expert.score + SOCIETY_BOOST * fit };
    })
    .sort((a, b) => b.score - a.score);
}

function toMatch<T extends { id: string; key: string; name: string }>(ranked: Ranked<T>): RankedMatch {
  const { id, key, name } = ranked.document;
  return { id, key, name, score: Number(ranked.score.toFixed(4)), reasons: ranked.reasons };
}

/**
 * Builds a matcher from the lexicon. Loading the segmenter takes ~0.5 s:
 * create one per process and share it.
 *
 * @example
 * const matcher = createMatcher(loadMatchingResources(repoRoot));
 * const experts = await matcher.matchExperts(search, challenge, { indexUid: 'experts', limit: 10 });
 * // [{ id, key, name: '王教授', score: 0.93, reasons: ['匹配: 干燥、品质调控', '同在遵义市'] }, ...]
 */
export function createMatcher(lexicon: MatchingLexicon): Matcher {
  const extractor = createKeywordExtractor({
    vocabulary: lexiconTerms(lexicon),
    stopwords: lexicon.stopwords,
  });
  const planner = createQueryPlanner(lexicon, extractor);
  const profileOf = createDomainProfiler(lexicon);
  const domainFit = (analysis: ChallengeAnalysis, texts: WeightedText[]) =>
    profileSimilarity(analysis.profile, profileOf(texts.map((t) => t.text).join('\n')));

  async function rankedExperts(
    search: Meilisearch,
    challenge: ChallengeInput,
    analysis: ChallengeAnalysis,
    indexUid: string,
  ) {
    const { candidates } = await retrieve<ExpertDocument>(
      search,
      analysis,
      { indexUid, ...EXPERT_RETRIEVAL },
      expertTexts,
      (expert) => domainFit(analysis, expertTexts(expert)),
    );
    return rankExperts(candidates, challenge.region_code);
  }

  async function rankedSocieties(
    search: Meilisearch,
    challenge: ChallengeInput,
    analysis: ChallengeAnalysis,
    indexUid: string,
    experts: Array<Ranked<ExpertDocument>>,
  ) {
    const members = experts.slice(0, MEMBER_POOL);
    const { candidates, stats } = await retrieve<SocietyDocument>(
      search,
      analysis,
      { indexUid, ...SOCIETY_RETRIEVAL },
      societyTexts,
      (society) => domainFit(analysis, societyTexts(society)),
    );
    // Societies whose members match but whose own text did not come up.
    const present = new Set(candidates.map((c) => c.document.key));
    const missing = [...new Set(members.flatMap((e) => e.document.society_keys))].filter(
      (k) => !present.has(k),
    );
    if (missing.length > 0) {
      const { results } = await search.index<SocietyDocument>(indexUid).getDocuments({
        filter: `key IN [${missing.map((k) => JSON.stringify(k)).join(', ')}]`,
        limit: missing.length,
      });
      const concepts = conceptsOf(analysis);
      for (const document of results) {
        const texts = societyTexts(document);
        candidates.push({
          document,
          lexical: lexicalFit(texts, concepts, stats),
          retrieval: 0,
          domainFit: domainFit(analysis, texts),
        });
      }
    }
    return rankSocieties(candidates, analysis.disciplines, members, challenge.region_code);
  }

  return {
    async matchExperts(search, challenge, { indexUid, limit }) {
      const analysis = planner.analyse(challenge);
      return (await rankedExperts(search, challenge, analysis, indexUid)).slice(0, limit).map(toMatch);
    },
    async matchSocieties(search, challenge, { indexUid, expertIndexUid, limit }) {
      const analysis = planner.analyse(challenge);
      const experts = await rankedExperts(search, challenge, analysis, expertIndexUid);
      return (await rankedSocieties(search, challenge, analysis, indexUid, experts))
        .slice(0, limit)
        .map(toMatch);
    },
    async matchAll(search, challenge, { expertIndexUid, societyIndexUid, limit }) {
      const analysis = planner.analyse(challenge);
      const experts = await rankedExperts(search, challenge, analysis, expertIndexUid);
      const societies = await rankedSocieties(search, challenge, analysis, societyIndexUid, experts);
      return {
        experts: boostBySociety(experts, societies).slice(0, limit).map(toMatch),
        societies: societies.slice(0, limit).map(toMatch),
      };
    },
  };
}
