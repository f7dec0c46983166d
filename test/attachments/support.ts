import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.js';
import { createLocalStorage } from '../../src/node/local-storage.js';
import type { TestContext } from '../support/test-context.js';

/** The test context's app, built again with a local storage directory of its own. */
export async function appWithStorage(ctx: TestContext) {
  const dir = await mkdtemp(path.join(tmpdir(), 'jiebang-attachments-'));
  const storage = createLocalStorage(dir);
  const app = createApp({ ...ctx.deps, storage });
  return {
    app,
    dir,
    storage,
    /** Every stored object (data files only, not their `.type` sidecars). */
    async storedFiles(): Promise<string[]> {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile() && !e.name.endsWith('.type')).map((e) => e.name);
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

const encoder = new TextEncoder();

/** Small but real files of each kind, as a browser would send them. */
export const files = {
  pdf: () => encoder.encode('%PDF-1.7\n1 0 obj <<>> endobj\n% 线椒烘干现状说明\n%%EOF\n'),
  png: () =>
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  exe: () => new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]),
  csv: () => encoder.encode('批次,色价\n2026-01,12.5\n'),
  docx: () =>
    encoder.encode(
      'PK\u0003\u0004\u0014\u0000\u0000\u0000[Content_Types].xmlPK\u0003\u0004word/document.xml',
    ),
};

/** POST one file as multipart/form-data, like the upload form and API clients do. */
export function uploadRequest(name: string, bytes: Uint8Array, cookie?: string): RequestInit {
  const form = new FormData();
  form.set('file', new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'application/octet-stream' }));
  return {
    method: 'POST',
    headers: { Origin: 'http://localhost', ...(cookie ? { Cookie: cookie } : {}) },
    body: form,
  };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Buffer.from(digest).toString('hex');
}
