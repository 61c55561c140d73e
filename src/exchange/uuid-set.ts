/**
 * An exact set of refs written as UUIDs, kept as 16 bytes each in one typed array (open addressing): about
 * 30 bytes a ref where a Map of the text takes about 100. An import remembers in it which catalog items
 * exist, so that the documents of a million-object message, naming tens of thousands of them again and
 * again, do not ask the database each time. A ref that is not a UUID is never held (`has` says undefined).
 */
export class UuidSet {
  private words = new Uint32Array(4 * 1024);
  private count = 0;
  // The last ref parsed: fields rather than a returned array, as this runs for every reference.
  private readonly parsed = new Uint32Array(4);

  get size(): number {
    return this.count;
  }

  /** Adds the ref; false if it is not a UUID, and so not held. */
  add(ref: string): boolean {
    if (!this.parse(ref)) return false;
    if ((this.count + 1) * 4 > (this.words.length / 4) * 3) this.grow();
    const slot = this.find(this.words, this.parsed);
    if (this.isEmpty(this.words, slot)) {
      this.words.set(this.parsed, slot * 4);
      this.count += 1;
    }
    return true;
  }

  /** Whether the ref was added; undefined if it is not a UUID, which the set cannot hold. */
  has(ref: string): boolean | undefined {
    if (!this.parse(ref)) return undefined;
    return !this.isEmpty(this.words, this.find(this.words, this.parsed));
  }

  /** Takes the ref out; whether it was held. */
  delete(ref: string): boolean {
    if (!this.parse(ref)) return false;
    const words = this.words;
    const mask = words.length / 4 - 1;
    let slot = this.find(words, this.parsed);
    if (this.isEmpty(words, slot)) return false;
    // Backward shift: each later entry of the run moves into the gap unless the gap is before its home.
    for (let next = (slot + 1) & mask; !this.isEmpty(words, next); next = (next + 1) & mask) {
      const home = this.home(words.subarray(next * 4, next * 4 + 4), mask);
      if (((next - home) & mask) >= ((next - slot) & mask)) {
        words.copyWithin(slot * 4, next * 4, next * 4 + 4);
        slot = next;
      }
    }
    words.fill(0, slot * 4, slot * 4 + 4);
    this.count -= 1;
    return true;
  }

  clear(): void {
    this.words = new Uint32Array(4 * 1024);
    this.count = 0;
  }

  /** The slot that holds the UUID, or the empty one where it would go (linear probing). */
  private find(words: Uint32Array, uuid: Uint32Array): number {
    const slots = words.length / 4;
    let slot = this.home(uuid, slots - 1);
    for (;;) {
      const at = slot * 4;
      if (this.isEmpty(words, slot)) return slot;
      if (
        words[at] === uuid[0] &&
        words[at + 1] === uuid[1] &&
        words[at + 2] === uuid[2] &&
        words[at + 3] === uuid[3]
      )
        return slot;
      slot = (slot + 1) & (slots - 1);
    }
  }

  /** Where the UUID's run starts. The last words are random in every UUID version the infobases make. */
  private home(uuid: Uint32Array, mask: number): number {
    let hash = Math.imul(uuid[3]! ^ Math.imul(uuid[2]!, 0x9e3779b1), 0x85ebca6b);
    hash ^= hash >>> 13;
    return (hash >>> 0) & mask;
  }

  private isEmpty(words: Uint32Array, slot: number): boolean {
    const at = slot * 4;
    return words[at] === 0 && words[at + 1] === 0 && words[at + 2] === 0 && words[at + 3] === 0;
  }

  private grow(): void {
    const old = this.words;
    this.words = new Uint32Array(old.length * 2);
    const uuid = new Uint32Array(4);
    for (let at = 0; at < old.length; at += 4) {
      uuid.set(old.subarray(at, at + 4));
      if (uuid[0] === 0 && uuid[1] === 0 && uuid[2] === 0 && uuid[3] === 0) continue;
      this.words.set(uuid, this.find(this.words, uuid) * 4);
    }
  }

  /**
   * Reads `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case) into `parsed`; false for anything else,
   * and for the nil UUID, which marks an empty slot.
   */
  private parse(ref: string): boolean {
    if (ref.length !== 36) return false;
    let word = 0;
    let digits = 0;
    let nonZero = false;
    for (let index = 0; index < 36; index += 1) {
      const code = ref.charCodeAt(index);
      if (index === 8 || index === 13 || index === 18 || index === 23) {
        if (code !== 45) return false;
        continue;
      }
      const digit = hexDigit(code);
      if (digit < 0) return false;
      word = (word << 4) | digit;
      digits += 1;
      if (digits % 8 === 0) {
        this.parsed[digits / 8 - 1] = word;
        if (word !== 0) nonZero = true;
        word = 0;
      }
    }
    return nonZero;
  }
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}
