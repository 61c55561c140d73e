import type { ObjectTypeDef } from '../platform/metadata.js';
import { columnName, tableName } from '../platform/metadata.js';
import type { Db, StorageDialect } from '../platform/storage/index.js';
import { knownToPeer } from './change-log.js';
import type { IncomingRef, SearchKeys } from './conversion.js';
import { normalizeName } from './normalize.js';
import { isLinked, localRefOf } from './public-ids.js';

/** How an incoming object was found here (DESIGN.md 6.5), in the order the ways are tried. */
export type Identification =
  | { kind: 'public-id' | 'ref'; localRef: string }
  | { kind: 'search'; localRef: string; fields: readonly string[] }
  | { kind: 'ambiguous'; candidates: string[]; fields: readonly string[] }
  | { kind: 'new' };

type TypeResolver = (localType: string) => ObjectTypeDef;

/**
 * Finds local objects for incoming ones within one import: by the node's public-ID table, by the same
 * ref, then by search fields; an object the peer already knows under another ref is never matched again.
 * Name look-ups use an index built once per type per import, never a query per pair.
 */
export function createIdentifier(deps: {
  trx: Db;
  dialect: StorageDialect;
  nodeId: string;
  typeDef: TypeResolver;
}) {
  const { trx, nodeId, dialect } = deps;
  const nameIndexes = new Map<string, Map<string, string[]>>();

  async function exists(def: ObjectTypeDef, ref: string): Promise<boolean> {
    const row = await trx.selectFrom(tableName(def)).select('ref').where('ref', '=', ref).executeTakeFirst();
    return row !== undefined;
  }

  async function nameIndex(def: ObjectTypeDef): Promise<Map<string, string[]>> {
    let index = nameIndexes.get(def.name);
    if (!index) {
      index = new Map();
      const rows = await trx
        .selectFrom(tableName(def))
        .select(['ref', 'name'])
        .where('deleted', '=', dialect.encodeBoolean(false))
        .execute();
      for (const row of rows) addToIndex(index, String(row.name ?? ''), String(row.ref));
      nameIndexes.set(def.name, index);
    }
    return index;
  }

  function addToIndex(index: Map<string, string[]>, name: string, ref: string) {
    const key = normalizeName(name);
    if (!key) return;
    const refs = index.get(key);
    if (refs) refs.push(ref);
    else index.set(key, [ref]);
  }

  async function keyValue(value: SearchKeys[string] | undefined): Promise<string | undefined> {
    if (value === null || value === undefined || value === '') return undefined;
    return typeof value === 'string' ? value : resolveRef(value);
  }

  async function candidates(
    def: ObjectTypeDef,
    group: readonly string[],
    keys: SearchKeys,
  ): Promise<string[] | undefined> {
    const values: string[] = [];
    for (const field of group) {
      const value = await keyValue(keys[field]);
      if (value === undefined) return undefined;
      values.push(value);
    }
    if (group.length === 1 && group[0] === 'name') {
      return [...((await nameIndex(def)).get(normalizeName(values[0]!)) ?? [])];
    }
    let query = trx
      .selectFrom(tableName(def))
      .select('ref')
      .where('deleted', '=', dialect.encodeBoolean(false));
    group.forEach((field, index) => {
      query = query.where(field === 'code' ? 'code' : columnName(field), '=', values[index]!);
    });
    const rows = await query.limit(50).execute();
    return rows.map((row) => String(row.ref));
  }

  /**
   * An incoming object with a ref of its own never matches an object the peer already knows under
   * another ref (that would merge two of its objects); a reference given only by key properties may.
   */
  async function searchMatch(
    def: ObjectTypeDef,
    keys: SearchKeys,
    peerRef: string | null,
  ): Promise<Identification> {
    for (const group of def.searchFields ?? []) {
      const found = await candidates(def, group, keys);
      if (found === undefined) continue;
      const free: string[] = [];
      for (const ref of found) {
        if (
          peerRef === null ||
          (!(await isLinked(trx, nodeId, def.name, ref)) && !(await knownToPeer(trx, nodeId, def.name, ref)))
        ) {
          free.push(ref);
        }
      }
      if (free.length === 1) return { kind: 'search', localRef: free[0]!, fields: group };
      if (free.length > 1) return { kind: 'ambiguous', candidates: free, fields: group };
    }
    return { kind: 'new' };
  }

  async function identify(
    def: ObjectTypeDef,
    peerRef: string | null,
    keys: SearchKeys,
  ): Promise<Identification> {
    if (peerRef) {
      const mapped = await localRefOf(trx, nodeId, def.name, peerRef);
      if (mapped) return { kind: 'public-id', localRef: mapped };
      if (await exists(def, peerRef)) return { kind: 'ref', localRef: peerRef };
    }
    return searchMatch(def, keys, peerRef);
  }

  /** A reference inside an incoming object: found, or undefined (never created from a reference alone). */
  async function resolveRef(ref: IncomingRef): Promise<string | undefined> {
    const found = await identify(deps.typeDef(ref.localType), ref.peerRef, ref.keys);
    return found.kind === 'public-id' || found.kind === 'ref' || found.kind === 'search'
      ? found.localRef
      : undefined;
  }

  return {
    identify,
    resolveRef,
    /** Keeps the name index true to objects created during this import. */
    remember(def: ObjectTypeDef, ref: string, name: unknown) {
      const index = nameIndexes.get(def.name);
      if (index && typeof name === 'string') addToIndex(index, name, ref);
    },
  };
}

export type Identifier = ReturnType<typeof createIdentifier>;
