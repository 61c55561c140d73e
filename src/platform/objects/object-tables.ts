import type { FieldDef, FieldType, ObjectTypeDef } from '../metadata.js';
import { columnName, sectionTableName, tableName } from '../metadata.js';
import { searchKeyColumn } from '../search-keys.js';
import type { ColumnKind, ColumnSpec, IndexSpec, TableSpec } from '../storage/index.js';
import { boolean, integer, text } from '../storage/index.js';

export function columnKind(type: FieldType): ColumnKind {
  switch (type.kind) {
    case 'decimal':
      return { kind: 'decimal', precision: type.precision, scale: type.scale };
    case 'integer':
      return integer;
    case 'boolean':
      return boolean;
    default:
      return text;
  }
}

function fieldColumns(fields: readonly FieldDef[]): ColumnSpec[] {
  return fields.map((field) => ({ name: columnName(field.name), type: columnKind(field.type) }));
}

function index(table: string, columns: readonly string[], unique = false): IndexSpec {
  return { name: `${table}__${columns.join('__')}${unique ? '__uq' : '__ix'}`, columns, unique };
}

const indexedRef = (field: FieldDef) => field.type.kind === 'ref' && field.indexed !== false;
const unindexedRef = (field: FieldDef) => field.type.kind === 'ref' && field.indexed === false;

/** Indexes of earlier versions that no longer hold. */
export function obsoleteIndexes(def: ObjectTypeDef): string[] {
  const table = tableName(def);
  const obsolete = def.kind === 'document' ? [`${table}__number_year__number__uq`] : [];
  for (const field of def.fields.filter(unindexedRef))
    obsolete.push(index(table, [columnName(field.name)]).name);
  for (const section of def.tabularSections ?? []) {
    const sectionTable = sectionTableName(def, section);
    for (const field of section.fields.filter(unindexedRef))
      obsolete.push(index(sectionTable, [columnName(field.name)]).name);
  }
  return obsolete;
}

/** The tables of one catalog or document: its header table and one table per tabular section. */
export function objectTableSpecs(def: ObjectTypeDef): TableSpec[] {
  const table = tableName(def);
  const system: ColumnSpec[] = [
    { name: 'ref', type: text, notNull: true },
    { name: 'version', type: integer, notNull: true },
    { name: 'deleted', type: boolean, notNull: true },
    { name: 'created_in', type: text, notNull: true },
    { name: 'updated_at', type: text, notNull: true },
    // Lower-cased presentation, so that search ignores case the same way on every dialect and script.
    { name: 'search_text', type: text },
  ];
  const numbering: ColumnSpec[] =
    def.kind === 'catalog'
      ? [
          { name: 'code', type: text, notNull: true },
          { name: 'code_scope', type: text },
          { name: 'code_seq', type: integer },
        ]
      : [
          { name: 'number', type: text, notNull: true },
          { name: 'date', type: text, notNull: true },
          { name: 'number_year', type: integer, notNull: true },
          { name: 'number_scope', type: text },
          { name: 'number_seq', type: integer },
          { name: 'posted', type: boolean, notNull: true },
        ];
  const indexes: IndexSpec[] =
    def.kind === 'catalog'
      ? [index(table, ['code'], true)]
      : // Not unique: a document received from another infobase keeps its number even if one here has it
        // too; the write path keeps numbers given here unique.
        [index(table, ['number_year', 'number']), index(table, ['date'])];
  for (const field of def.fields.filter(indexedRef)) indexes.push(index(table, [columnName(field.name)]));
  // One indexed column per search group, holding its normalized key (see search-keys.ts).
  const searchKeys: ColumnSpec[] = (def.searchFields ?? []).map((_, index) => ({
    name: searchKeyColumn(index),
    type: text,
  }));
  for (const column of searchKeys) indexes.push(index(table, [column.name]));
  for (const declared of def.indexes ?? []) {
    indexes.push(index(table, declared.fields.map(columnName), declared.unique));
  }
  const header: TableSpec = {
    name: table,
    columns: [...system, ...numbering, ...searchKeys, ...fieldColumns(def.fields)],
    primaryKey: ['ref'],
    indexes,
  };
  const sections = (def.tabularSections ?? []).map((section): TableSpec => {
    const sectionTable = sectionTableName(def, section);
    return {
      name: sectionTable,
      columns: [
        { name: 'owner_ref', type: text, notNull: true },
        { name: 'line_no', type: integer, notNull: true },
        ...fieldColumns(section.fields),
      ],
      primaryKey: ['owner_ref', 'line_no'],
      indexes: section.fields
        .filter(indexedRef)
        .map((field) => index(sectionTable, [columnName(field.name)])),
    };
  });
  return [header, ...sections];
}
