/**
 * `npm run build`: bundles `src/server.ts` into `dist/server.mjs` (dependencies stay in
 * node_modules), which `npm run start:prod` runs on plain Node. Under tsx (`npm start`) the loader
 * thread and per-module source maps cost ~50 MiB of resident memory that a production server need not
 * pay. `import.meta.url` is pinned to src/server.ts, so every path the server resolves from its own
 * location (search/ data, swagger-ui, the Meilisearch binary) still holds: build in the checkout the
 * server runs from. esbuild is the one tsx already installs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function buildServerBundle(outfile = path.resolve(root, 'dist/server.mjs')): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.resolve(root, 'src/server.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(path.resolve(root, 'src/server.ts')).href) },
    logLevel: 'warning',
  });
  return outfile;
}

/** The Node flags `npm run start:prod` gives the server (package.json is their one home). */
export function productionNodeFlags(): string[] {
  const scripts = JSON.parse(readFileSync(path.resolve(root, 'package.json'), 'utf8')).scripts as Record<
    string,
    string
  >;
  return (scripts['start:prod'] ?? '').split(/\s+/).filter((word) => word.startsWith('--'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`built ${path.relative(root, await buildServerBundle())}`);
}
