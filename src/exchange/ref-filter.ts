/**
 * A set of refs that can only say "certainly not" or "maybe" (a Bloom filter): 10 bits a ref, where the
 * refs themselves take about 100 bytes each in a Map. An import asks of millions of references whether a
 * link stands for them; most have none, and this answers those without the database.
 */
export class RefFilter {
  private readonly bits: Uint8Array;
  private readonly size: number;
  // The last ref's two hashes: fields rather than a returned pair, as this runs for every reference.
  private first = 0;
  private second = 0;

  /** Room for `expected` refs at about one "maybe" in a hundred for a ref never added. */
  constructor(expected: number) {
    this.size = Math.max(64, Math.ceil(expected * BITS_PER_REF));
    this.bits = new Uint8Array(Math.ceil(this.size / 8));
  }

  add(ref: string): void {
    this.hash(ref);
    for (let round = 0; round < HASHES; round += 1) {
      const bit = this.bit(round);
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  /** False only if the ref was never added. */
  mayHave(ref: string): boolean {
    this.hash(ref);
    for (let round = 0; round < HASHES; round += 1) {
      const bit = this.bit(round);
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  /**
   * Two 32-bit hashes in one pass (FNV-1a and a multiplicative one), combined per round as Kirsch and
   * Mitzenmacher do: the ref's own digits are not random enough, a time-ordered ref starting with its time.
   */
  private hash(ref: string): void {
    let first = 0x811c9dc5;
    let second = 0x9747b28c;
    for (let index = 0; index < ref.length; index += 1) {
      const code = ref.charCodeAt(index);
      first = Math.imul(first ^ code, 0x01000193);
      second = Math.imul(second ^ code, 0x5bd1e995);
      second ^= second >>> 15;
    }
    this.first = first;
    this.second = second | 1;
  }

  private bit(round: number): number {
    return ((this.first + Math.imul(round, this.second)) >>> 0) % this.size;
  }
}

/** 10 bits and 7 hashes a ref: about 0.8% false "maybe". */
const BITS_PER_REF = 10;
const HASHES = 7;
