import { columnName, tableName } from '../platform/metadata.js';
import type { Db } from '../platform/storage/index.js';
import { execute, placeholders, quote } from '../platform/storage/raw-sql.js';
import { changesWritten } from './change-log.js';
import type { ExchangeContext } from './exchange-context.js';
import { exportMode } from './export-rules.js';
import { type ExchangeNode, peerReceives } from './nodes.js';

/**
 * Registers in the change log what a node's rules send: every matching object for the initial export,
 * and after a change of rules what now matches and the peer lacks (what we sent and no longer matches goes
 * as a deletion). Catalog items "sent if used" are left to the documents that use them. Set-based, a
 * statement per type and action: the initial export of a large infobase registers millions of objects.
 */
export async function registerByRules(
  context: ExchangeContext,
  trx: Db,
  node: ExchangeNode,
): Promise<number> {
  let registered = 0;
  const { sql } = context.infobase;
  for (const { localType, kind } of context.exchanged.values()) {
    if (!receivable(node, context, localType)) continue;
    // Only what is always sent is registered here; the rest goes with what uses it, or never.
    if (exportMode(node.rules, kind) !== 'always') continue;
    const def = context.typeDef(localType);
    const filter = filterOf(
      node,
      def.kind,
      localType,
      def.fields.some((f) => f.name === 'organization'),
    );
    const table = quote(tableName(def));
    const upsert = `on conflict (node_id, type, ref) do update set action = excluded.action, message_no = null`;
    // What matches and the peer lacks goes; what we sent that no longer matches goes as a deletion (as
    // passesFilters says: a document before the date, another organization's data).
    registered += await execute(
      trx,
      sql,
      `insert into exchange_changes (node_id, type, ref, action, message_no)
       select ?, ?, t.ref, 'put', null from ${table} t
       where t.deleted = ? and ${filter.text}
         and not exists (select 1 from exchange_sent_objects s
           where s.node_id = ? and s.type = ? and s.ref = t.ref)
       ${upsert}`,
      [
        node.id,
        localType,
        context.infobase.dialect.encodeBoolean(false),
        ...filter.parameters,
        node.id,
        localType,
      ],
    );
    if (filter.parameters.length > 0) {
      registered += await execute(
        trx,
        sql,
        `insert into exchange_changes (node_id, type, ref, action, message_no)
         select ?, ?, t.ref, 'delete', null from exchange_sent_objects s
         join ${table} t on t.ref = s.ref
         where s.node_id = ? and s.type = ? and s.source = 'us' and not (${filter.text})
         ${upsert}`,
        [node.id, localType, node.id, localType, ...filter.parameters],
      );
    }
  }
  if (registered > 0) changesWritten(trx, node.id);
  return registered;
}

/** The rules' date and organization filters as a condition on `t` (passesFilters, in SQL). */
function filterOf(
  node: ExchangeNode,
  kind: 'catalog' | 'document',
  localType: string,
  hasOrganization: boolean,
): { text: string; parameters: unknown[] } {
  const { rules } = node;
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  if (kind === 'document' && rules.documents === 'since' && rules.documentsSince) {
    conditions.push('substr(t.date, 1, 10) >= ?');
    parameters.push(rules.documentsSince);
  }
  const column =
    localType === 'organization' ? 'ref' : hasOrganization ? columnName('organization') : undefined;
  if (rules.organizations.length > 0 && column) {
    // An object without an organization belongs to none and passes, as passesFilters has it.
    conditions.push(
      `(t.${quote(column)} is null or t.${quote(column)} in (${placeholders(rules.organizations.length)}))`,
    );
    parameters.push(...rules.organizations);
  }
  return { text: conditions.length > 0 ? conditions.join(' and ') : '1 = 1', parameters };
}

function receivable(node: ExchangeNode, context: ExchangeContext, localType: string): boolean {
  return peerReceives(node, context.exchanged.get(localType)?.formatType);
}
