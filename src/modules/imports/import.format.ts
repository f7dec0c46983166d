import { z } from 'zod';
import { messages } from '../../web/messages.js';

/**
 * The interchange format (../shared/matching/README.md) as the platform reads it, from JSON or
 * from spreadsheet rows with Chinese headers. One definition per entity: the JSON field, the
 * spreadsheet header (and accepted aliases), and the zod schema for one value. Templates, the
 * parser and the error report all read these, so a header named in an error is the one in the
 * template.
 */
export const importEntities = ['societies', 'experts', 'challenges', 'enterprises'] as const;
export type ImportEntity = (typeof importEntities)[number];

const mi = messages.imports;

/** Stands for a spreadsheet cell holding a formula; validation reports it at its row and column. */
export const FORMULA_CELL: unique symbol = Symbol('formula');

/** A cell longer than this is refused outright (hostile or broken files), whatever the column. */
export const MAX_CELL_CHARS = 5000;

/** C0 control characters other than tab and line breaks (NUL included): never in a real cell. */
const noControl = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return false;
  }
  return true;
};

/** Text cell: trimmed, control characters refused, length bounded. Empty → undefined. */
function text(max: number) {
  return z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() || undefined : v),
    z
      .string({ error: (issue) => (issue.input === undefined ? mi.required : mi.notText) })
      .max(max, mi.tooLong(max))
      .refine(noControl, mi.controlChars),
  );
}

/** List cell: a JSON array, or one string split on 、；;，,| and line breaks. */
function list(maxItems: number, maxItem: number) {
  return z.preprocess(
    (v) => {
      if (v === undefined || v === null || v === '') return [];
      if (typeof v === 'string')
        return v
          .split(/[、；;，,|\n]/)
          .map((s) => s.trim())
          .filter(Boolean);
      if (Array.isArray(v))
        return v.map((s) => (typeof s === 'string' ? s.trim() : s)).filter((s) => s !== '');
      return v;
    },
    z
      .array(
        z
          .string({ error: mi.notText })
          .max(maxItem, mi.itemTooLong(maxItem))
          .refine(noControl, mi.controlChars),
        {
          error: mi.notList,
        },
      )
      .max(maxItems, mi.tooManyItems(maxItems)),
  );
}

const key = text(100).refine((s) => /^[^\s]+$/.test(s), mi.keyFormat);
const regionCode = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() || undefined : v),
  z.string({ error: mi.notText }).max(20, mi.tooLong(20)),
);
const money = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v.trim().replace(/万元?$/, ''))) : v),
  z.number({ error: mi.notNumber }).min(0, mi.notNegative).max(1_000_000, mi.tooBig(1_000_000)),
);
const isoDate = z.preprocess(
  (v) =>
    v instanceof Date
      ? v.toISOString().slice(0, 10)
      : typeof v === 'string'
        ? v.trim().replaceAll('/', '-')
        : v,
  z
    .string({ error: mi.notDate })
    .regex(/^\d{4}-\d{1,2}-\d{1,2}$/, mi.notDate)
    .transform((s) =>
      s
        .split('-')
        .map((p, i) => (i === 0 ? p : p.padStart(2, '0')))
        .join('-'),
    )
    .refine(
      (s) =>
        !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
      mi.notDate,
    ),
);
const yesNo = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? ['是', 'true', '1', 'yes', 'y', '同意'].includes(v.trim().toLowerCase())
      : (v ?? false),
  z.boolean({ error: mi.notYesNo }),
);

export interface ColumnDefinition {
  /** JSON field of the interchange format. */
  field: string;
  /** Spreadsheet header (Chinese), also used in error reports. */
  header: string;
  /** Other headers accepted for this column. */
  aliases?: string[];
  required?: boolean;
  schema: z.ZodType;
  /** One line for the template's notes. */
  hint?: string;
}

export const columns: Record<ImportEntity, ColumnDefinition[]> = {
  societies: [
    {
      field: 'key',
      header: '编号',
      aliases: ['学会编号'],
      required: true,
      schema: key,
      hint: '来源系统中的唯一编号；再次导入按编号更新',
    },
    { field: 'name', header: '学会名称', aliases: ['名称'], required: true, schema: text(100) },
    { field: 'discipline', header: '学科', aliases: ['主要学科'], schema: text(50) },
    { field: 'description', header: '简介', aliases: ['学会简介'], schema: text(MAX_CELL_CHARS) },
    {
      field: 'region_code',
      header: '地区',
      aliases: ['地区代码'],
      schema: regionCode,
      hint: 'GB/T 2260 代码或名称，如 520000、遵义市',
    },
  ],
  experts: [
    {
      field: 'key',
      header: '编号',
      aliases: ['专家编号'],
      required: true,
      schema: key,
      hint: '来源系统中的唯一编号；再次导入按编号更新',
    },
    { field: 'name', header: '姓名', required: true, schema: text(50) },
    { field: 'title', header: '职称', schema: text(30), hint: '如 教授、研究员、高级工程师' },
    { field: 'affiliation', header: '工作单位', aliases: ['单位'], schema: text(100) },
    {
      field: 'region_code',
      header: '地区',
      aliases: ['地区代码'],
      schema: regionCode,
      hint: 'GB/T 2260 代码或名称',
    },
    {
      field: 'society_keys',
      header: '所属学会编号',
      aliases: ['学会编号'],
      schema: list(20, 100),
      hint: '多个用、或 ; 分隔',
    },
    {
      field: 'fields',
      header: '研究领域',
      aliases: ['研究方向', '专业领域'],
      schema: list(30, 50),
      hint: '多个用、或 ; 分隔',
    },
    { field: 'bio', header: '个人简介', aliases: ['简介'], schema: text(MAX_CELL_CHARS) },
    { field: 'discipline', header: '学科', schema: text(50) },
    {
      field: 'contact_phone',
      header: '联系电话',
      aliases: ['电话', '手机'],
      schema: text(20).refine((s) => /^\+?[0-9 -]{5,20}$/.test(s), mi.badPhone),
      hint: '不公开；仅在专家同意后向已认证企业显示',
    },
    {
      field: 'contact_email',
      header: '电子邮箱',
      aliases: ['邮箱'],
      schema: text(254).refine((s) => /^[^@\s]+@[^@\s]+$/.test(s), mi.badEmail),
    },
    { field: 'contact_consent', header: '同意公开联系方式', schema: yesNo, hint: '是 / 否' },
  ],
  challenges: [
    { field: 'key', header: '编号', aliases: ['榜单编号'], required: true, schema: key },
    {
      field: 'title',
      header: '榜单标题',
      aliases: ['标题', '难题名称'],
      required: true,
      schema: text(100).refine((s) => s.length >= 4, mi.tooShort(4)),
    },
    { field: 'description', header: '难题描述', aliases: ['描述', '需求描述'], schema: text(MAX_CELL_CHARS) },
    { field: 'industry', header: '所属产业', aliases: ['产业', '行业'], schema: text(50) },
    { field: 'region_code', header: '地区', aliases: ['地区代码'], schema: regionCode },
    {
      field: 'budget_wan',
      header: '悬赏金额（万元）',
      aliases: ['悬赏金额', '预算（万元）', '预算'],
      schema: money,
    },
    { field: 'deadline', header: '揭榜截止日期', aliases: ['截止日期'], schema: isoDate, hint: 'YYYY-MM-DD' },
    {
      field: 'enterprise_key',
      header: '发榜单位编号',
      aliases: ['企业编号'],
      schema: key,
      hint: '留空则挂在本次导入的占位发榜单位下',
    },
  ],
  enterprises: [
    { field: 'key', header: '编号', aliases: ['企业编号'], required: true, schema: key },
    {
      field: 'name',
      header: '企业名称',
      aliases: ['名称'],
      required: true,
      schema: text(100).refine((s) => s.length >= 2, mi.tooShort(2)),
    },
    { field: 'credit_code', header: '统一社会信用代码', schema: text(18) },
    { field: 'region_code', header: '地区', aliases: ['地区代码'], schema: regionCode },
  ],
};

/** Sheet names (XLSX) and entity words in error reports. */
export const entityLabels: Record<ImportEntity, string> = {
  societies: '学会',
  experts: '专家',
  challenges: '榜单',
  enterprises: '企业',
};

/** Accepted sheet names per entity (XLSX). */
export const sheetAliases: Record<ImportEntity, string[]> = {
  societies: ['学会', '学会名单', 'societies'],
  experts: ['专家', '专家名单', 'experts'],
  challenges: ['榜单', '技术难题', 'challenges'],
  enterprises: ['企业', '发榜单位', 'enterprises'],
};

/** Maps a header cell to its column's field, or undefined for an unknown header. */
export function fieldForHeader(entity: ImportEntity, header: string): string | undefined {
  const h = header.trim().replace(/\s+/g, '').replace(/\(/g, '（').replace(/\)/g, '）');
  for (const column of columns[entity]) {
    const names = [column.header, ...(column.aliases ?? []), column.field].map((n) =>
      n.replace(/\(/g, '（').replace(/\)/g, '）'),
    );
    if (names.includes(h)) return column.field;
  }
  return undefined;
}

/** Guesses which entity a sheet or CSV holds from its headers (the required ones must all be there). */
export function entityForHeaders(headers: string[]): ImportEntity | undefined {
  const ranked = importEntities
    .map((entity) => {
      const fields = new Set(headers.map((h) => fieldForHeader(entity, h)).filter(Boolean));
      const required = columns[entity].filter((c) => c.required).every((c) => fields.has(c.field));
      return { entity, required, matched: fields.size };
    })
    .filter((r) => r.required)
    .sort((a, b) => b.matched - a.matched);
  return ranked[0]?.entity;
}

/** One problem in an import, located like a spreadsheet user would look for it. */
export interface ImportProblem {
  entity: ImportEntity | null;
  /** Spreadsheet row (header = 1) or JSON item number (1-based); null for file-level problems. */
  row: number | null;
  column: string | null;
  message: string;
}

/** JSON items are counted (第3条) within their entity; spreadsheet rows are numbered as shown (第3行). */
export function formatProblem(
  problem: ImportProblem,
  options: { withEntity: boolean; json?: boolean },
): string {
  const withEntity = options.withEntity || options.json;
  const where = [
    withEntity && problem.entity ? `「${entityLabels[problem.entity]}」` : '',
    problem.row !== null ? (options.json ? `第${problem.row}条` : `第${problem.row}行`) : '',
    problem.column ? `「${problem.column}」` : '',
  ].join('');
  return where ? `${where}: ${problem.message}` : problem.message;
}

/** A raw record as read from a file, with where it came from. */
export interface RawRecord {
  row: number;
  values: Record<string, unknown>;
}

/** `json`: rows are item numbers within each list (reported as 第N条), not spreadsheet rows. */
export type RawDataset = Record<ImportEntity, RawRecord[]> & { name?: string; json?: boolean };

/** Validates one record's values against its entity's columns; returns the clean values and problems. */
export function validateRecord(
  entity: ImportEntity,
  record: RawRecord,
): { values: Record<string, unknown>; problems: ImportProblem[] } {
  const values: Record<string, unknown> = {};
  const problems: ImportProblem[] = [];
  for (const column of columns[entity]) {
    const input = record.values[column.field];
    if (input === FORMULA_CELL) {
      problems.push({ entity, row: record.row, column: column.header, message: mi.formula });
      continue;
    }
    const empty = input === undefined || input === null || (typeof input === 'string' && input.trim() === '');
    if (empty) {
      if (column.required)
        problems.push({ entity, row: record.row, column: column.header, message: mi.required });
      continue;
    }
    if (typeof input === 'string' && input.length > MAX_CELL_CHARS * 2) {
      problems.push({ entity, row: record.row, column: column.header, message: mi.tooLong(MAX_CELL_CHARS) });
      continue;
    }
    const parsed = column.schema.safeParse(input);
    if (parsed.success) {
      if (parsed.data !== undefined) values[column.field] = parsed.data;
    } else {
      problems.push({
        entity,
        row: record.row,
        column: column.header,
        message: parsed.error.issues[0]?.message ?? mi.invalid,
      });
    }
  }
  return { values, problems };
}
