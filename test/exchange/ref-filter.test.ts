import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { RefFilter } from '../../src/exchange/ref-filter.js';

/** Refs shaped as the time-ordered ones the infobases make: a shared start, the rest varying. */
const refOf = (index: number) => {
  const hex = createHash('md5').update(String(index)).digest('hex');
  return `0190a1b2-${hex.slice(0, 4)}-7${hex.slice(5, 8)}-8${hex.slice(9, 12)}-${hex.slice(12, 24)}`;
};

it('says "maybe" for every ref added and "certainly not" for nearly all others', () => {
  const filter = new RefFilter(10_000);
  for (let index = 0; index < 10_000; index += 1) filter.add(refOf(index));
  let maybe = 0;
  for (let index = 0; index < 10_000; index += 1) if (filter.mayHave(refOf(index))) maybe += 1;
  expect(maybe).toBe(10_000);
  let wrong = 0;
  for (let index = 10_000; index < 110_000; index += 1) if (filter.mayHave(refOf(index))) wrong += 1;
  // About 0.8% by design; the refs' shared start must not crowd their bits together.
  expect(wrong / 100_000).toBeLessThan(0.015);
});
