/**
 * Chinese keyword extraction for challenge texts: jieba segmentation with the
 * project's domain vocabulary, TF-IDF weights, and a stopword list aimed at
 * how enterprises write (我们, 想请, 帮忙, 拟委托...).
 */
import { Jieba } from '@node-rs/jieba';
import { createIdfTable } from './idf-table.js';

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
export const TOPICAL_POS = new Set([
  'n',
  'nz',
  'nt',
  'nrt',
  'ng',
  'vn',
  'v',
  'vd',
  'an',
  'a',
  'l',
  'i',
  'j',
  'eng',
  'x',
]);

/**
 * Domain words jieba's corpus has never seen get this IDF: as rare as the
 * rarer half of its dictionary, since they name specialities.
 */
export const DOMAIN_TERM_IDF = 11;

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

  const idfTable = createIdfTable(idf);
  // Words outside jieba's table weigh DOMAIN_TERM_IDF when our vocabulary has some: domain terms
  // for that reason, and any other new word because jieba-rs used the median of the last list
  // loaded into its table, which was those terms at DOMAIN_TERM_IDF.
  const unknownWordIdf = vocabulary.some((term) => idfTable.get(term) === undefined)
    ? DOMAIN_TERM_IDF
    : idfTable.median;
  const stopwords = new Set(options.stopwords);

  return {
    extract(text, topK) {
      // Ask for more than needed: stopwords and numbers are filtered out here.
      return tfIdfKeywords(
        jieba.tag(normaliseText(text), true),
        topK * 3,
        (word) => idfTable.get(word) ?? unknownWordIdf,
      )
        .filter(({ term }) => !stopwords.has(term) && !NOT_A_TOPIC.test(term))
        .slice(0, topK);
    },
    segmentForSearch(text) {
      return jieba
        .cutForSearch(normaliseText(text), true)
        .filter((word) => word.trim().length >= 2 && !stopwords.has(word) && !NOT_A_TOPIC.test(word));
    },
  };
}

/**
 * jieba-rs's TF-IDF keyword ranking over tagged words: topical parts of speech only, words of two
 * characters or more, weight = count × IDF / all counted words, best first and ties by word.
 */
export function tfIdfKeywords(
  tagged: ReadonlyArray<{ word: string; tag: string }>,
  topK: number,
  idfOf: (word: string) => number,
): Keyword[] {
  const counts = new Map<string, number>();
  let total = 0;
  for (const { word, tag } of tagged) {
    if (!TOPICAL_POS.has(tag) || codePoints(word) < 2) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
    total++;
  }
  const keywords: Keyword[] = [];
  for (const [term, count] of counts) keywords.push({ term, weight: (count * idfOf(term)) / total });
  return keywords.sort((a, b) => b.weight - a.weight || byCodePoint(a.term, b.term)).slice(0, topK);
}

function codePoints(word: string): number {
  let n = 0;
  for (const _ of word) n++;
  return n;
}

/** The order Rust compares strings in (UTF-8 bytes, i.e. code points), for ties. */
function byCodePoint(a: string, b: string): number {
  for (let i = 0; ; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x === undefined || y === undefined) return (x === undefined ? 0 : 1) - (y === undefined ? 0 : 1);
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
}

/** Full-width letters and digits to ASCII, so "ＰＵＥ" and "PUE" are one word. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC');
}
