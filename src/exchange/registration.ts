import { columnName, tableName } from '../platform/metadata.js';
import type { Db } from '../platform/storage/index.js';
import { inListBatches, placeholders, queryRows } from '../platform/storage/raw-sql.js';
import { changesWritten } from './change-log.js';
import type { ExchangeContext } from './exchange-context.js';
import { exportMode, passesFilters } from './export-rules.js';
import type { ExchangeNode } from './nodes.js';

const BATCH = 1000;

/**
 * Registers in the change log what a node's rules send: every matching object for the initial export,
 * and after a change of rules what now matches and the peer lacks (what we sent and no longer matches goes
 * as a deletion). Catalog items "sent if used" are left to the documents that use them.
 */
export async function registerByRules(
  context: ExchangeContext,
  trx: Db,
  node: ExchangeNode,
): Promise<number> {
  let registered = 0;
  for (const { localType, kind } of context.exchanged.values()) {
    if (!receivable(node, context, localType)) continue;
    const mode = exportMode(node.rules, kind);
    // Only what is always sent is registered here; the rest goes with what uses it, or never.
    if (mode !== 'always') continue;
    const def = context.typeDef(localType);
    const hasOrganization = def.fields.some((field) => field.name === 'organization');
    const columns = [
      'ref',
      'deleted',
      ...(kind === 'document' ? ['date'] : []),
      ...(hasOrganization ? ['organization'] : []),
    ];
    let after = '';
    for (;;) {
      const rows = await trx
        .selectFrom(tableName(def))
        .select(columns.map(columnName))
        .where('ref', '>', after)
        .orderBy('ref')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      after = String(rows[rows.length - 1]!.ref);
      // What the peer has, asked a batch at a time: all of it at once grows with the infobase.
      const known = await knownRefs(
        context,
        trx,
        node.id,
        localType,
        rows.map((row) => String(row.ref)),
      );
      const changes: { ref: string; action: 'put' | 'delete' }[] = [];
      for (const row of rows) {
        const ref = String(row.ref);
        const source = known.get(ref);
        const values = { date: row.date, organization: row.organization };
        const matches = passesFilters(node.rules, { kind, type: localType, ref, values });
        if (matches && !source && !context.infobase.dialect.decodeBoolean(row.deleted))
          changes.push({ ref, action: 'put' });
        else if (!matches && source === 'us') changes.push({ ref, action: 'delete' });
      }
      if (changes.length === 0) continue;
      await trx
        .insertInto('exchange_changes')
        .values(
          changes.map((change) => ({
            node_id: node.id,
            type: localType,
            ref: change.ref,
            action: change.action,
            message_no: null,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['node_id', 'type', 'ref']).doUpdateSet((eb) => ({
            action: eb.ref('excluded.action'),
            message_no: null,
          })),
        )
        .execute();
      registered += changes.length;
      changesWritten(trx, node.id);
    }
  }
  return registered;
}

function receivable(node: ExchangeNode, context: ExchangeContext, localType: string): boolean {
  const formatType = context.exchanged.get(localType)?.formatType;
  return (
    node.peerObjectTypes.receive.length === 0 ||
    (formatType !== undefined && node.peerObjectTypes.receive.includes(formatType))
  );
}

async function knownRefs(
  context: ExchangeContext,
  trx: Db,
  nodeId: string,
  type: string,
  refs: readonly string[],
): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  for (const batch of inListBatches(refs)) {
    const rows = await queryRows<{ ref: string; source: string }>(
      trx,
      context.infobase.sql,
      `select ref, source from exchange_sent_objects
       where node_id = ? and type = ? and ref in (${placeholders(batch.length)})`,
      [nodeId, type, ...batch],
    );
    for (const row of rows) known.set(String(row.ref), String(row.source));
  }
  return known;
}
