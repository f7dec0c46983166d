/**
 * Chinese keyword extraction for challenge texts: jieba segmentation with the
 * project's domain vocabulary, TF-IDF weights, and a stopword list aimed at
 * how enterprises write (我们, 想请, 帮忙, 拟委托...).
 */
import { Jieba, TfIdf } from '@node-rs/jieba';

export interface Keyword {
  term: string;
  /** TF-IDF weight; only comparable within one extraction. */
  weight: number;
}

export interface KeywordExtractor {
  /** The `topK` most distinctive terms of `text`, best first. */
  extract(text: string, topK: number): Keyword[];
  /** Segments, including the shorter words inside long ones (污水处理 → 污水, 处理). */
  segmentForSearch(text: string): string[];
}

export interface KeywordExtractorOptions {
  /** Domain terms to keep whole; they also get a high IDF when jieba has none. */
  vocabulary: string[];
  stopwords: string[];
  /** jieba's dictionary and IDF table (see MatchingLexicon.jiebaDictionaries). */
  dictionaries: JiebaDictionaries;
}

export interface JiebaDictionaries {
  dict: Uint8Array;
  idf: Uint8Array;
}

/**
 * Parts of speech that can name a topic. Leaves out places (ns) and people
 * (nr): the region is matched separately, and a county name in the text says
 * nothing about the field. `x` is what jieba tags our own vocabulary with.
 */
const TOPICAL_POS = ['n', 'nz', 'nt', 'nrt', 'ng', 'vn', 'v', 'vd', 'an', 'a', 'l', 'i', 'j', 'eng', 'x'];

/**
 * Domain words jieba's corpus has never seen get this IDF: as rare as the
 * rarer half of its dictionary, since they name specialities.
 */
const DOMAIN_TERM_IDF = 11;

/** Numbers, quantities and codes (5000吨, 1.3, GB) are never topics on their own. */
const NOT_A_TOPIC = /^[\d.%万千百亿吨亩头只台套个年月日天]+$|^[A-Za-z]{1,2}$/;

/**
 * Loads jieba's default dictionary (~0.3 s), adds the domain vocabulary and
 * returns an extractor. Build it once per process and share it.
 *
 * @example
 * const extractor = createKeywordExtractor({ vocabulary: ['黑臭水体'], stopwords: ['我们'] });
 * extractor.extract('出水又黑又臭，像黑臭水体', 5); // [{ term: '黑臭水体', ... }, ...]
 */
export function createKeywordExtractor(options: KeywordExtractorOptions): KeywordExtractor {
  const { dict, idf } = options.dictionaries;
  const jieba = Jieba.withDict(dict);
  const vocabulary = [...new Set(options.vocabulary)].filter((term) => term.length >= 2 && !/\s/.test(term));
  if (vocabulary.length > 0) {
    jieba.loadDict(Buffer.from(vocabulary.map((term) => `${term} 2000 x`).join('\n')));
  }

  const tfIdf = TfIdf.withDict(idf);
  const unknown = termsMissingFromIdf(idf, vocabulary);
  if (unknown.length > 0) {
    tfIdf.loadDict(Buffer.from(unknown.map((term) => `${term} ${DOMAIN_TERM_IDF}`).join('\n')));
  }
  const stopwords = new Set(options.stopwords);
  // Stopwords are filtered below: setConfig's `stopWords` fails to convert in @node-rs/jieba 2.0.3.
  tfIdf.setConfig({ minKeywordLength: 2, useHmm: true });

  return {
    extract(text, topK) {
      // Ask for more than needed: stopwords and numbers are filtered out here.
      return tfIdf
        .extractKeywords(jieba, normaliseText(text), topK * 3, TOPICAL_POS)
        .filter(({ keyword }) => !stopwords.has(keyword) && !NOT_A_TOPIC.test(keyword))
        .slice(0, topK)
        .map(({ keyword, weight }) => ({ term: keyword, weight }));
    },
    segmentForSearch(text) {
      return jieba
        .cutForSearch(normaliseText(text), true)
        .filter((word) => word.trim().length >= 2 && !stopwords.has(word) && !NOT_A_TOPIC.test(word));
    },
  };
}

/** Full-width letters and digits to ASCII, so "ＰＵＥ" and "PUE" are one word. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC');
}

/**
 * The terms jieba's IDF table does not know. Scans the table once instead of keeping a set of its
 * ~350,000 words: that set held ~60 MiB for the life of the server just to answer this at start.
 */
function termsMissingFromIdf(idf: Uint8Array, terms: string[]): string[] {
  const missing = new Set(terms);
  const table = new TextDecoder().decode(idf);
  for (let start = 0; start < table.length && missing.size > 0; ) {
    const end = table.indexOf('\n', start);
    const lineEnd = end === -1 ? table.length : end;
    const space = table.indexOf(' ', start);
    missing.delete(table.slice(start, space === -1 || space > lineEnd ? lineEnd : space));
    start = lineEnd + 1;
  }
  return terms.filter((term) => missing.has(term));
}
