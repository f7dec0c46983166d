/**
 * Normalises what a user typed before it reaches Meilisearch: full-width to half-width, punctuation
 * to spaces, whitespace collapsed, length capped (Meilisearch reads only the first 10 words anyway).
 */
export function normaliseQuery(raw: string, maxLength = 100): string {
  return raw
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}\p{C}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxLength);
}
