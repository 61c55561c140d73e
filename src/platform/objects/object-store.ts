import { sql } from 'kysely';
import { AppError, type FieldError, notFound, validationError } from '../errors.js';
import { safeParseFields } from '../field-errors.js';
import type { ApplicationDef, FieldDef, FieldValue, ObjectTypeDef, TabularSectionDef } from '../metadata.js';
import { columnName, findType, sectionTableName, tableName } from '../metadata.js';
import { catalogScope, documentScope, nextFreeNumber, noteNumber, parseNumber } from '../numbering.js';
import { newRef } from '../refs.js';
import { readPrefix } from '../settings.js';
import type { Db, Row, StorageDialect, TableSpec } from '../storage/index.js';
import { withIndexesBuiltAfter } from '../storage/index.js';
import {
  execute,
  inListBatches,
  insertMany,
  placeholders,
  queryArrays,
  queryRows,
  quote,
  type SqlTarget,
} from '../storage/raw-sql.js';
import { BoundedSet, transactionCache } from '../storage/transaction-cache.js';
import { parseObjectInput } from './object-input.js';
import { givenNumberColumns, headerRow, lineRows, mergeInput, type NewObjectRows } from './object-rows.js';
import { fieldValueSchema, type LineValues } from './object-schema.js';
import { objectTableSpecs } from './object-tables.js';

/** An object as the API shows it: system fields, declared fields, and tabular sections as arrays. */
export type StoredObject = Record<string, FieldValue | LineValues[]> & {
  ref: string;
  version: number;
  deleted: boolean;
  createdIn: string;
};

/** Who is writing: hooks use it, e.g. the exchange does not send an object back to where it came from. */
export type WriteOrigin =
  | { kind: 'user'; login: string | null }
  | { kind: 'exchange'; nodeId: string }
  | { kind: 'system' };

export type WriteAction = 'create' | 'update' | 'delete';

export type WriteEvent = {
  def: ObjectTypeDef;
  ref: string;
  action: WriteAction;
  before: StoredObject | undefined;
  after: StoredObject | undefined;
  origin: WriteOrigin;
};

/** Runs inside the writing transaction: if a hook fails, nothing of the write is kept. */
export type WriteHook = (trx: Db, event: WriteEvent) => Promise<void>;

export type WriteOptions = {
  trx?: Db;
  /** The prefix of the infobase where the object was born; only the exchange sets it. */
  createdIn?: string;
  /**
   * Whether the caller knows, in this transaction, that an object of the type has the ref: its references
   * need no look-up then. The exchange's importer knows this of every ref a chunk names, fetched together.
   */
  exists?: RefExists;
};

export type RefExists = (typeName: string, ref: string) => boolean;

/**
 * `put` of a caller that has just read the object in the same transaction: it is not read again; and
 * of a caller that does not use the object as stored, which then is not decoded for it.
 */
export type PutOptions = WriteOptions & {
  before?: { object: StoredObject | undefined };
  discardResult?: boolean;
};

export type ListQuery = {
  filter?: Record<string, string>;
  search?: string;
  limit?: number;
  offset?: number;
  sort?: string;
  descending?: boolean;
  includeDeleted?: boolean;
};

export type ObjectStore = ReturnType<typeof createObjectStore>;

const MAX_PAGE = 1000;
/** From how many objects a load builds the indexes of the document types it fills after it. */
const BULK_LOAD = 10_000;
function sameRows(a: readonly Row[], b: readonly Row[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) {
    const left = a[index]!;
    const right = b[index]!;
    for (const column in right) if (left[column] !== right[column]) return false;
  }
  return true;
}

/** The row each object was read from, as stored: an update then writes only what differs. */
const storedRows = new WeakMap<object, Row>();

/**
 * Refs a transaction has seen exist, per type. A load's importer vouches for the refs each chunk names
 * (`WriteOptions.exists`), so this needs to hold only what other writers of one transaction name again.
 */
const KNOWN_REFS = 10_000;

/**
 * What a transaction has seen exist, for checking references: only of the types some field refers to, as
 * no check asks about another (a large load's sales and payments would otherwise fill it for nothing).
 */
export class KnownRefs {
  private readonly types = new Map<string, BoundedSet<string>>();
  constructor(private readonly referenced: ReadonlySet<string>) {}
  has(type: string, ref: string): boolean {
    return this.types.get(type)?.has(ref) === true;
  }
  add(type: string, ref: string): void {
    if (!this.referenced.has(type)) return;
    let refs = this.types.get(type);
    if (!refs) {
      refs = new BoundedSet<string>(KNOWN_REFS);
      this.types.set(type, refs);
    }
    refs.add(ref);
  }
  delete(type: string, ref: string): void {
    this.types.get(type)?.delete(ref);
  }
}

/** The types some field or line field of the application refers to. */
export function referencedTypes(app: ApplicationDef): Set<string> {
  const targets = new Set<string>();
  const collect = (fields: readonly FieldDef[]) => {
    for (const field of fields) if (field.type.kind === 'ref') targets.add(field.type.to);
  };
  for (const type of app.types) {
    collect(type.fields);
    for (const section of type.tabularSections ?? []) collect(section.fields);
  }
  return targets;
}

export function createObjectStore(deps: {
  db: Db;
  dialect: StorageDialect;
  sql: SqlTarget;
  app: ApplicationDef;
  hooks: readonly WriteHook[];
}) {
  const { db, dialect, sql: sqlTarget, app, hooks } = deps;

  const types = new Map(app.types.map((type) => [type.name, type]));
  const referenced = referencedTypes(app);
  const statements = {
    select: (table: string) => `select * from ${quote(table)} where ref = ?`,
    lines: (table: string) => `select * from ${quote(table)} where owner_ref = ? order by line_no`,
  };

  function typeDef(typeName: string): ObjectTypeDef {
    const def = types.get(typeName) ?? findType(app, typeName);
    if (!def) {
      throw new AppError(
        'unknown_type',
        `"${typeName}" is not an object type of the ${app.label.en} application; known types: ${app.types.map((t) => t.name).join(', ')}`,
        { status: 404 },
      );
    }
    return def;
  }

  function inTransaction<T>(trx: Db | undefined, work: (trx: Db) => Promise<T>): Promise<T> {
    return trx ? work(trx) : db.transaction().execute(work);
  }

  function decode(field: FieldDef, value: unknown): FieldValue {
    if (value === null || value === undefined) return null;
    switch (field.type.kind) {
      case 'boolean':
        return dialect.decodeBoolean(value);
      case 'integer':
        return Number(value);
      case 'decimal':
        return typeof value === 'number' ? value.toFixed(field.type.scale) : String(value);
      default:
        return String(value);
    }
  }

  function decodeHeader(def: ObjectTypeDef, row: Row): StoredObject {
    const object: Record<string, FieldValue | LineValues[]> = {
      ref: String(row.ref),
      version: Number(row.version),
      deleted: dialect.decodeBoolean(row.deleted),
      createdIn: String(row.created_in),
    };
    if (def.kind === 'catalog') {
      object.code = String(row.code);
    } else {
      object.number = String(row.number);
      object.date = String(row.date);
      object.posted = dialect.decodeBoolean(row.posted);
    }
    for (const field of def.fields) object[field.name] = decode(field, row[columnName(field.name)]);
    return object as StoredObject;
  }

  function decodeLine(section: TabularSectionDef, row: Row): LineValues {
    const line: LineValues = {};
    for (const field of section.fields) line[field.name] = decode(field, row[columnName(field.name)]);
    return line;
  }

  /** An object from its whole stored row, kept beside it so that an update sets only what changes. */
  function toChange(trx: Db, def: ObjectTypeDef, row: Row): StoredObject {
    const object = decodeHeader(def, row);
    storedRows.set(object, row);
    knownRefs(trx).add(def.name, object.ref);
    return object;
  }

  async function read(trx: Db, def: ObjectTypeDef, ref: string): Promise<StoredObject | undefined> {
    await writeGathered(trx);
    const [row] = await queryRows(trx, sqlTarget, statements.select(tableName(def)), [ref]);
    if (!row) return undefined;
    const object = toChange(trx, def, row);
    for (const section of def.tabularSections ?? []) {
      const rows = await queryRows(trx, sqlTarget, statements.lines(sectionTableName(def, section)), [ref]);
      object[section.name] = rows.map((line) => decodeLine(section, line));
    }
    return object;
  }

  /**
   * The columns an object is decoded from, in order: its system columns, then its fields (a line: its
   * owner, then its fields). Many objects are read as arrays of these, not as rows of every column.
   */
  const systemColumns = (def: ObjectTypeDef) =>
    def.kind === 'catalog'
      ? ['ref', 'version', 'deleted', 'created_in', 'code']
      : ['ref', 'version', 'deleted', 'created_in', 'number', 'date', 'posted'];
  const readColumns = new Map<string, string>();
  function columnList(key: string, columns: () => readonly string[]): string {
    let list = readColumns.get(key);
    if (list === undefined) {
      list = columns().map(quote).join(', ');
      readColumns.set(key, list);
    }
    return list;
  }

  function decodeHeaderArray(def: ObjectTypeDef, row: readonly unknown[]): StoredObject {
    const object: Record<string, FieldValue | LineValues[]> = {
      ref: String(row[0]),
      version: Number(row[1]),
      deleted: dialect.decodeBoolean(row[2]),
      createdIn: String(row[3]),
    };
    let at = 4;
    if (def.kind === 'catalog') {
      object.code = String(row[at++]);
    } else {
      object.number = String(row[at++]);
      object.date = String(row[at++]);
      object.posted = dialect.decodeBoolean(row[at++]);
    }
    for (const field of def.fields) object[field.name] = decode(field, row[at++]);
    return object as StoredObject;
  }

  function decodeLineArray(section: TabularSectionDef, row: readonly unknown[]): LineValues {
    const line: LineValues = {};
    let at = 1;
    for (const field of section.fields) line[field.name] = decode(field, row[at++]);
    return line;
  }

  /**
   * Many objects of one type in a few queries (the export reads a message's objects this way). To be
   * changed, each keeps its stored row, as `read` does, so that an update sets only what changed.
   */
  async function readMany(trx: Db, def: ObjectTypeDef, refs: readonly string[], forChange = false) {
    await writeGathered(trx);
    const found = new Map<string, StoredObject>();
    const table = tableName(def);
    const headerColumns = columnList(table, () => [
      ...systemColumns(def),
      ...def.fields.map((field) => columnName(field.name)),
    ]);
    for (const batch of inListBatches([...new Set(refs)])) {
      const list = placeholders(batch.length);
      if (forChange) {
        const rows = await queryRows(
          trx,
          sqlTarget,
          `select * from ${quote(table)} where ref in (${list})`,
          batch,
        );
        for (const row of rows) {
          const object = toChange(trx, def, row);
          found.set(object.ref, object);
        }
      } else {
        const rows = await queryArrays(
          trx,
          sqlTarget,
          `select ${headerColumns} from ${quote(table)} where ref in (${list})`,
          batch,
        );
        for (const row of rows) found.set(String(row[0]), decodeHeaderArray(def, row));
      }
      for (const section of def.tabularSections ?? []) {
        for (const object of found.values()) object[section.name] ??= [];
        const sectionTable = sectionTableName(def, section);
        const lineColumns = columnList(sectionTable, () => [
          'owner_ref',
          ...section.fields.map((field) => columnName(field.name)),
        ]);
        const lines = await queryArrays(
          trx,
          sqlTarget,
          `select ${lineColumns} from ${quote(sectionTable)} where owner_ref in (${list}) order by owner_ref, line_no`,
          batch,
        );
        for (const line of lines) {
          const owner = found.get(String(line[0]));
          if (owner) (owner[section.name] as LineValues[]).push(decodeLineArray(section, line));
        }
      }
    }
    return found;
  }

  /** Only a transaction remembers: outside one, another writer may delete what was seen a moment ago. */
  function knownRefs(trx: Db): KnownRefs {
    return trx.isTransaction
      ? transactionCache(trx, 'objects.knownRefs', () => new KnownRefs(referenced))
      : new KnownRefs(referenced);
  }

  function parseInput(def: ObjectTypeDef, mode: 'create' | 'update', input: unknown) {
    const parsed = parseObjectInput(def, mode, input ?? {});
    if (!parsed.success) throw validationError(parsed.errors, `The ${def.name}`);
    return parsed.data;
  }

  type WantedReference = { path: string; target: ObjectTypeDef; ref: string };

  /** The references of the values that this transaction has not seen exist; undefined when there are none. */
  function unseenReferences(
    trx: Db,
    def: ObjectTypeDef,
    values: Record<string, unknown>,
    exists: RefExists | undefined,
  ): WantedReference[] | undefined {
    const known = knownRefs(trx);
    let unseen: WantedReference[] | undefined;
    const collect = (field: FieldDef, value: unknown, path: () => string) => {
      if (field.type.kind !== 'ref' || typeof value !== 'string') return;
      const target = types.get(field.type.to);
      if (!target) throw new Error(`${def.name}.${field.name} refers to undeclared type ${field.type.to}`);
      // The caller's word first: an importer has just looked up every reference of its chunk, where this
      // transaction's memory of seen refs has long forgotten a catalog a large message names again.
      if (exists?.(target.name, value) || known.has(target.name, value)) return;
      unseen ??= [];
      unseen.push({ path: path(), target, ref: value });
    };
    for (const field of def.fields) collect(field, values[field.name], () => field.name);
    for (const section of def.tabularSections ?? []) {
      const lines = (values[section.name] as LineValues[] | undefined) ?? [];
      for (let index = 0; index < lines.length; index += 1) {
        const line = lines[index]!;
        for (const field of section.fields)
          collect(field, line[field.name], () => `${section.name}[${index}].${field.name}`);
      }
    }
    return unseen;
  }

  /** Every reference must name an existing object: those not seen yet are asked, a type at a time. */
  async function checkReferences(trx: Db, def: ObjectTypeDef, wanted: readonly WantedReference[]) {
    const known = knownRefs(trx);
    const unknown = new Map<ObjectTypeDef, Set<string>>();
    for (const { target, ref } of wanted) {
      const refs = unknown.get(target) ?? new Set<string>();
      refs.add(ref);
      unknown.set(target, refs);
    }
    for (const [target, refs] of unknown) {
      for (const batch of inListBatches([...refs])) {
        const rows = await queryRows<{ ref: string }>(
          trx,
          sqlTarget,
          `select ref from ${quote(tableName(target))} where ref in (${placeholders(batch.length)})`,
          batch,
        );
        for (const row of rows) known.add(target.name, String(row.ref));
      }
    }
    const errors: FieldError[] = [];
    for (const { path, target, ref } of wanted) {
      if (known.has(target.name, ref)) continue;
      errors.push({ field: path, code: 'reference_not_found', message: `no ${target.name} with ref ${ref}` });
    }
    if (errors.length > 0) throw validationError(errors, `The ${def.name}`);
  }

  async function numberPrefixOf(
    trx: Db,
    def: ObjectTypeDef,
    values: Record<string, unknown>,
  ): Promise<string> {
    const source = def.numberPrefixFrom;
    if (!source) return '00';
    const targetRef = values[source.field];
    const sourceField = def.fields.find((field) => field.name === source.field);
    if (typeof targetRef !== 'string' || sourceField?.type.kind !== 'ref') return '00';
    const target = typeDef(sourceField.type.to);
    const row = await trx
      .selectFrom(tableName(target))
      .select(columnName(source.prefixField))
      .where('ref', '=', targetRef)
      .executeTakeFirst();
    const prefix = row?.[columnName(source.prefixField)];
    return typeof prefix === 'string' && prefix ? prefix : '00';
  }

  /** Assigns or checks the number (documents) or code (catalogs), returning the numbering columns. */
  async function numbering(
    trx: Db,
    def: ObjectTypeDef,
    values: Record<string, unknown>,
    before: StoredObject | undefined,
    wanted: string | undefined,
    origin: WriteOrigin,
  ): Promise<Row> {
    const column = def.kind === 'document' ? 'number' : 'code';
    const year = def.kind === 'document' ? Number(String(values.date).slice(0, 4)) : undefined;
    const current = before?.[column] as string | undefined;
    const yearChanged =
      before !== undefined && def.kind === 'document' && String(before.date).slice(0, 4) !== String(year);
    let requested = wanted;
    if (origin.kind === 'exchange' && requested !== undefined && requested !== current) {
      // A document keeps the number it was given where it was made, even if this infobase used that number
      // too before prefixes kept them apart; a catalog item whose code is taken here gets its own.
      if (def.kind === 'document') return receivedNumber(trx, def, requested, year);
      if (await isNumberTaken(trx, def, requested, year, before?.ref)) requested = undefined;
    }
    let number = requested ?? current;
    let sequence: number | undefined;
    let scope: string | undefined;
    if (number === undefined) {
      const prefix = await readPrefix(trx);
      scope =
        def.kind === 'document'
          ? documentScope(prefix, await numberPrefixOf(trx, def, values))
          : catalogScope(prefix);
      ({ number, sequence } = await nextFreeNumber(trx, def, scope, year));
    } else if (requested !== undefined && (requested !== current || yearChanged)) {
      await assertNumberFree(trx, def, requested, year, before?.ref);
    } else if (yearChanged) {
      await assertNumberFree(trx, def, number, year, before?.ref);
    }
    if (sequence === undefined) {
      const parsed = parseNumber(def.kind, number);
      scope = parsed?.scope;
      sequence = parsed?.sequence;
      const noting = noteNumber(trx, sqlTarget, def, number, year);
      if (noting) await noting;
    }
    return def.kind === 'document'
      ? { number, number_year: year, number_scope: scope ?? null, number_seq: sequence ?? null }
      : { code: number, code_scope: scope ?? null, code_seq: sequence ?? null };
  }

  /** The numbering columns of a received document, which keeps its number: worked out without a query. */
  async function receivedNumber(trx: Db, def: ObjectTypeDef, number: string, year: number | undefined) {
    const noting = noteNumber(trx, sqlTarget, def, number, year);
    if (noting) await noting;
    return givenNumberColumns(def, number, year);
  }

  /**
   * Codes of a catalog known, in this transaction, to be free (`lookUpFreeCodes`): an import asks for a
   * chunk's codes in one query instead of one per object. A code written is no longer counted free.
   */
  function freeCodes(trx: Db, def: ObjectTypeDef): Set<string> {
    return transactionCache(trx, `objects.freeCodes.${def.name}`, () => new Set<string>());
  }

  async function isNumberTaken(
    trx: Db,
    def: ObjectTypeDef,
    number: string,
    year: number | undefined,
    self?: string,
  ) {
    if (def.kind === 'catalog' && trx.isTransaction && freeCodes(trx, def).has(number)) return false;
    await writeGathered(trx);
    const column = def.kind === 'document' ? 'number' : 'code';
    let query = trx.selectFrom(tableName(def)).select('ref').where(column, '=', number);
    if (def.kind === 'document') query = query.where('number_year', '=', year ?? 0);
    if (self) query = query.where('ref', '!=', self);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async function assertNumberFree(
    trx: Db,
    def: ObjectTypeDef,
    number: string,
    year: number | undefined,
    self?: string,
  ) {
    if (await isNumberTaken(trx, def, number, year, self)) throw duplicateNumber(def, number, year);
  }

  function duplicateNumber(def: ObjectTypeDef, number: string, year: number | undefined): AppError {
    return def.kind === 'document'
      ? validationError(
          [
            {
              field: 'number',
              code: 'duplicate_number',
              message: `${number} is already used by another ${def.name} of ${year}`,
            },
          ],
          `The ${def.name}`,
        )
      : validationError(
          [
            {
              field: 'code',
              code: 'duplicate_code',
              message: `${number} is already used by another ${def.name}`,
            },
          ],
          `The ${def.name}`,
        );
  }

  async function writeLines(
    trx: Db,
    def: ObjectTypeDef,
    ref: string,
    values: Record<string, unknown>,
    changedSections: ReadonlySet<string>,
    before: StoredObject | undefined,
  ): Promise<Map<string, Row[]>> {
    const written = new Map<string, Row[]>();
    for (const section of def.tabularSections ?? []) {
      if (!changedSections.has(section.name)) continue;
      const lines = (values[section.name] as LineValues[] | undefined) ?? [];
      const table = sectionTableName(def, section);
      const rows = lineRows(dialect, section, ref, lines);
      if (before) {
        // Lines that come back as they were (most changes are to the header) are not written again.
        const previous = lineRows(
          dialect,
          section,
          ref,
          (before[section.name] as LineValues[] | undefined) ?? [],
        );
        if (sameRows(previous, rows)) continue;
        await execute(trx, sqlTarget, `delete from ${quote(table)} where owner_ref = ?`, [ref]);
      }
      written.set(section.name, rows);
      await insertRows(trx, table, rows);
    }
    return written;
  }

  /**
   * Rows of one table, each with the columns of the first: one prepared statement a row on SQLite. While
   * rows are gathered (`startGathering`), they are kept to be inserted with others of their table.
   */
  async function insertRows(trx: Db, table: string, rows: readonly Row[]) {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const values = rows.map((row) => columns.map((column) => row[column] ?? null));
    const gathering = trx.isTransaction ? gathered(trx) : undefined;
    if (gathering?.on) {
      const key = `${table}|${columns.join(',')}`;
      const kept = gathering.tables.get(key);
      if (kept) kept.rows.push(...values);
      else gathering.tables.set(key, { table, columns, rows: values });
      return;
    }
    await insertMany(trx, sqlTarget, table, columns, values);
  }

  /**
   * New objects' rows a bulk writer gathers, per table and columns, in the order their tables were first
   * written (a header before its lines). Only rows of objects created while gathering are kept: an object
   * read in the meantime has the rows written first, so that what is read is what was written.
   */
  function gathered(trx: Db): {
    on: boolean;
    tables: Map<string, { table: string; columns: string[]; rows: unknown[][] }>;
  } {
    return transactionCache(trx, 'objects.gatheredRows', () => ({ on: false, tables: new Map() }));
  }

  async function writeGathered(trx: Db): Promise<void> {
    if (!trx.isTransaction) return;
    const { tables } = gathered(trx);
    if (tables.size === 0) return;
    const batches = [...tables.values()];
    tables.clear();
    for (const { table, columns, rows } of batches) {
      try {
        await insertMany(trx, sqlTarget, table, columns, rows);
      } catch (error) {
        const violation = dialect.uniqueViolation(error);
        if (!violation) throw error;
        // Which object it was is not known here: the writer applies the objects again one by one.
        throw new AppError(
          'gathered_write_refused',
          `${rows.length} rows gathered for ${table} were refused (${violation.constraint}); apply them one by one to find which`,
          { status: 409 },
        );
      }
    }
  }

  /** Update statements by table and columns set, made once each. */
  const updateTexts = new Map<string, string>();

  /**
   * Sets only the columns whose value changed since the object was read: every index over a column that
   * is set gets rewritten, even to the same value, and a catalog item has many.
   */
  async function updateRow(trx: Db, table: string, ref: string, row: Row, stored: Row | undefined) {
    const columns = Object.keys(row).filter((column) => !stored || stored[column] !== (row[column] ?? null));
    const key = `update|${table}|${columns.join(',')}`;
    let text = updateTexts.get(key);
    if (text === undefined) {
      text = `update ${quote(table)} set ${columns.map((column) => `${quote(column)} = ?`).join(', ')} where ref = ?`;
      updateTexts.set(key, text);
    }
    await execute(trx, sqlTarget, text, [...columns.map((column) => row[column] ?? null), ref]);
  }

  /** The object as written, decoded from the rows themselves rather than read from the database. */
  function writtenObject(
    def: ObjectTypeDef,
    row: Row,
    lines: ReadonlyMap<string, Row[]>,
    before: StoredObject | undefined,
  ): StoredObject {
    const object = decodeHeader(def, row);
    for (const section of def.tabularSections ?? []) {
      const rows = lines.get(section.name);
      object[section.name] = rows
        ? rows.map((line) => decodeLine(section, line))
        : ((before?.[section.name] as LineValues[] | undefined) ?? []);
    }
    return object;
  }

  async function runHooks(trx: Db, event: WriteEvent) {
    for (const hook of hooks) await hook(trx, event);
  }

  async function save(
    trx: Db,
    def: ObjectTypeDef,
    before: StoredObject | undefined,
    input: Record<string, unknown>,
    origin: WriteOrigin,
    options: Pick<WriteOptions, 'createdIn' | 'exists'>,
  ): Promise<() => StoredObject> {
    if (before && typeof input.version === 'number' && input.version !== before.version) {
      throw new AppError(
        'version_conflict',
        `The ${def.name} was changed by someone else (version ${before.version}, you edited version ${input.version}); reload it and apply your change again`,
        { status: 409 },
      );
    }
    const { values, changedSections } = mergeInput(def, before, input);
    const crossFieldErrors = def.check?.(values) ?? [];
    if (crossFieldErrors.length > 0) throw validationError(crossFieldErrors, `The ${def.name}`);
    const unseen = unseenReferences(trx, def, values, options.exists);
    if (unseen) await checkReferences(trx, def, unseen);
    const requested = (def.kind === 'document' ? input.number : input.code) as string | undefined;
    const numberColumns = await numbering(trx, def, values, before, requested, origin);
    if (def.kind === 'catalog' && trx.isTransaction) freeCodes(trx, def).delete(String(numberColumns.code));
    const ref = before?.ref ?? (input.ref as string | undefined) ?? newRef();
    const row = headerRow(def, dialect, values, numberColumns, {
      version: (before?.version ?? 0) + 1,
      deleted: Boolean(input.deleted ?? before?.deleted ?? false),
      updatedAt: new Date().toISOString(),
    });
    try {
      if (before) {
        await updateRow(trx, tableName(def), ref, row, storedRows.get(before));
      } else {
        row.ref = ref;
        row.created_in = options.createdIn ?? (await readPrefix(trx));
        await insertRows(trx, tableName(def), [row]);
      }
    } catch (error) {
      throw whyRefused(error, def, numberColumns, ref);
    }
    const lines = await writeLines(trx, def, ref, values, changedSections, before);
    return written(
      trx,
      def,
      before ? Object.assign({}, row, { ref, created_in: before.createdIn }) : row,
      lines,
      before,
      origin,
    );
  }

  /** After a write: the transaction knows the object exists, and the hooks hear of it. */
  async function written(
    trx: Db,
    def: ObjectTypeDef,
    row: Row,
    lines: ReadonlyMap<string, Row[]>,
    before: StoredObject | undefined,
    origin: WriteOrigin,
  ): Promise<() => StoredObject> {
    const ref = String(row.ref);
    knownRefs(trx).add(def.name, ref);
    // Decoded only when asked: most writes of a large load never look at it again.
    let after: StoredObject | undefined;
    const decoded = () => {
      after ??= writtenObject(def, row, lines, before);
      return after;
    };
    const event: WriteEvent = {
      def,
      ref,
      action: before ? 'update' : 'create',
      before,
      get after() {
        return decoded();
      },
      origin,
    };
    await runHooks(trx, event);
    return decoded;
  }

  /**
   * Stores a new object from rows already made (`receivedDocumentRows`, in the reader thread): what the
   * write path does with the rows it makes itself — references checked, the number noted, the rows
   * inserted, the hooks run. Fails as `save` does.
   */
  async function createFromRows(
    trx: Db,
    def: ObjectTypeDef,
    rows: NewObjectRows,
    origin: WriteOrigin,
    exists: RefExists | undefined,
  ) {
    const unseen = unseenReferences(trx, def, rowValues(def, rows), exists);
    if (unseen) await checkReferences(trx, def, unseen);
    const { header } = rows;
    if (def.kind === 'document') {
      const noting = noteNumber(trx, sqlTarget, def, String(header.number), Number(header.number_year));
      if (noting) await noting;
    }
    try {
      await insertRows(trx, tableName(def), [header]);
    } catch (error) {
      throw whyRefused(error, def, header, String(header.ref));
    }
    const lines = new Map<string, Row[]>();
    for (const section of def.tabularSections ?? []) {
      const sectionRows = rows.lines[section.name] ?? [];
      lines.set(section.name, sectionRows);
      await insertRows(trx, sectionTableName(def, section), sectionRows);
    }
    await written(trx, def, header, lines, undefined, origin);
  }

  /** The reference values of rows, by field, as `unseenReferences` reads them from values. */
  function rowValues(def: ObjectTypeDef, rows: NewObjectRows): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const field of def.fields) values[field.name] = rows.header[columnName(field.name)];
    for (const section of def.tabularSections ?? []) {
      values[section.name] = (rows.lines[section.name] ?? []).map((row) => {
        const line: Record<string, unknown> = {};
        for (const field of section.fields) line[field.name] = row[columnName(field.name)];
        return line;
      });
    }
    return values;
  }

  /** A refused insert in the words of the write path: a number or code in use, or a ref that exists. */
  function whyRefused(error: unknown, def: ObjectTypeDef, numberColumns: Row, ref: string): unknown {
    const violation = dialect.uniqueViolation(error);
    if (!violation) return error;
    if (/number|code/.test(violation.constraint)) {
      return duplicateNumber(
        def,
        String(numberColumns.number ?? numberColumns.code),
        numberColumns.number_year as number,
      );
    }
    return new AppError('conflict', `A ${def.name} with ref ${ref} already exists`, { status: 409 });
  }

  async function referencedBy(trx: Db, def: ObjectTypeDef, ref: string): Promise<string | undefined> {
    for (const other of app.types) {
      for (const field of other.fields) {
        if (field.type.kind !== 'ref' || field.type.to !== def.name) continue;
        const row = await trx
          .selectFrom(tableName(other))
          .select('ref')
          .where(columnName(field.name), '=', ref)
          .executeTakeFirst();
        if (row) return `${other.name} ${String(row.ref)} (field ${field.name})`;
      }
      for (const section of other.tabularSections ?? []) {
        for (const field of section.fields) {
          if (field.type.kind !== 'ref' || field.type.to !== def.name) continue;
          const row = await trx
            .selectFrom(sectionTableName(other, section))
            .select('owner_ref')
            .where(columnName(field.name), '=', ref)
            .executeTakeFirst();
          if (row) return `${other.name} ${String(row.owner_ref)} (${section.name}.${field.name})`;
        }
      }
    }
    return undefined;
  }

  function filterValue(def: ObjectTypeDef, name: string, text: string): unknown {
    const system: Record<string, FieldDef['type']> = {
      ref: { kind: 'ref', to: def.name },
      code: { kind: 'string', maxLength: 30 },
      number: { kind: 'string', maxLength: 30 },
      createdIn: { kind: 'string', maxLength: 2 },
      deleted: { kind: 'boolean' },
      posted: { kind: 'boolean' },
    };
    const field = def.fields.find((candidate) => candidate.name === name);
    const type = field?.type ?? system[name];
    if (!type) {
      throw validationError(
        [{ field: name, code: 'unknown_field', message: `is not a field of ${def.name}` }],
        'The filter',
      );
    }
    const raw: unknown =
      type.kind === 'boolean'
        ? text === 'true'
          ? true
          : text === 'false'
            ? false
            : text
        : type.kind === 'integer'
          ? Number(text)
          : text;
    const parsed = safeParseFields(fieldValueSchema(type), raw);
    if (!parsed.success) {
      throw validationError(
        parsed.errors.map((error) => ({ ...error, field: name })),
        'The filter',
      );
    }
    return typeof parsed.data === 'boolean' ? dialect.encodeBoolean(parsed.data) : parsed.data;
  }

  return {
    typeDef,

    /**
     * Runs a load of about `incoming` objects with the indexes of each document type it could double
     * built after it, not grown row by row (withIndexesBuiltAfter); catalogs keep theirs, which the load
     * searches. Where the dialect cannot rebuild indexes aside, or the load is small, it just runs.
     */
    async loadingMany<T>(trx: Db, incoming: number, work: () => Promise<T>): Promise<T> {
      if (!dialect.rebuildsIndexesAside || incoming < BULK_LOAD) return work();
      const tables: TableSpec[] = [];
      for (const def of app.types) {
        if (def.kind !== 'document') continue;
        const [counted] = await queryRows<{ count: number }>(
          trx,
          sqlTarget,
          `select count(*) as count from ${quote(tableName(def))}`,
          [],
        );
        if (Number(counted?.count ?? 0) <= incoming) tables.push(...objectTableSpecs(def));
      }
      return withIndexesBuiltAfter(trx, tables, work);
    },

    async get(typeName: string, ref: string, trx?: Db): Promise<StoredObject | undefined> {
      return read(trx ?? db, typeDef(typeName), ref);
    },

    /** Several objects of one type by ref, in a few queries; those that do not exist are absent. */
    async getMany(typeName: string, refs: readonly string[], trx?: Db): Promise<Map<string, StoredObject>> {
      return readMany(trx ?? db, typeDef(typeName), refs);
    },

    /**
     * Several objects of one type, read to be changed in this transaction (`put` with `before`): each
     * update then sets only the columns that change, as after `get`.
     */
    async getManyToChange(
      typeName: string,
      refs: readonly string[],
      trx: Db,
    ): Promise<Map<string, StoredObject>> {
      return readMany(trx, typeDef(typeName), refs, true);
    },

    async require(typeName: string, ref: string, trx?: Db): Promise<StoredObject> {
      const object = await read(trx ?? db, typeDef(typeName), ref);
      if (!object) throw notFound(`The ${typeName} ${ref}`);
      return object;
    },

    async list(typeName: string, query: ListQuery = {}): Promise<{ items: StoredObject[]; total: number }> {
      const def = typeDef(typeName);
      let base = db.selectFrom(tableName(def));
      for (const [name, text] of Object.entries(query.filter ?? {})) {
        const column = name === 'createdIn' ? 'created_in' : columnName(name);
        base = base.where(column, '=', filterValue(def, name, text));
      }
      if (!query.includeDeleted && query.filter?.deleted === undefined) {
        base = base.where('deleted', '=', dialect.encodeBoolean(false));
      }
      if (query.search) {
        base = base.where('search_text', 'like', `%${query.search.toLowerCase().replace(/[%_\\]/g, '')}%`);
      }
      const total = await base.select(sql<number>`count(*)`.as('total')).executeTakeFirstOrThrow();
      const sortable = new Set([
        'code',
        'number',
        'date',
        'createdIn',
        ...def.fields.map((field) => field.name),
      ]);
      const sort = query.sort ?? (def.kind === 'document' ? 'date' : (def.presentation[0] ?? 'code'));
      if (!sortable.has(sort)) {
        throw validationError(
          [{ field: 'sort', code: 'unknown_field', message: `cannot sort ${def.name} by ${sort}` }],
          'The query',
        );
      }
      const descending = query.descending ?? (def.kind === 'document' && query.sort === undefined);
      const rows = await base
        .selectAll()
        .orderBy(sort === 'createdIn' ? 'created_in' : columnName(sort), descending ? 'desc' : 'asc')
        .orderBy('ref')
        .limit(Math.min(query.limit ?? 100, MAX_PAGE))
        .offset(query.offset ?? 0)
        .execute();
      return { items: rows.map((row) => decodeHeader(def, row)), total: Number(total.total) };
    },

    async create(
      typeName: string,
      input: unknown,
      origin: WriteOrigin,
      options: WriteOptions = {},
    ): Promise<StoredObject> {
      const def = typeDef(typeName);
      const values = parseInput(def, 'create', input);
      return inTransaction(options.trx, async (trx) => {
        if (typeof values.ref === 'string' && (await read(trx, def, values.ref))) {
          throw new AppError('conflict', `A ${def.name} with ref ${values.ref} already exists`, {
            status: 409,
          });
        }
        return (await save(trx, def, undefined, values, origin, options))();
      });
    },

    async update(
      typeName: string,
      ref: string,
      patch: unknown,
      origin: WriteOrigin,
      options: WriteOptions = {},
    ) {
      const def = typeDef(typeName);
      const values = parseInput(def, 'update', patch);
      return inTransaction(options.trx, async (trx) => {
        const before = await read(trx, def, ref);
        if (!before) throw notFound(`The ${def.name} ${ref}`);
        return (await save(trx, def, before, values, origin, options))();
      });
    },

    /**
     * From now on in this transaction, the rows of new objects are gathered and inserted together: by
     * `writeGathered`, before any object is read, and by `stopGathering`. For a writer of many objects
     * under one savepoint (an import's chunk): each statement saved is a round trip on PostgreSQL. A
     * unique key the rows break shows only when they are written (`gathered_write_refused`), not naming
     * the object.
     */
    startGathering(trx: Db): void {
      if (trx.isTransaction) gathered(trx).on = true;
    },

    /** Inserts the rows gathered so far: before a reader outside the store looks at object tables. */
    writeGathered(trx: Db): Promise<void> {
      return writeGathered(trx);
    },

    /** Inserts the gathered rows and stops gathering. */
    async stopGathering(trx: Db): Promise<void> {
      await writeGathered(trx);
      if (trx.isTransaction) gathered(trx).on = false;
    },

    /**
     * Looks up together which of these codes of a catalog no object has, so that checking each of them
     * as an object is written takes no query; a code written in the meantime is taken again.
     */
    async lookUpFreeCodes(trx: Db, typeName: string, codes: readonly string[]): Promise<void> {
      const def = typeDef(typeName);
      if (def.kind !== 'catalog' || !trx.isTransaction || codes.length === 0) return;
      await writeGathered(trx);
      const taken = new Set<string>();
      for (const batch of inListBatches([...new Set(codes)])) {
        const rows = await queryRows<{ code: string }>(
          trx,
          sqlTarget,
          `select code from ${quote(tableName(def))} where code in (${placeholders(batch.length)})`,
          batch,
        );
        for (const row of rows) taken.add(String(row.code));
      }
      const free = freeCodes(trx, def);
      for (const code of codes) if (!taken.has(code)) free.add(code);
    },

    /** A new object from rows made elsewhere (the reader thread): see createFromRows. */
    async createFromRows(
      typeName: string,
      rows: NewObjectRows,
      origin: WriteOrigin,
      options: { trx: Db; exists?: RefExists },
    ) {
      await createFromRows(options.trx, typeDef(typeName), rows, origin, options.exists);
    },

    /** Creates the object with this ref, or changes it if it exists: the exchange's way to apply. */
    async put(typeName: string, ref: string, input: unknown, origin: WriteOrigin, options: PutOptions = {}) {
      const def = typeDef(typeName);
      return inTransaction(options.trx, async (trx) => {
        const before = options.before && options.trx ? options.before.object : await read(trx, def, ref);
        const values = parseInput(
          def,
          before ? 'update' : 'create',
          before ? input : Object.assign({}, input, { ref }),
        );
        const written = await save(trx, def, before, values, origin, options);
        return options.discardResult ? undefined : written();
      });
    },

    async setDeletionMark(
      typeName: string,
      ref: string,
      deleted: boolean,
      origin: WriteOrigin,
      options: WriteOptions = {},
    ) {
      const def = typeDef(typeName);
      return inTransaction(options.trx, async (trx) => {
        const before = await read(trx, def, ref);
        if (!before) throw notFound(`The ${def.name} ${ref}`);
        return (await save(trx, def, before, { deleted }, origin, options))();
      });
    },

    /** Deletes for good; refused while anything still refers to the object (mark it for deletion instead). */
    async remove(
      typeName: string,
      ref: string,
      origin: WriteOrigin,
      options: WriteOptions = {},
    ): Promise<void> {
      const def = typeDef(typeName);
      return inTransaction(options.trx, async (trx) => {
        const before = await read(trx, def, ref);
        if (!before) throw notFound(`The ${def.name} ${ref}`);
        const user = await referencedBy(trx, def, ref);
        if (user) {
          throw new AppError(
            'still_referenced',
            `The ${def.name} ${ref} cannot be deleted: ${user} refers to it; mark it for deletion instead`,
            { status: 409 },
          );
        }
        for (const section of def.tabularSections ?? []) {
          await execute(
            trx,
            sqlTarget,
            `delete from ${quote(sectionTableName(def, section))} where owner_ref = ?`,
            [ref],
          );
        }
        await execute(trx, sqlTarget, `delete from ${quote(tableName(def))} where ref = ?`, [ref]);
        knownRefs(trx).delete(def.name, ref);
        await runHooks(trx, { def, ref, action: 'delete', before, after: undefined, origin });
      });
    },
  };
}

export { searchKeyColumns } from './object-rows.js';
