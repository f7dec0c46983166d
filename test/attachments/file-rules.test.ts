import { expect, test } from 'vitest';
import {
  checkAttachmentFile,
  contentDisposition,
  sanitiseFileName,
} from '../../src/modules/attachments/attachment.files.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => new TextEncoder().encode(s);
const ole = () => bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0);

test.each([
  ['照片.JPG', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), 'image/jpeg'],
  ['旧合同.doc', ole(), 'application/msword'],
  ['旧报表.xls', ole(), 'application/vnd.ms-excel'],
  [
    '汇报.pptx',
    ascii('PK\u0003\u0004[Content_Types].xml ppt/presentation.xml'),
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ],
  ['说明.txt', ascii('烘干温度 55℃\n'), 'text/plain; charset=utf-8'],
])('%s is accepted as %s', (name, content, contentType) => {
  expect(checkAttachmentFile(name, content)).toMatchObject({ ok: true, contentType });
});

test.each([
  ['a Mach-O binary named .txt', '工具.txt', bytes(0xcf, 0xfa, 0xed, 0xfe, 1, 2)],
  ['an ELF binary named .csv', '数据.csv', bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1)],
  ['a shell script named .txt', 'run.txt', ascii('#!/bin/sh\nrm -rf /\n')],
  ['a text file with NUL bytes', '日志.txt', bytes(0x61, 0, 0x62)],
  ['an OLE file named .pdf', '表.pdf', ole()],
])('%s is refused', (_label, name, content) => {
  expect(checkAttachmentFile(name, content)).toMatchObject({
    ok: false,
    code: 'ATTACHMENT_TYPE_NOT_ALLOWED',
  });
});

test('file names: last path segment, no reserved or control characters, Chinese kept, length capped with extension', () => {
  expect(sanitiseFileName('/tmp/../报告.pdf')).toBe('报告.pdf');
  expect(sanitiseFileName('  ..隐藏.pdf. ')).toBe('隐藏.pdf');
  expect(sanitiseFileName('\u202eexe.pdf')).toBe('exe.pdf');
  expect(sanitiseFileName('...')).toBeNull();
  const long = sanitiseFileName(`${'辣'.repeat(300)}.xlsx`)!;
  expect([...long]).toHaveLength(120);
  expect(long.endsWith('.xlsx')).toBe(true);
});

test('Content-Disposition: attachment with an ASCII fallback and the exact UTF-8 name (RFC 5987)', () => {
  expect(contentDisposition('方案 "终稿"(v2).pdf')).toBe(
    `attachment; filename="__ ____(v2).pdf"; filename*=UTF-8''%E6%96%B9%E6%A1%88%20%22%E7%BB%88%E7%A8%BF%22%28v2%29.pdf`,
  );
});
