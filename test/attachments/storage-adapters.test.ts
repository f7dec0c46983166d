import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalStorage } from '../../src/node/local-storage.js';
import { createS3Storage } from '../../src/storage/s3-storage.js';
import type { StorageAdapter } from '../../src/storage/storage.js';

/**
 * Both drivers against the real thing: the local driver on a temporary directory, the S3 driver
 * against s3rver (an S3-protocol server that checks AWS Signature V4) started here.
 */
const dirs: string[] = [];
let s3server: S3rver;
let s3: StorageAdapter;
let s3Endpoint: string;

beforeAll(async () => {
  const s3dir = await mkdtemp(path.join(tmpdir(), 'jiebang-s3rver-'));
  dirs.push(s3dir);
  // Port 0: the OS assigns a port to the listening socket itself. (A port found free beforehand could
  // be taken by another process before s3rver binds it.)
  s3server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: s3dir,
    configureBuckets: [{ name: 'jiebang-attachments', configs: [] }],
  });
  const { port } = await s3server.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
  s3 = createS3Storage({
    endpoint: s3Endpoint,
    bucket: 'jiebang-attachments',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
  });
});
afterAll(async () => {
  await s3server?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const key = (n: number) =>
  `challenge/0b8f6c1e-3a53-4f0f-9d0e-0a8f1c1d2e3f/00000000-0000-4000-8000-00000000000${n}`;
const pdf = () => new TextEncoder().encode('%PDF-1.7\n贵州辣椒烘干工艺说明\n%%EOF\n');

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function localStorage() {
  const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-uploads-'));
  dirs.push(dir);
  return { dir, storage: createLocalStorage(dir) };
}

describe.each([
  ['local directory', async () => (await localStorage()).storage],
  ['S3-compatible (s3rver)', async () => s3],
])('%s driver', (_name, make) => {
  test('put then get returns the same bytes and content type; delete makes it absent', async () => {
    const storage = await make();
    const bytes = pdf();
    await storage.put(key(1), bytes, 'application/pdf');
    const object = await storage.get(key(1));
    expect(object).not.toBeNull();
    expect(object!.contentType).toBe('application/pdf');
    expect(object!.size).toBe(bytes.byteLength);
    expect(await readAll(object!.body)).toEqual(bytes);
    await storage.delete(key(1));
    expect(await storage.get(key(1))).toBeNull();
  });

  test('an absent key reads as null and deletes without error', async () => {
    const storage = await make();
    expect(await storage.get(key(2))).toBeNull();
    await expect(storage.delete(key(2))).resolves.toBeUndefined();
  });

  test('keys not made by the platform are refused before any I/O (no path traversal)', async () => {
    const storage = await make();
    await expect(storage.put('../../etc/passwd', pdf(), 'text/plain')).rejects.toThrow(/invalid storage key/);
    await expect(storage.get('challenge/../../x')).rejects.toThrow(/invalid storage key/);
  });
});

test('the local driver keeps files under its directory by key, with no temporary files left', async () => {
  const { dir, storage } = await localStorage();
  await storage.put(key(3), pdf(), 'application/pdf');
  const files = await readdir(path.join(dir, 'challenge', '0b8f6c1e-3a53-4f0f-9d0e-0a8f1c1d2e3f'));
  expect(files.sort()).toEqual(
    ['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000003.type'].sort(),
  );
});

// s3rver checks the access key but not the V4 signature itself (its docs say so), so the signature's
// shape is checked here and its correctness rests on aws4fetch's own test suite.
test('the S3 driver sends AWS Signature V4 requests; an unknown access key is refused by the server', async () => {
  const seen: string[] = [];
  const recording = createS3Storage({
    endpoint: s3Endpoint,
    bucket: 'jiebang-attachments',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    fetch: (input, init) => {
      seen.push((input as Request).headers.get('authorization') ?? '');
      return fetch(input, init);
    },
  });
  await recording.put(key(4), pdf(), 'application/pdf');
  expect(seen[0]).toMatch(
    /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
  );
  const unknown = createS3Storage({
    endpoint: s3Endpoint,
    bucket: 'jiebang-attachments',
    accessKeyId: 'NOT-A-KEY',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
  });
  await expect(unknown.put(key(5), pdf(), 'application/pdf')).rejects.toThrow(/S3 PUT .* failed: 403/);
});
