/**
 * Node-only loader for the matcher's data files. Kept apart from the pure
 * matching code so a Workers build can bundle the same data another way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { JiebaDictionaries } from './keywords.js';
import type { IndustryDisciplines, MatchingLexicon } from './lexicon.js';

interface SynonymFile {
  /** Files without a domain (e.g. the site search's synonyms) are not the matcher's. */
  domain?: string;
  groups?: string[][];
  broader?: Record<string, string[]>;
  phrases?: Record<string, string[]>;
}

/** Lines of a word list, without blanks and `#` comments. */
function readWordList(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
}

function filesIn(dir: string, extension: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(extension))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Reads every vocabulary list, synonym file, the stopword list and the
 * industry → discipline table under `<repoRoot>/search`.
 *
 * @example
 * const matcher = createMatcher(loadMatchingResources(process.cwd()));
 */
export function loadMatchingResources(repoRoot: string): MatchingLexicon {
  const searchDir = join(repoRoot, 'search');
  const lexicon: MatchingLexicon = {
    vocabulary: filesIn(join(searchDir, 'vocabulary'), '.txt').flatMap(readWordList),
    stopwords: readWordList(join(searchDir, 'stopwords.txt')),
    domains: [],
    industryDisciplines: JSON.parse(
      readFileSync(join(searchDir, 'industry-disciplines.json'), 'utf8'),
    ) as IndustryDisciplines[],
    jiebaDictionaries: readJiebaDictionaries,
  };
  for (const path of filesIn(join(searchDir, 'synonyms'), '.json')) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as SynonymFile;
    if (!file.domain) continue;
    lexicon.domains.push({
      name: basename(path, '.json'),
      groups: file.groups ?? [],
      broader: file.broader ?? {},
      phrases: file.phrases ?? {},
    });
  }
  return lexicon;
}

/** The dictionaries @node-rs/jieba ships, read from its package folder (not through its dict.js, which keeps them). */
export function readJiebaDictionaries(): JiebaDictionaries {
  const folder = dirname(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.js'));
  return { dict: readFileSync(join(folder, 'dict.txt')), idf: readFileSync(join(folder, 'idf.txt')) };
}
