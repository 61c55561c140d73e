import type { ObjectTypeDef } from '../platform/metadata.js';
import type { StoredObject, WriteEvent } from '../platform/objects/object-store.js';
import type { Db } from '../platform/storage/index.js';
import { exportMode, passesFilters } from './export-rules.js';
import type { ExchangeNode, NodeStore } from './nodes.js';

export type ChangeAction = 'put' | 'delete';

export async function recordChange(trx: Db, nodeId: string, type: string, ref: string, action: ChangeAction) {
  await trx
    .insertInto('exchange_changes')
    .values({ node_id: nodeId, type, ref, action, message_no: null })
    // A new write clears the stamp, so an acknowledgement of an older message cannot drop this change.
    .onConflict((conflict) =>
      conflict.columns(['node_id', 'type', 'ref']).doUpdateSet({ action, message_no: null }),
    )
    .execute();
}

export async function forgetChange(trx: Db, nodeId: string, type: string, ref: string) {
  await trx
    .deleteFrom('exchange_changes')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('ref', '=', ref)
    .execute();
}

export type KnownSource = 'us' | 'peer';

/** Whether the peer has the object, and from whom: us, or itself. */
export async function knownToPeer(
  trx: Db,
  nodeId: string,
  type: string,
  ref: string,
): Promise<KnownSource | undefined> {
  const row = await trx
    .selectFrom('exchange_sent_objects')
    .select('source')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('ref', '=', ref)
    .executeTakeFirst();
  return row ? (String(row.source) as KnownSource) : undefined;
}

export async function markKnown(trx: Db, nodeId: string, type: string, ref: string, source: KnownSource) {
  await trx
    .insertInto('exchange_sent_objects')
    .values({ node_id: nodeId, type, ref, source })
    .onConflict((conflict) => conflict.columns(['node_id', 'type', 'ref']).doNothing())
    .execute();
}

export async function forgetKnown(trx: Db, nodeId: string, type: string, ref: string) {
  await trx
    .deleteFrom('exchange_sent_objects')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('ref', '=', ref)
    .execute();
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
  node: ExchangeNode,
  def: ObjectTypeDef,
  object: StoredObject,
): Promise<ChangeAction | undefined> {
  const mode = exportMode(node.rules, def.kind);
  if (mode === 'never') return undefined;
  const known = await knownToPeer(trx, node.id, def.name, object.ref);
  if (!passesFilters(node.rules, objectForRules(def, object))) {
    // What we sent and that now leaves the filter goes as a deletion, so the peer keeps no stale copy.
    return known === 'us' ? 'delete' : undefined;
  }
  if (mode === 'if-used' && !known) return undefined;
  return 'put';
}

/**
 * The write hook: in the writing transaction, records the change for every node whose rules want it.
 * A change that came from a node is not sent back to it; a change of ours that it overrides is dropped
 * (the incoming change wins).
 */
export function createChangeLogHook(deps: {
  nodes: NodeStore;
  exchanged: (localType: string) => string | undefined;
}) {
  return async (trx: Db, event: WriteEvent) => {
    const formatType = deps.exchanged(event.def.name);
    if (!formatType) return;
    for (const node of await deps.nodes.list(trx)) {
      if (node.peerObjectTypes.receive.length > 0 && !node.peerObjectTypes.receive.includes(formatType))
        continue;
      if (event.origin.kind === 'exchange' && event.origin.nodeId === node.id) {
        await forgetChange(trx, node.id, event.def.name, event.ref);
        if (event.action === 'delete') await forgetKnown(trx, node.id, event.def.name, event.ref);
        else await markKnown(trx, node.id, event.def.name, event.ref, 'peer');
        continue;
      }
      if (event.action === 'delete') {
        if (await knownToPeer(trx, node.id, event.def.name, event.ref)) {
          await recordChange(trx, node.id, event.def.name, event.ref, 'delete');
        } else {
          await forgetChange(trx, node.id, event.def.name, event.ref);
        }
        continue;
      }
      const action = await decideRegistration(trx, node, event.def, event.after!);
      if (action) await recordChange(trx, node.id, event.def.name, event.ref, action);
    }
  };
}
