import { CompiledQuery } from 'kysely';
import type { Db, DialectName, Row } from './storage.js';

/** A SQLite connection's own way to run a statement, without Kysely's per-query machinery. */
export type DirectStatements = {
  rows(text: string, parameters: readonly unknown[]): unknown[];
  /** Rows as arrays of the selected columns, in their order: no object per row to build. */
  arrays(text: string, parameters: readonly unknown[]): unknown[][];
  run(text: string, parameters: readonly unknown[]): number;
};

/**
 * Where plain statements run: a dialect, or an infobase's (`Infobase.sql`), which on SQLite also runs
 * them straight on its one connection while the caller is inside a transaction — the transaction holds
 * that connection, so nothing else can be using it.
 */
export type SqlTarget = DialectName | { readonly dialect: DialectName; readonly direct?: DirectStatements };

function directFor(db: Db, target: SqlTarget): DirectStatements | undefined {
  return typeof target !== 'string' && target.direct && db.isTransaction ? target.direct : undefined;
}

function dialectOf(target: SqlTarget): DialectName {
  return typeof target === 'string' ? target : target.dialect;
}

/**
 * Statements of the hot paths, written once as SQL with `?` placeholders. Kysely builds and compiles a
 * query on every call, which costs more than SQLite takes to run a small one; these are compiled by
 * hand, once per dialect (`?` → `$1…` for PostgreSQL), and SQLite keeps them prepared (sqlite-storage).
 * Identifiers are quoted by the caller with `quote`; values always travel as parameters.
 */
const spelled = new Map<string, string>();

function inDialect(dialect: DialectName, text: string): string {
  if (dialect === 'sqlite') return text;
  let result = spelled.get(text);
  if (result === undefined) {
    let index = 0;
    result = text.replace(/\?/g, () => `$${++index}`);
    if (spelled.size > 5000) spelled.clear();
    spelled.set(text, result);
  }
  return result;
}

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export async function queryRows<R = Row>(
  db: Db,
  target: SqlTarget,
  text: string,
  parameters: readonly unknown[],
): Promise<R[]> {
  const direct = directFor(db, target);
  if (direct) return direct.rows(text, parameters) as R[];
  const result = await db.executeQuery<R>(
    CompiledQuery.raw(inDialect(dialectOf(target), text), [...parameters]),
  );
  return result.rows;
}

/**
 * Rows as arrays of the selected columns, in their order: what reads many rows uses, since building an
 * object per row of twenty columns costs twice reading the row.
 */
export async function queryArrays(
  db: Db,
  target: SqlTarget,
  text: string,
  parameters: readonly unknown[],
): Promise<unknown[][]> {
  const direct = directFor(db, target);
  if (direct) return direct.arrays(text, parameters);
  const rows = await queryRows(db, target, text, parameters);
  return rows.map((row) => Object.values(row as Row));
}

/** Runs a statement; returns how many rows it changed. */
export async function execute(
  db: Db,
  target: SqlTarget,
  text: string,
  parameters: readonly unknown[],
): Promise<number> {
  const direct = directFor(db, target);
  if (direct) return direct.run(text, parameters);
  const result = await db.executeQuery(
    CompiledQuery.raw(inDialect(dialectOf(target), text), [...parameters]),
  );
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Inserts rows of the same columns: on SQLite's own connection one prepared statement run per row, which
 * binds faster than a statement of many rows; elsewhere statements of many rows, one round trip each.
 * `tail` follows the values (e.g. `on conflict … do nothing`).
 */
export async function insertMany(
  db: Db,
  target: SqlTarget,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  tail = '',
): Promise<void> {
  if (rows.length === 0) return;
  const head = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values `;
  const row = `(${placeholders(columns.length)})`;
  const direct = directFor(db, target);
  if (direct) {
    const text = `${head}${row} ${tail}`;
    for (const values of rows) direct.run(text, values);
    return;
  }
  const perStatement = Math.max(1, Math.floor((IN_LIST_MAX * 2) / columns.length));
  for (const batch of inBatches(rows, perStatement)) {
    await execute(db, target, `${head}${Array(batch.length).fill(row).join(', ')} ${tail}`, batch.flat());
  }
}

/** `?, ?, ?` for an IN list or a row of values. */
export function placeholders(count: number): string {
  return count === 1 ? '?' : `?${', ?'.repeat(count - 1)}`;
}

/** Splits a list so that no statement binds more parameters than both dialects allow. */
export function* inBatches<T>(items: readonly T[], size = IN_LIST_MAX): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

const IN_LIST_MAX = 500;
/** The lengths an IN list is padded to. */
const IN_LIST_LENGTHS = [1, 2, 4, 8, 16, 32, 64, 128, 256, IN_LIST_MAX];

/**
 * Batches of values for an `in (…)` list, each padded to one of a few lengths by repeating its last value
 * (which changes no answer). Every distinct length is another statement that SQLite keeps prepared, each
 * holding memory for its program: unpadded, a host would soon hold one per length up to 500 for every
 * such query, which showed as tens of megabytes of RSS that grew with every synchronization.
 */
export function* inListBatches<T>(items: readonly T[]): Generator<T[]> {
  for (const batch of inBatches(items)) {
    const length = IN_LIST_LENGTHS.find((candidate) => candidate >= batch.length) ?? batch.length;
    while (batch.length < length) batch.push(batch[batch.length - 1]!);
    yield batch;
  }
}
