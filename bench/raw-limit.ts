import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, Kysely, SqliteDialect, sql } from 'kysely';
import { accounting } from '../src/apps/index.js';
import { numberCountersTable } from '../src/platform/numbering.js';
import { objectTableSpecs } from '../src/platform/objects/object-tables.js';
import { type Db, type DynamicDatabase, ensureTable, type Row } from '../src/platform/storage/index.js';
import { postgresDialect } from '../src/platform/storage/postgres-storage.js';
import { openSqliteFile, sqliteDialect } from '../src/platform/storage/sqlite-storage.js';
import { type Counters, objectRows, sqliteInserter, type TableRow } from './bulk-rows.js';
import type { GeneratedObject } from './dataset.js';

export type RawLimit = { seconds: number; rows: number; rowsPerSecond: number };

/** Objects whose rows are made (not timed) before they are inserted (timed). */
const CHUNK = 5_000;

/**
 * The raw limit of the storage, measured in the same run: exactly the rows the benchmark's objects
 * make, inserted into a fresh database with the project's own schema, indexes and settings
 * (object-tables.ts, openSqliteFile), in one transaction with prepared statements and nothing else —
 * no validation, no mapping, no change log, no network. Only the inserts and the commit are timed.
 */
export async function measureRawLimit(
  objects: () => Iterable<GeneratedObject>,
  options: { pg?: { url: string; schemaPrefix: string } | undefined; progress?: (done: number) => void },
): Promise<RawLimit> {
  return options.pg
    ? rawPostgres(objects, options.pg, options.progress)
    : rawSqlite(objects, options.progress);
}

async function rawSqlite(
  objects: () => Iterable<GeneratedObject>,
  progress?: (done: number) => void,
): Promise<RawLimit> {
  const dir = mkdtempSync(join(tmpdir(), 'ibsync-raw-'));
  try {
    const database = openSqliteFile(join(dir, 'raw.sqlite'));
    const db = new Kysely<DynamicDatabase>({ dialect: new SqliteDialect({ database }) });
    await createSchema(db, 'sqlite');
    const insert = sqliteInserter(database);
    const meta = { createdIn: 'CR', updatedAt: new Date().toISOString() };
    const counters: Counters = new Map();
    let rows = 0;
    let elapsed = 0;
    let done = 0;
    let started = performance.now();
    database.exec('begin');
    elapsed += performance.now() - started;
    for (const chunk of chunks(objects(), CHUNK)) {
      const made = chunk.flatMap((object) => objectRows(accounting, sqliteDialect, object, meta, counters));
      started = performance.now();
      for (const { table, row } of made) insert(table, row);
      elapsed += performance.now() - started;
      rows += made.length;
      done += chunk.length;
      progress?.(done);
    }
    started = performance.now();
    database.exec('commit');
    elapsed += performance.now() - started;
    await db.destroy();
    return { seconds: elapsed / 1000, rows, rowsPerSecond: rows / (elapsed / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rawPostgres(
  objects: () => Iterable<GeneratedObject>,
  pg: { url: string; schemaPrefix: string },
  progress?: (done: number) => void,
): Promise<RawLimit> {
  const { openStorage } = await import('../src/platform/storage/index.js');
  const storage = openStorage({ dialect: 'postgres', url: pg.url, schemaPrefix: `${pg.schemaPrefix}raw_` });
  const db = await storage.openInfobaseDb('raw');
  try {
    await createSchema(db, 'postgres');
    const meta = { createdIn: 'CR', updatedAt: new Date().toISOString() };
    const counters: Counters = new Map();
    let rows = 0;
    let elapsed = 0;
    let done = 0;
    await db.connection().execute(async (connection) => {
      let started = performance.now();
      await sql`begin`.execute(connection);
      elapsed += performance.now() - started;
      const statements = new Map<string, string>();
      for (const chunk of chunks(objects(), CHUNK)) {
        const made = chunk.flatMap((object) =>
          objectRows(accounting, postgresDialect, object, meta, counters),
        );
        started = performance.now();
        for (const [table, tableRows] of byTable(made)) {
          // Multi-row statements of 100 rows, each text prepared once: PostgreSQL's way to bulk-insert rows.
          for (let start = 0; start < tableRows.length; start += 100) {
            const batch = tableRows.slice(start, start + 100);
            const columns = Object.keys(batch[0]!);
            const key = `${table}:${batch.length}`;
            let text = statements.get(key);
            if (!text) {
              text = db.insertInto(table).values(batch).compile().sql;
              statements.set(key, text);
            }
            const parameters = batch.flatMap((row) => columns.map((column) => row[column] ?? null));
            await connection.executeQuery(CompiledQuery.raw(text, parameters));
          }
        }
        elapsed += performance.now() - started;
        rows += made.length;
        done += chunk.length;
        progress?.(done);
      }
      started = performance.now();
      await sql`commit`.execute(connection);
      elapsed += performance.now() - started;
    });
    return { seconds: elapsed / 1000, rows, rowsPerSecond: rows / (elapsed / 1000) };
  } finally {
    await storage.dropInfobase('raw');
    await storage.close();
  }
}

async function createSchema(db: Db, dialect: 'sqlite' | 'postgres') {
  const storageDialect = dialect === 'sqlite' ? sqliteDialect : postgresDialect;
  await ensureTable(db, storageDialect, numberCountersTable);
  for (const def of accounting.types) {
    for (const table of objectTableSpecs(def)) await ensureTable(db, storageDialect, table);
  }
}

function* chunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

function byTable(rows: readonly TableRow[]): Map<string, Row[]> {
  const grouped = new Map<string, Row[]>();
  for (const { table, row } of rows) {
    const list = grouped.get(table);
    if (list) list.push(row);
    else grouped.set(table, [row]);
  }
  return grouped;
}
