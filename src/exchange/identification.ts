import type { ObjectTypeDef } from '../platform/metadata.js';
import { columnName, tableName } from '../platform/metadata.js';
import { conflicts, identifyingValues, searchKey, searchKeyColumn } from '../platform/search-keys.js';
import type { Db, StorageDialect } from '../platform/storage/index.js';
import type { IncomingRef, SearchKeys } from './conversion.js';
import { localRefOf } from './public-ids.js';

/** How an incoming object was found here (DESIGN.md 6.5), in the order the ways are tried. */
export type Identification =
  | { kind: 'decision' | 'public-id' | 'ref'; localRef: string }
  | { kind: 'search'; localRef: string; fields: readonly string[] }
  | { kind: 'ambiguous'; candidates: string[]; fields: readonly string[] }
  | { kind: 'new'; decided: boolean };

type TypeResolver = (localType: string) => ObjectTypeDef;

type Candidate = { ref: string; identifying: Record<string, string | undefined> };

/** Past this many look-ups of one type in one import, its objects are indexed in memory at once. */
const INDEX_AFTER = 50;

type TypeIndex = {
  byGroup: Map<string, Candidate[]>[];
  /** Local objects already standing for a peer object (its ref as the peer knows it): never for another. */
  taken: Map<string, string>;
};

/**
 * Finds local objects for incoming ones within one import or analysis: a person's decision, the node's
 * public-ID table, the same ref, then the type's search groups (the stored, normalized keys); a candidate
 * whose identifying fields disagree (another INN, another KPP, another SKU) is never the same object, and
 * an object the peer already knows under another ref is never matched again. A few look-ups query the
 * indexed key columns; many switch to an in-memory index built once per type, never a scan per pair.
 */
export function createIdentifier(deps: {
  trx: Db;
  dialect: StorageDialect;
  nodeId: string;
  typeDef: TypeResolver;
}) {
  const { trx, nodeId, dialect } = deps;
  const lookups = new Map<string, number>();
  const indexes = new Map<string, TypeIndex>();
  const takenHere = new Map<string, Map<string, string>>();

  function identifyingColumns(def: ObjectTypeDef): { field: string; column: string }[] {
    return (def.searchFields?.[0] ?? []).map((field) => ({
      field,
      column: field === 'code' ? 'code' : columnName(field),
    }));
  }

  function candidateOf(def: ObjectTypeDef, row: Record<string, unknown>): Candidate {
    const values = Object.fromEntries(
      identifyingColumns(def).map(({ field, column }) => [field, row[column]]),
    );
    return { ref: String(row.ref), identifying: identifyingValues(def, values) };
  }

  async function buildIndex(def: ObjectTypeDef): Promise<TypeIndex> {
    const groups = def.searchFields ?? [];
    const rows = await trx
      .selectFrom(tableName(def))
      .select([
        'ref',
        ...groups.map((_, index) => searchKeyColumn(index)),
        ...identifyingColumns(def).map((c) => c.column),
      ])
      .where('deleted', '=', dialect.encodeBoolean(false))
      .execute();
    const byGroup = groups.map(() => new Map<string, Candidate[]>());
    for (const row of rows) {
      const candidate = candidateOf(def, row);
      groups.forEach((_, index) => {
        const key = row[searchKeyColumn(index)];
        if (typeof key !== 'string') return;
        const list = byGroup[index]!.get(key);
        if (list) list.push(candidate);
        else byGroup[index]!.set(key, [candidate]);
      });
    }
    const taken = new Map<string, string>();
    const known = await trx
      .selectFrom('exchange_sent_objects')
      .select('ref')
      .where('node_id', '=', nodeId)
      .where('type', '=', def.name)
      .execute();
    for (const row of known) taken.set(String(row.ref), String(row.ref));
    const linked = await trx
      .selectFrom('exchange_public_ids')
      .select(['local_ref', 'peer_ref'])
      .where('node_id', '=', nodeId)
      .where('type', '=', def.name)
      .execute();
    for (const row of linked) taken.set(String(row.local_ref), String(row.peer_ref));
    const decided = await trx
      .selectFrom('exchange_mapping_decisions')
      .select(['local_ref', 'peer_ref'])
      .where('node_id', '=', nodeId)
      .where('type', '=', def.name)
      .where('action', '=', 'link')
      .execute();
    for (const row of decided) taken.set(String(row.local_ref), String(row.peer_ref));
    return { byGroup, taken };
  }

  /** Whether a local object already stands for a different peer object than `peerRef`. */
  async function isTaken(def: ObjectTypeDef, ref: string, peerRef: string): Promise<boolean> {
    const here = takenHere.get(def.name)?.get(ref);
    if (here !== undefined) return here !== peerRef;
    const index = indexes.get(def.name);
    if (index) {
      const holder = index.taken.get(ref);
      return holder !== undefined && holder !== peerRef;
    }
    const linked = await trx
      .selectFrom('exchange_public_ids')
      .select('peer_ref')
      .where('node_id', '=', nodeId)
      .where('type', '=', def.name)
      .where('local_ref', '=', ref)
      .executeTakeFirst();
    if (linked) return String(linked.peer_ref) !== peerRef;
    const decided = await trx
      .selectFrom('exchange_mapping_decisions')
      .select('peer_ref')
      .where('node_id', '=', nodeId)
      .where('type', '=', def.name)
      .where('local_ref', '=', ref)
      .where('action', '=', 'link')
      .executeTakeFirst();
    if (decided) return String(decided.peer_ref) !== peerRef;
    const known = await trx
      .selectFrom('exchange_sent_objects')
      .select('ref')
      .where('node_id', '=', nodeId)
      .where('type', '=', def.name)
      .where('ref', '=', ref)
      .executeTakeFirst();
    return known !== undefined && ref !== peerRef;
  }

  async function candidates(def: ObjectTypeDef, groupIndex: number, key: string): Promise<Candidate[]> {
    const count = (lookups.get(def.name) ?? 0) + 1;
    lookups.set(def.name, count);
    let index = indexes.get(def.name);
    if (!index && count > INDEX_AFTER) {
      index = await buildIndex(def);
      indexes.set(def.name, index);
    }
    if (index) return index.byGroup[groupIndex]?.get(key) ?? [];
    const rows = await trx
      .selectFrom(tableName(def))
      .select(['ref', ...identifyingColumns(def).map((c) => c.column)])
      .where(searchKeyColumn(groupIndex), '=', key)
      .where('deleted', '=', dialect.encodeBoolean(false))
      .limit(50)
      .execute();
    return rows.map((row) => candidateOf(def, row));
  }

  /** The incoming keys with references resolved to local refs (a key naming an unknown object stays empty). */
  async function resolvedKeys(keys: SearchKeys): Promise<Record<string, string | undefined>> {
    const resolved: Record<string, string | undefined> = {};
    for (const [field, value] of Object.entries(keys)) {
      resolved[field] =
        value === null || value === ''
          ? undefined
          : typeof value === 'string'
            ? value
            : await resolveRef(value);
    }
    return resolved;
  }

  async function searchMatch(
    def: ObjectTypeDef,
    keys: SearchKeys,
    peerRef: string | null,
  ): Promise<Identification> {
    const values = await resolvedKeys(keys);
    const identifying = identifyingValues(def, values);
    const groups = def.searchFields ?? [];
    for (const [groupIndex, group] of groups.entries()) {
      const key = searchKey(def, group, values);
      if (key === undefined) continue;
      const free: string[] = [];
      for (const candidate of await candidates(def, groupIndex, key)) {
        if (conflicts(identifying, candidate.identifying)) continue;
        // A reference given only by key properties may point at any object; an incoming object may not
        // merge into one that already stands for another object of the peer.
        if (peerRef !== null && (await isTaken(def, candidate.ref, peerRef))) continue;
        free.push(candidate.ref);
      }
      if (free.length === 1) return { kind: 'search', localRef: free[0]!, fields: group };
      if (free.length > 1) return { kind: 'ambiguous', candidates: free, fields: group };
    }
    return { kind: 'new', decided: false };
  }

  async function exists(def: ObjectTypeDef, ref: string): Promise<boolean> {
    return (
      (await trx.selectFrom(tableName(def)).select('ref').where('ref', '=', ref).executeTakeFirst()) !==
      undefined
    );
  }

  async function decision(def: ObjectTypeDef, peerRef: string) {
    return trx
      .selectFrom('exchange_mapping_decisions')
      .select(['action', 'local_ref'])
      .where('node_id', '=', nodeId)
      .where('type', '=', def.name)
      .where('peer_ref', '=', peerRef)
      .executeTakeFirst();
  }

  async function identify(
    def: ObjectTypeDef,
    peerRef: string | null,
    keys: SearchKeys,
  ): Promise<Identification> {
    if (peerRef) {
      const decided = await decision(def, peerRef);
      if (decided?.action === 'link' && decided.local_ref)
        return { kind: 'decision', localRef: String(decided.local_ref) };
      if (decided?.action === 'create-new') return { kind: 'new', decided: true };
      const mapped = await localRefOf(trx, nodeId, def.name, peerRef);
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

  return {
    identify,
    resolveRef,
    /** From now on in this import, this local object stands for that peer object. */
    take(def: ObjectTypeDef, localRef: string, peerRef: string) {
      const taken = takenHere.get(def.name) ?? new Map<string, string>();
      takenHere.set(def.name, taken);
      taken.set(localRef, peerRef);
    },
    /** Keeps an in-memory index true to an object created during this import. */
    remember(def: ObjectTypeDef, ref: string, values: Record<string, unknown>) {
      const index = indexes.get(def.name);
      if (!index) return;
      const candidate: Candidate = { ref, identifying: identifyingValues(def, values) };
      (def.searchFields ?? []).forEach((group, groupIndex) => {
        const key = searchKey(def, group, values);
        if (key === undefined) return;
        const list = index.byGroup[groupIndex]!.get(key);
        if (list) list.push(candidate);
        else index.byGroup[groupIndex]!.set(key, [candidate]);
      });
    },
  };
}

export type Identifier = ReturnType<typeof createIdentifier>;
