import type { Database } from '../../db/database.js';
import { messages } from '../../web/messages.js';
import { creditCodeProblem } from '../organisations/credit-code.js';
import {
  columns,
  type ImportEntity,
  type ImportProblem,
  type RawDataset,
  type RawRecord,
  validateRecord,
} from './import.format.js';

/**
 * Validation of a whole dataset against the file itself (duplicate keys, references between
 * entities) and the platform (regions, existing societies and enterprises, keys taken by another kind
 * of organisation), before anything is written. The result is either every problem found, or a plan
 * of clean rows that the writer applies in one transaction.
 */
const mi = messages.imports;

export interface SocietyRow {
  key: string;
  name: string;
  discipline: string | null;
  description: string;
  region_code: string | null;
}

export interface ExpertRow {
  key: string;
  name: string;
  title: string;
  affiliation: string;
  region_code: string | null;
  society_keys: string[];
  fields: string[];
  bio: string;
  discipline: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  contact_consent: boolean | null;
}

export interface EnterpriseRow {
  key: string;
  name: string;
  credit_code: string | null;
  region_code: string | null;
}

export interface ChallengeRow {
  key: string;
  title: string;
  description: string;
  industry_label: string | null;
  industry_code: string | null;
  region_code: string;
  reward_wan: number;
  /** End of the given day in China time (UTC+8). */
  bid_deadline: string;
  enterprise_key: string | null;
}

export interface ImportPlan {
  name: string | null;
  /** A society's own import: its experts get this membership, and no other society's is touched. */
  scopeSocietyId: string | null;
  societies: SocietyRow[];
  experts: ExpertRow[];
  enterprises: EnterpriseRow[];
  challenges: ChallengeRow[];
}

/**
 * Whose import this is. A society's staff import only their own society and experts tied to it:
 * a key that names another society's (or an unaffiliated) expert is refused, so one society cannot
 * overwrite another's records by guessing its external keys. Operators import without a scope.
 */
export type ImportScope = { societyId: string; societyKey: string | null } | null;

export type PlanResult = { ok: true; plan: ImportPlan } | { ok: false; problems: ImportProblem[] };

interface Reference {
  regions: Map<string, string>;
  industries: Array<{ code: string; names: string[] }>;
}

async function loadReference(db: Database): Promise<Reference> {
  const [regions, industries] = await Promise.all([
    db.selectFrom('regions').select(['code', 'name', 'short_name']).where('retired_at', 'is', null).execute(),
    db.selectFrom('industries').select(['code', 'name', 'aliases']).where('retired_at', 'is', null).execute(),
  ]);
  const regionMap = new Map<string, string>();
  for (const r of regions) {
    regionMap.set(r.code, r.code);
    regionMap.set(r.name, r.code);
    regionMap.set(r.short_name, r.code);
  }
  return {
    regions: regionMap,
    industries: industries.map((i) => ({ code: i.code, names: [i.name, ...i.aliases] })),
  };
}

/**
 * The reference industry for a free-text label: an exact name or alias, else the longest name or
 * alias contained in the label (辣椒加工 → 辣椒). Unmapped labels are kept as text only.
 */
export function industryCodeFor(label: string, industries: Reference['industries']): string | null {
  let best: { code: string; length: number } | null = null;
  for (const industry of industries) {
    for (const name of industry.names) {
      if (name === label) return industry.code;
      if (name.length >= 2 && label.includes(name) && (!best || name.length > best.length))
        best = { code: industry.code, length: name.length };
    }
  }
  return best?.code ?? null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

export async function planImport(
  db: Database,
  dataset: RawDataset,
  scope: ImportScope = null,
): Promise<PlanResult> {
  const reference = await loadReference(db);
  const problems: ImportProblem[] = [];
  const clean: Record<ImportEntity, Array<{ record: RawRecord; values: Record<string, unknown> }>> = {
    societies: [],
    experts: [],
    challenges: [],
    enterprises: [],
  };

  for (const entity of Object.keys(clean) as ImportEntity[]) {
    const seen = new Map<string, number>();
    const keyHeader = columns[entity][0]!.header;
    for (const record of dataset[entity]) {
      const { values, problems: rowProblems } = validateRecord(entity, record);
      problems.push(...rowProblems);
      const key = str(values.key);
      if (key) {
        const first = seen.get(key);
        if (first !== undefined)
          problems.push({
            entity,
            row: record.row,
            column: keyHeader,
            message: mi.duplicateKey(first, dataset.json ? '条' : '行'),
          });
        else seen.set(key, record.row);
      }
      // Region: a code or a name of a Guizhou region.
      const region = str(values.region_code);
      if (region !== null) {
        const code = reference.regions.get(region);
        if (!code) {
          const header = columns[entity].find((c) => c.field === 'region_code')!.header;
          problems.push({ entity, row: record.row, column: header, message: mi.unknownRegion(region) });
        } else values.region_code = code;
      }
      if (entity === 'enterprises' && typeof values.credit_code === 'string') {
        values.credit_code = values.credit_code.toUpperCase();
        if (creditCodeProblem(values.credit_code as string))
          problems.push({
            entity,
            row: record.row,
            column: '统一社会信用代码',
            message: mi.invalidCreditCode,
          });
      }
      if (rowProblems.length === 0) clean[entity].push({ record, values });
    }
  }

  if (scope) problems.push(...(await scopeProblems(db, clean, scope)));

  // Keys already on the platform: a key names one kind of organisation only.
  const orgKeys = [
    ...clean.societies.map((r) => r.values.key as string),
    ...clean.enterprises.map((r) => r.values.key as string),
    ...clean.experts.flatMap((r) => (r.values.society_keys as string[] | undefined) ?? []),
    ...clean.challenges
      .map((r) => r.values.enterprise_key as string | undefined)
      .filter((k): k is string => !!k),
  ];
  const existingOrgs = new Map<string, { kind: string; credit_code: string | null }>();
  for (let i = 0; i < orgKeys.length; i += 10_000) {
    const chunk = [...new Set(orgKeys.slice(i, i + 10_000))];
    if (chunk.length === 0) continue;
    const rows = await db
      .selectFrom('organisations')
      .select(['external_key', 'kind', 'credit_code'])
      .where('external_key', 'in', chunk)
      .execute();
    for (const row of rows)
      existingOrgs.set(row.external_key!, { kind: row.kind, credit_code: row.credit_code });
  }
  const checkKind = (entity: ImportEntity, rows: typeof clean.societies, kind: string) => {
    for (const { record, values } of rows) {
      const existing = existingOrgs.get(values.key as string);
      if (existing && existing.kind !== kind)
        problems.push({
          entity,
          row: record.row,
          column: '编号',
          message: mi.keyTakenByOtherKind(values.key as string),
        });
    }
  };
  checkKind('societies', clean.societies, 'society');
  checkKind('enterprises', clean.enterprises, 'enterprise');

  const fileSocieties = new Set(clean.societies.map((r) => r.values.key as string));
  for (const { record, values } of clean.experts) {
    for (const key of (values.society_keys as string[] | undefined) ?? []) {
      if (fileSocieties.has(key) || existingOrgs.get(key)?.kind === 'society') continue;
      problems.push({
        entity: 'experts',
        row: record.row,
        column: '所属学会编号',
        message: mi.unknownSociety(key),
      });
    }
  }
  const fileEnterprises = new Set(clean.enterprises.map((r) => r.values.key as string));
  for (const { record, values } of clean.challenges) {
    const key = values.enterprise_key as string | undefined;
    if (!key || fileEnterprises.has(key) || existingOrgs.get(key)?.kind === 'enterprise') continue;
    problems.push({
      entity: 'challenges',
      row: record.row,
      column: '发榜单位编号',
      message: mi.unknownEnterprise(key),
    });
  }
  // A credit code belongs to one organisation.
  const codes = clean.enterprises.filter((r) => r.values.credit_code);
  if (codes.length > 0) {
    const taken = await db
      .selectFrom('organisations')
      .select(['credit_code', 'external_key'])
      .where(
        'credit_code',
        'in',
        codes.map((r) => r.values.credit_code as string),
      )
      .execute();
    for (const { record, values } of codes) {
      const owner = taken.find((t) => t.credit_code === values.credit_code);
      if (owner && owner.external_key !== values.key)
        problems.push({
          entity: 'enterprises',
          row: record.row,
          column: '统一社会信用代码',
          message: messages.errors.CREDIT_CODE_TAKEN,
        });
    }
  }

  if (problems.length > 0) {
    problems.sort((a, b) => (a.entity ?? '').localeCompare(b.entity ?? '') || (a.row ?? 0) - (b.row ?? 0));
    return { ok: false, problems };
  }
  const total = Object.values(clean).reduce((n, rows) => n + rows.length, 0);
  if (total === 0)
    return { ok: false, problems: [{ entity: null, row: null, column: null, message: mi.emptyFile }] };

  return {
    ok: true,
    plan: {
      name: dataset.name ?? null,
      scopeSocietyId: scope?.societyId ?? null,
      societies: clean.societies.map(({ values: v }) => ({
        key: v.key as string,
        name: v.name as string,
        discipline: str(v.discipline),
        description: str(v.description) ?? '',
        region_code: str(v.region_code),
      })),
      experts: clean.experts.map(({ values: v }) => ({
        key: v.key as string,
        name: v.name as string,
        title: str(v.title) ?? '',
        affiliation: str(v.affiliation) ?? '',
        region_code: str(v.region_code),
        society_keys: [...new Set((v.society_keys as string[] | undefined) ?? [])],
        fields: (v.fields as string[] | undefined) ?? [],
        bio: str(v.bio) ?? '',
        discipline: str(v.discipline),
        contact_phone: str(v.contact_phone),
        contact_email: str(v.contact_email),
        contact_consent: typeof v.contact_consent === 'boolean' ? v.contact_consent : null,
      })),
      enterprises: clean.enterprises.map(({ values: v }) => ({
        key: v.key as string,
        name: v.name as string,
        credit_code: str(v.credit_code),
        region_code: str(v.region_code),
      })),
      challenges: clean.challenges.map(({ values: v }) => {
        const label = str(v.industry);
        return {
          key: v.key as string,
          title: v.title as string,
          description: str(v.description) ?? '',
          industry_label: label,
          industry_code: label ? industryCodeFor(label, reference.industries) : null,
          region_code: str(v.region_code) ?? '520000',
          reward_wan: typeof v.budget_wan === 'number' ? v.budget_wan : 0,
          bid_deadline: v.deadline
            ? `${v.deadline as string}T23:59:59+08:00`
            : new Date(Date.now() + 90 * 86_400_000).toISOString(),
          enterprise_key: str(v.enterprise_key),
        };
      }),
    },
  };
}

type CleanRows = Record<ImportEntity, Array<{ record: RawRecord; values: Record<string, unknown> }>>;

/** What a society's import may not touch: other organisations, and experts outside the society. */
async function scopeProblems(
  db: Database,
  clean: CleanRows,
  scope: NonNullable<ImportScope>,
): Promise<ImportProblem[]> {
  const problems: ImportProblem[] = [];
  for (const { record, values } of clean.societies)
    if (values.key !== scope.societyKey)
      problems.push({
        entity: 'societies',
        row: record.row,
        column: '编号',
        message: mi.scopeOnlyOwnSociety(values.key as string),
      });
  for (const entity of ['enterprises', 'challenges'] as const)
    for (const { record } of clean[entity])
      problems.push({ entity, row: record.row, column: null, message: mi.scopeNoEnterprises });
  for (const { record, values } of clean.experts)
    for (const key of (values.society_keys as string[] | undefined) ?? [])
      if (key !== scope.societyKey)
        problems.push({
          entity: 'experts',
          row: record.row,
          column: '所属学会编号',
          message: mi.scopeOnlyOwnSociety(key),
        });
  // Existing experts by key must already belong to this society.
  const keys = clean.experts.map((r) => r.values.key as string);
  const foreign = new Set<string>();
  for (let i = 0; i < keys.length; i += 10_000) {
    const rows = await db
      .selectFrom('expert_profiles as e')
      .select('e.external_key')
      .where('e.external_key', 'in', keys.slice(i, i + 10_000))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('expert_societies as es')
              .select('es.expert_id')
              .whereRef('es.expert_id', '=', 'e.id')
              .where('es.society_id', '=', scope.societyId),
          ),
        ),
      )
      .execute();
    for (const row of rows) foreign.add(row.external_key!);
  }
  for (const { record, values } of clean.experts)
    if (foreign.has(values.key as string))
      problems.push({
        entity: 'experts',
        row: record.row,
        column: '编号',
        message: mi.scopeForeignExpert(values.key as string),
      });
  return problems;
}
