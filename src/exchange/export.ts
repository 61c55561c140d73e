import { formatNamespace, type MessageHeader } from '../format/message-header.js';
import { columnName, sectionTableName, tableName } from '../platform/metadata.js';
import type { StoredObject } from '../platform/objects/object-store.js';
import { readPrefix } from '../platform/settings.js';
import type { Db } from '../platform/storage/index.js';
import { execute, inListBatches, placeholders, queryRows, quote } from '../platform/storage/raw-sql.js';
import { changesWritten } from './change-log.js';
import type { FormatObject, OutgoingContext } from './conversion.js';
import { EXCHANGE_PLAN, type ExchangeContext } from './exchange-context.js';
import type { StoredMessage } from './message-store.js';
import { type ExchangeNode, peerReceives } from './nodes.js';
import { PerTypeMap } from './per-type-map.js';
import { peerRefsOf } from './public-ids.js';

export type Progress = (done: number, total: number) => void;

const BATCH = 500;
/**
 * What a message remembers of the objects it names, per type (bounded memory): whole objects and their
 * key properties are large and, named by ref alone, mostly not needed; a peer ref, whether the message
 * carries it, and the few fields rules read are small.
 */
const OBJECT_CACHE = 5_000;
const KEY_CACHE = 20_000;
const REF_CACHE = 50_000;
const NONE: ReadonlySet<string> = new Set();

/**
 * Makes the next message for a node (DESIGN.md 6.4): every change not yet acknowledged is stamped with
 * `sentNo + 1` and written, catalog items "sent if used" are pulled in with the documents that use them,
 * and `sentNo` is saved — all in one transaction, so a crash leaves either the whole message or none.
 * Returns undefined when there is nothing to send.
 */
export async function exportMessage(
  context: ExchangeContext,
  nodeId: string,
  /** `evenIfEmpty`: the initial export, which the peer must receive even when there is nothing to send. */
  options: { progress?: Progress; evenIfEmpty?: boolean } = {},
): Promise<StoredMessage | undefined> {
  const { infobase, nodes, messages } = context;
  // Outside the transaction: on SQLite a query beside an open transaction would wait for it forever.
  const ownCode = await context.ownCode();
  return infobase.db.transaction().execute(async (trx) => {
    const node = await nodes.require(nodeId, trx);
    const messageNo = node.sentNo + 1;
    await execute(
      trx,
      infobase.sql,
      'update exchange_changes set message_no = ? where node_id = ? and (message_no is null or message_no <= ?)',
      [messageNo, node.id, node.sentNo],
    );
    if (node.rules.catalogs === 'used') await pullInUsedCatalogs(context, trx, node, messageNo);
    const total = await countStamped(context, trx, node.id, messageNo);
    if (total === 0 && !options.evenIfEmpty) return undefined;

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
    await updateSentObjects(context, trx, node.id, messageNo);
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

async function countStamped(
  context: ExchangeContext,
  trx: Db,
  nodeId: string,
  messageNo: number,
): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    trx,
    context.infobase.sql,
    'select count(*) as count from exchange_changes where node_id = ? and message_no = ?',
    [nodeId, messageNo],
  );
  return Number(row?.count ?? 0);
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
  const links: { from: string; table: string; owner: string; column: string; to: string }[] = [];
  for (const { localType } of context.exchanged.values()) {
    const def = context.typeDef(localType);
    const add = (table: string, owner: string, fieldType: { kind: string; to?: string }, field: string) => {
      const target = fieldType.kind === 'ref' ? context.exchanged.get(fieldType.to!) : undefined;
      if (target?.kind === 'catalog' && peerReceives(node, target.formatType)) {
        links.push({ from: localType, table, owner, column: columnName(field), to: target.localType });
      }
    };
    for (const field of def.fields) add(tableName(def), 'ref', field.type, field.name);
    for (const section of def.tabularSections ?? []) {
      for (const field of section.fields)
        add(sectionTableName(def, section), 'owner_ref', field.type, field.name);
    }
  }
  // A link can pull something only from a type the message carries; after the first round only links
  // from the types just pulled in run again, until nothing is added.
  const carried = await queryRows<{ type: string }>(
    trx,
    context.infobase.sql,
    "select distinct type from exchange_changes where node_id = ? and message_no = ? and action = 'put'",
    [node.id, messageNo],
  );
  for (let sources = new Set(carried.map((row) => String(row.type))); sources.size > 0; ) {
    const pulled = new Set<string>();
    for (const link of links) {
      if (!sources.has(link.from)) continue;
      // The message's changes drive the join (CROSS JOIN keeps them the outer loop on SQLite): a few
      // changed documents must not mean a scan of every line ever written.
      const column = `t.${quote(link.column)}`;
      const pulledIn = await execute(
        trx,
        context.infobase.sql,
        `insert into exchange_changes (node_id, type, ref, action, message_no)
         select distinct ?, ?, ${column}, 'put', cast(? as integer)
         from exchange_changes c
         cross join ${quote(link.table)} t
         where c.node_id = ? and c.type = ? and c.message_no = ?
           and c.action = 'put' and t.${quote(link.owner)} = c.ref and ${column} is not null
           and not exists (select 1 from exchange_sent_objects s
             where s.node_id = ? and s.type = ? and s.ref = ${column})
         on conflict (node_id, type, ref) do nothing`,
        [node.id, link.to, messageNo, node.id, link.from, messageNo, node.id, link.to],
      );
      if (pulledIn > 0) {
        pulled.add(link.to);
        changesWritten(trx, node.id);
      }
    }
    sources = pulled;
  }
}

async function* stampedRefs(
  context: ExchangeContext,
  trx: Db,
  nodeId: string,
  type: string,
  messageNo: number,
  action: 'put' | 'delete',
) {
  let after = '';
  for (;;) {
    const rows = await queryRows<{ ref: string }>(
      trx,
      context.infobase.sql,
      `select ref from exchange_changes
       where node_id = ? and type = ? and message_no = ? and action = ? and ref > ?
       order by ref limit ${BATCH}`,
      [nodeId, type, messageNo, action, after],
    );
    if (rows.length === 0) return;
    const refs = rows.map((row) => String(row.ref));
    yield refs;
    after = refs[refs.length - 1]!;
  }
}

type Outgoing = OutgoingContext & {
  /** The type whose objects are being written now: what the message carried before it is named by ref. */
  writing(localType: string): void;
  /** Fetches at once the objects (and their peer refs) that a batch of objects names, two levels deep. */
  prefetch(objects: Iterable<{ localType: string; object: StoredObject }>): Promise<void>;
};

/**
 * Key properties of referenced objects, as the peer knows them. A message names the same catalog items
 * again and again: they are fetched a batch at a time and remembered, within a bound.
 *
 * An object the message itself carries, written before the one that names it (its type comes first), is
 * named by its ref alone (`{ Ссылка }`): the reader has just read its key properties in full, and found
 * it by them. An initial export carries every catalog item its documents name, so its documents restate
 * no key properties at all — most of what such a message used to be, and of what it cost to write, send
 * and read.
 */
function outgoingContext(
  context: ExchangeContext,
  trx: Db,
  nodeId: string,
  messageNo: number,
  /** The types this message carries objects of. */
  carriedTypes: ReadonlySet<string>,
): Outgoing {
  const { sql } = context.infobase;
  const objects = new PerTypeMap<StoredObject | null>(OBJECT_CACHE);
  const keys = new PerTypeMap<FormatObject | null>(KEY_CACHE);
  const peerRefs = new PerTypeMap<string>(REF_CACHE);
  /** Whether this message carries the object (a put stamped with its number). */
  const carried = new PerTypeMap<boolean>(REF_CACHE);
  const order = new Map(context.rules.types.map((type, index) => [type.localType, index]));
  let writingIndex = -1;
  const writtenBefore = (localType: string) =>
    carriedTypes.has(localType) && (order.get(localType) ?? writingIndex) < writingIndex;
  // The few fields rules read of referenced objects are kept apart from the objects: small, they stay
  // when the objects are dropped, and a product named again needs no fetch for its kind.
  const fieldsRead = context.rules.referencedFields;
  const fields = new PerTypeMap<Record<string, unknown> | null>(REF_CACHE);

  async function fetchCarried(localType: string, refs: readonly string[]) {
    const unknown = refs.filter((ref) => !carried.has(localType, ref));
    for (const batch of inListBatches(unknown)) {
      for (const ref of batch) carried.set(localType, ref, false);
      const rows = await queryRows<{ ref: string }>(
        trx,
        sql,
        // By the primary key: the index by message would walk every change of the message (`+` keeps it off).
        `select ref from exchange_changes
         where node_id = ? and type = ? and ref in (${placeholders(batch.length)}) and +message_no = ? and action = 'put'`,
        [nodeId, localType, ...batch, messageNo],
      );
      for (const row of rows) carried.set(localType, String(row.ref), true);
    }
  }

  async function fetchPeerRefs(localType: string, refs: readonly string[]) {
    const unmapped = refs.filter((ref) => !peerRefs.has(localType, ref));
    if (unmapped.length > 0) {
      const found = await peerRefsOf(trx, sql, nodeId, localType, unmapped);
      for (const ref of unmapped) peerRefs.set(localType, ref, found.get(ref) ?? ref);
    }
  }

  async function fetch(localType: string, refs: readonly string[]) {
    const missing = refs.filter((ref) => !objects.has(localType, ref));
    if (missing.length > 0) {
      const found = await context.infobase.objects.getMany(localType, missing, trx);
      const read = fieldsRead[localType];
      for (const ref of missing) {
        const object = found.get(ref) ?? null;
        objects.set(localType, ref, object);
        if (read)
          fields.set(localType, ref, object && Object.fromEntries(read.map((name) => [name, object[name]])));
      }
    }
    await fetchPeerRefs(localType, refs);
  }

  /** The refs an object names, per type; what is already known of them is sorted out per batch (`prefetch`). */
  function named(localType: string, object: StoredObject, into: Map<string, Set<string>>) {
    const def = context.typeDef(localType);
    const add = (to: string, value: unknown) => {
      if (typeof value !== 'string' || !context.exchanged.has(to)) return;
      const refs = into.get(to) ?? new Set<string>();
      refs.add(value);
      into.set(to, refs);
    };
    for (const field of def.fields) if (field.type.kind === 'ref') add(field.type.to, object[field.name]);
    for (const section of def.tabularSections ?? []) {
      const lines = (object[section.name] as Record<string, unknown>[] | undefined) ?? [];
      for (const field of section.fields) {
        if (field.type.kind !== 'ref') continue;
        for (const line of lines) add(field.type.to, line[field.name]);
      }
    }
  }

  async function objectOf(localType: string, ref: string) {
    if (!objects.has(localType, ref)) await fetch(localType, [ref]);
    return objects.get(localType, ref) ?? undefined;
  }

  const self: Outgoing = {
    async fieldOf(localType, ref, field) {
      const known = fields.get(localType, ref);
      if (known !== undefined) return known?.[field];
      return (await objectOf(localType, ref))?.[field];
    },
    // Asked for every reference of every line: each memory is asked once, as at a million objects a
    // look-up in them costs more than the rest of naming a carried object.
    async keyProperties(localType, ref) {
      if (writtenBefore(localType)) {
        let isCarried = carried.get(localType, ref);
        if (isCarried === undefined) {
          await fetchCarried(localType, [ref]);
          isCarried = carried.get(localType, ref);
        }
        if (isCarried) {
          let peerRef = peerRefs.get(localType, ref);
          if (peerRef === undefined) {
            await fetchPeerRefs(localType, [ref]);
            peerRef = peerRefs.get(localType, ref);
          }
          return { Ссылка: peerRef ?? ref };
        }
      }
      const cached = keys.get(localType, ref);
      if (cached !== undefined) return cached ?? undefined;
      const object = await objectOf(localType, ref);
      if (!peerRefs.has(localType, ref)) await fetch(localType, [ref]);
      const properties = object
        ? await context.rules.keyProperties(localType, object, peerRefs.get(localType, ref) ?? ref, self)
        : undefined;
      keys.set(localType, ref, properties ?? null);
      return properties;
    },
    writing(localType) {
      writingIndex = order.get(localType) ?? -1;
    },
    async prefetch(batch) {
      let level = new Map<string, Set<string>>();
      for (const { localType, object } of batch) named(localType, object, level);
      for (let depth = 0; depth < 2 && level.size > 0; depth += 1) {
        const next = new Map<string, Set<string>>();
        for (const [localType, namedRefs] of level) {
          const read = fieldsRead[localType];
          let refs = [...namedRefs];
          let alone: ReadonlySet<string> = NONE;
          if (writtenBefore(localType)) {
            await fetchCarried(localType, refs);
            alone = new Set(refs.filter((ref) => carried.get(localType, ref) === true));
            await fetchPeerRefs(localType, [...alone]);
          }
          // Named by ref alone, an object is read only for the fields the rules read of it, once: those
          // outlast the objects remembered, and a product named in every batch is not read again. Of the
          // others, one whose key properties and read fields are known needs nothing more.
          refs = refs.filter(
            (ref) => (read && !fields.has(localType, ref)) || (!alone.has(ref) && !keys.has(localType, ref)),
          );
          await fetch(localType, refs);
          for (const ref of refs) {
            const object = objects.get(localType, ref);
            if (object && !alone.has(ref)) named(localType, object, next);
          }
        }
        level = next;
      }
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
  const { sql } = context.infobase;
  // Which types and actions the message carries, asked once: most messages carry a few of them.
  const carried = new Set(
    (
      await queryRows<{ type: string; action: string }>(
        trx,
        sql,
        'select distinct type, action from exchange_changes where node_id = ? and message_no = ?',
        [node.id, messageNo],
      )
    ).map((row) => `${row.action}:${row.type}`),
  );
  const outgoing = outgoingContext(
    context,
    trx,
    node.id,
    messageNo,
    new Set(
      context.rules.types.map(({ localType }) => localType).filter((type) => carried.has(`put:${type}`)),
    ),
  );
  let objectCount = 0;
  for (const type of context.rules.types) {
    if (!carried.has(`put:${type.localType}`)) continue;
    outgoing.writing(type.localType);
    for await (const refs of stampedRefs(context, trx, node.id, type.localType, messageNo, 'put')) {
      const objects = await context.infobase.objects.getMany(type.localType, refs, trx);
      const peerRefs = await peerRefsOf(trx, sql, node.id, type.localType, refs);
      await outgoing.prefetch([...objects.values()].map((object) => ({ localType: type.localType, object })));
      for (const ref of refs) {
        const object = objects.get(ref);
        // Deleted since the change was logged: its deletion was logged in its place.
        if (!object) continue;
        const entry = await context.rules.toFormat(
          type.localType,
          object,
          peerRefs.get(ref) ?? ref,
          outgoing,
        );
        objectCount += 1;
        counted();
        yield { [entry.type]: entry.object };
      }
    }
  }
  for (const type of [...context.rules.types].reverse()) {
    if (!carried.has(`delete:${type.localType}`)) continue;
    for await (const refs of stampedRefs(context, trx, node.id, type.localType, messageNo, 'delete')) {
      const peerRefs = await peerRefsOf(trx, sql, node.id, type.localType, refs);
      for (const ref of refs) {
        const entry = context.rules.deletion(type.localType, peerRefs.get(ref) ?? ref);
        objectCount += 1;
        counted();
        yield { [entry.type]: entry.object };
      }
    }
  }
  yield { Trailer: { ObjectCount: objectCount } };
}

/** What the message carries the peer will have: followed from now on, or forgotten if deleted. */
async function updateSentObjects(context: ExchangeContext, trx: Db, nodeId: string, messageNo: number) {
  await execute(
    trx,
    context.infobase.sql,
    `insert into exchange_sent_objects (node_id, type, ref, source)
     select node_id, type, ref, 'us' from exchange_changes
     where node_id = ? and message_no = ? and action = 'put'
     on conflict (node_id, type, ref) do nothing`,
    [nodeId, messageNo],
  );
  // Driven by the message's deletions: every object the peer has is not to be visited on each message.
  await execute(
    trx,
    context.infobase.sql,
    `delete from exchange_sent_objects
     where node_id = ? and (type, ref) in (select c.type, c.ref from exchange_changes c
       where c.node_id = ? and c.message_no = ? and c.action = 'delete')`,
    [nodeId, nodeId, messageNo],
  );
}
