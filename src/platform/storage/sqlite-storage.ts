import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { ColumnKind, Db, DynamicDatabase, Storage, StorageDialect } from './storage.js';

export const sqliteDialect: StorageDialect = {
  name: 'sqlite',
  // Decimals are TEXT: a NUMERIC column would turn "1.20" into a binary float.
  columnType(column: ColumnKind): string {
    if (column.kind === 'binary') return 'blob';
    return column.kind === 'integer' || column.kind === 'boolean' ? 'integer' : 'text';
  },
  encodeBoolean: (value) => (value ? 1 : 0),
  decodeBoolean: (value) => value === 1 || value === true,
  async listColumns(db: Db, table: string): Promise<Set<string>> {
    const result = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
    return new Set(result.rows.map((row) => row.name));
  },
  uniqueViolation(error: unknown) {
    if (!(error instanceof Error) || (error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE')
      return undefined;
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
  return database;
}

export function createSqliteStorage(config: { dir: string; cacheSizeMb?: number }): Storage {
  mkdirSync(config.dir, { recursive: true });
  const open = new Map<string, Db>();
  const openDb = (file: string): Db => {
    const existing = open.get(file);
    if (existing) return existing;
    const db = new Kysely<DynamicDatabase>({
      dialect: new SqliteDialect({ database: openSqliteFile(file, config.cacheSizeMb) }),
    });
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
