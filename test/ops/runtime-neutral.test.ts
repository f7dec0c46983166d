import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The request-serving code must run on Cloudflare Workers too: everything reachable from the app
 * and the Workers entry imports no Node built-in and never touches `process`.
 */
function reachableFiles(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    )) {
      const specifier = match[1] ?? match[2]!;
      if (!specifier.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '');
      const resolved = ['.ts', '.tsx', '/index.ts']
        .map((ext) => base + ext)
        .find((candidate) => existsSync(candidate));
      if (resolved) visit(resolved);
    }
  };
  visit(path.resolve(entry));
  return seen;
}

const nodeBuiltins = new Set(builtinModules);

describe('runtime-neutral request path', () => {
  for (const entry of ['src/app.tsx', 'src/worker.ts']) {
    it(`${entry} reaches no node: import, Node built-in or process`, () => {
      const offenders: string[] = [];
      for (const file of reachableFiles(entry)) {
        const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        for (const match of source.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
          const specifier = match[1]!;
          if (specifier.startsWith('node:') || nodeBuiltins.has(specifier))
            offenders.push(`${path.relative('.', file)} imports ${specifier}`);
        }
        if (/\bprocess\.(env|exit|on|argv|cwd)\b/.test(source))
          offenders.push(`${path.relative('.', file)} uses process`);
        if (
          file.includes(`${path.sep}src${path.sep}node${path.sep}`) ||
          file.includes(`${path.sep}src${path.sep}cli${path.sep}`)
        )
          offenders.push(`${path.relative('.', file)} is Node-only`);
      }
      expect(offenders).toEqual([]);
    });
  }
});
