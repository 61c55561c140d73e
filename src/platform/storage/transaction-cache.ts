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

/**
 * A set of at most `limit` entries, in two generations: new entries go to the young one, which becomes the
 * old one when it holds half the limit (the one before is forgotten); an entry found old moves back. What
 * is in use stays however long the work, and memory stays bounded.
 */
export class BoundedSet<T> {
  private young = new Set<T>();
  private old = new Set<T>();
  constructor(private readonly limit: number) {}
  has(item: T): boolean {
    if (this.young.has(item)) return true;
    if (!this.old.has(item)) return false;
    this.add(item);
    return true;
  }
  add(item: T): void {
    if (this.young.size >= this.limit / 2 && !this.young.has(item)) {
      this.old = this.young;
      this.young = new Set();
    }
    this.young.add(item);
  }
  delete(item: T): void {
    this.young.delete(item);
    this.old.delete(item);
  }
}
