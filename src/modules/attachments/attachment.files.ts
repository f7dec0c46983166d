import { messages } from '../../web/messages.js';

/**
 * What may be uploaded, decided from the bytes as well as the name: the extension picks the expected
 * type, the first bytes must match it (a renamed .exe is refused), and the content type we store and
 * serve comes from this table, never from the client. Pure functions: runtime-neutral and testable.
 */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_OWNER = 10;
/** The multipart envelope around one file (boundaries, headers, a short file name). */
export const MAX_UPLOAD_REQUEST_BYTES = MAX_ATTACHMENT_BYTES + 64 * 1024;

type Sniff = (bytes: Uint8Array) => boolean;

const startsWith =
  (...signature: number[]): Sniff =>
  (bytes) =>
    signature.every((b, i) => bytes[i] === b);
const isZip = startsWith(0x50, 0x4b, 0x03, 0x04);
/** Office Open XML is a zip whose part names (stored uncompressed in the headers) start with the app's folder. */
const officeZip =
  (folder: string): Sniff =>
  (bytes) =>
    isZip(bytes) && includesAscii(bytes, '[Content_Types].xml') && includesAscii(bytes, folder);
const isOle = startsWith(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);
const isText: Sniff = (bytes) => !bytes.includes(0) && decodesAsUtf8(bytes);

export const attachmentTypes = {
  pdf: { contentType: 'application/pdf', sniff: startsWith(0x25, 0x50, 0x44, 0x46, 0x2d) },
  png: { contentType: 'image/png', sniff: startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) },
  jpg: { contentType: 'image/jpeg', sniff: startsWith(0xff, 0xd8, 0xff) },
  jpeg: { contentType: 'image/jpeg', sniff: startsWith(0xff, 0xd8, 0xff) },
  docx: {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    sniff: officeZip('word/'),
  },
  xlsx: {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    sniff: officeZip('xl/'),
  },
  pptx: {
    contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    sniff: officeZip('ppt/'),
  },
  doc: { contentType: 'application/msword', sniff: isOle },
  xls: { contentType: 'application/vnd.ms-excel', sniff: isOle },
  txt: { contentType: 'text/plain; charset=utf-8', sniff: isText },
  csv: { contentType: 'text/csv; charset=utf-8', sniff: isText },
} as const satisfies Record<string, { contentType: string; sniff: Sniff }>;

export type AttachmentExtension = keyof typeof attachmentTypes;
export const allowedExtensions = Object.keys(attachmentTypes) as AttachmentExtension[];

/** Windows PE, ELF, Mach-O (both byte orders, fat), Java class/Mach-O fat, shell scripts. */
const executableSignatures: Sniff[] = [
  startsWith(0x4d, 0x5a),
  startsWith(0x7f, 0x45, 0x4c, 0x46),
  startsWith(0xfe, 0xed, 0xfa, 0xce),
  startsWith(0xfe, 0xed, 0xfa, 0xcf),
  startsWith(0xce, 0xfa, 0xed, 0xfe),
  startsWith(0xcf, 0xfa, 0xed, 0xfe),
  startsWith(0xca, 0xfe, 0xba, 0xbe),
  startsWith(0x23, 0x21),
];

export type FileVerdict =
  | { ok: true; fileName: string; extension: AttachmentExtension; contentType: string }
  | {
      ok: false;
      code: 'ATTACHMENT_TOO_LARGE' | 'ATTACHMENT_TYPE_NOT_ALLOWED' | 'VALIDATION_FAILED';
      reason: string;
    };

/** Checks one uploaded file: not empty, not too large, an allowed extension whose bytes match it. */
export function checkAttachmentFile(rawName: string, bytes: Uint8Array): FileVerdict {
  const m = messages.attachments.refused;
  if (bytes.byteLength === 0) return { ok: false, code: 'VALIDATION_FAILED', reason: m.empty };
  if (bytes.byteLength > MAX_ATTACHMENT_BYTES)
    return { ok: false, code: 'ATTACHMENT_TOO_LARGE', reason: m.tooLarge(MAX_ATTACHMENT_BYTES) };
  const fileName = sanitiseFileName(rawName);
  if (fileName === null) return { ok: false, code: 'VALIDATION_FAILED', reason: m.badName };
  const extension = extensionOf(fileName);
  if (executableSignatures.some((sniff) => sniff(bytes)))
    return { ok: false, code: 'ATTACHMENT_TYPE_NOT_ALLOWED', reason: m.executable };
  if (extension === null)
    return { ok: false, code: 'ATTACHMENT_TYPE_NOT_ALLOWED', reason: m.extension(allowedExtensions) };
  const type = attachmentTypes[extension];
  if (!type.sniff(bytes))
    return { ok: false, code: 'ATTACHMENT_TYPE_NOT_ALLOWED', reason: m.mismatch(extension) };
  return { ok: true, fileName, extension, contentType: type.contentType };
}

function extensionOf(fileName: string): AttachmentExtension | null {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return null;
  const extension = fileName.slice(dot + 1).toLowerCase();
  return Object.hasOwn(attachmentTypes, extension) ? (extension as AttachmentExtension) : null;
}

/**
 * A file name safe to store and to show: the last path segment only (browsers on Windows send
 * `C:\…\name`), NFC-normalised, without control characters or `\ / : * ? " < > |`, trimmed of dots
 * and spaces, at most 120 characters keeping the extension. Chinese and other letters are kept.
 * Returns null when nothing usable is left.
 */
export function sanitiseFileName(raw: string): string | null {
  const lastSegment = raw.split(/[\\/]/).pop() ?? '';
  let name = lastSegment
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[:*?"<>|]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (name === '') return null;
  const chars = [...name];
  if (chars.length > 120) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 ? name.slice(dot) : '';
    name = chars.slice(0, 120 - [...extension].length).join('') + extension;
  }
  return name;
}

/**
 * `attachment` with an ASCII fallback name and the exact UTF-8 name in `filename*` (RFC 6266 /
 * RFC 5987), so Chinese names arrive intact in every current browser.
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function includesAscii(bytes: Uint8Array, text: string): boolean {
  const needle = new TextEncoder().encode(text);
  const first = needle[0];
  outer: for (
    let i = bytes.indexOf(first!);
    i !== -1 && i <= bytes.length - needle.length;
    i = bytes.indexOf(first!, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function decodesAsUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
