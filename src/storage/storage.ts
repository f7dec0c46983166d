/**
 * Where attachment bytes live. The database holds what a file is (name, type, size, sha256, owner);
 * a storage adapter holds only the bytes, by an opaque key the platform chose (never a user's file
 * name). Drivers: a local directory (Node, `src/node/local-storage.ts`) and any S3-compatible service
 * (`./s3-storage.ts`: AWS S3, Cloudflare R2, MinIO), chosen by the entry point and passed in AppDeps.
 *
 * @example
 *   await storage.put('challenge/…/…', bytes, 'application/pdf');
 *   const object = await storage.get('challenge/…/…'); // null when absent
 */
export interface StoredObject {
  body: ReadableStream<Uint8Array>;
  size: number;
  contentType: string;
}

export interface StorageAdapter {
  /** Human-readable driver name for logs and /readyz-style reports. */
  readonly kind: 'local' | 's3';
  put(key: string, bytes: Uint8Array<ArrayBuffer>, contentType: string): Promise<void>;
  get(key: string): Promise<StoredObject | null>;
  /** Deleting an absent key is not an error (retries and races are harmless). */
  delete(key: string): Promise<void>;
}

/**
 * Keys are made by the platform (`<owner kind>/<owner id>/<attachment id>`); anything else is refused
 * so that no driver ever sees `..`, absolute paths or odd characters.
 */
const keyPattern = /^[a-z_]+(\/[0-9a-f-]{36}){2}$/;

export function assertStorageKey(key: string): void {
  if (!keyPattern.test(key)) throw new Error(`invalid storage key: ${key}`);
}
