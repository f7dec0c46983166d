import { readFileSync } from 'node:fs';
import { Jieba, TfIdf } from '@node-rs/jieba';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../src/cli/bench/corpus.js';
import { createIdfTable, medianAsJiebaRs } from '../../src/modules/matching/idf-table.js';
import {
  createKeywordExtractor,
  DOMAIN_TERM_IDF,
  normaliseText,
  TOPICAL_POS,
  tfIdfKeywords,
} from '../../src/modules/matching/keywords.js';
import { lexiconTerms } from '../../src/modules/matching/lexicon.js';
import { loadMatchingResources, readJiebaDictionaries } from '../../src/modules/matching/resources.js';

/** Texts like the ones the matcher reads: the demo challenges, the bench corpus, and odd inputs. */
function sampleTexts(): string[] {
  const seeds = JSON.parse(readFileSync('seeds/demo/challenges.json', 'utf8')) as {
    challenges: Record<string, unknown>[];
  };
  const corpus = generateCorpus({ challenges: 300, experts: 200, societies: 5, enterprises: 20 });
  const textOf = (record: Record<string, unknown>) =>
    Object.values(record)
      .flat()
      .filter((value) => typeof value === 'string')
      .join('。');
  return [
    ...seeds.challenges.map(textOf),
    ...corpus.challenges.map(textOf),
    ...corpus.experts.map(textOf),
    'the water and the tea of Guizhou 贵州茶叶 PUE ＰＵＥ 5000吨 1.3 GB',
    '重复 重复 重复 茶叶 茶叶 污水 😀表情 𠀀生僻字 二氧化碳捕集',
    '',
  ];
}

describe("TF-IDF keywords without jieba's native table", () => {
  it("ranks exactly as @node-rs/jieba TfIdf did, on the matcher's own dictionaries and vocabulary", () => {
    const dictionaries = readJiebaDictionaries();
    const lexicon = loadMatchingResources(process.cwd());
    const vocabulary = lexiconTerms(lexicon).filter((term) => !/\s/.test(term));

    // The native pipeline this replaces, built as it was.
    const jieba = Jieba.withDict(dictionaries.dict);
    jieba.loadDict(Buffer.from(vocabulary.map((term) => `${term} 2000 x`).join('\n')));
    const native = TfIdf.withDict(dictionaries.idf);
    const idf = createIdfTable(dictionaries.idf);
    const unknown = vocabulary.filter((term) => idf.get(term) === undefined);
    expect(unknown.length).toBeGreaterThan(0);
    native.loadDict(Buffer.from(unknown.map((term) => `${term} ${DOMAIN_TERM_IDF}`).join('\n')));
    native.setConfig({ minKeywordLength: 2, useHmm: true });

    const texts = sampleTexts();
    expect(texts.length).toBeGreaterThan(500);
    for (const text of texts) {
      const normalised = normaliseText(text);
      const expected = native
        .extractKeywords(jieba, normalised, 15, [...TOPICAL_POS])
        .map(({ keyword, weight }) => ({ term: keyword, weight }));
      const actual = tfIdfKeywords(
        jieba.tag(normalised, true),
        15,
        (word) => idf.get(word) ?? DOMAIN_TERM_IDF,
      );
      expect(actual, text).toEqual(expected);
    }
  });

  it('the extractor keeps its stopword and number filters on top of the ranking', () => {
    const extractor = createKeywordExtractor({
      vocabulary: ['黑臭水体'],
      stopwords: ['我们', '帮忙'],
      dictionaries: readJiebaDictionaries(),
    });
    const terms = extractor
      .extract('我们的河道出水又黑又臭，像黑臭水体，请帮忙治理，5000吨', 5)
      .map((k) => k.term);
    expect(terms).toContain('黑臭水体');
    expect(terms).not.toContain('我们');
    expect(terms).not.toContain('帮忙');
    expect(terms).not.toContain('5000');
  });
});

describe('the IDF table', () => {
  const table = createIdfTable(
    new TextEncoder().encode('生化学 13.9\n光化学 8.1\n\n坏行\n生化学 12.5\n𠀀字 3\na 1\n'),
  );

  it('finds every word it read, the last value of a repeated one, and nothing else', () => {
    expect(table.size).toBe(4);
    expect(table.get('生化学')).toBe(12.5);
    expect(table.get('光化学')).toBe(8.1);
    expect(table.get('𠀀字')).toBe(3);
    expect(table.get('a')).toBe(1);
    for (const missing of ['坏行', '化学', '生化学家', '', 'b', '光'])
      expect(table.get(missing), missing).toBeUndefined();
  });

  it("answers like a map over the whole of jieba's table", () => {
    const bytes = readJiebaDictionaries().idf;
    const reference = new Map<string, number>();
    for (const line of new TextDecoder().decode(bytes).split('\n')) {
      const [word, value] = line.trim().split(/\s+/);
      if (word && value) reference.set(word, Number(value));
    }
    const full = createIdfTable(bytes);
    expect(full.size).toBe(reference.size);
    for (const [word, idf] of reference) if (full.get(word) !== idf) expect(full.get(word), word).toBe(idf);
    expect(full.get('不在表里的词语组合')).toBeUndefined();
  });

  it('picks the median as jieba-rs does', () => {
    expect(medianAsJiebaRs([3, 1, 2])).toBe(2);
    expect(medianAsJiebaRs([4, 1, 3, 2])).toBe(2);
    expect(medianAsJiebaRs([11, 11])).toBe(11);
  });
});
