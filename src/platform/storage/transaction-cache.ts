import type { Db } from './storage.js';

/**
 * What a transaction has learnt that stays true until it writes otherwise (rows it has seen exist,
 * counters it has noted), so that a transaction writing many objects asks the database once. Kept per
 * transaction object, so it goes with it; forgotten whole when the transaction rolls back to a savepoint,
 * since that undoes writes the entries may stand for.
 */
const caches = new WeakMap<Db, Map<string, unknown>>();

export function transactionCache<T>(trx: Db, name: string, create: () => T): T {
  let byName = caches.get(trx);
  if (!byName) {
    byName = new Map();
    caches.set(trx, byName);
  }
  let cache = byName.get(name) as T | undefined;
  if (cache === undefined) {
    cache = create();
    byName.set(name, cache);
  }
  return cache;
}

/** Forgets one cache of the transaction, or all of them. */
export function forgetTransactionCache(trx: Db, name?: string): void {
  if (name === undefined) caches.delete(trx);
  else caches.get(trx)?.delete(name);
}

/** A set that forgets everything once it holds `limit` entries: memory stays bounded however long the work. */
export class BoundedSet<T> {
  private readonly items = new Set<T>();
  constructor(private readonly limit: number) {}
  has(item: T): boolean {
    return this.items.has(item);
  }
  add(item: T): void {
    if (this.items.size >= this.limit) this.items.clear();
    this.items.add(item);
  }
  delete(item: T): void {
    this.items.delete(item);
  }
}
