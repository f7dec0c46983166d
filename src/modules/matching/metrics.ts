/**
 * Ranking metrics for labelled matching sets (../shared/matching/README.md). Used by the
 * benchmark only: qrels never reach the matcher.
 */

/** nDCG@k with gain = grade and discount log2(rank + 1), ideal from the qrels. */
export function ndcgAt(k: number, ranked: string[], grades: Record<string, number>): number {
  const dcg = ranked.slice(0, k).reduce((sum, key, i) => sum + (grades[key] ?? 0) / Math.log2(i + 2), 0);
  const ideal = Object.values(grades)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, grade, i) => sum + grade / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Grade-2 items in the top k divided by min(number of grade-2 items, k). */
export function recallAt(k: number, ranked: string[], grades: Record<string, number>): number {
  const exact = Object.keys(grades).filter((key) => grades[key] === 2);
  if (exact.length === 0) return 0;
  const found = ranked.slice(0, k).filter((key) => grades[key] === 2).length;
  return found / Math.min(exact.length, k);
}

export const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export type Qrels = Record<string, { experts?: Record<string, number>; societies?: Record<string, number> }>;

export interface Scores {
  ndcg: number;
  recall: number;
}

/** Mean nDCG@10 and recall@10 over the challenges that have rankings. */
export function scoreRankings(
  rankings: Map<string, string[]>,
  qrels: Qrels,
  side: 'experts' | 'societies',
  k = 10,
): Scores {
  const ndcg: number[] = [];
  const recall: number[] = [];
  for (const [challengeKey, ranked] of rankings) {
    const grades = qrels[challengeKey]?.[side] ?? {};
    ndcg.push(ndcgAt(k, ranked, grades));
    recall.push(recallAt(k, ranked, grades));
  }
  return { ndcg: mean(ndcg), recall: mean(recall) };
}
