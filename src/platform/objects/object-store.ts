import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AppError, type FieldError, notFound, validationError } from '../errors.js';
import { safeParseFields } from '../field-errors.js';
import type { ApplicationDef, FieldDef, FieldValue, ObjectTypeDef, TabularSectionDef } from '../metadata.js';
import { columnName, findType, sectionTableName, tableName } from '../metadata.js';
import { catalogScope, documentScope, nextFreeNumber, noteNumber, parseNumber } from '../numbering.js';
import { searchKey, searchKeyColumn } from '../search-keys.js';
import { readPrefix } from '../settings.js';
import type { Db, Row, StorageDialect } from '../storage/index.js';
import { fieldValueSchema, type LineValues, objectInputSchema } from './object-schema.js';

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

export function createObjectStore(deps: {
  db: Db;
  dialect: StorageDialect;
  app: ApplicationDef;
  hooks: readonly WriteHook[];
}) {
  const { db, dialect, app, hooks } = deps;

  function typeDef(typeName: string): ObjectTypeDef {
    const def = findType(app, typeName);
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

  function encode(field: FieldDef, value: unknown): unknown {
    if (value === undefined || value === null) return null;
    if (field.type.kind === 'boolean') return dialect.encodeBoolean(Boolean(value));
    return value;
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

  async function readLines(trx: Db, def: ObjectTypeDef, section: TabularSectionDef, ref: string) {
    const rows = await trx
      .selectFrom(sectionTableName(def, section))
      .selectAll()
      .where('owner_ref', '=', ref)
      .orderBy('line_no')
      .execute();
    return rows.map((row) => {
      const line: LineValues = {};
      for (const field of section.fields) line[field.name] = decode(field, row[columnName(field.name)]);
      return line;
    });
  }

  async function read(trx: Db, def: ObjectTypeDef, ref: string): Promise<StoredObject | undefined> {
    const row = await trx.selectFrom(tableName(def)).selectAll().where('ref', '=', ref).executeTakeFirst();
    if (!row) return undefined;
    const object = decodeHeader(def, row);
    for (const section of def.tabularSections ?? []) {
      object[section.name] = await readLines(trx, def, section, ref);
    }
    return object;
  }

  function parseInput(def: ObjectTypeDef, mode: 'create' | 'update', input: unknown) {
    const parsed = safeParseFields(objectInputSchema(def, mode), input ?? {});
    if (!parsed.success) throw validationError(parsed.errors, `The ${def.name}`);
    return parsed.data as Record<string, unknown>;
  }

  async function checkReferences(trx: Db, def: ObjectTypeDef, values: Record<string, unknown>) {
    const errors: FieldError[] = [];
    const check = async (field: FieldDef, value: unknown, path: string) => {
      if (field.type.kind !== 'ref' || typeof value !== 'string') return;
      const target = findType(app, field.type.to);
      if (!target) throw new Error(`${def.name}.${field.name} refers to undeclared type ${field.type.to}`);
      const found = await trx
        .selectFrom(tableName(target))
        .select('ref')
        .where('ref', '=', value)
        .executeTakeFirst();
      if (!found) {
        errors.push({
          field: path,
          code: 'reference_not_found',
          message: `no ${target.name} with ref ${value}`,
        });
      }
    };
    for (const field of def.fields) await check(field, values[field.name], field.name);
    for (const section of def.tabularSections ?? []) {
      const lines = (values[section.name] as LineValues[] | undefined) ?? [];
      for (const [index, line] of lines.entries()) {
        for (const field of section.fields)
          await check(field, line[field.name], `${section.name}[${index}].${field.name}`);
      }
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
      if (def.kind === 'document') {
        const parsed = parseNumber(def.kind, requested);
        await noteNumber(trx, def, requested, year);
        return {
          number: requested,
          number_year: year,
          number_scope: parsed?.scope ?? null,
          number_seq: parsed?.sequence ?? null,
        };
      }
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
      await noteNumber(trx, def, number, year);
    }
    return def.kind === 'document'
      ? { number, number_year: year, number_scope: scope ?? null, number_seq: sequence ?? null }
      : { code: number, code_scope: scope ?? null, code_seq: sequence ?? null };
  }

  async function isNumberTaken(
    trx: Db,
    def: ObjectTypeDef,
    number: string,
    year: number | undefined,
    self?: string,
  ) {
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

  function searchText(def: ObjectTypeDef, values: Record<string, unknown>, number: unknown): string {
    const parts = [number, ...def.presentation.map((name) => values[name])];
    for (const group of def.searchFields ?? []) for (const name of group) parts.push(values[name]);
    return parts
      .filter((part) => typeof part === 'string' && part !== '')
      .join(' ')
      .toLowerCase();
  }

  async function writeLines(
    trx: Db,
    def: ObjectTypeDef,
    ref: string,
    values: Record<string, unknown>,
    changedSections: ReadonlySet<string>,
    replace: boolean,
  ) {
    for (const section of def.tabularSections ?? []) {
      if (!changedSections.has(section.name)) continue;
      const lines = (values[section.name] as LineValues[] | undefined) ?? [];
      const table = sectionTableName(def, section);
      if (replace) await trx.deleteFrom(table).where('owner_ref', '=', ref).execute();
      if (lines.length === 0) continue;
      const rows = lines.map((line, index) => {
        const row: Row = { owner_ref: ref, line_no: index + 1 };
        for (const field of section.fields) row[columnName(field.name)] = encode(field, line[field.name]);
        return row;
      });
      // Keep each statement well under SQLite's limit of bound parameters.
      const chunk = Math.max(1, Math.floor(900 / (section.fields.length + 2)));
      for (let start = 0; start < rows.length; start += chunk) {
        await trx
          .insertInto(table)
          .values(rows.slice(start, start + chunk))
          .execute();
      }
    }
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
    createdIn: string | undefined,
  ): Promise<StoredObject> {
    if (before && typeof input.version === 'number' && input.version !== before.version) {
      throw new AppError(
        'version_conflict',
        `The ${def.name} was changed by someone else (version ${before.version}, you edited version ${input.version}); reload it and apply your change again`,
        { status: 409 },
      );
    }
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
        : (before?.[section.name] ?? []);
    }
    if (def.kind === 'document') {
      merged.date = input.date ?? before?.date ?? localNow();
      merged.posted = input.posted ?? before?.posted ?? false;
    }
    const values = def.complete ? def.complete(merged) : merged;
    const crossFieldErrors = def.check?.(values) ?? [];
    if (crossFieldErrors.length > 0) throw validationError(crossFieldErrors, `The ${def.name}`);
    await checkReferences(trx, def, values);
    const requested = (def.kind === 'document' ? input.number : input.code) as string | undefined;
    const numberColumns = await numbering(trx, def, values, before, requested, origin);
    const ref = before?.ref ?? (input.ref as string | undefined) ?? randomUUID();
    const row: Row = {
      ...numberColumns,
      version: (before?.version ?? 0) + 1,
      deleted: dialect.encodeBoolean(Boolean(input.deleted ?? before?.deleted ?? false)),
      updated_at: new Date().toISOString(),
      search_text: searchText(def, values, numberColumns.number ?? numberColumns.code),
    };
    if (def.kind === 'document') {
      row.date = values.date;
      row.posted = dialect.encodeBoolean(Boolean(values.posted));
    }
    for (const field of def.fields) row[columnName(field.name)] = encode(field, values[field.name]);
    Object.assign(row, searchKeyColumns(def, { ...values, ...numberColumns }));
    try {
      if (before) {
        await trx.updateTable(tableName(def)).set(row).where('ref', '=', ref).execute();
      } else {
        row.ref = ref;
        row.created_in = createdIn ?? (await readPrefix(trx));
        await trx.insertInto(tableName(def)).values(row).execute();
      }
    } catch (error) {
      const violation = dialect.uniqueViolation(error);
      if (!violation) throw error;
      if (/number|code/.test(violation.constraint)) {
        throw duplicateNumber(
          def,
          String(numberColumns.number ?? numberColumns.code),
          numberColumns.number_year as number,
        );
      }
      throw new AppError('conflict', `A ${def.name} with ref ${ref} already exists`, { status: 409 });
    }
    await writeLines(trx, def, ref, values, changedSections, before !== undefined);
    const after = (await read(trx, def, ref))!;
    await runHooks(trx, { def, ref, action: before ? 'update' : 'create', before, after, origin });
    return after;
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

    async get(typeName: string, ref: string, trx?: Db): Promise<StoredObject | undefined> {
      return read(trx ?? db, typeDef(typeName), ref);
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
        return save(trx, def, undefined, values, origin, options.createdIn);
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
        return save(trx, def, before, values, origin, undefined);
      });
    },

    /** Creates the object with this ref, or changes it if it exists: the exchange's way to apply. */
    async put(
      typeName: string,
      ref: string,
      input: unknown,
      origin: WriteOrigin,
      options: WriteOptions = {},
    ) {
      const def = typeDef(typeName);
      return inTransaction(options.trx, async (trx) => {
        const before = await read(trx, def, ref);
        const values = parseInput(
          def,
          before ? 'update' : 'create',
          before ? input : { ...(input as object), ref },
        );
        return save(trx, def, before, values, origin, options.createdIn);
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
        return save(trx, def, before, { deleted }, origin, undefined);
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
          await trx.deleteFrom(sectionTableName(def, section)).where('owner_ref', '=', ref).execute();
        }
        await trx.deleteFrom(tableName(def)).where('ref', '=', ref).execute();
        await runHooks(trx, { def, ref, action: 'delete', before, after: undefined, origin });
      });
    },
  };
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
function withDefaults(fields: readonly FieldDef[], line: LineValues): LineValues {
  const completed: LineValues = { ...line };
  for (const field of fields) {
    if (completed[field.name] === undefined && field.default !== undefined)
      completed[field.name] = field.default;
  }
  return completed;
}

function localNow(): string {
  const now = new Date();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}
