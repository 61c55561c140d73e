import type Database from 'better-sqlite3';
import type { ApplicationDef, ObjectTypeDef } from '../src/platform/metadata.js';
import { findType, sectionTableName, tableName } from '../src/platform/metadata.js';
import { parseNumber } from '../src/platform/numbering.js';
import { parseObjectInput } from '../src/platform/objects/object-input.js';
import { headerRow, lineRows, mergeInput } from '../src/platform/objects/object-rows.js';
import type { Db, Row, StorageDialect } from '../src/platform/storage/index.js';
import type { GeneratedObject } from './dataset.js';

export type TableRow = { table: string; row: Row };

/** The highest sequence per (type, scope, year), which the platform keeps in number_counters. */
export type Counters = Map<string, { type: string; scope: string; year: number; last: number }>;

/**
 * The rows the platform's write path would store for a new object, built by the same functions
 * (object-rows.ts) after the same validation: the input schema, `complete`, `check`. References and
 * number uniqueness hold by construction of the data set (the benchmark test checks a sample against
 * the real write path).
 */
export function objectRows(
  app: ApplicationDef,
  dialect: StorageDialect,
  object: GeneratedObject,
  meta: { createdIn: string; updatedAt: string },
  counters: Counters,
): TableRow[] {
  const def = findType(app, object.type);
  if (!def) throw new Error(`${object.type} is not a type of ${app.name}`);
  const parsed = parseObjectInput(def, 'create', object.input);
  if (!parsed.success) {
    throw new Error(`generated ${def.name} is invalid: ${JSON.stringify(parsed.errors)}`);
  }
  const input = parsed.data;
  const { values } = mergeInput(def, undefined, input);
  const problems = def.check?.(values) ?? [];
  if (problems.length > 0)
    throw new Error(`generated ${def.name} fails its checks: ${JSON.stringify(problems)}`);
  const numberColumns = numbering(def, values, input, counters);
  const ref = String(input.ref);
  const header: Row = {
    ...headerRow(def, dialect, values, numberColumns, {
      version: 1,
      deleted: Boolean(input.deleted ?? false),
      updatedAt: meta.updatedAt,
    }),
    ref,
    created_in: meta.createdIn,
  };
  const rows: TableRow[] = [{ table: tableName(def), row: header }];
  for (const section of def.tabularSections ?? []) {
    const lines = (values[section.name] as Record<string, never>[] | undefined) ?? [];
    for (const row of lineRows(dialect, section, ref, lines))
      rows.push({ table: sectionTableName(def, section), row });
  }
  return rows;
}

/** A number or code given with the object: kept, parsed into scope and sequence, noted in the counters. */
function numbering(
  def: ObjectTypeDef,
  values: Record<string, unknown>,
  input: Record<string, unknown>,
  counters: Counters,
): Row {
  const number = String(def.kind === 'document' ? input.number : input.code);
  const year = def.kind === 'document' ? Number(String(values.date).slice(0, 4)) : undefined;
  const parsed = parseNumber(def.kind, number);
  if (parsed) {
    const key = `${def.name}:${parsed.scope}:${year ?? 0}`;
    const current = counters.get(key);
    if (!current)
      counters.set(key, { type: def.name, scope: parsed.scope, year: year ?? 0, last: parsed.sequence });
    else current.last = Math.max(current.last, parsed.sequence);
  }
  return def.kind === 'document'
    ? { number, number_year: year, number_scope: parsed?.scope ?? null, number_seq: parsed?.sequence ?? null }
    : { code: number, code_scope: parsed?.scope ?? null, code_seq: parsed?.sequence ?? null };
}

/** Inserts rows with one prepared statement per table (better-sqlite3 directly); the caller holds the transaction. */
export function sqliteInserter(database: Database.Database) {
  const statements = new Map<string, { statement: Database.Statement; columns: string[] }>();
  return (table: string, row: Row) => {
    let prepared = statements.get(table);
    if (!prepared) {
      const columns = Object.keys(row);
      const statement = database.prepare(
        `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
      );
      prepared = { statement, columns };
      statements.set(table, prepared);
    }
    const values: unknown[] = new Array(prepared.columns.length);
    for (let i = 0; i < prepared.columns.length; i += 1) values[i] = row[prepared.columns[i]!] ?? null;
    prepared.statement.run(values);
  };
}

/** Inserts rows through Kysely in multi-row statements (PostgreSQL); `flush` writes what is buffered. */
export function batchInserter(db: Db, batch = 500) {
  const pending = new Map<string, Row[]>();
  const flushTable = async (table: string) => {
    const rows = pending.get(table);
    if (!rows || rows.length === 0) return;
    pending.set(table, []);
    await db.insertInto(table).values(rows).execute();
  };
  return {
    async insert(table: string, row: Row) {
      const rows = pending.get(table) ?? [];
      rows.push(row);
      pending.set(table, rows);
      if (rows.length >= batch) await flushTable(table);
    },
    async flush() {
      for (const table of pending.keys()) await flushTable(table);
    },
  };
}

export function counterRows(counters: Counters): Row[] {
  return [...counters.values()].map((counter) => ({
    type: counter.type,
    scope: counter.scope,
    year: counter.year,
    last_value: counter.last,
  }));
}
