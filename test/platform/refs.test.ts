import { describe, expect, it } from 'vitest';
import { newRef, uuidV7 } from '../../src/platform/refs.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('refs of new objects', () => {
  it('are version 7 UUIDs that increase in the order they are made, many in one millisecond too', () => {
    const refs = Array.from({ length: 10_000 }, () => newRef(1_750_000_000_000));
    for (const ref of refs) expect(ref).toMatch(UUID_V7);
    expect(new Set(refs).size).toBe(refs.length);
    expect([...refs].sort()).toEqual(refs);
    // A later moment sorts after everything made before it.
    const later = newRef(1_750_000_000_000 + 10_000);
    expect(later > refs[refs.length - 1]!).toBe(true);
  });

  it('carry their moment in the first 48 bits', () => {
    const ref = uuidV7(0x0123456789ab, 0xabc, Buffer.alloc(8, 0xff));
    expect(ref).toBe('01234567-89ab-7abc-bfff-ffffffffffff');
    expect(
      Number.parseInt(newRef(1_800_000_000_123).replace(/-/g, '').slice(0, 12), 16),
    ).toBeGreaterThanOrEqual(1_800_000_000_123);
  });
});
