import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeDateTime } from '../../src/platform/objects/object-schema.js';

/** The moment as normalizing read it before its fast path for `YYYY-MM-DDTHH:mm:ss`: regex and Date. */
function viaRegex(text: string): string | { problem: string } {
  const parts = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  const real = (y: number, m: number, d: number) => {
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  };
  if (!parts || !real(Number(parts[1]), Number(parts[2]), Number(parts[3])))
    return { problem: 'must be a date and time written as YYYY-MM-DDTHH:mm:ss' };
  const [hours = '00', minutes = '00', seconds = '00'] = parts.slice(4).map((part) => part ?? '00');
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59)
    return { problem: 'has a time of day that does not exist' };
  return `${parts[1]}-${parts[2]}-${parts[3]}T${hours}:${minutes}:${seconds}`;
}

describe('moments: the written-as-stored fast path answers as the regex does', () => {
  it('agrees on every date and time of the stored shape, real or not, and on near misses', () => {
    const pad = (value: number, width: number) => String(value).padStart(width, '0');
    const moment = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
      )
      .map(
        ([y, mo, d, h, mi, s]) =>
          `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`,
      );
    const nearMiss = fc.oneof(
      moment.map((text) => text.replace('T', ' ')),
      moment.map((text) => ` ${text}`),
    );
    fc.assert(
      fc.property(fc.oneof(moment, nearMiss, fc.string({ maxLength: 20 })), (text) => {
        expect(normalizeDateTime(text)).toEqual(viaRegex(text));
      }),
      { numRuns: 20_000 },
    );
    expect(normalizeDateTime('2024-02-29T23:59:59')).toBe('2024-02-29T23:59:59');
    expect(normalizeDateTime('2100-02-29T00:00:00')).toMatchObject({ problem: expect.any(String) });
    expect(normalizeDateTime('0099-01-01T00:00:00')).toEqual(viaRegex('0099-01-01T00:00:00'));
  });
});
