/**
 * From challenge text to Meilisearch queries.
 *
 * Meilisearch only uses the first 10 words of a query, and a Chinese sentence
 * segments into many words, so a whole challenge is a useless query. Instead
 * we extract weighted terms, bridge colloquial wording to academic terms with
 * the lexicon, group interchangeable terms into concepts, and send one short
 * query per concept in a single multi-search. Hits are fused with reciprocal
 * rank fusion (RRF), which needs no comparable scores across queries.
 */
import type { MultiSearchQuery } from 'meilisearch';
import type { KeywordExtractor } from './keywords.js';
import { normaliseText } from './keywords.js';
import { createDomainProfiler, type DomainProfile, lexiconTerms, type MatchingLexicon } from './lexicon.js';

export interface ChallengeInput {
  title: string;
  description: string;
  industry?: string | null;
  /** Industry code (reference data), for track records in the same industry; not read as text. */
  industry_code?: string | null;
  region_code?: string | null;
}

export type TermOrigin = 'text' | 'part' | 'synonym' | 'broader' | 'phrase' | 'industry';

export interface QueryTerm {
  term: string;
  /** 0..1, relative importance within this challenge. */
  weight: number;
  /** Terms of one concept are alternatives: a document scores for its best one only. */
  concept: string;
  origin: TermOrigin;
}

export interface ChallengeAnalysis {
  /** Best weight per distinct term, heaviest first. */
  terms: QueryTerm[];
  /** Disciplines that typically serve the challenge's industry. */
  disciplines: string[];
  /** Which fields of knowledge the challenge is about. */
  profile: DomainProfile;
}

export interface AnalyseOptions {
  /**
   * Also bridge from the academic side to the colloquial one (黑臭水体 → 又黑又臭), for a profile
   * looking for challenges; lexicon phrases are written the other way round.
   */
  reversePhrases?: boolean;
}

export interface QueryPlanner {
  analyse(challenge: ChallengeInput, options?: AnalyseOptions): ChallengeAnalysis;
}

/** How many keywords of the challenge text seed the analysis. */
const TEXT_KEYWORDS = 24;
/** Synonyms count a little less than the user's own word. */
const SYNONYM_FACTOR = 0.8;
/** A lexicon phrase (又黑又臭) is a strong, deliberate signal of the topic. */
const PHRASE_WEIGHT = 0.9;
/** The colloquial trigger of a phrase, found from its academic target: a weaker, indirect signal. */
const REVERSE_PHRASE_WEIGHT = 0.5;
/** Words inside a long keyword (污水处理站 → 污水处理) keep part of its weight. */
const PART_FACTOR = 0.5;
const INDUSTRY_WEIGHT = 0.5;
/** A broader term (天麻 → 中药材) is a weaker match than the kind itself. */
const BROADER_FACTOR = 0.5;
/** A domain counts as a topic of the challenge when it scores this share of the main one. */
const DOMAIN_SHARE = 0.3;

/**
 * @example
 * const planner = createQueryPlanner(lexicon, extractor);
 * planner.analyse({ title: '烘干的辣椒颜色发暗', description: '' }).terms.map((t) => t.term);
 * // ['辣椒', '烘干', '发暗', '干燥', '褐变', ...]
 */
export function createQueryPlanner(lexicon: MatchingLexicon, extractor: KeywordExtractor): QueryPlanner {
  const groups = lexicon.domains.flatMap((domain) =>
    domain.groups.map((terms) => ({ domain: domain.name, terms })),
  );
  const groupsByTerm = new Map<string, number[]>();
  groups.forEach((group, index) => {
    for (const term of group.terms) groupsByTerm.set(term, [...(groupsByTerm.get(term) ?? []), index]);
  });
  const broaderByKind = new Map<string, string[]>();
  const phrases: Array<{ domain: string; trigger: string; targets: string[] }> = [];
  for (const domain of lexicon.domains) {
    for (const [broad, kinds] of Object.entries(domain.broader)) {
      for (const kind of kinds) broaderByKind.set(kind, [...(broaderByKind.get(kind) ?? []), broad]);
    }
    for (const [trigger, targets] of Object.entries(domain.phrases)) {
      phrases.push({ domain: domain.name, trigger, targets });
    }
  }
  // Lexicon terms worth looking for verbatim in the text.
  const namedTerms = [...new Set([...groupsByTerm.keys(), ...broaderByKind.keys()])].filter(
    (t) => t.length >= 2,
  );
  const knownTerms = new Set(lexiconTerms(lexicon));
  const profileOf = createDomainProfiler(lexicon);
  const conceptOf = (term: string) => {
    const found = groupsByTerm.get(term);
    return found ? `g${found[0]}` : term;
  };

  return {
    analyse(challenge, options = {}) {
      const terms = new Map<string, QueryTerm>();
      const add = (term: string, weight: number, origin: TermOrigin) => {
        if (term.length < 2) return;
        const existing = terms.get(term);
        if (existing && existing.weight >= weight) return;
        terms.set(term, {
          term,
          weight: Math.min(1, weight),
          concept: conceptOf(term),
          origin: existing?.origin ?? origin,
        });
      };

      const title = normaliseText(challenge.title);
      const text = `${title}\n${normaliseText(challenge.description)}`;
      const industry = normaliseText(challenge.industry ?? '');
      const profile = profileOf(`${industry}\n${text}`);

      // The title states the problem; counting it twice doubles its term frequency.
      const keywords = extractor.extract(`${title}\n${text}`, TEXT_KEYWORDS);
      const top = keywords[0]?.weight ?? 1;
      for (const { term, weight } of keywords) {
        add(term, weight / top, 'text');
        if (term.length >= 4 && !knownTerms.has(term)) {
          for (const part of extractor.segmentForSearch(term)) {
            if (part !== term) add(part, (PART_FACTOR * weight) / top, 'part');
          }
        }
      }
      // Lexicon terms written in the text count even when TF-IDF ranked them low.
      for (const term of namedTerms) {
        if (!terms.has(term) && text.includes(term)) add(term, title.includes(term) ? 0.9 : 0.6, 'text');
      }
      if (industry) {
        for (const { term } of extractor.extract(industry, 3)) add(term, INDUSTRY_WEIGHT, 'industry');
        add(industry, INDUSTRY_WEIGHT, 'industry');
      }

      // Synonyms and phrases are used only in the domains the challenge is about:
      // 病害 means plants in an orchard and cracks on a bridge, 氧化 rancid oil
      // in food and a surface film on aluminium.
      const mainDomainScore = Math.max(0, ...profile.values());
      const isAbout = (domain: string) => (profile.get(domain) ?? 0) >= DOMAIN_SHARE * mainDomainScore;
      // Expansions start from the user's own words only: chaining them drifts
      // (裂缝 → 病害 → 病虫害 would turn a bridge problem into plant protection).
      const ownTerms = [...terms.values()];
      for (const { domain, trigger, targets } of phrases) {
        if (!isAbout(domain)) continue;
        if (text.includes(trigger)) {
          const weight = title.includes(trigger) ? 1 : PHRASE_WEIGHT;
          for (const target of targets) add(target, weight, 'phrase');
        } else if (options.reversePhrases && targets.some((target) => text.includes(target))) {
          add(trigger, REVERSE_PHRASE_WEIGHT, 'phrase');
        }
      }
      for (const found of ownTerms) {
        for (const broad of broaderByKind.get(found.term) ?? [])
          add(broad, found.weight * BROADER_FACTOR, 'broader');
      }
      for (const found of ownTerms) {
        for (const index of groupsByTerm.get(found.term) ?? []) {
          const group = groups[index];
          if (!group || !isAbout(group.domain)) continue;
          for (const synonym of group.terms) add(synonym, found.weight * SYNONYM_FACTOR, 'synonym');
        }
      }

      const disciplines = new Set<string>();
      for (const entry of lexicon.industryDisciplines) {
        if (entry.match.some((word) => industry.includes(word) || title.includes(word))) {
          for (const discipline of entry.disciplines) disciplines.add(discipline);
        }
      }

      return {
        terms: [...terms.values()].sort((a, b) => b.weight - a.weight),
        disciplines: [...disciplines],
        profile,
      };
    },
  };
}

export interface Concept {
  id: string;
  weight: number;
  /** Heaviest first. */
  terms: QueryTerm[];
}

/** Terms grouped by concept, heaviest concept first. */
export function conceptsOf(analysis: ChallengeAnalysis): Concept[] {
  const byId = new Map<string, Concept>();
  for (const term of analysis.terms) {
    const concept = byId.get(term.concept) ?? { id: term.concept, weight: 0, terms: [] };
    concept.terms.push(term);
    concept.weight = Math.max(concept.weight, term.weight);
    byId.set(term.concept, concept);
  }
  return [...byId.values()].sort((a, b) => b.weight - a.weight);
}

export interface RetrievalPlan {
  /** Queries whose hits are fused into the candidate list, with their RRF weight. */
  retrieval: Array<{ query: MultiSearchQuery; weight: number }>;
  /** One count-only query per term: document frequency for IDF, from the index itself. */
  termCounts: Array<{ term: string; query: MultiSearchQuery }>;
  /** Count-only query for the number of documents. */
  total: MultiSearchQuery;
}

export interface RetrievalOptions {
  indexUid: string;
  /** Hits per retrieval query. */
  perQueryLimit: number;
  /** How many concepts get their own retrieval query. */
  maxConcepts: number;
  /** Search only these attributes (default: the index's searchable attributes). */
  attributesToSearchOn?: string[];
  /** Return only these attributes of each hit (default: all displayed attributes). */
  attributesToRetrieve?: string[];
  /** Filter for the retrieval queries (term counts stay over the whole index). */
  filter?: string[];
}

/** Alternatives per concept query: Meilisearch reads 10 words, and each term may segment into 2-3. */
const TERMS_PER_QUERY = 3;

/** Builds the multi-search for one index: per-concept retrieval plus term statistics. */
export function planRetrieval(analysis: ChallengeAnalysis, options: RetrievalOptions): RetrievalPlan {
  const base = {
    indexUid: options.indexUid,
    locales: ['cmn'],
    ...(options.attributesToSearchOn ? { attributesToSearchOn: options.attributesToSearchOn } : {}),
  };
  const retrieve = options.attributesToRetrieve ? { attributesToRetrieve: options.attributesToRetrieve } : {};
  const concepts = conceptsOf(analysis).slice(0, options.maxConcepts);
  const retrieval = concepts.map((concept) => ({
    weight: concept.weight,
    query: {
      ...base,
      q: concept.terms
        .slice(0, TERMS_PER_QUERY)
        .map((t) => t.term)
        .join(' '),
      // Alternatives of one concept: any of them may match, rarer ones rank higher.
      matchingStrategy: 'frequency' as const,
      limit: options.perQueryLimit,
      ...retrieve,
      ...(options.filter ? { filter: options.filter } : {}),
    },
  }));
  const termCounts = analysis.terms.map((t) => ({
    term: t.term,
    query: { ...base, q: t.term, matchingStrategy: 'all' as const, limit: 0 },
  }));
  return { retrieval, termCounts, total: { ...base, q: '', limit: 0 } };
}

/** Conventional RRF constant: damps the difference between rank 1 and rank 2. */
const RRF_K = 60;

/** Reciprocal rank fusion of several ranked key lists, each with a weight. */
export function fuseRankings(rankings: Array<{ keys: string[]; weight: number }>): Map<string, number> {
  const fused = new Map<string, number>();
  for (const { keys, weight } of rankings) {
    for (const [rank, key] of keys.entries())
      fused.set(key, (fused.get(key) ?? 0) + weight / (RRF_K + rank + 1));
  }
  return fused;
}
