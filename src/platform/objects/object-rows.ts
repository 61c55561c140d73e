import type { FieldDef, ObjectTypeDef, TabularSectionDef } from '../metadata.js';
import { columnName } from '../metadata.js';
import { parseNumber } from '../numbering.js';
import { searchKey, searchKeyColumn } from '../search-keys.js';
import type { Row, StorageDialect } from '../storage/index.js';
import { parseObjectInput } from './object-input.js';
import type { LineValues } from './object-schema.js';

/**
 * What a write stores, as pure functions of the values: the one write path uses them, and so does any
 * bulk writer (the benchmark's generator), so that rows written in bulk are exactly the platform's.
 */
export type NumberColumns = Row;

export type MergedValues = { values: Record<string, unknown>; changedSections: Set<string> };

/** The input over what was there (or the declared defaults); sections not in the input keep their lines. */
export function mergeInput(
  def: ObjectTypeDef,
  before: Record<string, unknown> | undefined,
  input: Record<string, unknown>,
): MergedValues {
  const merged: Record<string, unknown> = {};
  for (const field of def.fields) {
    merged[field.name] =
      field.name in input ? input[field.name] : before ? before[field.name] : (field.default ?? null);
  }
  // Sections not in the input keep their lines, which `complete` still needs for totals.
  const changedSections = new Set<string>();
  for (const section of def.tabularSections ?? []) {
    if (section.name in input || !before) changedSections.add(section.name);
    const given = input[section.name] as LineValues[] | undefined;
    merged[section.name] = given
      ? given.map((line) => withDefaults(section.fields, line))
      : ((before?.[section.name] as LineValues[] | undefined) ?? []);
  }
  if (def.kind === 'document') {
    merged.date = input.date ?? before?.date ?? localNow();
    merged.posted = input.posted ?? before?.posted ?? false;
  }
  return { values: def.complete ? def.complete(merged) : merged, changedSections };
}

/** All a row builder needs of a dialect: how it stores a boolean. */
export type BooleanEncoding = Pick<StorageDialect, 'encodeBoolean'>;

export function encodeValue(dialect: BooleanEncoding, field: FieldDef, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (field.type.kind === 'boolean') return dialect.encodeBoolean(Boolean(value));
  return value;
}

/** The header row without `ref` and `created_in`, which only a new object gets. */
export function headerRow(
  def: ObjectTypeDef,
  dialect: BooleanEncoding,
  values: Record<string, unknown>,
  numberColumns: NumberColumns,
  meta: { version: number; deleted: boolean; updatedAt: string },
): Row {
  // Copied, not spread: V8 gives an object made by spreading a map that every later new key turns slow,
  // which cost microseconds per row here (docs/BENCHMARKS.md).
  const row: Row = Object.assign({}, numberColumns);
  Object.assign(row, {
    version: meta.version,
    deleted: dialect.encodeBoolean(meta.deleted),
    updated_at: meta.updatedAt,
    search_text: searchText(def, values, numberColumns.number ?? numberColumns.code),
  });
  if (def.kind === 'document') {
    row.date = values.date;
    row.posted = dialect.encodeBoolean(Boolean(values.posted));
  }
  for (const field of def.fields)
    row[columnName(field.name)] = encodeValue(dialect, field, values[field.name]);
  if (def.searchFields?.length)
    Object.assign(row, searchKeyColumns(def, Object.assign({}, values, numberColumns)));
  return row;
}

export function lineRows(
  dialect: BooleanEncoding,
  section: TabularSectionDef,
  ref: string,
  lines: readonly LineValues[],
): Row[] {
  return lines.map((line, index) => {
    const row: Row = { owner_ref: ref, line_no: index + 1 };
    for (const field of section.fields)
      row[columnName(field.name)] = encodeValue(dialect, field, line[field.name]);
    return row;
  });
}

export function searchText(def: ObjectTypeDef, values: Record<string, unknown>, number: unknown): string {
  const parts = [number, ...def.presentation.map((name) => values[name])];
  for (const group of def.searchFields ?? []) for (const name of group) parts.push(values[name]);
  return parts
    .filter((part) => typeof part === 'string' && part !== '')
    .join(' ')
    .toLowerCase();
}

export function searchKeyColumns(def: ObjectTypeDef, values: Record<string, unknown>): Row {
  return Object.fromEntries(
    (def.searchFields ?? []).map((group, index) => [
      searchKeyColumn(index),
      searchKey(def, group, values) ?? null,
    ]),
  );
}

/** A line's omitted fields take their declared defaults, as a header's do. */
export function withDefaults(fields: readonly FieldDef[], line: LineValues): LineValues {
  const completed: LineValues = Object.assign({}, line);
  for (const field of fields) {
    if (completed[field.name] === undefined && field.default !== undefined)
      completed[field.name] = field.default;
  }
  return completed;
}

export function localNow(): string {
  const now = new Date();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}

/** A new object's rows: its header (with ref and created_in) and its lines by section. */
export type NewObjectRows = { header: Row; lines: Record<string, Row[]> };

/** The numbering columns of a document that keeps the number it was given (a received one). */
export function givenNumberColumns(
  def: ObjectTypeDef,
  number: string,
  year: number | undefined,
): NumberColumns {
  const parsed = parseNumber(def.kind, number);
  return {
    number,
    number_year: year,
    number_scope: parsed?.scope ?? null,
    number_seq: parsed?.sequence ?? null,
  };
}

/**
 * The rows a received document makes when it is new here, worked out from its input alone, as the write
 * path does for it (object-store.ts `save`, the same functions in the same order): validation, defaults
 * and totals, its given number, the rows. Undefined when its input needs the write path's own answer
 * (it fails a check, it has no number, no infobase of origin): the reader thread prepares what it can,
 * and the write path decides the rest.
 */
export function receivedDocumentRows(
  def: ObjectTypeDef,
  dialect: BooleanEncoding,
  input: Record<string, unknown>,
  meta: { createdIn: string | undefined; updatedAt: string },
): NewObjectRows | undefined {
  if (def.kind !== 'document' || meta.createdIn === undefined) return undefined;
  const parsed = parseObjectInput(def, 'create', input);
  if (!parsed.success) return undefined;
  const data = parsed.data;
  if (typeof data.number !== 'string' || typeof data.ref !== 'string') return undefined;
  const { values } = mergeInput(def, undefined, data);
  if ((def.check?.(values) ?? []).length > 0) return undefined;
  const year = Number(String(values.date).slice(0, 4));
  const header = headerRow(def, dialect, values, givenNumberColumns(def, data.number, year), {
    version: 1,
    deleted: Boolean(data.deleted ?? false),
    updatedAt: meta.updatedAt,
  });
  header.ref = data.ref;
  header.created_in = meta.createdIn;
  const lines: Record<string, Row[]> = {};
  for (const section of def.tabularSections ?? []) {
    lines[section.name] = lineRows(dialect, section, data.ref, (values[section.name] as LineValues[]) ?? []);
  }
  return { header, lines };
}
