/**
 * jieba's IDF table (~270,000 words) as three flat arrays sorted by word, read by binary search.
 * @node-rs/jieba's TfIdf keeps the same table as a native hash map of ~21 MiB for the life of the
 * server; this holds it in ~6 MiB outside the JS heap (the words' UTF-8 bytes, where each starts,
 * their weights), and builds it from the file's bytes without a JS string per word, so loading it
 * does not grow the heap either.
 */
export interface IdfTable {
  /** The word's IDF, or undefined when the table does not know it. */
  get(word: string): number | undefined;
  readonly size: number;
  /** The median IDF, picked as jieba-rs picks it (the lower middle of an even count). */
  readonly median: number;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const RETURN = 0x0d;

/**
 * Reads `word idf` lines (jieba's idf.txt format). Lines without a number are skipped; a repeated
 * word keeps its last value, as jieba-rs's map did.
 *
 * @example
 * const table = createIdfTable(new TextEncoder().encode('生化学 13.9\n光化学 8.1\n'));
 * table.get('生化学'); // 13.9
 */
export function createIdfTable(bytes: Uint8Array): IdfTable {
  const { words, offsets, weights } = sortedEntries(bytes);
  const size = weights.length;
  const encoder = new TextEncoder();
  let scratch = new Uint8Array(64);

  /** Compares the UTF-8 key (scratch[0, length)) with the i-th word: byte order is code point order. */
  const compareAt = (length: number, i: number): number => {
    const start = offsets[i]!;
    const wordLength = offsets[i + 1]! - start;
    const n = Math.min(length, wordLength);
    for (let k = 0; k < n; k++) {
      const difference = scratch[k]! - words[start + k]!;
      if (difference !== 0) return difference;
    }
    return length - wordLength;
  };

  return {
    size,
    median: medianAsJiebaRs(weights),
    get(word) {
      if (scratch.length < word.length * 3) scratch = new Uint8Array(word.length * 3);
      const length = encoder.encodeInto(word, scratch).written;
      let low = 0;
      let high = size - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const order = compareAt(length, middle);
        if (order === 0) return weights[middle];
        if (order < 0) high = middle - 1;
        else low = middle + 1;
      }
      return undefined;
    },
  };
}

/** The file's entries sorted by word bytes, one per word, packed into typed arrays. */
function sortedEntries(bytes: Uint8Array): {
  words: Uint8Array;
  offsets: Uint32Array;
  weights: Float64Array;
} {
  // Pass 1: where each entry's word lies in the file, and its weight. Typed arrays, sized by the
  // line count, so that none of this is JS heap.
  let lines = 1;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) lines++;
  const starts = new Uint32Array(lines);
  const ends = new Uint32Array(lines);
  const values = new Float64Array(lines);
  let count = 0;
  for (let line = 0; line < bytes.length; ) {
    let next = bytes.indexOf(NEWLINE, line);
    if (next === -1) next = bytes.length;
    let start = line;
    while (start < next && isBlank(bytes[start]!)) start++;
    let end = start;
    while (end < next && !isBlank(bytes[end]!)) end++;
    let numberStart = end;
    while (numberStart < next && isBlank(bytes[numberStart]!)) numberStart++;
    let numberEnd = numberStart;
    while (numberEnd < next && !isBlank(bytes[numberEnd]!)) numberEnd++;
    // The number is ASCII; a short-lived string of it parses exactly as Rust's f64 parse does.
    const value = numberEnd > numberStart ? Number(latin1(bytes, numberStart, numberEnd)) : Number.NaN;
    if (end > start && !Number.isNaN(value)) {
      starts[count] = start;
      ends[count] = end;
      values[count] = value;
      count++;
    }
    line = next + 1;
  }

  // Pass 2: sort by word bytes (ties by file order, so the last of a repeated word can win).
  const order = Uint32Array.from({ length: count }, (_, i) => i).sort((a, b) => {
    const difference = compareBytes(bytes, starts[a]!, ends[a]!, starts[b]!, ends[b]!);
    return difference !== 0 ? difference : a - b;
  });
  const kept = new Uint32Array(count);
  let keptCount = 0;
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    const next = order[k + 1];
    const repeatedLater =
      next !== undefined && compareBytes(bytes, starts[i]!, ends[i]!, starts[next]!, ends[next]!) === 0;
    if (!repeatedLater) kept[keptCount++] = i;
  }

  // Pass 3: pack.
  const offsets = new Uint32Array(keptCount + 1);
  const weights = new Float64Array(keptCount);
  let length = 0;
  for (let k = 0; k < keptCount; k++) {
    const i = kept[k]!;
    offsets[k] = length;
    length += ends[i]! - starts[i]!;
    weights[k] = values[i]!;
  }
  offsets[keptCount] = length;
  const words = new Uint8Array(length);
  for (let k = 0; k < keptCount; k++) {
    const i = kept[k]!;
    words.set(bytes.subarray(starts[i]!, ends[i]!), offsets[k]!);
  }
  return { words, offsets, weights };
}

function isBlank(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === RETURN;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

function compareBytes(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let k = 0; k < n; k++) {
    const difference = bytes[aStart + k]! - bytes[bStart + k]!;
    if (difference !== 0) return difference;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/** jieba-rs pops the larger half off a max-heap and takes the next one: the lower middle of an even count. */
export function medianAsJiebaRs(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length - 1 - Math.floor(sorted.length / 2)]!;
}
