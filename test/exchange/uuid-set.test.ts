import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { UuidSet } from '../../src/exchange/uuid-set.js';

/** Time-ordered refs as the infobases make them: the first words shared, the last ones varying. */
const refOf = (index: number) => {
  const hex = createHash('md5').update(String(index)).digest('hex');
  return `0190a1b2-c3d4-7${hex.slice(0, 3)}-8${hex.slice(3, 6)}-${hex.slice(6, 18)}`;
};

it('holds exactly what was added, through growing and removing', () => {
  const set = new UuidSet();
  for (let index = 0; index < 50_000; index += 1) expect(set.add(refOf(index))).toBe(true);
  set.add(refOf(7));
  expect(set.size).toBe(50_000);
  for (let index = 0; index < 50_000; index += 2) set.delete(refOf(index));
  expect(set.size).toBe(25_000);
  const wrong: number[] = [];
  for (let index = 0; index < 60_000; index += 1)
    if (set.has(refOf(index)) !== (index < 50_000 && index % 2 === 1)) wrong.push(index);
  expect(wrong).toEqual([]);
});

it('reads a UUID in either case, and holds nothing else', () => {
  const set = new UuidSet();
  const ref = refOf(1);
  set.add(ref.toUpperCase());
  expect(set.has(ref)).toBe(true);
  for (const other of [
    '',
    'not-a-uuid',
    `${ref}0`,
    ref.replace(/-/g, '_'),
    '00000000-0000-0000-0000-000000000000',
  ]) {
    expect(set.add(other)).toBe(false);
    expect(set.has(other)).toBeUndefined();
  }
  set.delete('not-a-uuid');
  expect(set.size).toBe(1);
  set.clear();
  expect(set.has(ref)).toBe(false);
});
