import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/node/free-port.js';

/**
 * `npm start` as a new user runs it: embedded PostgreSQL and Meilisearch under DATA_DIR, demo data
 * on first start, the same data (no re-seed) on the second, a clean stop on SIGTERM.
 */
const dataDir = await mkdtemp(path.join(tmpdir(), 'jiebang-start-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function startServer(env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const base = `http://127.0.0.1:${port}`;
  // A deadline rather than 200 polls (~20 s): the first start creates a PostgreSQL cluster, migrates
  // and seeds the demo content, ~12 s on an idle machine, and a CI machine running the rest of the
  // suite beside it can take twice that.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${base}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { child, base, output: () => output };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${output}`);
}

async function stopServer(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** The embedded PostgreSQL and Meilisearch processes the server started (its direct children). */
const serviceChildPids = (pid: number) => {
  try {
    return execFileSync('pgrep', ['-P', String(pid), '-f', 'postgres|meilisearch'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
};

describe('npm start', () => {
  it('serves seeded demo challenges with embedded services, reuses the data on a second start, and stops cleanly', async () => {
    const first = await startServer();
    const home = await (await fetch(`${first.base}/`)).text();
    expect(home).toContain('揭榜 · Jiebang');
    const list = (await (await fetch(`${first.base}/api/v1/challenges?per_page=100`)).json()) as {
      pagination: { total: number };
    };
    expect(list.pagination.total).toBeGreaterThan(20);
    expect(first.output()).toContain('demo content seeded');
    // API docs load swagger-ui from the npm copy, so they work without internet access.
    const docs = await (await fetch(`${first.base}/api/docs`)).text();
    expect(docs).toContain('/vendor/swagger-ui-dist/swagger-ui-bundle.js');
    const bundle = await fetch(`${first.base}/vendor/swagger-ui-dist/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
    expect(first.output()).toContain('meilisearch 1.21.0');
    // The master key was generated and kept under DATA_DIR, readable by the owner only.
    expect(existsSync(path.join(dataDir, 'meili', 'master.key'))).toBe(true);
    // Search reaches the outbox-fed index within a few seconds; the deadline (not 50 polls, ~5 s)
    // leaves room for a loaded machine, where the engine indexes the demo content more slowly.
    let hits = 0;
    for (const searchDeadline = Date.now() + 30_000; hits === 0 && Date.now() < searchDeadline; ) {
      const r = (await (
        await fetch(`${first.base}/api/v1/search/challenges?q=${encodeURIComponent('辣椒')}`)
      ).json()) as { pagination: { total: number } };
      hits = r.pagination.total;
      if (hits === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(hits).toBeGreaterThan(0);
    const children = serviceChildPids(first.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(2);
    expect(await stopServer(first.child)).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    const alive = children.filter((pid) => {
      try {
        process.kill(Number(pid), 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(
      alive.map((pid) => execFileSync('ps', ['-o', 'pid,stat,args', '-p', pid], { encoding: 'utf8' })),
    ).toEqual([]);

    const second = await startServer();
    expect(second.output()).not.toContain('demo content seeded');
    const again = (await (await fetch(`${second.base}/api/v1/challenges?per_page=100`)).json()) as {
      pagination: { total: number };
    };
    expect(again.pagination.total).toBe(list.pagination.total);
    expect(await stopServer(second.child)).toBe(0);
  }, 240_000);

  it('refuses to start with a bad variable, naming it', async () => {
    const result = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: 'abc', MEILI_URL: 'nope', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    result.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise((resolve) => result.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('MEILI_URL');
  }, 30_000);
});
