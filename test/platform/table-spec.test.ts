import { afterAll, beforeAll, expect, it } from 'vitest';
import { mappingAnalysisTable, TO_REVIEW } from '../../src/exchange/exchange-tables.js';
import type { Infobase } from '../../src/platform/infobase.js';
import { ensureTable, withIndexesBuiltAfter } from '../../src/platform/storage/index.js';
import { insertMany, queryRows } from '../../src/platform/storage/raw-sql.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

describeEachDialect('tables stored by key, with a partial index', (dialect) => {
  let test: TestHost;
  let infobase: Infobase;
  const index = mappingAnalysisTable.indexes![0]!;

  beforeAll(async () => {
    test = await createTestHost(dialect);
    infobase = await test.host.create('bp', 'accounting');
    await ensureTable(infobase.db, infobase.dialect, mappingAnalysisTable);
    const statuses = ['matched', 'matched', 'matched', 'unmatched', 'ambiguous'];
    const rows = Array.from({ length: 500 }, (_, seq) => [
      'node',
      seq + 1,
      'counterparty',
      `peer-${seq}`,
      `Counterparty ${seq}`,
      statuses[seq % statuses.length],
    ]);
    const columns = ['node_id', 'seq', 'type', 'peer_ref', 'presentation', 'status'];
    // The index is built again after the rows go in, as the analysis does it, with its condition.
    await infobase.db
      .transaction()
      .execute((trx) =>
        withIndexesBuiltAfter(trx, [mappingAnalysisTable], () =>
          insertMany(trx, infobase.sql, mappingAnalysisTable.name, columns, rows),
        ),
      );
  });
  afterAll(() => test.cleanup());

  it('creates the table in the order of its key and the index with its condition', async () => {
    if (dialect === 'sqlite') {
      const [table] = await queryRows<{ sql: string }>(
        infobase.db,
        infobase.sql,
        'select sql from sqlite_master where name = ?',
        [mappingAnalysisTable.name],
      );
      expect(table!.sql).toMatch(/without rowid$/);
    }
    const definition =
      dialect === 'sqlite'
        ? 'select sql as definition from sqlite_master where name = ?'
        : 'select indexdef as definition from pg_indexes where indexname = ?';
    const [created] = await queryRows<{ definition: string }>(infobase.db, infobase.sql, definition, [
      index.name,
    ]);
    expect(created!.definition.replace(/[()]/g, '')).toMatch(/where status <> 'matched'(::text)?$/i);
  });

  it('finds the rows to review through the partial index, and every row by its key', async () => {
    const count = async (where: string) =>
      Number(
        (
          await queryRows<{ count: number | string }>(
            infobase.db,
            infobase.sql,
            `select count(*) as count from ${mappingAnalysisTable.name} where node_id = ? and ${where}`,
            ['node'],
          )
        )[0]!.count,
      );
    expect(await count(`${TO_REVIEW} and status = 'unmatched'`)).toBe(100);
    expect(await count(`${TO_REVIEW} and status in ('ambiguous', 'unmatched')`)).toBe(200);
    expect(await count("status = 'matched'")).toBe(300);
    if (dialect !== 'sqlite') return;
    const plan = await queryRows<{ detail: string }>(
      infobase.db,
      infobase.sql,
      `explain query plan select count(*) from ${mappingAnalysisTable.name}
       where node_id = ? and ${TO_REVIEW} and status = 'unmatched'`,
      ['node'],
    );
    expect(plan.map((step) => step.detail).join(' ')).toContain(index.name);
  });
});
