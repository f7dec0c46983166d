import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../web/messages.js';
import { type ActorRef, canViewEvaluation } from '../auth/policy.js';
import { findMembershipRole } from '../stations/station.queries.js';
import {
  aggregateRows,
  type IndicatorGroup,
  type IndicatorRow,
  indicatorByKey,
  indicatorGroups,
  indicators,
} from './evaluation.indicators.js';
import { type Sheet, writeXlsx } from './xlsx-writer.js';

/** Yearly evaluation: figures per society, the records behind each, and the XLSX pack. */
const m = messages.evaluation;

export async function findSociety(db: Database, id: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('id', '=', id)
    .where('kind', '=', 'society')
    .executeTakeFirst();
}

/** 404 for a society that does not exist, 403 for one the actor may not see the figures of. */
export async function loadEvaluableSociety(db: Database, actor: ActorRef, societyId: string) {
  const society = await findSociety(db, societyId);
  if (!society) throw new AppError('SOCIETY_NOT_FOUND');
  const membership = await findMembershipRole(db, societyId, actor.userId);
  if (!canViewEvaluation(actor, membership)) throw new AppError('FORBIDDEN');
  return society;
}

export function requireOperator(actor: ActorRef) {
  if (!canViewEvaluation(actor, null)) throw new AppError('FORBIDDEN');
}

export interface IndicatorValue {
  key: string;
  group: IndicatorGroup;
  group_name: string;
  name: string;
  unit: string;
  tooltip: string;
  value: number;
}

const describe = (key: string, value: number): IndicatorValue => {
  const d = indicatorByKey.get(key)!;
  return {
    key,
    group: d.group,
    group_name: indicatorGroups[d.group],
    name: d.name,
    unit: d.unit,
    tooltip: d.tooltip,
    value,
  };
};

/** Every indicator of one society for one year. */
export async function evaluateSociety(
  db: Database,
  year: number,
  societyId: string,
): Promise<IndicatorValue[]> {
  return Promise.all(
    indicators.map(async (d) => describe(d.key, aggregateRows(d, await d.rows(db, year, societyId)))),
  );
}

/** Every indicator of every society for one year: one query per indicator, grouped here. */
export async function evaluateAllSocieties(db: Database, year: number) {
  const societies = await db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('kind', '=', 'society')
    .where('verification_status', '=', 'verified')
    .orderBy('name')
    .execute();
  const values = new Map<string, Record<string, number>>(societies.map((s) => [s.id, {}]));
  for (const d of indicators) {
    const bySociety = new Map<string, IndicatorRow[]>();
    for (const row of await d.rows(db, year, null))
      bySociety.set(row.society_id, [...(bySociety.get(row.society_id) ?? []), row]);
    for (const [id, record] of values) record[d.key] = aggregateRows(d, bySociety.get(id) ?? []);
  }
  return societies.map((s) => ({ id: s.id, name: s.name, values: values.get(s.id)! }));
}

/** The records behind one figure (drill-down). */
export async function indicatorRecords(db: Database, year: number, societyId: string, key: string) {
  const definition = indicatorByKey.get(key);
  if (!definition) throw new AppError('NOT_FOUND');
  const rows = await definition.rows(db, year, societyId);
  return { indicator: describe(key, aggregateRows(definition, rows)), rows };
}

const groupKeys = Object.keys(indicatorGroups) as IndicatorGroup[];

/**
 * The evaluation pack: one sheet per indicator group (a row per society, a column per indicator),
 * a sheet of definitions, and for a single society a sheet with every record behind the figures.
 */
export async function evaluationWorkbook(
  db: Database,
  year: number,
  societyId: string | null,
): Promise<Uint8Array> {
  const societies = societyId
    ? [
        {
          ...(await findSociety(db, societyId))!,
          values: Object.fromEntries(
            (await evaluateSociety(db, year, societyId)).map((v) => [v.key, v.value]),
          ),
        },
      ]
    : await evaluateAllSocieties(db, year);
  const sheets: Sheet[] = groupKeys.map((group) => {
    const defs = indicators.filter((d) => d.group === group);
    return {
      name: indicatorGroups[group],
      widths: [28, ...defs.map(() => 16)],
      rows: [
        [m.society, ...defs.map((d) => `${d.name}（${d.unit}）`)],
        ...societies.map((s) => [s.name, ...defs.map((d) => s.values[d.key] ?? 0)]),
      ],
    };
  });
  sheets.push({
    name: m.definitionsSheet,
    widths: [16, 24, 8, 80],
    rows: [
      [m.group, m.indicator, m.unit, m.definition],
      ...indicators.map((d) => [indicatorGroups[d.group], d.name, d.unit, d.tooltip]),
      [],
      [m.yearLabel, year],
      [m.reproducible],
    ],
  });
  if (societyId) {
    const rows: (string | number | null)[][] = [[m.indicator, m.record, m.date, m.detail, m.amount]];
    for (const d of indicators)
      for (const r of await d.rows(db, year, societyId))
        rows.push([d.name, r.label, r.on_date, r.detail, r.amount]);
    sheets.push({ name: m.detailsSheet, widths: [22, 36, 12, 48, 8], rows });
  }
  return writeXlsx(sheets);
}
