import { randomFillSync } from 'node:crypto';

/**
 * Refs of new objects are UUIDs of version 7 (RFC 9562): the first 48 bits are the moment of creation in
 * milliseconds, so refs made one after another sort one after another. Every table and index keyed by ref
 * then grows at its end instead of at a random place, which keeps the pages a large write touches within
 * the page cache (1C keeps its refs in time order for the same reason). Within one millisecond a 12-bit
 * counter keeps them increasing; the remaining 62 bits are random.
 */
let lastMillis = 0;
let sequence = 0;

const RANDOM_POOL = 4096;
const pool = Buffer.alloc(RANDOM_POOL);
let poolAt = RANDOM_POOL;

function randomBytes(count: number): Buffer {
  if (poolAt + count > RANDOM_POOL) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const bytes = pool.subarray(poolAt, poolAt + count);
  poolAt += count;
  return bytes;
}

export function newRef(now = Date.now()): string {
  if (now > lastMillis) {
    lastMillis = now;
    // A random start within the lower half leaves room for many refs in the same millisecond.
    sequence = randomBytes(2).readUInt16BE(0) & 0x7ff;
  } else {
    sequence += 1;
    if (sequence > 0xfff) {
      // More than the counter holds in one millisecond: borrow the next one, as the RFC allows.
      lastMillis += 1;
      sequence = 0;
    }
  }
  return uuidV7(lastMillis, sequence, randomBytes(8));
}

/** The text of a version 7 UUID from its time, its 12-bit counter and 8 random bytes (62 bits used). */
export function uuidV7(millis: number, counter: number, random: Uint8Array): string {
  const time = millis.toString(16).padStart(12, '0');
  const variant = ((random[0]! & 0x3f) | 0x80).toString(16);
  const hex = Buffer.from(random).toString('hex');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${(counter & 0xfff).toString(16).padStart(3, '0')}-${variant}${hex.slice(2, 4)}-${hex.slice(4, 16)}`;
}
