/**
 * Re-ranking of retrieved candidates with structured signals, each one also
 * producing a human-readable reason:
 *
 * - lexical fit: the challenge's concepts found in the candidate's fields,
 *   weighted by where they are found (research fields ≫ bio) and by how rare
 *   the term is in the index (IDF from Meilisearch's own counts);
 * - retrieval agreement: the fused rank of the candidate across queries;
 * - discipline fit (societies): the industry's usual disciplines;
 * - member strength (societies): how well the society's experts match;
 * - proximity: same prefecture as the challenge, a small tie-breaker;
 * - platform signals (experts and societies, `applyPlatformSignals`): track
 *   record on the platform, and experts' availability.
 */
import {
  type ExpertDocument,
  platformSignalWeights,
  type SocietyDocument,
} from '../../../search/matching-settings.js';
import type { Concept } from './query.js';
import type { TrackRecord } from './track-record.js';

/** Reason texts shown to users, in one place. */
export const matchReasons = {
  matchedTerms: (terms: string[]) => `匹配：${terms.join('、')}`,
  sameRegion: (regionName: string) => `同在${regionName}`,
  disciplineFit: (discipline: string) => `学科对口：${discipline}`,
  strongMembers: (names: string[]) => `会员专家匹配：${names.join('、')}`,
  awarded: (count: number, inIndustry: number) =>
    inIndustry > 0 ? `已揭榜成功${count}项（同行业${inIndustry}项）` : `已揭榜成功${count}项`,
  solved: (count: number) => `验收通过${count}项`,
  services: (count: number) => `服务记录${count}次`,
  activeStations: (count: number) => `运行中工作站${count}个`,
  rated: (average: number, count: number) => `企业评价${average.toFixed(1)}分（${count}次）`,
  availability: {
    available: '近期可承接',
    limited: '近期较忙',
    unavailable: '暂不接受揭榜',
  } as Record<string, string>,
} as const;

/** Guizhou prefectures (GB/T 2260), for the "same region" reason. */
const PREFECTURE_NAMES: Record<string, string> = {
  '520100': '贵阳市',
  '520200': '六盘水市',
  '520300': '遵义市',
  '520400': '安顺市',
  '520500': '毕节市',
  '520600': '铜仁市',
  '522300': '黔西南州',
  '522600': '黔东南州',
  '522700': '黔南州',
};

/** The prefecture of a prefecture or county code; null for province-wide or unknown codes. */
export function prefectureOf(regionCode: string | null | undefined): string | null {
  if (!regionCode || !/^\d{6}$/.test(regionCode)) return null;
  const prefecture = `${regionCode.slice(0, 4)}00`;
  return prefecture in PREFECTURE_NAMES ? prefecture : null;
}

export interface TermStatistics {
  documents: number;
  documentFrequency: Map<string, number>;
}

/** BM25's IDF: never negative, large for rare terms, zero-ish for ubiquitous ones. */
export function inverseDocumentFrequency(stats: TermStatistics, term: string): number {
  // A count cached a while ago may exceed today's index size (documents removed since).
  const df = Math.min(stats.documentFrequency.get(term) ?? 0, stats.documents);
  return Math.log(1 + (stats.documents - df + 0.5) / (df + 0.5));
}

export interface WeightedText {
  text: string;
  weight: number;
}

export interface TermHit {
  concept: string;
  term: string;
  contribution: number;
}

export interface LexicalFit {
  score: number;
  /** Best term per matched concept, largest contribution first. */
  hits: TermHit[];
}

/**
 * A found term also present in a second field (fields and bio) is more
 * central to the candidate's work than one mentioned once in passing.
 */
const SECONDARY_FIELD_FACTOR = 0.3;

/**
 * Sum over concepts of the best (weight × IDF × field weight) among the
 * concept's terms, so ten synonyms of one idea count once.
 */
export function lexicalFit(texts: WeightedText[], concepts: Concept[], stats: TermStatistics): LexicalFit {
  const hits: TermHit[] = [];
  for (const concept of concepts) {
    let best: TermHit | undefined;
    for (const term of concept.terms) {
      const fieldWeights = texts.filter((t) => t.text.includes(term.term)).map((t) => t.weight);
      if (fieldWeights.length === 0) continue;
      fieldWeights.sort((a, b) => b - a);
      const [first = 0, ...rest] = fieldWeights;
      const placement = first + SECONDARY_FIELD_FACTOR * rest.reduce((a, b) => a + b, 0);
      const contribution = term.weight * inverseDocumentFrequency(stats, term.term) * placement;
      if (!best || contribution > best.contribution)
        best = { concept: concept.id, term: term.term, contribution };
    }
    if (best) hits.push(best);
  }
  hits.sort((a, b) => b.contribution - a.contribution);
  return { score: hits.reduce((sum, hit) => sum + hit.contribution, 0), hits };
}

/** Where a term is found in an expert profile, and how much that says. */
export function expertTexts(expert: ExpertDocument): WeightedText[] {
  return [
    { text: expert.fields.join('、'), weight: 2 },
    { text: expert.affiliation, weight: 1.2 },
    { text: expert.bio, weight: 1 },
    { text: expert.society_names.join('、'), weight: 0.6 },
  ];
}

export function societyTexts(society: SocietyDocument): WeightedText[] {
  return [
    { text: society.discipline, weight: 3 },
    { text: society.name, weight: 2 },
    { text: society.description, weight: 1 },
  ];
}

export interface Ranked<T> {
  document: T;
  score: number;
  reasons: string[];
}

export interface CandidateSignals<T> {
  document: T;
  lexical: LexicalFit;
  /** Fused retrieval score (RRF), 0 when the candidate came from elsewhere. */
  retrieval: number;
  /** Similarity of the candidate's and the challenge's domain profiles, 0..1 (used for experts). */
  domainFit: number;
}

/**
 * Tuned on the dev set, kept round. `domainGate` scales the term-based part
 * by domain fit: a term shared across fields (疫病 in plants and in pigs)
 * should not carry an expert from the wrong field into the list.
 */
const EXPERT_WEIGHTS = { lexical: 0.6, retrieval: 0.2, domain: 0.1, domainGate: 0.6, sameRegion: 0.02 };
const REASON_TERMS = 4;

/** Scale to 0..1 by the largest value, so weights mean the same for every challenge. */
function byMax(values: number[]): (value: number) => number {
  const max = Math.max(0, ...values);
  return (value) => (max > 0 ? value / max : 0);
}

function matchedTermsReason(lexical: LexicalFit): string[] {
  const terms = lexical.hits.slice(0, REASON_TERMS).map((hit) => hit.term);
  return terms.length > 0 ? [matchReasons.matchedTerms(terms)] : [];
}

function regionReason(regionCode: string, challengePrefecture: string | null): string | null {
  const prefecture = prefectureOf(regionCode);
  return prefecture && prefecture === challengePrefecture
    ? matchReasons.sameRegion(PREFECTURE_NAMES[prefecture] ?? '')
    : null;
}

export function rankExperts(
  candidates: Array<CandidateSignals<ExpertDocument>>,
  challengeRegion: string | null | undefined,
): Array<Ranked<ExpertDocument>> {
  const lexical = byMax(candidates.map((c) => c.lexical.score));
  const retrieval = byMax(candidates.map((c) => c.retrieval));
  const challengePrefecture = prefectureOf(challengeRegion);
  return candidates
    .map((c) => {
      const region = regionReason(c.document.region_code, challengePrefecture);
      const gate = 1 - EXPERT_WEIGHTS.domainGate + EXPERT_WEIGHTS.domainGate * c.domainFit;
      const score =
        (EXPERT_WEIGHTS.lexical * lexical(c.lexical.score) +
          EXPERT_WEIGHTS.retrieval * retrieval(c.retrieval)) *
          gate +
        EXPERT_WEIGHTS.domain * c.domainFit +
        (region ? EXPERT_WEIGHTS.sameRegion : 0);
      return {
        document: c.document,
        score,
        reasons: [...matchedTermsReason(c.lexical), ...(region ? [region] : [])],
      };
    })
    .sort((a, b) => b.score - a.score);
}

/** Whether a society's discipline is one the industry needs (茶学 ~ 茶学, 药学 ~ 中药学). */
export function disciplineFit(societyDiscipline: string, wanted: string[]): number {
  // A society without a discipline fits nothing ('' is a substring of every name).
  if (societyDiscipline.trim() === '') return 0;
  const index = wanted.findIndex(
    (d) => d === societyDiscipline || d.includes(societyDiscipline) || societyDiscipline.includes(d),
  );
  if (index < 0) return 0;
  // The mapping lists the main discipline first.
  return index === 0 ? 1 : 0.6;
}

const SOCIETY_WEIGHTS = { own: 0.4, discipline: 0.25, members: 0.35, sameRegion: 0.02 };
/** Member contributions decay: a society is as good as its best few experts, not its headcount. */
const MEMBER_DECAY = [1, 0.5, 0.25];

export function rankSocieties(
  candidates: Array<CandidateSignals<SocietyDocument>>,
  wantedDisciplines: string[],
  rankedExperts: Array<Ranked<ExpertDocument>>,
  challengeRegion: string | null | undefined,
): Array<Ranked<SocietyDocument>> {
  const topExpertScore = rankedExperts[0]?.score ?? 0;
  const membersBySociety = new Map<string, Array<Ranked<ExpertDocument>>>();
  for (const expert of rankedExperts) {
    for (const key of expert.document.society_keys) {
      membersBySociety.set(key, [...(membersBySociety.get(key) ?? []), expert]);
    }
  }
  const memberStrength = (key: string) =>
    (membersBySociety.get(key) ?? [])
      .slice(0, MEMBER_DECAY.length)
      .reduce(
        (sum, expert, i) =>
          sum + (MEMBER_DECAY[i] ?? 0) * (topExpertScore > 0 ? expert.score / topExpertScore : 0),
        0,
      );

  const own = byMax(candidates.map((c) => c.lexical.score));
  const members = byMax(candidates.map((c) => memberStrength(c.document.key)));
  const challengePrefecture = prefectureOf(challengeRegion);
  return candidates
    .map((c) => {
      const fit = disciplineFit(c.document.discipline, wantedDisciplines);
      const strength = members(memberStrength(c.document.key));
      const region = regionReason(c.document.region_code, challengePrefecture);
      const score =
        SOCIETY_WEIGHTS.own * own(c.lexical.score) +
        SOCIETY_WEIGHTS.discipline * fit +
        SOCIETY_WEIGHTS.members * strength +
        (region ? SOCIETY_WEIGHTS.sameRegion : 0);
      const reasons = [...matchedTermsReason(c.lexical)];
      if (fit > 0) reasons.push(matchReasons.disciplineFit(c.document.discipline));
      const strongMembers = (membersBySociety.get(c.document.key) ?? [])
        .slice(0, 3)
        .map((e) => e.document.name);
      if (strength > 0 && strongMembers.length > 0) reasons.push(matchReasons.strongMembers(strongMembers));
      if (region) reasons.push(region);
      return { document: c.document, score, reasons };
    })
    .sort((a, b) => b.score - a.score);
}

/**
 * What the platform knows of a candidate beyond the profile (track-record.ts), as ranking input:
 * the track record experts and societies share, plus what only one of them has.
 */
export interface PlatformSignals extends TrackRecord {
  /** Experts: has an account, so the availability shown was set by the expert. */
  registered?: boolean;
  /** Societies: stations (学会工作站, 专家服务站) running now. */
  activeStations?: number;
}

/** Track record in units (search/matching-settings.ts `platformSignalWeights.units`), never negative. */
export function trackRecordUnits(record: PlatformSignals): number {
  const u = platformSignalWeights.units;
  const ratingUnits =
    record.ratingAverage === null ? 0 : (u.rating * record.ratings * (record.ratingAverage - 3)) / 2;
  return Math.max(
    0,
    u.solved * record.solved +
      u.awarded * Math.max(0, record.awarded - record.solved) +
      u.awardedInIndustry * record.awardedInIndustry +
      u.service * record.services +
      u.activeStation * (record.activeStations ?? 0) +
      ratingUnits,
  );
}

function trackRecordReasons(record: PlatformSignals): string[] {
  const reasons: string[] = [];
  if (record.awarded > 0) reasons.push(matchReasons.awarded(record.awarded, record.awardedInIndustry));
  if (record.solved > 0) reasons.push(matchReasons.solved(record.solved));
  if (record.services > 0) reasons.push(matchReasons.services(record.services));
  if (record.activeStations) reasons.push(matchReasons.activeStations(record.activeStations));
  if (record.ratingAverage !== null && record.ratings > 0)
    reasons.push(matchReasons.rated(record.ratingAverage, record.ratings));
  return reasons;
}

/**
 * The final touch on a challenge's expert or society list: availability scales the score
 * (unavailable experts sink; societies have none), a track record on the platform adds a saturating
 * bonus proportional to the candidate's own relative score, and both become reasons. Availability is
 * stated only for registered experts (an imported profile's availability is a default nobody
 * confirmed). Without signals nothing moves.
 */
export function applyPlatformSignals<T>(
  ranked: Array<Ranked<T>>,
  signals: ReadonlyMap<string, PlatformSignals>,
  idOf: (document: T) => string,
  availabilityOf: (document: T) => string | undefined = () => undefined,
): Array<Ranked<T>> {
  const w = platformSignalWeights;
  const top = Math.max(0, ...ranked.map((r) => r.score));
  if (top <= 0) return ranked;
  return ranked
    .map((r) => {
      const availability = availabilityOf(r.document) ?? 'available';
      const record = signals.get(idOf(r.document));
      const units = record ? trackRecordUnits(record) : 0;
      const strength = units / (units + w.halfAtUnits);
      const relative = r.score / top;
      const score = r.score * (w.availability[availability] ?? 1) + w.trackRecord * top * strength * relative;
      const reasons = [...r.reasons];
      if (record) reasons.push(...trackRecordReasons(record));
      if (availability !== 'available' || record?.registered) {
        const said = matchReasons.availability[availability];
        if (said) reasons.push(said);
      }
      return { ...r, score, reasons };
    })
    .sort((a, b) => b.score - a.score);
}
