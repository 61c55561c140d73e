/** Anything but undefined, which stands for "not remembered". */
type Remembered = NonNullable<unknown> | null;

/**
 * Per object type, ref → value, as an import or an export remembers look-ups: a large message names the
 * same catalog items over and over. With a limit, each type keeps two generations: new entries go to the
 * young one, and when it holds half the limit it becomes the old one and the one before is dropped; an
 * entry found in the old generation moves back to the young. What a batch keeps using stays however long
 * the message, memory stays bounded, and what was dropped is fetched again when asked for. No value is
 * undefined: `get` answering undefined means not remembered, in one look-up.
 */
class Generations<V extends Remembered> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  constructor(private readonly half: number) {}

  get(ref: string): V | undefined {
    const value = this.young.get(ref);
    if (value !== undefined || this.old.size === 0) return value;
    const kept = this.old.get(ref);
    if (kept !== undefined) this.set(ref, kept);
    return kept;
  }
  has(ref: string): boolean {
    return this.young.has(ref) || (this.old.size > 0 && this.old.has(ref));
  }
  set(ref: string, value: V): void {
    if (this.young.size >= this.half && !this.young.has(ref)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(ref, value);
  }
}

export class PerTypeMap<V extends Remembered> {
  private readonly types = new Map<string, Generations<V>>();
  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}
  private of(type: string): Generations<V> {
    let map = this.types.get(type);
    if (!map) {
      map = new Generations(Math.max(1, this.limit / 2));
      this.types.set(type, map);
    }
    return map;
  }
  get(type: string, ref: string): V | undefined {
    return this.types.get(type)?.get(ref);
  }
  has(type: string, ref: string): boolean {
    return this.types.get(type)?.has(ref) === true;
  }
  set(type: string, ref: string, value: V): void {
    this.of(type).set(ref, value);
  }
  clear(): void {
    this.types.clear();
  }
}
