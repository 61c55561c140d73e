import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import type { DirectStatements } from './raw-sql.js';
import {
  booleanEncodings,
  type ColumnKind,
  type Db,
  type DynamicDatabase,
  type Storage,
  type StorageDialect,
} from './storage.js';

export const sqliteDialect: StorageDialect = {
  name: 'sqlite',
  rebuildsIndexesAside: true,
  // Decimals are TEXT: a NUMERIC column would turn "1.20" into a binary float.
  columnType(column: ColumnKind): string {
    if (column.kind === 'binary') return 'blob';
    return column.kind === 'integer' || column.kind === 'boolean' ? 'integer' : 'text';
  },
  encodeBoolean: booleanEncodings.sqlite.encodeBoolean,
  decodeBoolean: (value) => value === 1 || value === true,
  async listColumns(db: Db, table: string): Promise<Set<string>> {
    const result = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
    return new Set(result.rows.map((row) => row.name));
  },
  uniqueViolation(error: unknown) {
    if (!(error instanceof Error)) return undefined;
    const { code } = error as { code?: string };
    // A primary key is a unique key too, as PostgreSQL reports it.
    if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return undefined;
    // "UNIQUE constraint failed: doc_sale.number_year, doc_sale.number"
    const columns = error.message.split(':')[1]?.trim() ?? '';
    return { constraint: columns };
  },
};

export function openSqliteFile(file: string, cacheSizeMb = 32): Database.Database {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma(`cache_size = -${cacheSizeMb * 1024}`);
  database.pragma('foreign_keys = OFF');
  // Temporary data (a savepoint's journal, the sort that builds an index) goes to files the system caches:
  // kept in memory, building the indexes of a million documents took a hundred megabytes of it.
  database.pragma('temp_store = FILE');
  return database;
}

const STATEMENT_CACHE = 1000;

/**
 * The database as Kysely sees it, with its prepared statements kept by SQL text: Kysely prepares every
 * query it runs, and preparing costs more than running a small statement. A statement still iterating
 * (a streamed query) is busy, so a second use of the same SQL gets a fresh one.
 */
export function withStatementCache(
  database: Database.Database,
): SqliteDatabase & { direct: DirectStatements } {
  const cache = new Map<string, Database.Statement>();
  const prepare = (text: string) => {
    const cached = cache.get(text);
    if (cached && !cached.busy) return cached;
    const statement = database.prepare(text);
    if (!cached) {
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
      cache.set(text, statement);
    }
    return statement;
  };
  return {
    close: () => database.close(),
    prepare,
    direct: {
      rows: (text, parameters) => prepare(text).all(parameters),
      arrays: (text, parameters) => {
        // Raw mode is the statement's own: set for this call only, as the same text may be read as rows.
        const statement = prepare(text).raw(true);
        try {
          return statement.all(parameters) as unknown[][];
        } finally {
          statement.raw(false);
        }
      },
      run: (text, parameters) => prepare(text).run(parameters).changes,
    },
  };
}

const directByDb = new WeakMap<Db, DirectStatements>();

/** The SQLite connection of an infobase's database, for plain statements inside its transactions. */
export function directStatements(db: Db): DirectStatements | undefined {
  return directByDb.get(db);
}

export function createSqliteStorage(config: { dir: string; cacheSizeMb?: number }): Storage {
  mkdirSync(config.dir, { recursive: true });
  const open = new Map<string, Db>();
  const openDb = (file: string): Db => {
    const existing = open.get(file);
    if (existing) return existing;
    const database = withStatementCache(openSqliteFile(file, config.cacheSizeMb));
    const db = new Kysely<DynamicDatabase>({ dialect: new SqliteDialect({ database }) });
    directByDb.set(db, database.direct);
    open.set(file, db);
    return db;
  };
  const infobaseFile = (name: string) => join(config.dir, `${name}.sqlite`);
  return {
    dialect: sqliteDialect,
    location: config.dir,
    hostDb: async () => openDb(join(config.dir, 'host.sqlite')),
    openInfobaseDb: async (name) => openDb(infobaseFile(name)),
    async dropInfobase(name) {
      const file = infobaseFile(name);
      await open.get(file)?.destroy();
      open.delete(file);
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
    async close() {
      for (const db of open.values()) await db.destroy();
      open.clear();
    },
  };
}
