import type { ObjectTypeDef } from '../platform/metadata.js';
import { columnName, tableName } from '../platform/metadata.js';
import type { WriteEvent, WriteHook } from '../platform/objects/object-store.js';
import { conflicts, identifyingValues, searchKey, searchKeyColumn } from '../platform/search-keys.js';
import type { Db, StorageDialect } from '../platform/storage/index.js';
import {
  inListBatches,
  placeholders,
  queryArrays,
  queryRows,
  quote,
  type SqlTarget,
} from '../platform/storage/raw-sql.js';
import { type IncomingRef, isIncomingRef, type SearchKeys } from './conversion.js';
import { PerTypeMap } from './per-type-map.js';
import { RefFilter } from './ref-filter.js';
import { UuidSet } from './uuid-set.js';

/** How an incoming object was found here (DESIGN.md 6.5), in the order the ways are tried. */
export type Identification =
  | { kind: 'decision' | 'public-id' | 'ref'; localRef: string }
  | { kind: 'search'; localRef: string; fields: readonly string[] }
  | { kind: 'ambiguous'; candidates: string[]; fields: readonly string[] }
  | { kind: 'new'; decided: boolean };

type TypeResolver = (localType: string) => ObjectTypeDef;

type Candidate = { ref: string; identifying: Record<string, string | undefined> };

/** What one incoming object (or reference) will be looked up by: its peer ref, and its keys. */
export type Lookup = { localType: string; peerRef: string | null; keys: SearchKeys };

/**
 * Look-ups remembered per type and import: a large message names the same catalog items over and over.
 * Each chunk fetches what it names anyway, so more than this saves few queries and costs memory: at a
 * million objects, twice as many held 16 MB more with no faster load (docs/BENCHMARKS.md).
 */
const REMEMBERED = 10_000;
/**
 * Catalog items known to exist, remembered besides in the compact sets (`UuidSet`, about 30 bytes each):
 * the documents of a large message name the same tens of thousands of products and counterparties again
 * and again, where each document's own ref is asked once. At most this many in all, about 10 MB.
 */
const CATALOG_ITEMS_KNOWN = 300_000;
/**
 * From this many peer refs of a type asked about in one import or analysis, the type's links are read once
 * into a filter (`RefFilter`): a load of a million objects asks about millions of references, and few of
 * them have a link.
 */
const LINK_FILTER_FROM = 20_000;
const FILTER_PAGE = 10_000;
/** Candidates of one search key at most, as a person could review them. */
const CANDIDATES = 50;
/** Largest catalog an analysis reads whole into memory instead of looking keys up (about 30 MB). */
const WHOLE_INDEX_ROWS = 200_000;

type Decision = { action: string; localRef: string | null };

/** Identifying values that conflict with none: a first-group candidate's, which are the searcher's own. */
const SAME_AS_KEY: Readonly<Record<string, string | undefined>> = Object.freeze({});

/** A candidate found by the first search group's key (see `candidateOf`). */
const byFirstKey = (ref: string): Candidate => ({ ref, identifying: SAME_AS_KEY });

/** A peer ref no object has: asked whether a local object stands for it, any holder counts. */
const NO_PEER_OBJECT = '';

/** The identifier of each import, by its transaction: told of every object written there. */
const writesHeard = new WeakMap<Db, (event: WriteEvent) => void>();

/**
 * Tells an import's identifier of the objects its transaction writes, whatever writes them: what it
 * fetched for a chunk stays what the database now says (registered once per infobase).
 */
export const identificationWriteHook: WriteHook = async (trx, event) => {
  writesHeard.get(trx)?.(event);
};

/** An object's search keys, normalized, and its identifying values. */
type Searched = {
  identifying: Record<string, string | undefined>;
  key(groupIndex: number): string | undefined;
};

/**
 * Finds local objects for incoming ones within one import or analysis: a person's decision, the node's
 * public-ID table, the same ref, then the type's search groups (the stored, normalized keys); a candidate
 * whose identifying fields disagree (another INN, another KPP, another SKU) is never the same object, and
 * an object the peer already knows under another ref is never matched again.
 *
 * Every answer is what the database says at that moment: look-ups go to the indexed columns, in batches
 * for a chunk of objects (`prefetch`), and what is remembered is kept true by the importer telling of its
 * own writes (`created`, `linked`, `deleted`); a chunk's search answers, by every object its transaction
 * writes (`identificationWriteHook`). Memory stays bounded whatever the size of the message;
 * only what this import matched by search is kept whole, so that nothing is matched twice.
 */
export function createIdentifier(deps: {
  trx: Db;
  dialect: StorageDialect;
  sql: SqlTarget;
  nodeId: string;
  typeDef: TypeResolver;
  /**
   * An analysis writes nothing: what it finds holds for the rest of it, a catalog may be read whole, and
   * a type with no links or knowledge needs no look-up of them.
   */
  readOnly?: boolean;
  /**
   * Whether every object an import writes of the type is marked known to the peer, as the change log
   * marks each type the peer receives. Then the database says which local object stands for which peer
   * object (a link, or the mark of an object that has the peer's own ref), and this import's memory of it
   * can forget. An analysis writes nothing, so it keeps all of it.
   */
  markedForPeer?: (def: ObjectTypeDef) => boolean;
  /**
   * How many objects the analysed messages hold. A catalog with at most twice as many rows is read once,
   * whole: one pass over it costs less than looking up that many keys one by one.
   */
  incomingObjects?: number;
  /** From how many peer refs of a type asked about the links are filtered (tests lower it). */
  linkFilterFrom?: number;
  /** Called before each look-up: a writer that keeps rows back writes them, so that they are found. */
  beforeRead?: () => Promise<void>;
}) {
  const { trx, nodeId } = deps;
  const readOnly = deps.readOnly === true;
  const { sql } = deps;
  const notDeleted = deps.dialect.encodeBoolean(false);
  const rows = async <R>(text: string, parameters: readonly unknown[]) => {
    await deps.beforeRead?.();
    return queryRows<R>(trx, sql, text, parameters);
  };
  const arrays = async (text: string, parameters: readonly unknown[]) => {
    await deps.beforeRead?.();
    return queryArrays(trx, sql, text, parameters);
  };

  /** peer ref → local ref (or null: no link). */
  const publicIds = new PerTypeMap<string | null>(REMEMBERED);
  /** Peer refs asked about per type, until the type's links are read into a filter (`countTowardsFilter`). */
  const linksAsked = new Map<string, number>();
  /** Per type, the peer refs that may have a link: every link there was when it was made, and since. */
  const linkFilters = new Map<string, RefFilter>();
  /** ref → whether a local object has it. */
  const existing = new PerTypeMap<boolean>(REMEMBERED);
  /** Per catalog, items known to exist, beyond what `existing` keeps (`CATALOG_ITEMS_KNOWN` in all). */
  const existingItems = new Map<string, UuidSet>();
  let itemsKnown = 0;
  const decisions = new Map<string, { byPeer: Map<string, Decision>; linkedLocal: Map<string, string> }>();
  /**
   * Local objects that stand, in this import, for a peer object (its ref): never for another. Kept whole
   * only of the types the database cannot answer for (`markedForPeer`); of the others, the young
   * generation holds far more than a chunk, so what it forgets was linked or marked by an earlier one.
   */
  const takenHere = new PerTypeMap<string>();
  const takenRecently = new PerTypeMap<string>(REMEMBERED);
  const takenBy = (def: ObjectTypeDef, ref: string) =>
    takenHere.get(def.name, ref) ?? takenRecently.get(def.name, ref);
  /**
   * An analysis's own answers, peer ref → local ref: a later object may name one by its ref alone (the
   * message carried it before), and nothing is written that would let the database say the same.
   */
  const identifiedHere = new PerTypeMap<string>();
  /** An analysis's chunk: candidates per type, group and key; who holds them; the keys worked out. */
  const chunkCandidates = new Map<string, Map<string, Candidate[]>>();
  const chunkLinkedLocal = new PerTypeMap<string | null>();
  const chunkKnown = new PerTypeMap<boolean>();
  const searchedKeys = new WeakMap<SearchKeys, Searched>();

  function identifyingColumns(def: ObjectTypeDef): { field: string; column: string }[] {
    return (def.searchFields?.[0] ?? []).map((field) => ({
      field,
      column: field === 'code' ? 'code' : columnName(field),
    }));
  }

  /**
   * A candidate from a row of `candidateColumns`: its ref, its key, then, beyond the first group, its
   * identifying columns. One found by the first group's key has the searched object's identifying values
   * (that key is made of them): nothing of it can conflict, and the row carries no more.
   */
  function candidateOf(def: ObjectTypeDef, groupIndex: number, row: readonly unknown[]): Candidate {
    const ref = String(row[0]);
    if (groupIndex === 0) return byFirstKey(ref);
    const values: Record<string, unknown> = {};
    identifyingColumns(def).forEach(({ field }, index) => {
      values[field] = row[2 + index];
    });
    return { ref, identifying: identifyingValues(def, values) };
  }

  /** A person's decisions, read once for the whole import: there are few, and a load does not change them. */
  let decisionsRead: Promise<void> | undefined;
  let decisionsLoaded = false;
  const noDecisions = { byPeer: new Map<string, Decision>(), linkedLocal: new Map<string, string>() };
  async function decisionsOf(def: ObjectTypeDef) {
    decisionsRead ??= (async () => {
      const decided = await rows<{
        type: string;
        peer_ref: string;
        action: string;
        local_ref: string | null;
      }>('select type, peer_ref, action, local_ref from exchange_mapping_decisions where node_id = ?', [
        nodeId,
      ]);
      for (const row of decided) {
        let found = decisions.get(String(row.type));
        if (!found) {
          found = { byPeer: new Map(), linkedLocal: new Map() };
          decisions.set(String(row.type), found);
        }
        const localRef = row.local_ref === null ? null : String(row.local_ref);
        found.byPeer.set(String(row.peer_ref), { action: String(row.action), localRef });
        if (row.action === 'link' && localRef !== null) found.linkedLocal.set(localRef, String(row.peer_ref));
      }
      decisionsLoaded = true;
    })();
    await decisionsRead;
    return decisions.get(def.name) ?? noDecisions;
  }

  /**
   * Whether the node has any link, or knows any object, of a type. An analysis writes nothing, so a type
   * with none (the first mapping) needs no look-up of them per object at all.
   */
  const nothingFor = new Map<string, Promise<{ links: boolean; known: boolean }>>();
  /** What `emptyFor` found, once it has: read without a promise by the look-ups answered from memory. */
  const nothingKnown = new Map<string, { links: boolean; known: boolean }>();
  async function emptyFor(def: ObjectTypeDef): Promise<{ links: boolean; known: boolean }> {
    if (!readOnly) return { links: false, known: false };
    let found = nothingFor.get(def.name);
    if (!found) {
      found = (async () => {
        const any = async (table: string) =>
          (
            await rows(`select 1 as found from ${table} where node_id = ? and type = ? limit 1`, [
              nodeId,
              def.name,
            ])
          ).length > 0;
        const empty = {
          links: !(await any('exchange_public_ids')),
          known: !(await any('exchange_sent_objects')),
        };
        nothingKnown.set(def.name, empty);
        return empty;
      })();
      nothingFor.set(def.name, found);
    }
    return found;
  }

  /** A peer ref's link from memory: the local ref, null for none, undefined when the database must be asked. */
  function linkInMemory(def: ObjectTypeDef, peerRef: string): string | null | undefined {
    if (nothingKnown.get(def.name)?.links) return null;
    if (linkFilters.get(def.name)?.mayHave(peerRef) === false) return null;
    return publicIds.get(def.name, peerRef);
  }

  /**
   * Counts the peer refs asked about; at `LINK_FILTER_FROM`, reads the type's links into a filter, a page
   * at a time (a node may have millions). Room is left for the links this import will add (`linked`).
   */
  async function countTowardsFilter(def: ObjectTypeDef, asked: number) {
    if (linkFilters.has(def.name)) return;
    const total = (linksAsked.get(def.name) ?? 0) + asked;
    linksAsked.set(def.name, total);
    if (total < (deps.linkFilterFrom ?? LINK_FILTER_FROM)) return;
    const [counted] = await rows<{ count: number | string }>(
      'select count(*) as count from exchange_public_ids where node_id = ? and type = ?',
      [nodeId, def.name],
    );
    const count = Number(counted?.count ?? 0);
    const filter = new RefFilter(count + Math.max(10_000, count / 2));
    for (let after = ''; ; ) {
      const page = await arrays(
        `select peer_ref from exchange_public_ids where node_id = ? and type = ? and peer_ref > ?
         order by peer_ref limit ${FILTER_PAGE}`,
        [nodeId, def.name, after],
      );
      for (const [peerRef] of page) filter.add(String(peerRef));
      if (page.length < FILTER_PAGE) break;
      after = String(page[page.length - 1]![0]);
    }
    linkFilters.set(def.name, filter);
  }

  async function loadPublicIds(def: ObjectTypeDef, peerRefs: Iterable<string>) {
    if ((await emptyFor(def)).links) return;
    const filter = linkFilters.get(def.name);
    const wanted = [...peerRefs].filter(
      (peerRef) => filter?.mayHave(peerRef) !== false && !publicIds.has(def.name, peerRef),
    );
    for (const batch of inListBatches(wanted)) {
      for (const peerRef of batch) publicIds.set(def.name, peerRef, null);
      const found = await rows<{ peer_ref: string; local_ref: string }>(
        `select peer_ref, local_ref from exchange_public_ids
         where node_id = ? and type = ? and peer_ref in (${placeholders(batch.length)})`,
        [nodeId, def.name, ...batch],
      );
      for (const row of found) publicIds.set(def.name, String(row.peer_ref), String(row.local_ref));
    }
    if (!filter) await countTowardsFilter(def, wanted.length);
  }

  async function loadExisting(def: ObjectTypeDef, refs: Iterable<string>) {
    const wanted = [...refs].filter((ref) => existsInMemory(def, ref) === undefined);
    for (const batch of inListBatches(wanted)) {
      // Only refs known nowhere are wanted: none is in the compact set to take out.
      for (const ref of batch) existing.set(def.name, ref, false);
      const found = await rows<{ ref: string }>(
        `select ref from ${quote(tableName(def))} where ref in (${placeholders(batch.length)})`,
        batch,
      );
      for (const row of found) rememberExisting(def, String(row.ref), true);
    }
  }

  /** Whether a local object has the ref, from memory; undefined when the database must be asked. */
  function existsInMemory(def: ObjectTypeDef, ref: string): boolean | undefined {
    const remembered = existing.get(def.name, ref);
    if (remembered !== undefined) return remembered;
    return existingItems.get(def.name)?.has(ref) ? true : undefined;
  }

  function rememberExisting(def: ObjectTypeDef, ref: string, exists: boolean) {
    existing.set(def.name, ref, exists);
    if (def.kind !== 'catalog') return;
    let items = existingItems.get(def.name);
    if (!exists) {
      if (items?.delete(ref)) itemsKnown -= 1;
      return;
    }
    if (itemsKnown >= CATALOG_ITEMS_KNOWN) return;
    if (!items) {
      items = new UuidSet();
      existingItems.set(def.name, items);
    }
    const before = items.size;
    items.add(ref);
    itemsKnown += items.size - before;
  }

  async function publicIdOf(def: ObjectTypeDef, peerRef: string): Promise<string | undefined> {
    if (linkInMemory(def, peerRef) === undefined) await loadPublicIds(def, [peerRef]);
    return linkInMemory(def, peerRef) ?? undefined;
  }

  async function exists(def: ObjectTypeDef, ref: string): Promise<boolean> {
    if (existsInMemory(def, ref) === undefined) await loadExisting(def, [ref]);
    return existsInMemory(def, ref) === true;
  }

  const chunkKey = (def: ObjectTypeDef, groupIndex: number) => `${def.name}\u0000${groupIndex}`;

  const candidateColumns = (def: ObjectTypeDef, groupIndex: number) =>
    `ref, ${quote(searchKeyColumn(groupIndex))} as search_key${
      groupIndex === 0
        ? ''
        : identifyingColumns(def)
            .map(({ column }) => `, ${quote(column)}`)
            .join('')
    }`;

  /**
   * Every candidate of the first search group at once, by key, when the whole catalog is worth reading.
   * Only the first: every searched object asks it, the later groups only those the first left unmatched.
   */
  const wholeFirstGroups = new Map<string, Promise<Map<string, string | string[]> | undefined>>();
  function wholeFirstGroup(def: ObjectTypeDef) {
    const incoming = deps.incomingObjects ?? 0;
    if (!readOnly || incoming === 0) return undefined;
    let found = wholeFirstGroups.get(def.name);
    if (!found) {
      found = (async () => {
        const [counted] = await rows<{ count: number | string }>(
          `select count(*) as count from ${quote(tableName(def))}`,
          [],
        );
        const count = Number(counted?.count ?? 0);
        // One row read in a pass costs about half a key looked up (bench/, 100,000 counterparties).
        if (count > 2 * incoming || count > WHOLE_INDEX_ROWS) return undefined;
        // Only the refs, most keys having one: a candidate is made when its key is asked for, and is gone
        // with its chunk, where a hundred thousand kept for the whole analysis burdened every collection.
        const byKey = new Map<string, string | string[]>();
        const all = await arrays(
          `select ${candidateColumns(def, 0)} from ${quote(tableName(def))}
           where ${quote(searchKeyColumn(0))} is not null and deleted = ?`,
          [notDeleted],
        );
        for (const [ref, key] of all) {
          const held = byKey.get(String(key));
          if (held === undefined) byKey.set(String(key), String(ref));
          else if (typeof held === 'string') byKey.set(String(key), [held, String(ref)]);
          else if (held.length < CANDIDATES) held.push(String(ref));
        }
        return byKey;
      })();
      wholeFirstGroups.set(def.name, found);
    }
    return found;
  }

  async function loadCandidates(def: ObjectTypeDef, groupIndex: number, keys: Iterable<string>) {
    const byKey = new Map<string, Candidate[]>();
    const whole = groupIndex === 0 ? await wholeFirstGroup(def) : undefined;
    if (whole) {
      for (const value of keys) {
        const held = whole.get(value) ?? [];
        const refs = typeof held === 'string' ? [held] : held;
        byKey.set(value, refs.map(byFirstKey));
      }
      return byKey;
    }
    for (const value of keys) byKey.set(value, []);
    const column = searchKeyColumn(groupIndex);
    for (const batch of inListBatches([...byKey.keys()])) {
      const found = await arrays(
        `select ${candidateColumns(def, groupIndex)}
         from ${quote(tableName(def))}
         where ${quote(column)} in (${placeholders(batch.length)}) and deleted = ?`,
        [...batch, notDeleted],
      );
      for (const row of found) {
        const list = byKey.get(String(row[1]));
        if (list && list.length < CANDIDATES) list.push(candidateOf(def, groupIndex, row));
      }
    }
    return byKey;
  }

  async function candidates(def: ObjectTypeDef, groupIndex: number, value: string): Promise<Candidate[]> {
    const cached = chunkCandidates.get(chunkKey(def, groupIndex))?.get(value);
    if (cached) return cached;
    return (await loadCandidates(def, groupIndex, [value])).get(value) ?? [];
  }

  /** Who holds these local objects: a link, or the peer knowing them. */
  async function loadTaken(def: ObjectTypeDef, refs: Iterable<string>) {
    const empty = await emptyFor(def);
    if (empty.links && empty.known) return;
    const wanted = [...new Set(refs)].filter((ref) => !chunkLinkedLocal.has(def.name, ref));
    for (const batch of inListBatches(wanted)) {
      for (const ref of batch) {
        chunkLinkedLocal.set(def.name, ref, null);
        chunkKnown.set(def.name, ref, false);
      }
      const list = placeholders(batch.length);
      if (!empty.links) {
        const linked = await rows<{ local_ref: string; peer_ref: string }>(
          `select local_ref, peer_ref from exchange_public_ids
           where node_id = ? and type = ? and local_ref in (${list})`,
          [nodeId, def.name, ...batch],
        );
        for (const row of linked) chunkLinkedLocal.set(def.name, String(row.local_ref), String(row.peer_ref));
      }
      if (!empty.known) {
        const known = await rows<{ ref: string }>(
          `select ref from exchange_sent_objects where node_id = ? and type = ? and ref in (${list})`,
          [nodeId, def.name, ...batch],
        );
        for (const row of known) chunkKnown.set(def.name, String(row.ref), true);
      }
    }
  }

  /**
   * Whether a local object already stands for a different peer object than `peerRef`, from what is in
   * memory; undefined when the database must be asked. The caller has read the type's decisions.
   */
  function takenFromMemory(def: ObjectTypeDef, ref: string, peerRef: string): boolean | undefined {
    const here = takenBy(def, ref);
    if (here !== undefined) return here !== peerRef;
    const empty = nothingKnown.get(def.name);
    // Whether a ref was fetched shows in the links memory, which loadTaken fills even for a type with none.
    const linked = chunkLinkedLocal.get(def.name, ref);
    if (linked === undefined && !(empty?.links && empty.known)) return undefined;
    if (!empty?.links && linked) return linked !== peerRef;
    const decided = decisions.get(def.name)?.linkedLocal.get(ref);
    if (decided !== undefined) return decided !== peerRef;
    return !empty?.known && chunkKnown.get(def.name, ref) === true && ref !== peerRef;
  }

  /** A search group's candidates for a key, from what the chunk fetched. */
  function candidatesKnown(def: ObjectTypeDef, groupIndex: number, value: string): Candidate[] | undefined {
    return chunkCandidates.get(chunkKey(def, groupIndex))?.get(value);
  }

  /** A reference this analysis has already identified the object of. */
  const identifiedBefore = (ref: IncomingRef) =>
    ref.peerRef === null ? undefined : identifiedHere.get(ref.localType, ref.peerRef);

  /** The incoming keys with references resolved to local refs (a key naming an unknown object stays empty). */
  async function resolvedKeys(keys: SearchKeys): Promise<Record<string, string | undefined>> {
    const resolved: Record<string, string | undefined> = {};
    for (const [field, value] of Object.entries(keys)) {
      resolved[field] =
        value === null || value === ''
          ? undefined
          : typeof value === 'string'
            ? value
            : (identifiedBefore(value) ?? (await resolveRef(value)));
    }
    return resolved;
  }

  /** resolvedKeys from memory; undefined when a reference in them needs the database. */
  function resolvedKeysKnown(keys: SearchKeys): Record<string, string | undefined> | undefined {
    const resolved: Record<string, string | undefined> = {};
    for (const field in keys) {
      const value = keys[field];
      if (value === null || value === '' || value === undefined) resolved[field] = undefined;
      else if (typeof value === 'string') resolved[field] = value;
      else {
        const before = identifiedBefore(value);
        if (before !== undefined) {
          resolved[field] = before;
          continue;
        }
        const found = identifyKnown(deps.typeDef(value.localType), value.peerRef, value.keys);
        if (found === undefined) return undefined;
        resolved[field] = 'localRef' in found ? found.localRef : undefined;
      }
    }
    return resolved;
  }

  function searchedFrom(def: ObjectTypeDef, keys: SearchKeys, values: Record<string, string | undefined>) {
    // A group's key is worked out when first asked: most objects are found by their first group, and
    // normalizing a name costs more than all the rest.
    const groupKeys: (string | undefined | null)[] = [];
    const searched: Searched = {
      identifying: identifyingValues(def, values),
      key(groupIndex) {
        if (groupKeys[groupIndex] === undefined) {
          const group = def.searchFields?.[groupIndex];
          groupKeys[groupIndex] = (group && searchKey(def, group, values)) ?? null;
        }
        return groupKeys[groupIndex] ?? undefined;
      },
    };
    // Without writes, or without references, the keys come out the same every time.
    if (readOnly || !Object.values(keys).some(isIncomingRef)) searchedKeys.set(keys, searched);
    return searched;
  }

  async function searchedOf(def: ObjectTypeDef, keys: SearchKeys): Promise<Searched> {
    return searchedKeys.get(keys) ?? searchedFrom(def, keys, await resolvedKeys(keys));
  }

  function searchedKnown(def: ObjectTypeDef, keys: SearchKeys): Searched | undefined {
    const known = searchedKeys.get(keys);
    if (known) return known;
    const values = resolvedKeysKnown(keys);
    return values && searchedFrom(def, keys, values);
  }

  /**
   * Of a search group's candidates, those that can be the incoming object: its identifying fields agree,
   * and — for an object with a ref of its own — it stands for no other object of the peer (a reference given
   * only by key properties may point at any). Undefined when who holds a candidate is not in memory.
   */
  function freeAmong(
    def: ObjectTypeDef,
    searched: Searched,
    candidates: readonly Candidate[],
    peerRef: string | null,
  ): string[] | undefined {
    const free: string[] = [];
    for (const candidate of candidates) {
      if (conflicts(searched.identifying, candidate.identifying)) continue;
      if (peerRef !== null) {
        const taken = takenFromMemory(def, candidate.ref, peerRef);
        if (taken === undefined) return undefined;
        if (taken) continue;
      }
      free.push(candidate.ref);
    }
    return free;
  }

  function matchOf(free: readonly string[], fields: readonly string[]): Identification | undefined {
    if (free.length === 1) return { kind: 'search', localRef: free[0]!, fields };
    if (free.length > 1) return { kind: 'ambiguous', candidates: [...free], fields };
    return undefined;
  }

  async function searchMatch(
    def: ObjectTypeDef,
    keys: SearchKeys,
    peerRef: string | null,
  ): Promise<Identification> {
    const searched = await searchedOf(def, keys);
    for (const [groupIndex, group] of (def.searchFields ?? []).entries()) {
      const value = searched.key(groupIndex);
      if (value === undefined) continue;
      const list = await candidates(def, groupIndex, value);
      let free = freeAmong(def, searched, list, peerRef);
      if (free === undefined) {
        await loadTaken(
          def,
          list
            .filter((candidate) => !conflicts(searched.identifying, candidate.identifying))
            .map(({ ref }) => ref),
        );
        free = freeAmong(def, searched, list, peerRef)!;
      }
      const match = matchOf(free, group);
      if (match) return match;
    }
    return { kind: 'new', decided: false };
  }

  /** searchMatch from memory; undefined when the database must be asked. */
  function searchKnown(
    def: ObjectTypeDef,
    keys: SearchKeys,
    peerRef: string | null,
  ): Identification | undefined {
    const searched = searchedKnown(def, keys);
    if (!searched) return undefined;
    for (const [groupIndex, group] of (def.searchFields ?? []).entries()) {
      const value = searched.key(groupIndex);
      if (value === undefined) continue;
      const list = candidatesKnown(def, groupIndex, value);
      if (list === undefined) return undefined;
      const free = freeAmong(def, searched, list, peerRef);
      if (free === undefined) return undefined;
      const match = matchOf(free, group);
      if (match) return match;
    }
    return { kind: 'new', decided: false };
  }

  /**
   * The identification when what is in memory answers it (what a chunk's prefetch fetched), without a
   * promise; undefined when the database must be asked. A type with search fields is answered only if its
   * ref finds the object, or by its `keys`.
   */
  function identifyKnown(
    def: ObjectTypeDef,
    peerRef: string | null,
    keys?: SearchKeys,
  ): Identification | undefined {
    if (!decisionsLoaded) return undefined;
    if (peerRef) {
      const decided = decisions.get(def.name)?.byPeer.get(peerRef);
      if (decided?.action === 'link' && decided.localRef)
        return { kind: 'decision', localRef: decided.localRef };
      if (decided?.action === 'create-new') return { kind: 'new', decided: true };
      const mapped = linkInMemory(def, peerRef);
      if (mapped === undefined) return undefined;
      if (mapped) return { kind: 'public-id', localRef: mapped };
      const exists = existsInMemory(def, peerRef);
      if (exists === undefined) return undefined;
      if (exists) return { kind: 'ref', localRef: peerRef };
    }
    if (!def.searchFields?.length) return { kind: 'new', decided: false };
    return keys ? searchKnown(def, keys, peerRef) : undefined;
  }

  async function identify(
    def: ObjectTypeDef,
    peerRef: string | null,
    keys: SearchKeys,
  ): Promise<Identification> {
    const known = identifyKnown(def, peerRef, keys);
    if (known) return known;
    if (peerRef) {
      const decided = (await decisionsOf(def)).byPeer.get(peerRef);
      if (decided?.action === 'link' && decided.localRef)
        return { kind: 'decision', localRef: decided.localRef };
      if (decided?.action === 'create-new') return { kind: 'new', decided: true };
      const mapped = await publicIdOf(def, peerRef);
      if (mapped) return { kind: 'public-id', localRef: mapped };
      if (await exists(def, peerRef)) return { kind: 'ref', localRef: peerRef };
    }
    return searchMatch(def, keys, peerRef);
  }

  /** A reference inside an incoming object: found, or undefined (never created from a reference alone). */
  async function resolveRef(ref: IncomingRef): Promise<string | undefined> {
    const found = await identify(deps.typeDef(ref.localType), ref.peerRef, ref.keys);
    return 'localRef' in found ? found.localRef : undefined;
  }

  /** Whether a peer ref alone identifies the object, from what the chunk fetched (no search needed). */
  function foundByPeerRef(def: ObjectTypeDef, peerRef: string | null): boolean {
    if (!peerRef) return false;
    const decided = decisions.get(def.name)?.byPeer.get(peerRef);
    if (decided?.action === 'link' || decided?.action === 'create-new') return true;
    return !!linkInMemory(def, peerRef) || existsInMemory(def, peerRef) === true;
  }

  /**
   * A chunk's search answers, a group at a time: the first group for every object that
   * needs a search, the next only for those the first left without a free candidate, and so on.
   */
  async function prefetchSearch(lookups: readonly Lookup[]) {
    chunkCandidates.clear();
    chunkLinkedLocal.clear();
    chunkKnown.clear();
    let pending: { def: ObjectTypeDef; lookup: Lookup; searched: Searched }[] = [];
    for (const lookup of lookups) {
      const def = deps.typeDef(lookup.localType);
      if (!def.searchFields?.length || foundByPeerRef(def, lookup.peerRef)) continue;
      const searched = searchedKnown(def, lookup.keys) ?? (await searchedOf(def, lookup.keys));
      pending.push({ def, lookup, searched });
    }
    for (let groupIndex = 0; pending.length > 0; groupIndex += 1) {
      const wanted = new Map<ObjectTypeDef, Set<string>>();
      for (const { def, searched } of pending) {
        const value = searched.key(groupIndex);
        if (value === undefined) continue;
        const values = wanted.get(def) ?? new Set<string>();
        values.add(value);
        wanted.set(def, values);
      }
      for (const [def, values] of wanted) {
        const found = await loadCandidates(def, groupIndex, values);
        const cached = chunkCandidates.get(chunkKey(def, groupIndex)) ?? new Map<string, Candidate[]>();
        chunkCandidates.set(chunkKey(def, groupIndex), cached);
        const held: string[] = [];
        for (const [value, list] of found) {
          cached.set(value, list);
          for (const candidate of list) held.push(candidate.ref);
        }
        await decisionsOf(def);
        await loadTaken(def, held);
      }
      pending = pending.filter(({ def, lookup, searched }) => {
        if ((def.searchFields?.length ?? 0) <= groupIndex + 1) return false;
        const value = searched.key(groupIndex);
        if (value === undefined) return true;
        const list = chunkCandidates.get(chunkKey(def, groupIndex))?.get(value) ?? [];
        return !list.some(
          (candidate) =>
            !conflicts(searched.identifying, candidate.identifying) &&
            !(lookup.peerRef !== null && takenFromMemory(def, candidate.ref, lookup.peerRef) === true),
        );
      });
    }
  }

  /**
   * An object this import wrote leaves the candidates of its old keys and joins those of its new ones, as
   * the database now has it: the chunk's search answers stay true without asking again.
   */
  function heard(event: WriteEvent) {
    const { def, ref } = event;
    for (const [groupIndex, group] of (def.searchFields ?? []).entries()) {
      const cached = chunkCandidates.get(chunkKey(def, groupIndex));
      if (!cached) continue;
      for (const list of cached.values()) {
        const at = list.findIndex((candidate) => candidate.ref === ref);
        if (at >= 0) list.splice(at, 1);
      }
      // Decoded only here: most objects written have no search fields, or none fetched for the chunk.
      const after = event.after;
      if (!after || after.deleted) continue;
      const key = searchKey(def, group, after);
      const list = key === undefined ? undefined : cached.get(key);
      if (list && list.length < CANDIDATES) list.push({ ref, identifying: identifyingValues(def, after) });
    }
  }
  if (!readOnly) writesHeard.set(trx, heard);

  /** The peer refs that a chunk of objects will ask about, with the references inside their keys. */
  function collect(lookups: readonly Lookup[], into: Map<string, Set<string>>) {
    const visit = (lookup: Lookup) => {
      if (lookup.peerRef) {
        const refs = into.get(lookup.localType) ?? new Set<string>();
        refs.add(lookup.peerRef);
        into.set(lookup.localType, refs);
      }
      for (const value of Object.values(lookup.keys)) {
        if (value !== null && typeof value === 'object') visit(value);
      }
    };
    for (const lookup of lookups) visit(lookup);
  }

  return {
    identify,
    identifyKnown,
    resolveRef,
    /** A reference's local ref from memory; null when it is known to resolve to nothing, undefined when unknown. */
    resolveKnown(ref: IncomingRef): string | null | undefined {
      const found = identifyKnown(deps.typeDef(ref.localType), ref.peerRef, ref.keys);
      return found === undefined ? undefined : 'localRef' in found ? found.localRef : null;
    },
    exists,
    /** Whether a local object has the ref, from memory; undefined when the database must be asked. */
    existsKnown(def: ObjectTypeDef, ref: string): boolean | undefined {
      return existsInMemory(def, ref);
    },

    /**
     * Fetches at once what a chunk of objects will ask: links and existence of their refs (and of the refs
     * they name); in a read-only analysis also the search candidates and who holds them.
     */
    async prefetch(lookups: readonly Lookup[]) {
      const byType = new Map<string, Set<string>>();
      collect(lookups, byType);
      for (const [localType, refs] of byType) {
        const def = deps.typeDef(localType);
        await decisionsOf(def);
        await loadPublicIds(def, refs);
        await loadExisting(def, refs);
      }
      await prefetchSearch(lookups);
    },

    /**
     * Of these local objects, those that stand for no object of the peer: not linked, decided, known there,
     * nor matched in this analysis. Only they can still be suggested for an unmatched one.
     */
    async free(def: ObjectTypeDef, refs: readonly string[]): Promise<string[]> {
      await decisionsOf(def);
      const open = refs.filter((ref) => takenBy(def, ref) === undefined);
      await loadTaken(def, open);
      return open.filter((ref) => takenFromMemory(def, ref, NO_PEER_OBJECT) === false);
    },

    /** From now on in this import, this local object stands for that peer object. */
    take(def: ObjectTypeDef, localRef: string, peerRef: string) {
      // Only a search can find an object that stands for another, so only searched types need this.
      if (!def.searchFields?.length) return;
      if (!readOnly && deps.markedForPeer?.(def)) takenRecently.set(def.name, localRef, peerRef);
      else takenHere.set(def.name, localRef, peerRef);
      if (readOnly) identifiedHere.set(def.name, peerRef, localRef);
    },

    /** The importer wrote: what is remembered stays what the database now says. */
    created(def: ObjectTypeDef, ref: string) {
      rememberExisting(def, ref, true);
    },
    deleted(def: ObjectTypeDef, ref: string) {
      rememberExisting(def, ref, false);
    },
    linked(def: ObjectTypeDef, peerRef: string, localRef: string) {
      if (peerRef === localRef) return;
      publicIds.set(def.name, peerRef, localRef);
      linkFilters.get(def.name)?.add(peerRef);
    },
    /** A rolled-back write may have left anything remembered untrue: ask the database again. */
    forget() {
      publicIds.clear();
      existing.clear();
      existingItems.clear();
      itemsKnown = 0;
      // Links written before the rollback are in the database if they still hold: it says who is taken.
      takenHere.clear();
      takenRecently.clear();
      chunkCandidates.clear();
      chunkLinkedLocal.clear();
      chunkKnown.clear();
    },
  };
}

export type Identifier = ReturnType<typeof createIdentifier>;
