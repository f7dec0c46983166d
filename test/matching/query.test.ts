import { describe, expect, it } from 'vitest';
import { createKeywordExtractor } from '../../src/modules/matching/keywords.js';
import {
  createDomainProfiler,
  lexiconTerms,
  type MatchingLexicon,
  profileSimilarity,
} from '../../src/modules/matching/lexicon.js';
import {
  conceptsOf,
  createQueryPlanner,
  fuseRankings,
  planRetrieval,
} from '../../src/modules/matching/query.js';
import { readJiebaDictionaries } from '../../src/modules/matching/resources.js';

/** A small lexicon in the shape of search/synonyms: two fields that share the word 病害. */
const lexicon: MatchingLexicon = {
  vocabulary: ['黑臭水体', '下挠'],
  stopwords: ['我们', '想请', '专家', '帮忙', '看看'],
  jiebaDictionaries: readJiebaDictionaries,
  domains: [
    {
      name: 'environment',
      groups: [['污水处理', '废水处理', '水处理']],
      broader: {},
      phrases: { 又黑又臭: ['黑臭水体', '污水处理'] },
    },
    {
      name: 'agriculture',
      groups: [
        ['病害', '病虫害', '植物病害'],
        ['辣椒', '朝天椒', '线椒'],
      ],
      broader: { 病害: ['疫病', '根腐病'] },
      phrases: { 蔫死: ['疫病', '根腐病'] },
    },
    {
      name: 'transport',
      groups: [
        ['病害', '病害诊断', '病害处治'],
        ['桥梁', '大桥', '桥梁工程'],
        ['加固', '维修加固', '结构加固'],
      ],
      broader: { 桥梁: ['刚构桥', '悬索桥'] },
      phrases: {},
    },
  ],
  industryDisciplines: [{ match: ['交通', '桥'], disciplines: ['道路与桥梁工程', '土木工程'] }],
};

const extractor = createKeywordExtractor({
  vocabulary: lexiconTerms(lexicon),
  stopwords: lexicon.stopwords,
  dictionaries: readJiebaDictionaries(),
});
const planner = createQueryPlanner(lexicon, extractor);
const termsOf = (title: string, description = '', industry?: string) =>
  planner.analyse({ title, description, industry }).terms.map((t) => t.term);

describe('keyword extraction', () => {
  it('keeps domain vocabulary whole and leaves out stopwords and numbers', () => {
    const keywords = extractor
      .extract('我们村的小河变成了黑臭水体，想请专家帮忙看看，每天5000吨', 8)
      .map((k) => k.term);

    expect(keywords).toContain('黑臭水体');
    expect(keywords).not.toContain('我们');
    expect(keywords).not.toContain('专家');
    expect(keywords.some((k) => /^\d/.test(k))).toBe(false);
  });

  it('segments long words into the shorter words inside them', () => {
    expect(extractor.segmentForSearch('污水处理厂提标改造')).toEqual(
      expect.arrayContaining(['污水', '污水处理']),
    );
  });
});

describe('challenge analysis', () => {
  it('bridges a colloquial description to the academic field', () => {
    const terms = termsOf('镇上的污水站出水又黑又臭', '建好两年了，出水一直不干净');

    expect(terms).toEqual(expect.arrayContaining(['黑臭水体', '污水处理']));
  });

  it('bridges back from an academic profile to the colloquial words enterprises write, when asked', () => {
    const profile = { title: '黑臭水体治理、污水处理', description: '从事农村生活污水处理研究' };
    const forward = planner.analyse(profile).terms.map((t) => t.term);
    const back = planner.analyse(profile, { reversePhrases: true }).terms;

    expect(forward).not.toContain('又黑又臭');
    expect(back.find((t) => t.term === '又黑又臭')?.weight).toBeGreaterThan(0);
  });

  it('expands a word shared by two fields only in the field the challenge is about', () => {
    const bridge = termsOf('连续刚构桥长期下挠病害诊断与加固', '桥梁跨中下挠，需要加固', '交通运输');

    expect(bridge).toEqual(expect.arrayContaining(['病害诊断', '结构加固']));
    expect(bridge).not.toContain('病虫害');
  });

  it('adds the broader term of a named kind, with less weight than the kind', () => {
    const analysis = planner.analyse({ title: '大跨悬索桥的健康监测', description: '' });
    const weightOf = (term: string) => analysis.terms.find((t) => t.term === term)?.weight ?? 0;

    expect(weightOf('桥梁')).toBeGreaterThan(0);
    expect(weightOf('桥梁')).toBeLessThan(weightOf('悬索桥'));
  });

  it('maps the industry to the disciplines that serve it', () => {
    const analysis = planner.analyse({ title: '刚构桥加固', description: '', industry: '交通运输' });

    expect(analysis.disciplines).toEqual(['道路与桥梁工程', '土木工程']);
  });

  it('groups synonyms into one concept so they count once', () => {
    const concepts = conceptsOf(planner.analyse({ title: '辣椒成片蔫死', description: '' }));
    const pepper = concepts.find((c) => c.terms.some((t) => t.term === '辣椒'));

    expect(pepper?.terms.map((t) => t.term)).toEqual(expect.arrayContaining(['辣椒', '朝天椒', '线椒']));
    expect(concepts.filter((c) => c.terms.some((t) => t.term === '朝天椒'))).toHaveLength(1);
  });
});

describe('retrieval plan', () => {
  const analysis = planner.analyse({ title: '镇上的污水站出水又黑又臭', description: '村里人意见很大' });
  const plan = planRetrieval(analysis, { indexUid: 'experts', perQueryLimit: 50, maxConcepts: 4 });

  it('sends short per-concept queries, in Chinese, at most maxConcepts of them', () => {
    expect(plan.retrieval.length).toBeLessThanOrEqual(4);
    for (const { query } of plan.retrieval) {
      expect(query.q?.split(' ').length).toBeLessThanOrEqual(3);
      expect(query).toMatchObject({ indexUid: 'experts', locales: ['cmn'], limit: 50 });
    }
  });

  it('counts every term and the whole index without fetching documents', () => {
    expect(plan.termCounts.map((t) => t.term)).toEqual(analysis.terms.map((t) => t.term));
    expect(plan.termCounts.every((t) => t.query.limit === 0 && t.query.matchingStrategy === 'all')).toBe(
      true,
    );
    expect(plan.total).toMatchObject({ q: '', limit: 0 });
  });
});

describe('rank fusion', () => {
  it('favours what several queries agree on, weighted by the query', () => {
    const fused = fuseRankings([
      { keys: ['a', 'b'], weight: 1 },
      { keys: ['b'], weight: 1 },
      { keys: ['c'], weight: 0.1 },
    ]);

    expect(fused.get('b')).toBeGreaterThan(fused.get('a') ?? 0);
    expect(fused.get('a')).toBeGreaterThan(fused.get('c') ?? 0);
  });
});

describe('domain profiles', () => {
  it('finds a bridge challenge closer to a bridge expert than to a plant pathologist', () => {
    const profileOf = createDomainProfiler(lexicon);
    const challenge = profileOf('刚构桥下挠病害，需要加固');

    expect(profileSimilarity(challenge, profileOf('桥梁工程检测与维修加固'))).toBeGreaterThan(
      profileSimilarity(challenge, profileOf('辣椒疫病与植物病害防控')),
    );
  });

  it('counts each distinct term once per domain it belongs to, overlapping terms included', () => {
    const profileOf = createDomainProfiler(lexicon);

    // 病害 (agriculture and transport), 病害诊断 inside it, 桥梁 twice: each distinct term once.
    expect(profileOf('桥梁病害诊断，桥梁加固')).toEqual(
      new Map([
        ['agriculture', 1],
        ['transport', 4],
      ]),
    );
    expect(profileOf('')).toEqual(new Map());
  });
});
