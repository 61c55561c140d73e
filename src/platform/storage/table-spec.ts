import { sql } from 'kysely';
import type { ColumnKind, Db, StorageDialect } from './storage.js';

export type ColumnSpec = { name: string; type: ColumnKind; notNull?: boolean };
export type IndexSpec = {
  name: string;
  columns: readonly string[];
  unique?: boolean;
  /** A partial index: only the rows this SQL condition holds for. A query uses it only if it repeats it. */
  where?: string;
};
export type TableSpec = {
  name: string;
  columns: readonly ColumnSpec[];
  primaryKey: readonly string[];
  indexes?: readonly IndexSpec[];
  /**
   * Rows stored in the order of the primary key, with no second copy of it in an index (SQLite's
   * `without rowid`): for a table only ever read by its key or a prefix of it. PostgreSQL has no such
   * storage and ignores it.
   */
  clusteredByKey?: boolean;
};

export const text = { kind: 'text' } as const;
export const integer = { kind: 'integer' } as const;
export const boolean = { kind: 'boolean' } as const;
export const binary = { kind: 'binary' } as const;

/**
 * Creates the table, or brings an existing one up to the declaration by adding the columns and indexes
 * it lacks. Columns are never dropped: data outlives a declaration change.
 */
export async function ensureTable(db: Db, dialect: StorageDialect, table: TableSpec): Promise<void> {
  const existing = await dialect.listColumns(db, table.name);
  if (existing.size === 0) {
    let builder = db.schema.createTable(table.name).ifNotExists();
    for (const column of table.columns) {
      builder = builder.addColumn(column.name, sql.raw(dialect.columnType(column.type)), (col) =>
        column.notNull ? col.notNull() : col,
      );
    }
    builder = builder.addPrimaryKeyConstraint(`${table.name}_pk`, [...table.primaryKey] as never);
    if (table.clusteredByKey && dialect.name === 'sqlite') builder = builder.modifyEnd(sql`without rowid`);
    await builder.execute();
  } else {
    for (const column of table.columns) {
      if (existing.has(column.name)) continue;
      await db.schema
        .alterTable(table.name)
        .addColumn(column.name, sql.raw(dialect.columnType(column.type)))
        .execute();
    }
  }
  for (const index of table.indexes ?? []) await createIndex(db, table.name, index);
}

export async function createIndex(db: Db, table: string, index: IndexSpec): Promise<void> {
  let builder = db.schema
    .createIndex(index.name)
    .ifNotExists()
    .on(table)
    .columns([...index.columns]);
  if (index.unique) builder = builder.unique();
  if (index.where) builder = builder.where(sql.raw<boolean>(index.where));
  await builder.execute();
}

/**
 * Runs `work` with the table's indexes that are not unique dropped, and builds them again after it, in
 * the caller's transaction: a load that adds many rows to a table that has few is much faster so, and
 * an index built at once is as good as one grown row by row. Unique indexes stay: they keep rules.
 */
export async function withIndexesBuiltAfter<T>(
  db: Db,
  tables: readonly TableSpec[],
  work: () => Promise<T>,
): Promise<T> {
  const deferred = tables.flatMap((table) =>
    (table.indexes ?? []).filter((index) => !index.unique).map((index) => ({ table: table.name, index })),
  );
  for (const { index } of deferred) await sql`drop index if exists ${sql.id(index.name)}`.execute(db);
  const result = await work();
  for (const { table, index } of deferred) await createIndex(db, table, index);
  return result;
}
