/**
 * The matching core's public API: rank experts, societies and capabilities for a challenge.
 *
 * One multi-search does retrieval on every index (short per-concept queries)
 * and term statistics (count-only queries for IDF, cached per process), so a
 * recommendation costs one round trip, and a second small one only when
 * member experts point to societies their own text did not bring up.
 */
import type { Meilisearch, MultiSearchQuery, SearchResponse } from 'meilisearch';
import {
  type ExpertDocument,
  platformSignalWeights,
  type SocietyDocument,
} from '../../../search/matching-settings.js';
import { type CapabilityDocument, capabilityTexts, rankCapabilities } from './capabilities.js';
import { createKeywordExtractor } from './keywords.js';
import { createDomainProfiler, lexiconTerms, type MatchingLexicon, profileSimilarity } from './lexicon.js';
import { type OpenChallengeDocument, openChallengeTexts, rankOpenChallenges } from './open-challenges.js';
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
  applyPlatformSignals,
  type CandidateSignals,
  expertTexts,
  lexicalFit,
  type PlatformSignals,
  type Ranked,
  rankExperts,
  rankSocieties,
  societyTexts,
  type TermStatistics,
  type WeightedText,
} from './rerank.js';
import { createTermCountCache } from './term-counts.js';

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

export interface RecommendOptions {
  expertIndexUid: string;
  societyIndexUid: string;
  /** Also rank capabilities (相关成果) from this index, in the same multi-search. */
  capabilityIndexUid?: string;
  limit: number;
  /**
   * Track records of the best experts (with their account state) and societies, by Meilisearch id
   * (PostgreSQL, see track-record.ts): availability and track record then re-order each list and
   * explain it.
   */
  platformSignals?: {
    experts: (expertIds: string[]) => Promise<ReadonlyMap<string, PlatformSignals>>;
    societies: (societyIds: string[]) => Promise<ReadonlyMap<string, PlatformSignals>>;
  };
}

export interface MatchResults {
  experts: RankedMatch[];
  societies: RankedMatch[];
  capabilities: RankedMatch[];
}

export interface ChallengeMatchOptions {
  indexUid: string;
  limit: number;
  /** Meilisearch filter expressions, all required (e.g. only challenges open for bids). */
  filter: string[];
}

export interface ChallengeMatch {
  id: string;
  title: string;
  score: number;
  reasons: string[];
}

export interface Matcher {
  /**
   * Everything a challenge page shows, from one analysis of the challenge and one multi-search over
   * the expert, society and capability indexes (plus a small search for member societies not found
   * by their own text): experts are boosted by their best-fitting society, as in `matchAll`.
   */
  recommend(search: Meilisearch, challenge: ChallengeInput, options: RecommendOptions): Promise<MatchResults>;
  matchExperts(search: Meilisearch, challenge: ChallengeInput, options: MatchOptions): Promise<RankedMatch[]>;
  matchSocieties(
    search: Meilisearch,
    challenge: ChallengeInput,
    options: SocietyMatchOptions,
  ): Promise<RankedMatch[]>;
  /**
   * Published capabilities (成果/服务能力) for a challenge, ranked like experts: the same concepts,
   * term weights and domain gate, over the capability's title, fields and description.
   */
  matchCapabilities(
    search: Meilisearch,
    challenge: ChallengeInput,
    options: MatchOptions,
  ): Promise<RankedMatch[]>;
  /**
   * The other direction (为你推荐): challenges for an expert's or a society's profile, given as the
   * same input (fields as the title, bio as the description). Academic words also look for the
   * colloquial ones enterprises write (黑臭水体 → 又黑又臭). `filter` narrows to open challenges.
   */
  matchChallenges(
    search: Meilisearch,
    profile: ChallengeInput,
    options: ChallengeMatchOptions,
  ): Promise<ChallengeMatch[]>;
  /** Both lists at once, sharing the expert ranking that societies need anyway. */
  matchAll(
    search: Meilisearch,
    challenge: ChallengeInput,
    options: CombinedMatchOptions,
  ): Promise<{ experts: RankedMatch[]; societies: RankedMatch[] }>;
}

/**
 * Sixteen concepts, so that a relevant candidate found by only one of them still gets in (fewer
 * cost ~0.1 nDCG on the dev set); 30 hits each, because the engine's cost grows with the depth it
 * ranks to (16 × 100 hits took ~3× as long as 16 × 30 at 50,000 experts, for the same nDCG).
 */
const EXPERT_RETRIEVAL: Omit<RetrievalOptions, 'indexUid'> = {
  perQueryLimit: 30,
  maxConcepts: 16,
  // What ranking and the result card read: less JSON to send and parse per hit.
  attributesToRetrieve: [
    'id',
    'key',
    'name',
    'title',
    'affiliation',
    'region_code',
    'society_keys',
    'society_names',
    'fields',
    'bio',
    'availability',
  ],
};
const SOCIETY_ATTRIBUTES = ['id', 'key', 'name', 'discipline', 'description', 'region_code'];
const SOCIETY_RETRIEVAL: Omit<RetrievalOptions, 'indexUid'> = {
  perQueryLimit: 20,
  maxConcepts: 12,
  attributesToRetrieve: SOCIETY_ATTRIBUTES,
};
const CAPABILITY_RETRIEVAL: Omit<RetrievalOptions, 'indexUid'> = {
  perQueryLimit: 30,
  maxConcepts: 12,
  attributesToRetrieve: [
    'id',
    'key',
    'name',
    'title',
    'fields',
    'description',
    'region_code',
    'industry_name',
    'owner_name',
  ],
};
const CHALLENGE_RETRIEVAL: Omit<RetrievalOptions, 'indexUid'> = {
  perQueryLimit: 30,
  maxConcepts: 12,
  attributesToRetrieve: ['id', 'title', 'problem', 'targets', 'background', 'industry_name', 'region_code'],
};
/** Weight of the best fitting society an expert belongs to (0..1) in the expert's score. */
const SOCIETY_BOOST = 0.1;
/** Experts considered when judging a society by its members. */
const MEMBER_POOL = 40;
/** How long a term's document count is reused (see term-counts.ts). */
const TERM_COUNT_TTL_MS = 10 * 60_000;

interface Retrieved<T> {
  candidates: Array<CandidateSignals<T>>;
  stats: TermStatistics;
}

/** One index's share of a multi-search: its queries, and how to read their results back. */
interface PreparedRetrieval<T> {
  queries: MultiSearchQuery[];
  read(results: Array<SearchResponse<Record<string, unknown>>>): Retrieved<T>;
}

/** Sends the queries of several indexes as one multi-search (one round trip) and hands each its results. */
async function searchTogether(
  search: Meilisearch,
  parts: Array<{ queries: MultiSearchQuery[] }>,
): Promise<Array<Array<SearchResponse<Record<string, unknown>>>>> {
  const queries = parts.flatMap((part) => part.queries);
  if (queries.length === 0) return parts.map(() => []);
  const { results } = await search.multiSearch<{ queries: MultiSearchQuery[] }, Record<string, unknown>>({
    queries,
  });
  let offset = 0;
  return parts.map((part) => {
    const slice = results.slice(offset, offset + part.queries.length) as Array<
      SearchResponse<Record<string, unknown>>
    >;
    offset += part.queries.length;
    return slice;
  });
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

export interface MatcherOptions {
  /** How long term counts are reused; 0 asks Meilisearch every time (default 10 minutes). */
  termCountTtlMs?: number;
  now?: () => number;
}

/**
 * Builds a matcher from the lexicon. Loading the segmenter takes ~0.5 s:
 * create one per process and share it (it also caches term counts).
 *
 * @example
 * const matcher = createMatcher(loadMatchingResources(repoRoot));
 * const experts = await matcher.matchExperts(search, challenge, { indexUid: 'experts', limit: 10 });
 * // [{ id, key, name: '王教授', score: 0.93, reasons: ['匹配：干燥、品质调控', '同在遵义市'] }, ...]
 */
export function createMatcher(lexicon: MatchingLexicon, options: MatcherOptions = {}): Matcher {
  const extractor = createKeywordExtractor({
    vocabulary: lexiconTerms(lexicon),
    stopwords: lexicon.stopwords,
    dictionaries: lexicon.jiebaDictionaries(),
  });
  const planner = createQueryPlanner(lexicon, extractor);
  const profileOf = createDomainProfiler(lexicon);
  const termCounts = createTermCountCache({
    ttlMs: options.termCountTtlMs ?? TERM_COUNT_TTL_MS,
    maxEntries: 20_000,
    ...(options.now ? { now: options.now } : {}),
  });
  const domainFit = (analysis: ChallengeAnalysis, texts: WeightedText[]) =>
    profileSimilarity(analysis.profile, profileOf(texts.map((t) => t.text).join('\n')));

  /**
   * Per-concept retrieval queries, plus count-only queries for the term counts not cached yet; the
   * results become candidates with their lexical fit, fused retrieval rank and domain fit.
   */
  function prepare<T>(
    analysis: ChallengeAnalysis,
    retrievalOptions: RetrievalOptions,
    textsOf: (document: T) => WeightedText[],
    keyOf: (document: T) => string = (document) => (document as { key: string }).key,
  ): PreparedRetrieval<T> {
    const uid = retrievalOptions.indexUid;
    const plan = planRetrieval(analysis, retrievalOptions);
    // Counts known now are kept here: one may expire before the results are read.
    const known = new Map<string, number>();
    for (const t of plan.termCounts) {
      const count = termCounts.get(uid, t.term);
      if (count !== undefined) known.set(t.term, count);
    }
    const uncounted = plan.termCounts.filter((t) => !known.has(t.term));
    // The index's size is always asked afresh (one cheap query), so a cached term count is
    // compared with the index as it is now.
    const queries = [...plan.retrieval.map((r) => r.query), ...uncounted.map((t) => t.query), plan.total];
    return {
      queries,
      read(results) {
        const retrievalResults = results.slice(0, plan.retrieval.length) as unknown as Array<
          SearchResponse<T>
        >;
        const countResults = results.slice(plan.retrieval.length);
        uncounted.forEach((t, i) => {
          const count = countResults[i]?.estimatedTotalHits ?? 0;
          known.set(t.term, count);
          termCounts.set(uid, t.term, count);
        });
        const stats: TermStatistics = {
          documents: countResults.at(-1)?.estimatedTotalHits ?? 0,
          documentFrequency: new Map(plan.termCounts.map((t) => [t.term, known.get(t.term) ?? 0])),
        };
        const documents = new Map<string, T>();
        for (const result of retrievalResults) for (const hit of result.hits) documents.set(keyOf(hit), hit);
        const fused = fuseRankings(
          retrievalResults.map((result, i) => ({
            keys: result.hits.map(keyOf),
            weight: plan.retrieval[i]?.weight ?? 0,
          })),
        );
        const concepts = conceptsOf(analysis);
        const candidates = [...documents.values()].map((document) => {
          const texts = textsOf(document);
          return {
            document,
            lexical: lexicalFit(texts, concepts, stats),
            retrieval: fused.get(keyOf(document)) ?? 0,
            domainFit: domainFit(analysis, texts),
          };
        });
        return { candidates, stats };
      },
    };
  }

  /**
   * Societies found by their own text, plus those whose members rank among the best experts but
   * whose text did not come up (fetched in a second, small search only when there are such).
   */
  async function rankedSocieties(
    search: Meilisearch,
    challenge: ChallengeInput,
    analysis: ChallengeAnalysis,
    indexUid: string,
    retrieved: Retrieved<SocietyDocument>,
    experts: Array<Ranked<ExpertDocument>>,
  ) {
    const members = experts.slice(0, MEMBER_POOL);
    const { candidates, stats } = retrieved;
    const present = new Set(candidates.map((c) => c.document.key));
    const missing = [...new Set(members.flatMap((e) => e.document.society_keys))].filter(
      (k) => !present.has(k),
    );
    if (missing.length > 0) {
      // A filtered search rather than getDocuments: the request path holds a search-only key.
      const { hits: results } = await search.index<SocietyDocument>(indexUid).search('', {
        filter: `key IN [${missing.map((k) => JSON.stringify(k)).join(', ')}]`,
        limit: missing.length,
        attributesToRetrieve: SOCIETY_ATTRIBUTES,
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

  /** Experts, societies and (when an index is given) capabilities from one multi-search. */
  async function recommend(
    search: Meilisearch,
    challenge: ChallengeInput,
    { expertIndexUid, societyIndexUid, capabilityIndexUid, limit, platformSignals }: RecommendOptions,
  ): Promise<MatchResults> {
    const analysis = planner.analyse(challenge);
    const experts = prepare<ExpertDocument>(
      analysis,
      { indexUid: expertIndexUid, ...EXPERT_RETRIEVAL },
      expertTexts,
    );
    const societies = prepare<SocietyDocument>(
      analysis,
      { indexUid: societyIndexUid, ...SOCIETY_RETRIEVAL },
      societyTexts,
    );
    const capabilities = capabilityIndexUid
      ? prepare<CapabilityDocument>(
          analysis,
          { indexUid: capabilityIndexUid, ...CAPABILITY_RETRIEVAL },
          capabilityTexts,
        )
      : {
          queries: [],
          read: () => ({ candidates: [], stats: { documents: 0, documentFrequency: new Map() } }),
        };
    const [expertResults = [], societyResults = [], capabilityResults = []] = await searchTogether(search, [
      experts,
      societies,
      capabilities,
    ]);
    const rankedExperts = rankExperts(experts.read(expertResults).candidates, challenge.region_code);
    const rankedSocietyList = await rankedSocieties(
      search,
      challenge,
      analysis,
      societyIndexUid,
      societies.read(societyResults),
      rankedExperts,
    );
    let finalExperts = boostBySociety(rankedExperts, rankedSocietyList);
    // After the society boost: an expert is lifted by a society's topical fit, not its history.
    let finalSocieties = rankedSocietyList;
    if (platformSignals) {
      const pool = Math.max(limit, platformSignalWeights.pool);
      const expertPool = finalExperts.slice(0, pool);
      const societyPool = finalSocieties.slice(0, pool);
      const [expertSignals, societySignals] = await Promise.all([
        platformSignals.experts(expertPool.map((e) => e.document.id)),
        platformSignals.societies(societyPool.map((s) => s.document.id)),
      ]);
      finalExperts = applyPlatformSignals(
        expertPool,
        expertSignals,
        (e) => e.id,
        (e) => e.availability,
      );
      finalSocieties = applyPlatformSignals(societyPool, societySignals, (s) => s.id);
    }
    return {
      experts: finalExperts.slice(0, limit).map(toMatch),
      societies: finalSocieties.slice(0, limit).map(toMatch),
      capabilities: capabilityIndexUid
        ? rankCapabilities(capabilities.read(capabilityResults).candidates, challenge.region_code)
            .slice(0, limit)
            .map(toMatch)
        : [],
    };
  }

  return {
    recommend,
    async matchChallenges(search, profile, { indexUid, limit, filter }) {
      const analysis = planner.analyse(profile, { reversePhrases: true });
      const prepared = prepare<OpenChallengeDocument>(
        analysis,
        { indexUid, ...CHALLENGE_RETRIEVAL, filter },
        openChallengeTexts,
        (challenge) => challenge.id,
      );
      const [results = []] = await searchTogether(search, [prepared]);
      return rankOpenChallenges(prepared.read(results).candidates, profile.region_code)
        .slice(0, limit)
        .map(({ document, score, reasons }) => ({
          id: document.id,
          title: document.title,
          score: Number(score.toFixed(4)),
          reasons,
        }));
    },
    async matchCapabilities(search, challenge, { indexUid, limit }) {
      const analysis = planner.analyse(challenge);
      const prepared = prepare<CapabilityDocument>(
        analysis,
        { indexUid, ...CAPABILITY_RETRIEVAL },
        capabilityTexts,
      );
      const [results = []] = await searchTogether(search, [prepared]);
      return rankCapabilities(prepared.read(results).candidates, challenge.region_code)
        .slice(0, limit)
        .map(toMatch);
    },
    async matchExperts(search, challenge, { indexUid, limit }) {
      const analysis = planner.analyse(challenge);
      const prepared = prepare<ExpertDocument>(analysis, { indexUid, ...EXPERT_RETRIEVAL }, expertTexts);
      const [results = []] = await searchTogether(search, [prepared]);
      return rankExperts(prepared.read(results).candidates, challenge.region_code)
        .slice(0, limit)
        .map(toMatch);
    },
    async matchSocieties(search, challenge, { indexUid, expertIndexUid, limit }) {
      const { societies } = await recommend(search, challenge, {
        expertIndexUid,
        societyIndexUid: indexUid,
        limit,
      });
      return societies;
    },
    async matchAll(search, challenge, { expertIndexUid, societyIndexUid, limit }) {
      const { experts, societies } = await recommend(search, challenge, {
        expertIndexUid,
        societyIndexUid,
        limit,
      });
      return { experts, societies };
    },
  };
}
