import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ExpertDocument, SocietyDocument } from '../../search/matching-settings.js';
import { rankCapabilities } from '../../src/modules/matching/capabilities.js';
import { lexiconTerms } from '../../src/modules/matching/lexicon.js';
import type { Concept } from '../../src/modules/matching/query.js';
import {
  applyPlatformSignals,
  disciplineFit,
  expertTexts,
  lexicalFit,
  type PlatformSignals,
  prefectureOf,
  type Ranked,
  rankExperts,
  type TermStatistics,
  trackRecordUnits,
} from '../../src/modules/matching/rerank.js';
import { loadMatchingResources } from '../../src/modules/matching/resources.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function expert(overrides: Partial<ExpertDocument>): ExpertDocument {
  return {
    id: 'e1',
    key: 'E1',
    name: '王教授',
    title: '教授',
    affiliation: '贵州大学',
    region_code: '520100',
    society_keys: [],
    society_names: [],
    fields: [],
    bio: '',
    ...overrides,
  };
}

const drying: Concept = {
  id: 'g1',
  weight: 1,
  terms: [
    { term: '干燥', weight: 1, concept: 'g1', origin: 'text' },
    { term: '烘干', weight: 0.8, concept: 'g1', origin: 'synonym' },
  ],
};
const browning: Concept = {
  id: 'g2',
  weight: 0.9,
  terms: [{ term: '褐变', weight: 0.9, concept: 'g2', origin: 'phrase' }],
};
const stats: TermStatistics = {
  documents: 100,
  documentFrequency: new Map([
    ['干燥', 5],
    ['烘干', 5],
    ['褐变', 2],
  ]),
};

describe('lexical fit', () => {
  it('counts a concept once, by its best term', () => {
    const both = lexicalFit([{ text: '果蔬干燥与烘干设备', weight: 1 }], [drying], stats);
    const one = lexicalFit([{ text: '果蔬干燥', weight: 1 }], [drying], stats);

    expect(both.hits).toHaveLength(1);
    expect(both.score).toBeCloseTo(one.score);
  });

  it('weighs a term in research fields above the same term in the bio', () => {
    const inFields = lexicalFit(expertTexts(expert({ fields: ['果蔬干燥'] })), [drying], stats);
    const inBio = lexicalFit(expertTexts(expert({ bio: '做过果蔬干燥' })), [drying], stats);

    expect(inFields.score).toBeGreaterThan(inBio.score);
  });
});

describe('expert ranking', () => {
  it('ranks the better fit first and explains it in Chinese', () => {
    const specialist = expert({
      key: 'E1',
      fields: ['果蔬干燥动力学', '褐变与品质调控'],
      region_code: '520300',
    });
    const generalist = expert({ key: 'E2', name: '李研究员', bio: '从事农产品干燥研究' });
    const candidates = [generalist, specialist].map((document) => ({
      document,
      lexical: lexicalFit(expertTexts(document), [drying, browning], stats),
      retrieval: 0.01,
      domainFit: 1,
    }));

    const [first] = rankExperts(candidates, '520321');

    expect(first?.document.key).toBe('E1');
    expect(first?.reasons).toEqual(['匹配：褐变、干燥', '同在遵义市']);
  });
});

describe('society track record (applyPlatformSignals)', () => {
  const society = (id: string, score: number): Ranked<SocietyDocument> => ({
    document: {
      id,
      key: id,
      name: `学会${id}`,
      discipline: '食品科学与工程',
      description: '',
      region_code: '520100',
    },
    score,
    reasons: ['学科对口：食品科学与工程'],
  });
  const noRecord: PlatformSignals = {
    awarded: 0,
    solved: 0,
    awardedInIndustry: 0,
    services: 0,
    ratingAverage: null,
    ratings: 0,
  };
  const delivered: PlatformSignals = {
    ...noRecord,
    awarded: 1,
    solved: 1,
    awardedInIndustry: 1,
    services: 3,
    activeStations: 2,
  };

  it('counts running stations as track record', () => {
    expect(trackRecordUnits({ ...noRecord, activeStations: 2 })).toBeGreaterThan(trackRecordUnits(noRecord));
    expect(trackRecordUnits(noRecord)).toBe(0);
  });

  it('lifts the one of two equal societies with a record, with reasons but no availability', () => {
    const ranked = applyPlatformSignals(
      [society('a', 0.8), society('b', 0.8)],
      new Map([['b', delivered]]),
      (s) => s.id,
    );

    expect(ranked.map((r) => r.document.id)).toEqual(['b', 'a']);
    expect(ranked[0]?.reasons).toEqual([
      '学科对口：食品科学与工程',
      '已揭榜成功1项（同行业1项）',
      '验收通过1项',
      '服务记录3次',
      '运行中工作站2个',
    ]);
    expect(ranked[1]).toEqual(society('a', 0.8));
  });

  it('never carries a weak match over a strong one, and moves nothing without records', () => {
    const strong = society('a', 1);
    const weak = society('b', 0.5);
    const lavish = { ...delivered, awarded: 20, solved: 20, services: 200, activeStations: 10 };

    expect(applyPlatformSignals([strong, weak], new Map([['b', lavish]]), (s) => s.id)[0]?.document.id).toBe(
      'a',
    );
    expect(applyPlatformSignals([strong, weak], new Map(), (s) => s.id)).toEqual([strong, weak]);
  });
});

describe('regions and disciplines', () => {
  it('reduces county codes to their prefecture and ignores province-wide codes', () => {
    expect(prefectureOf('522631')).toBe('522600');
    expect(prefectureOf('520000')).toBeNull();
    expect(prefectureOf('not a code')).toBeNull();
  });

  it('prefers the main discipline of an industry over a related one', () => {
    expect(disciplineFit('茶学', ['茶学', '园艺学'])).toBe(1);
    expect(disciplineFit('园艺学', ['茶学', '园艺学'])).toBeLessThan(1);
    expect(disciplineFit('药学', ['中药学'])).toBeGreaterThan(0);
    expect(disciplineFit('采矿工程', ['茶学'])).toBe(0);
    // A society that left its discipline blank fits nothing (it used to fit everything, with an
    // empty "学科对口：" reason, since '' is a substring of every name).
    expect(disciplineFit('', ['茶学', '园艺学'])).toBe(0);
    expect(disciplineFit('  ', ['茶学'])).toBe(0);
  });
});

describe('matching resources', () => {
  it('loads broad domain vocabulary from search/', () => {
    const lexicon = loadMatchingResources(repoRoot);

    expect(lexicon.domains.length).toBeGreaterThanOrEqual(10);
    expect(lexiconTerms(lexicon).length).toBeGreaterThan(1000);
    expect(lexicon.industryDisciplines.length).toBeGreaterThan(20);
    expect(lexicon.stopwords).toContain('我们');
  });
});

describe('related capabilities (相关成果)', () => {
  const capability = (key: string, score: number, domainFit: number) => ({
    document: { id: key, key, name: key, title: key, fields: [], description: '', region_code: null },
    lexical: { score, hits: [{ concept: 'c', term: '干燥', contribution: score }] },
    retrieval: 0.02,
    domainFit,
  });

  it('shows only capabilities with enough evidence, however weak the best of them is', () => {
    const ranked = rankCapabilities(
      [
        capability('written-for-it', 24, 0.95),
        capability('from-next-door', 4, 0.85), // a related field, few shared words
        capability('two-generic-words', 4.5, 0.35), // 关岭牛 → 夏秋茶加工
        capability('one-word', 1.5, 0.9),
      ],
      null,
    );
    expect(ranked.map((r) => r.document.key)).toEqual(['written-for-it', 'from-next-door']);
    // With only unrelated capabilities, nothing is shown rather than the best of them at a high 匹配度.
    expect(rankCapabilities([capability('two-generic-words', 4.5, 0.35)], null)).toEqual([]);
  });
});
