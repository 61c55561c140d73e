import type { Db } from '../platform/storage/index.js';
import {
  type KeptBackInsert,
  keptBack,
  startKeepingBack,
  writeKeptBack,
} from '../platform/storage/kept-back-rows.js';
import {
  execute,
  inListBatches,
  placeholders,
  queryRows,
  type SqlTarget,
} from '../platform/storage/raw-sql.js';

/** Public-ID links: an importer applying a chunk writes them together; whatever reads links writes them first. */
const links: KeptBackInsert = {
  table: 'exchange_public_ids',
  columns: ['node_id', 'type', 'peer_ref', 'local_ref'],
  tail: 'on conflict (node_id, type, peer_ref) do update set local_ref = excluded.local_ref',
};

/** The chunk's links wait in memory until `writeLinks` (kept-back-rows.ts). */
export function deferLinks(trx: Db): void {
  startKeepingBack(trx, links);
}

/** Writes the deferred links; they are deferred again only if `stop` is false. */
export async function writeLinks(trx: Db, sql: SqlTarget, stop = true): Promise<void> {
  await writeKeptBack(trx, sql, links, stop);
}

/** Refs as each side knows them: a mapped object keeps its local ref here and is known to the peer by the peer's. */
export async function peerRefOf(
  trx: Db,
  sql: SqlTarget,
  nodeId: string,
  type: string,
  localRef: string,
): Promise<string> {
  await writeLinks(trx, sql, false);
  const [row] = await queryRows<{ peer_ref: string }>(
    trx,
    sql,
    'select peer_ref from exchange_public_ids where node_id = ? and type = ? and local_ref = ?',
    [nodeId, type, localRef],
  );
  return row ? String(row.peer_ref) : localRef;
}

/** The peer's refs of many local objects at once; an object without a link is known by its own ref. */
export async function peerRefsOf(
  trx: Db,
  sql: SqlTarget,
  nodeId: string,
  type: string,
  localRefs: readonly string[],
): Promise<Map<string, string>> {
  await writeLinks(trx, sql, false);
  const found = new Map<string, string>();
  for (const batch of inListBatches(localRefs)) {
    const rows = await queryRows<{ local_ref: string; peer_ref: string }>(
      trx,
      sql,
      `select local_ref, peer_ref from exchange_public_ids
       where node_id = ? and type = ? and local_ref in (${placeholders(batch.length)})`,
      [nodeId, type, ...batch],
    );
    for (const row of rows) found.set(String(row.local_ref), String(row.peer_ref));
  }
  return found;
}

export async function link(
  trx: Db,
  sql: SqlTarget,
  nodeId: string,
  type: string,
  peerRef: string,
  localRef: string,
) {
  if (peerRef === localRef) return;
  const waiting = keptBack(trx, links);
  if (waiting) {
    // The last link of a peer object wins, as the upsert of each in turn would have it.
    waiting.set(`${nodeId}\u0000${type}\u0000${peerRef}`, [nodeId, type, peerRef, localRef]);
    return;
  }
  await execute(
    trx,
    sql,
    `insert into exchange_public_ids (node_id, type, peer_ref, local_ref) values (?, ?, ?, ?)
     on conflict (node_id, type, peer_ref) do update set local_ref = excluded.local_ref`,
    [nodeId, type, peerRef, localRef],
  );
}
