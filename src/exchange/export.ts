import { sql } from 'kysely';
import { formatNamespace, type MessageHeader } from '../format/message-header.js';
import { columnName, sectionTableName, tableName } from '../platform/metadata.js';
import type { StoredObject } from '../platform/objects/object-store.js';
import { readPrefix } from '../platform/settings.js';
import type { Db } from '../platform/storage/index.js';
import type { FormatObject, OutgoingContext } from './conversion.js';
import { EXCHANGE_PLAN, type ExchangeContext } from './exchange-context.js';
import type { StoredMessage } from './message-store.js';
import type { ExchangeNode } from './nodes.js';
import { peerRefOf } from './public-ids.js';

export type Progress = (done: number, total: number) => void;

const BATCH = 500;
const CACHE_LIMIT = 20_000;

/**
 * Makes the next message for a node (DESIGN.md 6.4): every change not yet acknowledged is stamped with
 * `sentNo + 1` and written, catalog items "sent if used" are pulled in with the documents that use them,
 * and `sentNo` is saved — all in one transaction, so a crash leaves either the whole message or none.
 * Returns undefined when there is nothing to send.
 */
export async function exportMessage(
  context: ExchangeContext,
  nodeId: string,
  options: { progress?: Progress } = {},
): Promise<StoredMessage | undefined> {
  const { infobase, nodes, messages } = context;
  // Outside the transaction: on SQLite a query beside an open transaction would wait for it forever.
  const ownCode = await context.ownCode();
  return infobase.db.transaction().execute(async (trx) => {
    const node = await nodes.require(nodeId, trx);
    const messageNo = node.sentNo + 1;
    await trx
      .updateTable('exchange_changes')
      .set({ message_no: messageNo })
      .where('node_id', '=', node.id)
      .where((eb) => eb.or([eb('message_no', 'is', null), eb('message_no', '<=', node.sentNo)]))
      .execute();
    if (node.rules.catalogs === 'used') await pullInUsedCatalogs(context, trx, node, messageNo);
    const total = await countStamped(trx, node.id, messageNo);
    if (total === 0) return undefined;

    let written = 0;
    const lines = messageLines(
      context,
      trx,
      node,
      messageNo,
      await header(context, trx, node, messageNo, ownCode),
      () => {
        written += 1;
        if (written % 200 === 0 || written === total) options.progress?.(written, total);
      },
    );
    const message = await messages.writeOutgoing(
      trx,
      node.id,
      messageNo,
      lines,
      () => written,
      context.partSize,
    );
    await updateSentObjects(trx, node.id, messageNo);
    await nodes.update(node.id, { sentNo: messageNo }, trx);
    return message;
  });
}

/** Objects per type that a message carries. */
export async function stampedCounts(
  context: ExchangeContext,
  nodeId: string,
  messageNo: number,
): Promise<Record<string, number>> {
  const rows = await context.infobase.db
    .selectFrom('exchange_changes')
    .select(['type'])
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('node_id', '=', nodeId)
    .where('message_no', '=', messageNo)
    .groupBy('type')
    .execute();
  return Object.fromEntries(rows.map((row) => [String(row.type), Number(row.count)]));
}

async function countStamped(trx: Db, nodeId: string, messageNo: number): Promise<number> {
  const row = await trx
    .selectFrom('exchange_changes')
    .select(sql<number>`count(*)`.as('count'))
    .where('node_id', '=', nodeId)
    .where('message_no', '=', messageNo)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function header(
  context: ExchangeContext,
  trx: Db,
  node: ExchangeNode,
  messageNo: number,
  ownCode: string,
): Promise<MessageHeader> {
  return {
    Format: formatNamespace(context.rules.formatVersion),
    CreationDate: new Date().toISOString().slice(0, 19),
    Confirmation: {
      ExchangePlan: EXCHANGE_PLAN,
      To: node.peerCode,
      From: ownCode,
      MessageNo: messageNo,
      ReceivedNo: node.receivedNo,
    },
    AvailableVersion: [context.rules.formatVersion],
    AvailableObjectTypes: context.rules.types.map((type) => ({
      Name: type.formatType,
      Sending: '*',
      Receiving: '*',
    })),
    Prefix: await readPrefix(trx),
    AvailableExtensions: context.rules.extensions.map((extension) => ({
      Namespace: extension.namespace,
      BaseVersion: extension.baseVersion,
    })),
  };
}

/**
 * Catalog items "sent only if used in documents" go with the first message that carries something using
 * them, and are followed from then on. Set-based, per reference field, until nothing more is pulled in.
 */
async function pullInUsedCatalogs(context: ExchangeContext, trx: Db, node: ExchangeNode, messageNo: number) {
  const receivable = (formatType: string) =>
    node.peerObjectTypes.receive.length === 0 || node.peerObjectTypes.receive.includes(formatType);
  const links: { from: string; table: string; owner: string; column: string; to: string }[] = [];
  for (const { localType } of context.exchanged.values()) {
    const def = context.typeDef(localType);
    const add = (table: string, owner: string, fieldType: { kind: string; to?: string }, field: string) => {
      const target = fieldType.kind === 'ref' ? context.exchanged.get(fieldType.to!) : undefined;
      if (target?.kind === 'catalog' && receivable(target.formatType)) {
        links.push({ from: localType, table, owner, column: columnName(field), to: target.localType });
      }
    };
    for (const field of def.fields) add(tableName(def), 'ref', field.type, field.name);
    for (const section of def.tabularSections ?? []) {
      for (const field of section.fields)
        add(sectionTableName(def, section), 'owner_ref', field.type, field.name);
    }
  }
  for (let pulled = true; pulled; ) {
    pulled = false;
    for (const link of links) {
      const result = await sql`
        insert into exchange_changes (node_id, type, ref, action, message_no)
        select distinct ${node.id}, ${link.to}, t.${sql.ref(link.column)}, 'put', cast(${messageNo} as integer)
        from ${sql.table(link.table)} t
        join exchange_changes c
          on c.node_id = ${node.id} and c.type = ${link.from} and c.ref = t.${sql.ref(link.owner)}
          and c.message_no = ${messageNo} and c.action = 'put'
        where t.${sql.ref(link.column)} is not null
          and not exists (select 1 from exchange_sent_objects s
            where s.node_id = ${node.id} and s.type = ${link.to} and s.ref = t.${sql.ref(link.column)})
        on conflict (node_id, type, ref) do nothing`.execute(trx);
      if (Number(result.numAffectedRows ?? 0) > 0) pulled = true;
    }
  }
}

async function* stampedRefs(
  trx: Db,
  nodeId: string,
  type: string,
  messageNo: number,
  action: 'put' | 'delete',
) {
  let after = '';
  for (;;) {
    const rows = await trx
      .selectFrom('exchange_changes')
      .select('ref')
      .where('node_id', '=', nodeId)
      .where('type', '=', type)
      .where('message_no', '=', messageNo)
      .where('action', '=', action)
      .where('ref', '>', after)
      .orderBy('ref')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return;
    const refs = rows.map((row) => String(row.ref));
    yield refs;
    after = refs[refs.length - 1]!;
  }
}

/** Key properties of referenced objects, as the peer knows them; remembered for the message's length. */
function outgoingContext(context: ExchangeContext, trx: Db, nodeId: string): OutgoingContext {
  const cache = new Map<string, FormatObject | undefined>();
  const objects = new Map<string, StoredObject | undefined>();
  const self: OutgoingContext = {
    async object(localType, ref) {
      const key = `${localType}:${ref}`;
      if (objects.has(key)) return objects.get(key);
      const object = await context.infobase.objects.get(localType, ref, trx);
      if (objects.size > CACHE_LIMIT) objects.clear();
      objects.set(key, object);
      return object;
    },
    async keyProperties(localType, ref) {
      const key = `${localType}:${ref}`;
      if (cache.has(key)) return cache.get(key);
      const object = await self.object(localType, ref);
      const keys = object
        ? await context.rules.keyProperties(
            localType,
            object,
            await peerRefOf(trx, nodeId, localType, ref),
            self,
          )
        : undefined;
      if (cache.size > CACHE_LIMIT) cache.clear();
      cache.set(key, keys);
      return keys;
    },
  };
  return self;
}

async function* messageLines(
  context: ExchangeContext,
  trx: Db,
  node: ExchangeNode,
  messageNo: number,
  messageHeader: MessageHeader,
  counted: () => void,
): AsyncGenerator<unknown> {
  yield { Header: messageHeader };
  const outgoing = outgoingContext(context, trx, node.id);
  let objectCount = 0;
  for (const type of context.rules.types) {
    for await (const refs of stampedRefs(trx, node.id, type.localType, messageNo, 'put')) {
      for (const ref of refs) {
        const object: StoredObject | undefined = await context.infobase.objects.get(type.localType, ref, trx);
        // Deleted since the change was logged: its deletion was logged in its place.
        if (!object) continue;
        const peerRef = await peerRefOf(trx, node.id, type.localType, ref);
        const entry = await context.rules.toFormat(type.localType, object, peerRef, outgoing);
        objectCount += 1;
        counted();
        yield { [entry.type]: entry.object };
      }
    }
  }
  for (const type of [...context.rules.types].reverse()) {
    for await (const refs of stampedRefs(trx, node.id, type.localType, messageNo, 'delete')) {
      for (const ref of refs) {
        const entry = context.rules.deletion(
          type.localType,
          await peerRefOf(trx, node.id, type.localType, ref),
        );
        objectCount += 1;
        counted();
        yield { [entry.type]: entry.object };
      }
    }
  }
  yield { Trailer: { ObjectCount: objectCount } };
}

/** What the message carries the peer will have: followed from now on, or forgotten if deleted. */
async function updateSentObjects(trx: Db, nodeId: string, messageNo: number) {
  await sql`
    insert into exchange_sent_objects (node_id, type, ref, source)
    select node_id, type, ref, 'us' from exchange_changes
    where node_id = ${nodeId} and message_no = ${messageNo} and action = 'put'
    on conflict (node_id, type, ref) do nothing`.execute(trx);
  await sql`
    delete from exchange_sent_objects
    where node_id = ${nodeId} and exists (select 1 from exchange_changes c
      where c.node_id = exchange_sent_objects.node_id and c.type = exchange_sent_objects.type
        and c.ref = exchange_sent_objects.ref and c.message_no = ${messageNo} and c.action = 'delete')`.execute(
    trx,
  );
}
