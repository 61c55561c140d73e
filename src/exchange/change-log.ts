import type { ObjectTypeDef } from '../platform/metadata.js';
import type { StoredObject, WriteEvent } from '../platform/objects/object-store.js';
import type { Db } from '../platform/storage/index.js';
import {
  type KeptBackInsert,
  keptBack,
  startKeepingBack,
  writeKeptBack,
} from '../platform/storage/kept-back-rows.js';
import { execute, queryRows, type SqlTarget } from '../platform/storage/raw-sql.js';
import { transactionCache } from '../platform/storage/transaction-cache.js';
import { exportMode, passesFilters } from './export-rules.js';
import { type ExchangeNode, type NodeStore, peerReceives } from './nodes.js';

export type ChangeAction = 'put' | 'delete';

/**
 * Whether a node has any change in the log, asked once per transaction: an import applies every incoming
 * object through `supersedeChange`, and a node with nothing waiting (the usual case on a receiving side)
 * needs no look-up per object. Every write of a change in the transaction says so (`changesWritten`).
 */
function pendingChanges(trx: Db): Map<string, boolean> {
  return transactionCache(trx, 'exchange.pendingChanges', () => new Map<string, boolean>());
}

export async function hasPendingChanges(trx: Db, sql: SqlTarget, nodeId: string): Promise<boolean> {
  const known = trx.isTransaction ? pendingChanges(trx).get(nodeId) : undefined;
  if (known !== undefined) return known;
  const found =
    (await queryRows(trx, sql, 'select 1 as found from exchange_changes where node_id = ? limit 1', [nodeId]))
      .length > 0;
  if (trx.isTransaction) pendingChanges(trx).set(nodeId, found);
  return found;
}

/** Tells the transaction that a node's log has changes now. */
export function changesWritten(trx: Db, nodeId: string): void {
  if (trx.isTransaction) pendingChanges(trx).set(nodeId, true);
}

// These run once per object written, so they are plain statements rather than built queries.
export async function recordChange(
  trx: Db,
  sql: SqlTarget,
  nodeId: string,
  type: string,
  ref: string,
  action: ChangeAction,
) {
  changesWritten(trx, nodeId);
  // A new write clears the stamp, so an acknowledgement of an older message cannot drop this change.
  await execute(
    trx,
    sql,
    `insert into exchange_changes (node_id, type, ref, action, message_no) values (?, ?, ?, ?, null)
     on conflict (node_id, type, ref) do update set action = excluded.action, message_no = null`,
    [nodeId, type, ref, action],
  );
}

export async function forgetChange(trx: Db, sql: SqlTarget, nodeId: string, type: string, ref: string) {
  await execute(trx, sql, 'delete from exchange_changes where node_id = ? and type = ? and ref = ?', [
    nodeId,
    type,
    ref,
  ]);
}

/**
 * The peer's change of an object wins over ours. A change of ours not yet sent is dropped. One already in
 * a message the peer has not acknowledged is sent again as the object now is (the peer's version): were
 * it dropped, that older message could be sent again unchanged and overwrite the peer's version there,
 * leaving the two sides apart. Returns whether we had a change of our own, for the journal to say so.
 */
export async function supersedeChange(
  trx: Db,
  sql: SqlTarget,
  nodeId: string,
  type: string,
  ref: string,
  action: ChangeAction,
): Promise<boolean> {
  // Every incoming object passes here and almost none has a change of ours: one statement for those.
  if (!(await hasPendingChanges(trx, sql, nodeId))) return false;
  const [ours] = await queryRows<{ message_no: number | null }>(
    trx,
    sql,
    'delete from exchange_changes where node_id = ? and type = ? and ref = ? returning message_no',
    [nodeId, type, ref],
  );
  if (!ours) return false;
  if (ours.message_no !== null) await recordChange(trx, sql, nodeId, type, ref, action);
  return true;
}

/** Objects whose incoming write superseded a change of ours, told by the hook to the importer. */
const superseded = (trx: Db) => transactionCache(trx, 'exchange-superseded-changes', () => new Set<string>());

/**
 * Whether the incoming write just made in this transaction superseded a change of ours (the change-log
 * hook found one inside the write); asked once per object by the importer, which journals it.
 */
export function tookOverOurChange(trx: Db, type: string, ref: string): boolean {
  return superseded(trx).delete(`${type}:${ref}`);
}

export type KnownSource = 'us' | 'peer';

/** The marks that the peer has objects: an importer applying a chunk writes them together. */
const knownMarks: KeptBackInsert = {
  table: 'exchange_sent_objects',
  columns: ['node_id', 'type', 'ref', 'source'],
  tail: 'on conflict (node_id, type, ref) do nothing',
};

const markKey = (nodeId: string, type: string, ref: string) => `${nodeId}\u0000${type}\u0000${ref}`;

/** The chunk's marks wait in memory until `writeKnownMarks` (kept-back-rows.ts). */
export function deferKnownMarks(trx: Db): void {
  startKeepingBack(trx, knownMarks);
}

/** Writes the deferred marks and stops deferring. */
export async function writeKnownMarks(trx: Db, sql: SqlTarget): Promise<void> {
  await writeKeptBack(trx, sql, knownMarks);
}

/** Whether the peer has the object, and from whom: us, or itself. */
export async function knownToPeer(
  trx: Db,
  sql: SqlTarget,
  nodeId: string,
  type: string,
  ref: string,
): Promise<KnownSource | undefined> {
  const [row] = await queryRows<{ source: string }>(
    trx,
    sql,
    'select source from exchange_sent_objects where node_id = ? and type = ? and ref = ?',
    [nodeId, type, ref],
  );
  if (row) return String(row.source) as KnownSource;
  // A deferred mark adds a row only where there is none, as the statement's "do nothing" does.
  return keptBack(trx, knownMarks)?.get(markKey(nodeId, type, ref))?.[3] as KnownSource | undefined;
}

export async function markKnown(
  trx: Db,
  sql: SqlTarget,
  nodeId: string,
  type: string,
  ref: string,
  source: KnownSource,
) {
  const waiting = keptBack(trx, knownMarks);
  if (waiting) {
    const key = markKey(nodeId, type, ref);
    // As the statement's "do nothing": the first source stays.
    if (!waiting.has(key)) waiting.set(key, [nodeId, type, ref, source]);
    return;
  }
  await execute(
    trx,
    sql,
    `insert into exchange_sent_objects (node_id, type, ref, source) values (?, ?, ?, ?)
     on conflict (node_id, type, ref) do nothing`,
    [nodeId, type, ref, source],
  );
}

export async function forgetKnown(trx: Db, sql: SqlTarget, nodeId: string, type: string, ref: string) {
  keptBack(trx, knownMarks)?.delete(markKey(nodeId, type, ref));
  await execute(trx, sql, 'delete from exchange_sent_objects where node_id = ? and type = ? and ref = ?', [
    nodeId,
    type,
    ref,
  ]);
}

/** The peer's acknowledgement: every change it has now received is done. */
export async function acknowledge(trx: Db, nodeId: string, receivedNo: number) {
  await trx
    .deleteFrom('exchange_changes')
    .where('node_id', '=', nodeId)
    .where('message_no', 'is not', null)
    .where('message_no', '<=', receivedNo)
    .execute();
}

export function objectForRules(def: ObjectTypeDef, object: StoredObject) {
  return { kind: def.kind, type: def.name, ref: object.ref, values: object };
}

/** Whether this node should receive the object now, given its rules and what it already has. */
export async function decideRegistration(
  trx: Db,
  sql: SqlTarget,
  node: ExchangeNode,
  def: ObjectTypeDef,
  object: StoredObject,
): Promise<ChangeAction | undefined> {
  const mode = exportMode(node.rules, def.kind);
  if (mode === 'never') return undefined;
  const known = await knownToPeer(trx, sql, node.id, def.name, object.ref);
  if (!passesFilters(node.rules, objectForRules(def, object))) {
    // What we sent and that now leaves the filter goes as a deletion, so the peer keeps no stale copy.
    return known === 'us' ? 'delete' : undefined;
  }
  if (mode === 'if-used' && !known) return undefined;
  return 'put';
}

/**
 * The write hook: in the writing transaction, records the change for every node whose rules want it.
 * A change that came from a node is not sent back to it; a change of ours that it overrides is
 * superseded (the incoming change wins; `supersedeChange`).
 */
export function createChangeLogHook(deps: {
  nodes: NodeStore;
  sql: SqlTarget;
  exchanged: (localType: string) => string | undefined;
}) {
  const { sql } = deps;
  return async (trx: Db, event: WriteEvent) => {
    const formatType = deps.exchanged(event.def.name);
    if (!formatType) return;
    // The settings are read once per transaction (the store forgets them when it changes one).
    for (const node of await deps.nodes.listCached(trx)) {
      if (!peerReceives(node, formatType)) continue;
      if (event.origin.kind === 'exchange' && event.origin.nodeId === node.id) {
        const action = event.action === 'delete' ? 'delete' : 'put';
        if (await supersedeChange(trx, sql, node.id, event.def.name, event.ref, action))
          superseded(trx).add(`${event.def.name}:${event.ref}`);
        if (event.action === 'delete') await forgetKnown(trx, sql, node.id, event.def.name, event.ref);
        else await markKnown(trx, sql, node.id, event.def.name, event.ref, 'peer');
        continue;
      }
      if (event.action === 'delete') {
        if (await knownToPeer(trx, sql, node.id, event.def.name, event.ref)) {
          await recordChange(trx, sql, node.id, event.def.name, event.ref, 'delete');
        } else {
          await forgetChange(trx, sql, node.id, event.def.name, event.ref);
        }
        continue;
      }
      const action = await decideRegistration(trx, sql, node, event.def, event.after!);
      if (action) await recordChange(trx, sql, node.id, event.def.name, event.ref, action);
    }
  };
}
