import { afterAll, beforeAll, expect, it } from 'vitest';
import { publicIdsTable } from '../../src/exchange/exchange-tables.js';
import { deferLinks, link, peerRefOf, peerRefsOf, writeLinks } from '../../src/exchange/public-ids.js';
import type { Infobase } from '../../src/platform/infobase.js';
import { ensureTable } from '../../src/platform/storage/index.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

describeEachDialect('public-ID links written a chunk at a time', (dialect) => {
  let test: TestHost;
  let bp: Infobase;

  beforeAll(async () => {
    test = await createTestHost(dialect);
    bp = await test.host.create('bp', 'accounting');
    await ensureTable(bp.db, bp.dialect, publicIdsTable);
  });
  afterAll(() => test.cleanup());

  const stored = async () =>
    (
      await bp.db
        .selectFrom('exchange_public_ids')
        .select(['peer_ref', 'local_ref'])
        .orderBy('peer_ref')
        .execute()
    ).map((row) => `${row.peer_ref}→${row.local_ref}`);

  it('keeps deferred links until they are written or read, the last link of a peer object winning', async () => {
    await bp.db.transaction().execute(async (trx) => {
      deferLinks(trx);
      await link(trx, bp.sql, 'node', 'counterparty', 'peer-a', 'local-1');
      await link(trx, bp.sql, 'node', 'counterparty', 'peer-a', 'local-2');
      await link(trx, bp.sql, 'node', 'counterparty', 'peer-b', 'local-3');
      // Nothing is in the table yet; whoever reads the links finds them all the same.
      expect(await trx.selectFrom('exchange_public_ids').selectAll().execute()).toEqual([]);
      expect(await peerRefOf(trx, bp.sql, 'node', 'counterparty', 'local-2')).toBe('peer-a');
      // Reading wrote them and deferring goes on: the next link waits for the end of the chunk.
      await link(trx, bp.sql, 'node', 'counterparty', 'peer-c', 'local-4');
      expect((await peerRefsOf(trx, bp.sql, 'node', 'counterparty', ['local-4'])).get('local-4')).toBe(
        'peer-c',
      );
      await link(trx, bp.sql, 'node', 'counterparty', 'peer-d', 'local-5');
      await writeLinks(trx, bp.sql);
      // Written, deferring stops: a link goes in at once.
      await link(trx, bp.sql, 'node', 'counterparty', 'peer-e', 'local-6');
    });
    expect(await stored()).toEqual([
      'peer-a→local-2',
      'peer-b→local-3',
      'peer-c→local-4',
      'peer-d→local-5',
      'peer-e→local-6',
    ]);
  });
});
