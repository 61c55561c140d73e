import { insertMany, type SqlTarget } from './raw-sql.js';
import type { Db } from './storage.js';
import { transactionCache } from './transaction-cache.js';

/**
 * Rows a bulk writer keeps back while it applies a chunk under one savepoint, and inserts together before
 * the savepoint is released: one statement per chunk instead of one per row, which on PostgreSQL is a
 * round trip each. If the chunk is undone, so are they: the transaction's memory is forgotten with it.
 */
export type KeptBackInsert = {
  table: string;
  columns: readonly string[];
  /** What follows the values, e.g. `on conflict … do nothing`. */
  tail: string;
};

type Kept = { on: boolean; rows: Map<string, unknown[]> };

function kept(trx: Db, insert: KeptBackInsert): Kept {
  return transactionCache(trx, `kept-back:${insert.table}`, () => ({ on: false, rows: new Map() }));
}

/** From now on in this transaction, the table's rows wait in `keptBack` until `writeKeptBack`. */
export function startKeepingBack(trx: Db, insert: KeptBackInsert): void {
  if (trx.isTransaction) kept(trx, insert).on = true;
}

/** The rows waiting, by a key of the caller's, while rows are kept back; undefined when they go in at once. */
export function keptBack(trx: Db, insert: KeptBackInsert): Map<string, unknown[]> | undefined {
  if (!trx.isTransaction) return undefined;
  const found = kept(trx, insert);
  return found.on ? found.rows : undefined;
}

/** Inserts the rows waiting; rows are kept back no longer, unless `stop` is false. */
export async function writeKeptBack(trx: Db, sql: SqlTarget, insert: KeptBackInsert, stop = true) {
  if (!trx.isTransaction) return;
  const found = kept(trx, insert);
  if (stop) found.on = false;
  const rows = [...found.rows.values()];
  found.rows.clear();
  await insertMany(trx, sql, insert.table, insert.columns, rows, insert.tail);
}
