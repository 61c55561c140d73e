import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Infobase } from '../../src/platform/infobase.js';
import { inListBatches, insertMany, placeholders, queryRows } from '../../src/platform/storage/raw-sql.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

const origin = { kind: 'system' } as const;

describe('IN lists padded to a few lengths', () => {
  it('keeps every value, in order, pads with the last one, and makes at most ten statement lengths', () => {
    const lengths = new Set<number>();
    for (let count = 1; count <= 1200; count += 1) {
      const items = Array.from({ length: count }, (_, index) => index);
      const batches = [...inListBatches(items)];
      const kept: number[] = [];
      for (const batch of batches) {
        lengths.add(batch.length);
        expect(batch.length).toBeLessThanOrEqual(500);
        const distinct = [...new Set(batch)];
        // Padding only repeats the batch's last value.
        expect(batch.slice(distinct.length).every((value) => value === distinct[distinct.length - 1])).toBe(
          true,
        );
        kept.push(...distinct);
      }
      expect(kept).toEqual(items);
    }
    expect([...lengths].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 500]);
  });
});

describeEachDialect('plain SQL statements', (dialect) => {
  let test: TestHost;
  let crm: Infobase;

  beforeAll(async () => {
    test = await createTestHost(dialect);
    crm = await test.host.create('crm', 'crm');
  });
  afterAll(() => test.cleanup());

  it('a padded IN list finds each row once, and the object store reads each object once', async () => {
    const units = [];
    for (const code of ['796', '166', '112']) {
      units.push(await crm.objects.create('unit', { code, name: `unit ${code}` }, origin));
    }
    const refs = units.map((unit) => unit.ref);
    const [batch] = [...inListBatches(refs)];
    expect(batch).toHaveLength(4);
    const rows = await queryRows<{ ref: string }>(
      crm.db,
      crm.sql,
      `select ref from cat_unit where ref in (${placeholders(batch!.length)})`,
      batch!,
    );
    expect(rows.map((row) => row.ref).sort()).toEqual([...refs].sort());
    const read = await crm.objects.getMany('unit', refs);
    expect([...read.keys()].sort()).toEqual([...refs].sort());
  });

  it('rows inserted together are all stored, inside a transaction or not, with the tail of the statement applied to each', async () => {
    const rows = Array.from({ length: 1234 }, (_, index) => ['bench', `scope-${index}`, 2026, index]);
    const columns = ['type', 'scope', 'year', 'last_value'];
    await crm.db.transaction().execute((trx) => insertMany(trx, crm.sql, 'number_counters', columns, rows));
    await insertMany(
      crm.db,
      crm.sql,
      'number_counters',
      columns,
      [
        ['bench', 'scope-1', 2026, 999],
        ['bench', 'scope-new', 2026, 5],
      ],
      'on conflict (type, scope, year) do nothing',
    );
    const stored = await queryRows<{ scope: string; last_value: number }>(
      crm.db,
      crm.sql,
      'select scope, last_value from number_counters where type = ?',
      ['bench'],
    );
    expect(stored).toHaveLength(1235);
    expect(Number(stored.find((row) => row.scope === 'scope-1')?.last_value)).toBe(1);
    expect(Number(stored.find((row) => row.scope === 'scope-new')?.last_value)).toBe(5);
  });
});
