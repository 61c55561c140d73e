/**
 * Per object type, ref → value, as an import or an export remembers look-ups: a large message names the
 * same catalog items over and over. With a limit, each type's map starts afresh once it holds that many
 * entries, so memory stays bounded and a batch fetches again what it lacks.
 */
export class PerTypeMap<V> {
  private readonly types = new Map<string, Map<string, V>>();
  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}
  private of(type: string): Map<string, V> {
    let map = this.types.get(type);
    if (!map) {
      map = new Map();
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
    const map = this.of(type);
    if (map.size >= this.limit && !map.has(ref)) map.clear();
    map.set(ref, value);
  }
  clear(): void {
    this.types.clear();
  }
}
