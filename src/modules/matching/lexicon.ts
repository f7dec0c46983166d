/**
 * The domain knowledge the matcher runs on, as plain data: loaded from
 * search/vocabulary/*.txt, search/synonyms/*.json and
 * search/industry-disciplines.json by `loadMatchingResources`, or built in
 * memory by tests.
 */
import type { JiebaDictionaries } from './keywords.js';

export interface MatchingLexicon {
  /** Domain terms the segmenter must keep whole (金属硫化物, 黑臭水体...). */
  vocabulary: string[];
  /** Words that carry no topic: colloquial fillers, bureaucratic boilerplate. */
  stopwords: string[];
  /** One entry per field of knowledge (环境, 茶学, 畜牧兽医...). */
  domains: LexiconDomain[];
  /** Industry words → disciplines (as societies name them) that serve it. */
  industryDisciplines: IndustryDisciplines[];
  /**
   * Reads jieba's dictionary and IDF table for one extractor; the native side builds its own tables
   * from them, so the bytes (11 MiB) are garbage afterwards instead of living on in a module cache.
   */
  jiebaDictionaries: () => JiebaDictionaries;
}

export interface LexiconDomain {
  name: string;
  /** Interchangeable terms; a query naming one also looks for the others. */
  groups: string[][];
  /**
   * Broader term → narrower kinds (中药材 → 天麻, 钩藤...). A kind named in a
   * challenge also looks for its broader term, with less weight: a 天麻
   * problem may suit a general 中药材 expert, but not a 钩藤 one.
   */
  broader: Record<string, string[]>;
  /**
   * One-way bridges from how enterprises describe a symptom to how experts
   * name the field: 又黑又臭 → 黑臭水体, 污水处理.
   */
  phrases: Record<string, string[]>;
}

export interface IndustryDisciplines {
  /** Matched as substrings of the challenge's industry (and title). */
  match: string[];
  disciplines: string[];
}

/** Every term of a domain: group members, broader terms and kinds, phrase triggers and targets. */
export function domainTerms(domain: LexiconDomain): Set<string> {
  const terms = new Set<string>();
  for (const group of domain.groups) for (const term of group) terms.add(term);
  for (const [broad, kinds] of Object.entries(domain.broader)) {
    terms.add(broad);
    for (const term of kinds) terms.add(term);
  }
  for (const [trigger, targets] of Object.entries(domain.phrases)) {
    terms.add(trigger);
    for (const term of targets) terms.add(term);
  }
  return terms;
}

/** Every term the lexicon knows, so the segmenter can keep each one whole. */
export function lexiconTerms(lexicon: MatchingLexicon): string[] {
  const terms = new Set(lexicon.vocabulary);
  for (const domain of lexicon.domains) for (const term of domainTerms(domain)) terms.add(term);
  for (const entry of lexicon.industryDisciplines) for (const term of entry.disciplines) terms.add(term);
  return [...terms].filter((term) => term.length >= 2);
}

/** How strongly a text belongs to each domain: distinct domain terms it contains. */
export type DomainProfile = Map<string, number>;

/**
 * Builds a function that profiles a text by the lexicon's domains. Two texts
 * with similar profiles talk about the same field even without a shared
 * term (a 下挠 challenge and a 承载能力评估 expert are both about bridges).
 */
export function createDomainProfiler(lexicon: MatchingLexicon): (text: string) => DomainProfile {
  // Single-character and generic cross-domain words would blur every profile.
  const domainsByTerm = new Map<string, string[]>();
  for (const domain of lexicon.domains) {
    for (const term of domainTerms(domain)) {
      if (term.length < 2) continue;
      domainsByTerm.set(term, [...(domainsByTerm.get(term) ?? []), domain.name]);
    }
  }
  // A character trie, so a text is scanned once instead of once per term: the matcher profiles
  // every retrieved candidate, and ~2,000 `includes` per candidate cost ~0.2 ms.
  const root: TrieNode = { next: new Map(), term: null };
  for (const term of domainsByTerm.keys()) {
    let node = root;
    for (let k = 0; k < term.length; k++) {
      const code = term.charCodeAt(k);
      let next = node.next.get(code);
      if (!next) {
        next = { next: new Map(), term: null };
        node.next.set(code, next);
      }
      node = next;
    }
    node.term = term;
  }
  return (text) => {
    const found = new Set<string>();
    for (let i = 0; i < text.length; i++) {
      let node = root.next.get(text.charCodeAt(i));
      for (let j = i + 1; node; j++) {
        if (node.term !== null) found.add(node.term);
        node = j < text.length ? node.next.get(text.charCodeAt(j)) : undefined;
      }
    }
    // Each distinct term counts once per domain it belongs to.
    const profile: DomainProfile = new Map();
    for (const term of found) {
      for (const name of domainsByTerm.get(term)!) profile.set(name, (profile.get(name) ?? 0) + 1);
    }
    return profile;
  };
}

/** One node of a trie over UTF-16 code units; `term` is set where a term ends. */
interface TrieNode {
  next: Map<number, TrieNode>;
  term: string | null;
}

/** Cosine similarity of two domain profiles, 0..1. */
export function profileSimilarity(a: DomainProfile, b: DomainProfile): number {
  let dot = 0;
  for (const [domain, count] of a) dot += count * (b.get(domain) ?? 0);
  if (dot === 0) return 0;
  const norm = (p: DomainProfile) => Math.sqrt([...p.values()].reduce((sum, c) => sum + c * c, 0));
  return dot / (norm(a) * norm(b));
}
