import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Config } from '../config/config.js';
import { s3StorageFromConfig } from '../storage/s3-storage.js';
import { assertStorageKey, type StorageAdapter } from '../storage/storage.js';

/**
 * The default storage driver: files under a local directory (STORAGE_DIR, default ./.data/uploads).
 * Node-only, injected through AppDeps by the Node server. Each object is `<key>` plus `<key>.type`
 * holding its content type. Writes go to a temporary name and are renamed into place, so a reader
 * never sees half a file.
 */
export function createLocalStorage(directory: string): StorageAdapter {
  const root = path.resolve(directory);
  const fileOf = (key: string) => {
    assertStorageKey(key);
    return path.join(root, ...key.split('/'));
  };

  return {
    kind: 'local',
    async put(key, bytes, contentType) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, bytes);
      await writeFile(`${file}.type`, contentType);
      await rename(temporary, file);
    },
    async get(key) {
      const file = fileOf(key);
      try {
        const [info, contentType] = await Promise.all([stat(file), readFile(`${file}.type`, 'utf8')]);
        return {
          body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
          size: info.size,
          contentType,
        };
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      const file = fileOf(key);
      await rm(file, { force: true });
      await rm(`${file}.type`, { force: true });
    },
  };
}

/** The Node server's storage: the S3-compatible bucket when S3_ENDPOINT is set, else STORAGE_DIR. */
export function storageFromConfig(config: Config): StorageAdapter {
  return s3StorageFromConfig(config) ?? createLocalStorage(config.STORAGE_DIR);
}
