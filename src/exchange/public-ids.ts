import type { Db } from '../platform/storage/index.js';

/** Refs as each side knows them: a mapped object keeps its local ref here and is known to the peer by the peer's. */
export async function localRefOf(
  trx: Db,
  nodeId: string,
  type: string,
  peerRef: string,
): Promise<string | undefined> {
  const row = await trx
    .selectFrom('exchange_public_ids')
    .select('local_ref')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('peer_ref', '=', peerRef)
    .executeTakeFirst();
  return row ? String(row.local_ref) : undefined;
}

export async function peerRefOf(trx: Db, nodeId: string, type: string, localRef: string): Promise<string> {
  const row = await trx
    .selectFrom('exchange_public_ids')
    .select('peer_ref')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('local_ref', '=', localRef)
    .executeTakeFirst();
  return row ? String(row.peer_ref) : localRef;
}

export async function isLinked(trx: Db, nodeId: string, type: string, localRef: string): Promise<boolean> {
  const row = await trx
    .selectFrom('exchange_public_ids')
    .select('peer_ref')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('local_ref', '=', localRef)
    .executeTakeFirst();
  return row !== undefined;
}

export async function link(trx: Db, nodeId: string, type: string, peerRef: string, localRef: string) {
  if (peerRef === localRef) return;
  await trx
    .insertInto('exchange_public_ids')
    .values({ node_id: nodeId, type, peer_ref: peerRef, local_ref: localRef })
    .onConflict((conflict) =>
      conflict.columns(['node_id', 'type', 'peer_ref']).doUpdateSet({ local_ref: localRef }),
    )
    .execute();
}
