import { AwsClient } from 'aws4fetch';
import type { Config } from '../config/config.js';
import { assertStorageKey, type StorageAdapter, type StoredObject } from './storage.js';

export interface S3StorageOptions {
  /** e.g. https://<account>.r2.cloudflarestorage.com, http://127.0.0.1:9000 (MinIO) or https://s3.eu-west-1.amazonaws.com */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `auto` for R2; the bucket's region for AWS; anything for MinIO. */
  region: string;
  /** Injected by tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/**
 * An S3-compatible driver: AWS Signature V4 signed with `aws4fetch` (Web Crypto + fetch only), so it
 * runs unchanged on Node and Cloudflare Workers. Path-style URLs (`endpoint/bucket/key`) because R2
 * and MinIO both accept them and they need no per-bucket DNS.
 */
export function createS3Storage(options: S3StorageOptions): StorageAdapter {
  const client = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    region: options.region,
    service: 's3',
    // A failed upload is reported to the user, who retries; no hidden retry storms on 5xx.
    retries: 0,
  });
  const base = `${options.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(options.bucket)}`;
  const urlOf = (key: string) => {
    assertStorageKey(key);
    return `${base}/${key}`;
  };
  const send = async (url: string, init: RequestInit) => {
    const signed = await client.sign(url, init);
    return (options.fetch ?? fetch)(signed);
  };

  return {
    kind: 's3',
    async put(key, bytes, contentType) {
      const res = await send(urlOf(key), {
        method: 'PUT',
        body: bytes,
        headers: { 'Content-Type': contentType, 'Content-Length': String(bytes.byteLength) },
      });
      if (!res.ok) throw new Error(`S3 PUT ${key} failed: ${res.status} ${await res.text()}`);
      await res.body?.cancel();
    },
    async get(key): Promise<StoredObject | null> {
      const res = await send(urlOf(key), { method: 'GET' });
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok || !res.body) throw new Error(`S3 GET ${key} failed: ${res.status} ${await res.text()}`);
      return {
        body: res.body,
        size: Number(res.headers.get('content-length') ?? '0'),
        contentType: res.headers.get('content-type') ?? 'application/octet-stream',
      };
    },
    async delete(key) {
      const res = await send(urlOf(key), { method: 'DELETE' });
      // S3 answers 204 for absent keys too; some compatible servers answer 404.
      if (!res.ok && res.status !== 404) throw new Error(`S3 DELETE ${key} failed: ${res.status}`);
      await res.body?.cancel();
    },
  };
}

/**
 * The bucket the S3_* settings name, or undefined without S3_ENDPOINT (the config schema requires the
 * bucket and keys whenever the endpoint is set). Shared by the Node server and the Workers entry.
 */
export function s3StorageFromConfig(
  config: Pick<
    Config,
    'S3_ENDPOINT' | 'S3_BUCKET' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_REGION'
  >,
): StorageAdapter | undefined {
  if (!config.S3_ENDPOINT) return undefined;
  return createS3Storage({
    endpoint: config.S3_ENDPOINT,
    bucket: config.S3_BUCKET!,
    accessKeyId: config.S3_ACCESS_KEY_ID!,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
    region: config.S3_REGION,
  });
}
