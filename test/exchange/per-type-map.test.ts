import { describe, expect, it } from 'vitest';
import { PerTypeMap } from '../../src/exchange/per-type-map.js';
import { BoundedSet } from '../../src/platform/storage/transaction-cache.js';

describe('bounded look-up memories', () => {
  it('keep what is in use however many others pass by, forget the rest, and keep false and null', () => {
    const map = new PerTypeMap<boolean | null>(100);
    map.set('product', 'used', true);
    map.set('product', 'absent', false);
    map.set('unit', 'none', null);
    for (let index = 0; index < 1000; index += 1) {
      map.set('product', `other-${index}`, true);
      expect(map.get('product', 'used')).toBe(true);
    }
    expect(map.has('product', 'absent')).toBe(false);
    expect(map.has('product', 'other-0')).toBe(false);
    expect(map.get('product', 'other-999')).toBe(true);
    // Each type has its own bound.
    expect(map.has('unit', 'none')).toBe(true);
    expect(map.get('unit', 'none')).toBeNull();
    const kept = map.get('product', 'other-950');
    expect(kept).toBe(true);
  });

  it('answers false and null from the older generation, and keeps them as it keeps anything in use', () => {
    const map = new PerTypeMap<boolean | null>(10);
    map.set('product', 'absent', false);
    map.set('unit', 'none', null);
    for (let round = 0; round < 20; round += 1) {
      for (let index = 0; index < 5; index += 1) {
        map.set('product', `other-${round}-${index}`, true);
        map.set('unit', `other-${round}-${index}`, true);
      }
      // Five more is a whole young generation: what was asked for before is in the old one now.
      expect(map.get('product', 'absent')).toBe(false);
      expect(map.get('unit', 'none')).toBeNull();
    }
    expect(map.get('product', 'never-set')).toBeUndefined();
    expect(map.has('product', 'never-set')).toBe(false);
  });

  it('a bounded set holds at most its limit, and keeps what is asked for', () => {
    const set = new BoundedSet<string>(10);
    set.add('kept');
    for (let index = 0; index < 100; index += 1) {
      set.add(`other-${index}`);
      expect(set.has('kept')).toBe(true);
    }
    const held = Array.from({ length: 100 }, (_, index) => `other-${index}`).filter((item) => set.has(item));
    expect(held.length).toBeLessThanOrEqual(10);
    expect(held).toContain('other-99');
  });
});
