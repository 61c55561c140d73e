import { sql as sqlText } from 'kysely';
import { AppError } from '../platform/errors.js';
import type { ObjectTypeDef } from '../platform/metadata.js';
import { columnName, tableName } from '../platform/metadata.js';
import { normalizeName, searchKeyColumn } from '../platform/search-keys.js';
import { type Db, withIndexesBuiltAfter } from '../platform/storage/index.js';
import { execute, insertMany, queryRows, quote, type SqlTarget } from '../platform/storage/raw-sql.js';
import type { IncomingObject } from './conversion.js';
import type { ExchangeContext } from './exchange-context.js';
import { mappingAnalysisTable, TO_REVIEW } from './exchange-tables.js';
import { createIdentifier, type Identification, type Identifier } from './identification.js';
import { checkHeader } from './import.js';
import { openMessage } from './message-reader.js';
import type { ExchangeNode } from './nodes.js';

/** How an incoming object stands in the analysis (S20), before anything is written. */
export type MappingStatus =
  | 'matched'
  | 'ambiguous'
  | 'unmatched'
  | 'linked-by-hand'
  | 'new-by-hand'
  | 'unreadable';

export type Candidate = { localRef: string; presentation: string; score: number; reason: string };

export type MappingItem = {
  type: string;
  peerRef: string;
  presentation: string;
  status: MappingStatus;
  match: { localRef: string; how: string; fields: string[] } | null;
  candidates: Candidate[];
};

export type TypeSummary = {
  type: string;
  total: number;
  byDecision: number;
  byPublicId: number;
  byRef: number;
  bySearch: Record<string, number>;
  ambiguous: number;
  unmatched: number;
  newByHand: number;
  unreadable: number;
};

const FUZZY_LIMIT = 3;
/** Objects read, converted and looked up together. */
const CHUNK = 500;
const FUZZY_THRESHOLD = 0.34;
/** Local names one suggestion looks at, at most, word by word. */
const SUGGESTION_NAMES = 200;

function presentationOf(def: ObjectTypeDef, incoming: IncomingObject): string {
  const value = (name: string) => {
    const found = incoming.values[name] ?? incoming.keys[name];
    return typeof found === 'string' ? found : undefined;
  };
  if (def.kind === 'document')
    return `${incoming.system.number ?? ''} ${incoming.system.date?.slice(0, 10) ?? ''}`.trim();
  const name = value('name') ?? value('number') ?? incoming.system.code ?? incoming.peerRef;
  const identifiers = ['inn', 'kpp', 'sku', 'code']
    .map((field) => (field === 'code' ? (incoming.system.code ?? value('code')) : value(field)))
    .filter(Boolean);
  return identifiers.length > 0 ? `${name} (${identifiers.join(', ')})` : name;
}

async function localPresentation(trx: Db, sql: SqlTarget, def: ObjectTypeDef, ref: string): Promise<string> {
  const columns =
    def.kind === 'document'
      ? ['number', 'date']
      : [
          'code',
          ...['name', 'inn', 'kpp', 'sku']
            .filter((f) => def.fields.some((d) => d.name === f))
            .map(columnName),
        ];
  const [row] = await queryRows<Record<string, unknown>>(
    trx,
    sql,
    `select ${columns.map(quote).join(', ')} from ${quote(tableName(def))} where ref = ?`,
    [ref],
  );
  if (!row) return ref;
  if (def.kind === 'document') return `${row.number} ${String(row.date).slice(0, 10)}`;
  const identifiers = ['inn', 'kpp', 'sku', 'code']
    .map((field) => row[field])
    .filter((v) => v !== null && v !== undefined && v !== '');
  return `${row.name ?? row.code} (${identifiers.join(', ')})`;
}

/** Words of a name, for the "similar names" suggestions of unmatched objects. */
function tokens(name: string): Set<string> {
  return normalizedTokens(normalizeName(name));
}

function normalizedTokens(normalized: string): Set<string> {
  return new Set(normalized.split(/[\s\-–—/\\]+/).filter((token) => token.length > 1));
}

/**
 * Local names by word, built once per type per analysis, so suggestions never compare all pairs. Only
 * the number of words of each name is kept beside the index: that is all the score needs. Only objects
 * still free are indexed: one that already stands for another object of the peer (linked, decided, known
 * there, or matched in this analysis) could not be linked anyway.
 */
type NameIndex = { byToken: Map<string, string[]>; tokenCount: Map<string, number> };

async function freeNameIndex(
  trx: Db,
  sql: SqlTarget,
  def: ObjectTypeDef,
  identifier: Identifier,
  notDeleted: unknown,
  nodeId: string,
): Promise<NameIndex> {
  const index: NameIndex = { byToken: new Map(), tokenCount: new Map() };
  // A search group of the name alone keeps it normalized already: its words need no second normalizing.
  const nameGroup = (def.searchFields ?? []).findIndex((group) => group.length === 1 && group[0] === 'name');
  const column = nameGroup >= 0 ? `${quote(searchKeyColumn(nameGroup))} as normalized` : 'name';
  // Those matched in this analysis are left to the database to leave out: most of a catalog, usually.
  const rows = await queryRows<{ ref: string; name?: string; normalized?: string | null }>(
    trx,
    sql,
    `select ref, ${column} from ${quote(tableName(def))}
     where name is not null and deleted = ? and ref not in (select local_ref from exchange_mapping_analysis
       where node_id = ? and type = ? and local_ref is not null)`,
    [notDeleted, nodeId, def.name],
  );
  const free = new Set(
    await identifier.free(
      def,
      rows.map((row) => String(row.ref)),
    ),
  );
  for (const row of rows) {
    const ref = String(row.ref);
    if (!free.has(ref)) continue;
    const set =
      nameGroup >= 0
        ? normalizedTokens(row.normalized ? String(row.normalized) : '')
        : tokens(String(row.name));
    index.tokenCount.set(ref, set.size);
    for (const token of set) {
      const refs = index.byToken.get(token);
      if (refs) refs.push(ref);
      else index.byToken.set(token, [ref]);
    }
  }
  return index;
}

function similarNames(index: NameIndex, name: string): { ref: string; score: number }[] {
  const wanted = tokens(name);
  const lists = [...wanted]
    .map((token) => index.byToken.get(token) ?? [])
    .sort((a, b) => a.length - b.length);
  const shared = new Map<string, number>();
  // The rarest words first, and no more names than a person could look through: a word most names
  // share says nothing about sameness, and would make each suggestion cost the size of the catalog.
  let budget = SUGGESTION_NAMES;
  for (const refs of lists) {
    if (refs.length > budget) break;
    budget -= refs.length;
    for (const ref of refs) shared.set(ref, (shared.get(ref) ?? 0) + 1);
  }
  return [...shared.entries()]
    .map(([ref, common]) => ({
      ref,
      score: common / (wanted.size + (index.tokenCount.get(ref) ?? 0) - common),
    }))
    .filter((candidate) => candidate.score >= FUZZY_THRESHOLD)
    .sort((a, b) => b.score - a.score)
    .slice(0, FUZZY_LIMIT);
}

function count(counts: TypeSummary, found: Identification) {
  switch (found.kind) {
    case 'decision':
      counts.byDecision += 1;
      break;
    case 'public-id':
      counts.byPublicId += 1;
      break;
    case 'ref':
      counts.byRef += 1;
      break;
    case 'search': {
      const fields = found.fields.join('+');
      counts.bySearch[fields] = (counts.bySearch[fields] ?? 0) + 1;
      break;
    }
    case 'ambiguous':
      counts.ambiguous += 1;
      break;
    case 'new':
      if (found.decided) counts.newByHand += 1;
      else counts.unmatched += 1;
  }
}

function statusOf(found: Identification): {
  status: MappingStatus;
  how: string | null;
  fields: readonly string[];
} {
  switch (found.kind) {
    case 'decision':
      return { status: 'linked-by-hand', how: 'decision', fields: [] };
    case 'public-id':
    case 'ref':
      return { status: 'matched', how: found.kind, fields: [] };
    case 'search':
      return { status: 'matched', how: 'search', fields: found.fields };
    case 'ambiguous':
      return { status: 'ambiguous', how: null, fields: found.fields };
    case 'new':
      return { status: found.decided ? 'new-by-hand' : 'unmatched', how: null, fields: [] };
  }
}

/**
 * Analyses the messages waiting for mapping without writing to the data: per object how it would be
 * identified, and for the unmatched and ambiguous ones the local candidates with a score and a reason.
 * The result is kept per node (exchange_mapping_analysis) for the review and its paging.
 */
export async function analyzeMapping(context: ExchangeContext, node: ExchangeNode): Promise<TypeSummary[]> {
  const waiting = (await context.messages.list(node.id, 'in')).filter(
    (message) => message.status === 'awaiting-mapping',
  );
  return context.infobase.db.transaction().execute(async (trx) => {
    await trx.deleteFrom(mappingAnalysisTable.name).where('node_id', '=', node.id).execute();
    const { sql } = context.infobase;
    const identifier = createIdentifier({
      trx,
      dialect: context.infobase.dialect,
      sql,
      nodeId: node.id,
      typeDef: context.typeDef,
      readOnly: true,
      incomingObjects: waiting.reduce((sum, message) => sum + message.objectCount, 0),
    });
    const summaries = new Map<string, TypeSummary>();
    /** Types with unmatched objects that have a name: suggested for once every match is known. */
    const toSuggest = new Set<string>();
    /**
     * The peer refs of the messages that have a later one waiting, per type: an object that two messages
     * carry is reviewed once. Within one message each object comes once (the change log holds one row per
     * object), so the last message, most often the only one, is not remembered.
     */
    const carriedBefore = new Map<string, Set<string>>();
    let seq = 0;
    const summary = (type: string) => {
      let found = summaries.get(type);
      if (!found) {
        found = {
          type,
          total: 0,
          byDecision: 0,
          byPublicId: 0,
          byRef: 0,
          bySearch: {},
          ambiguous: 0,
          unmatched: 0,
          newByHand: 0,
          unreadable: 0,
        };
        summaries.set(type, found);
      }
      return found;
    };
    // A chunk of objects is read first, so that what they look up is fetched together.
    const analyse = async (
      chunk: { seq: number; incoming: IncomingObject | undefined }[],
      laterMessages: boolean,
    ) => {
      await identifier.prefetch(chunk.flatMap(({ incoming }) => (incoming ? [incoming] : [])));
      const rows: unknown[][] = [];
      for (const { seq: itemSeq, incoming } of chunk) {
        if (!incoming) {
          summary('(unreadable)').unreadable += 1;
          summary('(unreadable)').total += 1;
          continue;
        }
        const def = context.typeDef(incoming.localType);
        if (carriedBefore.get(def.name)?.has(incoming.peerRef)) continue;
        if (laterMessages) {
          const seen = carriedBefore.get(def.name) ?? new Set<string>();
          seen.add(incoming.peerRef);
          carriedBefore.set(def.name, seen);
        }
        const found =
          identifier.identifyKnown(def, incoming.peerRef, incoming.keys) ??
          (await identifier.identify(def, incoming.peerRef, incoming.keys));
        const counts = summary(def.name);
        counts.total += 1;
        const { status, how, fields } = statusOf(found);
        count(counts, found);
        if ('localRef' in found) identifier.take(def, found.localRef, incoming.peerRef);
        const name = incoming.values.name ?? incoming.keys.name;
        const suggestable =
          found.kind === 'new' &&
          !found.decided &&
          typeof name === 'string' &&
          def.fields.some((field) => field.name === 'name');
        if (suggestable) toSuggest.add(def.name);
        rows.push([
          node.id,
          def.name,
          incoming.peerRef,
          itemSeq,
          presentationOf(def, incoming),
          status,
          how,
          fields.join('+') || null,
          'localRef' in found ? found.localRef : null,
          found.kind === 'ambiguous' ? JSON.stringify(await sameKeyCandidates(trx, sql, def, found)) : null,
          suggestable ? name : null,
        ]);
      }
      await insertMany(
        trx,
        sql,
        mappingAnalysisTable.name,
        [
          'node_id',
          'type',
          'peer_ref',
          'seq',
          'presentation',
          'status',
          'how',
          'fields',
          'local_ref',
          'candidates',
          'name',
        ],
        rows,
      );
    };
    // The rows go in in the order of their key; the index by status is built once they are all in, where
    // that does not hold other settings' reviews off until the analysis commits.
    const aside = context.infobase.dialect.rebuildsIndexesAside ? [mappingAnalysisTable] : [];
    await withIndexesBuiltAfter(trx, aside, async () => {
      for (const [index, message] of waiting.entries()) {
        const laterMessages = index < waiting.length - 1;
        const opened = await openMessage(
          context.messages.parts(node.id, 'in', message.messageNo, trx),
          message.size,
          {
            rules: context.rules,
            application: context.infobase.app.name,
            worker: context.readerThread,
            workerFrom: context.readerThreadFrom,
            purpose: 'analysis',
            dialect: context.infobase.dialect.name,
          },
        );
        await checkHeader(context, node, opened.header);
        let chunk: { seq: number; incoming: IncomingObject | undefined }[] = [];
        for await (const { incoming } of opened.body) {
          seq += 1;
          if (!incoming) {
            chunk.push({ seq, incoming: undefined });
            continue;
          }
          if (incoming.action !== 'put') continue;
          // A chunk holds one type: an object may name one of an earlier type by its ref alone, and the
          // analysis must have identified that one first (identification.ts).
          if (chunk.length > 0 && chunk[chunk.length - 1]!.incoming?.localType !== incoming.localType) {
            await analyse(chunk, laterMessages);
            chunk = [];
          }
          chunk.push({ seq, incoming });
          if (chunk.length >= CHUNK) {
            await analyse(chunk, laterMessages);
            chunk = [];
          }
        }
        await analyse(chunk, laterMessages);
      }
    });
    // Read back a batch at a time, so memory stays flat however many objects found no match.
    const notDeleted = context.infobase.dialect.encodeBoolean(false);
    for (const type of toSuggest) {
      const def = context.typeDef(type);
      const index = await freeNameIndex(trx, sql, def, identifier, notDeleted, node.id);
      for (let after = 0; ; ) {
        const unmatched = await queryRows<{ seq: number; name: string }>(
          trx,
          sql,
          `select seq, name from exchange_mapping_analysis
           where node_id = ? and status = 'unmatched' and ${TO_REVIEW} and type = ? and seq > ? and name is not null
           order by seq limit 500`,
          [node.id, type, after],
        );
        if (unmatched.length === 0) break;
        after = Number(unmatched[unmatched.length - 1]!.seq);
        for (const item of unmatched) {
          const candidates = await similarCandidates(trx, sql, def, index, String(item.name));
          if (candidates.length === 0) continue;
          await execute(
            trx,
            sql,
            'update exchange_mapping_analysis set candidates = ? where node_id = ? and seq = ?',
            [JSON.stringify(candidates), node.id, item.seq],
          );
        }
      }
    }
    return [...summaries.values()];
  });
}

/** Local objects that share the incoming object's key: a person chooses among them. */
function sameKeyCandidates(
  trx: Db,
  sql: SqlTarget,
  def: ObjectTypeDef,
  found: Extract<Identification, { kind: 'ambiguous' }>,
): Promise<Candidate[]> {
  return Promise.all(
    found.candidates.map(async (localRef) => ({
      localRef,
      presentation: await localPresentation(trx, sql, def, localRef),
      score: 0.9,
      reason: `same ${found.fields.join(' and ')}`,
    })),
  );
}

/** Free local objects whose names share most words with an unmatched object's. */
async function similarCandidates(
  trx: Db,
  sql: SqlTarget,
  def: ObjectTypeDef,
  index: NameIndex,
  name: string,
): Promise<Candidate[]> {
  const result: Candidate[] = [];
  for (const { ref, score } of similarNames(index, name)) {
    result.push({
      localRef: ref,
      presentation: await localPresentation(trx, sql, def, ref),
      score: Math.round(score * 100) / 100,
      reason: `similar name (${Math.round(score * 100)}% of the words in common)`,
    });
  }
  return result;
}

function decodeItem(row: Record<string, unknown>): MappingItem {
  return {
    type: String(row.type),
    peerRef: String(row.peer_ref),
    presentation: String(row.presentation),
    status: String(row.status) as MappingStatus,
    match: row.local_ref
      ? {
          localRef: String(row.local_ref),
          how: String(row.how ?? ''),
          fields: row.fields ? String(row.fields).split('+') : [],
        }
      : null,
    candidates: JSON.parse(String(row.candidates ?? '[]')),
  };
}

export async function mappingItems(
  context: ExchangeContext,
  node: ExchangeNode,
  query: { type?: string; status?: MappingStatus | 'all' | 'review'; limit?: number; offset?: number },
): Promise<{ items: MappingItem[]; total: number }> {
  let base = context.infobase.db.selectFrom(mappingAnalysisTable.name).where('node_id', '=', node.id);
  if (query.type) base = base.where('type', '=', query.type);
  // Said as the index says it, so that the database takes the index of the rows to review.
  if (query.status !== undefined && query.status !== 'all' && query.status !== 'matched')
    base = base.where(sqlText.raw<boolean>(TO_REVIEW));
  if (query.status === 'review') base = base.where('status', 'in', ['ambiguous', 'unmatched']);
  else if (query.status && query.status !== 'all') base = base.where('status', '=', query.status);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('seq')
    .limit(Math.min(query.limit ?? 100, 1000))
    .offset(query.offset ?? 0)
    .execute();
  return { items: rows.map(decodeItem), total: Number(total.count) };
}

export type Decision = {
  type: string;
  peerRef: string;
  action: 'link' | 'unlink' | 'create-new';
  localRef?: string | undefined;
};

/**
 * A person's decision for one incoming object, kept on the node (it survives restarts and is used by the
 * load and by every later Synchronize). `unlink` forgets any decision and link for the object, so it is
 * identified automatically again. A local object never stands for two peer objects.
 */
export async function decide(
  context: ExchangeContext,
  node: ExchangeNode,
  decision: Decision,
  user: string | null,
) {
  const def = context.typeDef(decision.type);
  if (!context.exchanged.has(def.name)) {
    throw new AppError('unknown_type', `${def.name} is not exchanged`, { status: 422 });
  }
  await context.infobase.db.transaction().execute(async (trx) => {
    const base = { node_id: node.id, type: def.name, peer_ref: decision.peerRef };
    if (decision.action === 'unlink') {
      await trx
        .deleteFrom('exchange_mapping_decisions')
        .where('node_id', '=', node.id)
        .where('type', '=', def.name)
        .where('peer_ref', '=', decision.peerRef)
        .execute();
      await trx
        .deleteFrom('exchange_public_ids')
        .where('node_id', '=', node.id)
        .where('type', '=', def.name)
        .where('peer_ref', '=', decision.peerRef)
        .execute();
      return;
    }
    let localRef: string | null = null;
    if (decision.action === 'link') {
      if (!decision.localRef)
        throw new AppError('validation_failed', 'A link needs the local ref', { status: 422 });
      localRef = (await context.infobase.objects.require(def.name, decision.localRef, trx)).ref;
      const holder = await takenBy(trx, node.id, def.name, localRef);
      if (holder && holder !== decision.peerRef) {
        throw new AppError(
          'already_linked',
          `The ${def.name} ${localRef} already stands for another object of the other infobase (${holder}); unlink that one first`,
          { status: 409 },
        );
      }
    }
    const row = {
      action: decision.action,
      local_ref: localRef,
      decided_at: new Date().toISOString(),
      decided_by: user,
    };
    await trx
      .insertInto('exchange_mapping_decisions')
      .values({ ...base, ...row })
      .onConflict((conflict) => conflict.columns(['node_id', 'type', 'peer_ref']).doUpdateSet(row))
      .execute();
  });
}

async function takenBy(trx: Db, nodeId: string, type: string, localRef: string): Promise<string | undefined> {
  const decided = await trx
    .selectFrom('exchange_mapping_decisions')
    .select('peer_ref')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('local_ref', '=', localRef)
    .where('action', '=', 'link')
    .executeTakeFirst();
  if (decided) return String(decided.peer_ref);
  const linked = await trx
    .selectFrom('exchange_public_ids')
    .select('peer_ref')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('local_ref', '=', localRef)
    .executeTakeFirst();
  if (linked) return String(linked.peer_ref);
  // An object the peer already has (it came from there, or we sent it) stands for itself there.
  const known = await trx
    .selectFrom('exchange_sent_objects')
    .select('ref')
    .where('node_id', '=', nodeId)
    .where('type', '=', type)
    .where('ref', '=', localRef)
    .executeTakeFirst();
  return known ? localRef : undefined;
}
