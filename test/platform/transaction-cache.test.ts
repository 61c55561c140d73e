import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Infobase } from '../../src/platform/infobase.js';
import { forgetTransactionCache } from '../../src/platform/storage/transaction-cache.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

const origin = { kind: 'system' } as const;

/**
 * A transaction that writes many objects remembers what it has seen exist and which numbers it noted
 * (the exchange's load asks once instead of per object). A write rolled back to a savepoint may have
 * taught it things that are no longer true; forgetting then must make it ask the database again.
 */
describeEachDialect('what a transaction remembers of its own writes', (dialect) => {
  let test: TestHost;
  let crm: Infobase;

  beforeAll(async () => {
    test = await createTestHost(dialect);
    crm = await test.host.create('crm', 'crm');
    await crm.settings.setPrefix('CR', { continueNumbering: false });
  });
  afterAll(() => test.cleanup());

  it('a reference to an object created and then rolled back is refused once the transaction forgets', async () => {
    await crm.db.transaction().execute(async (trx) => {
      await sql`savepoint attempt`.execute(trx);
      const unit = await crm.objects.create('unit', { code: '796', name: 'pcs' }, origin, { trx });
      await sql`rollback to savepoint attempt`.execute(trx);
      await sql`release savepoint attempt`.execute(trx);
      forgetTransactionCache(trx);
      await expect(
        crm.objects.create('product', { name: 'Paper', unit: unit.ref }, origin, { trx }),
      ).rejects.toMatchObject({ code: 'validation_failed' });
    });
  });

  it('numbering continues after what the database holds, not after a rolled-back number', async () => {
    await crm.db.transaction().execute(async (trx) => {
      await sql`savepoint attempt`.execute(trx);
      await crm.objects.create('counterparty', { name: 'A', code: 'CR-00500' }, origin, { trx });
      await sql`rollback to savepoint attempt`.execute(trx);
      await sql`release savepoint attempt`.execute(trx);
      forgetTransactionCache(trx);
      await crm.objects.create('counterparty', { name: 'B', code: 'CR-00007' }, origin, { trx });
      const next = await crm.objects.create('counterparty', { name: 'C' }, origin, { trx });
      expect(next.code).toBe('CR-00008');
    });
  });

  it('an update writes only what changed and reads back as a full write would', async () => {
    const created = await crm.objects.create(
      'counterparty',
      { name: 'ООО "Ромашка"', inn: '7715432185', kpp: '771501001' },
      origin,
    );
    const updated = await crm.objects.update('counterparty', created.ref, { kpp: '771502001' }, origin);
    expect(updated).toMatchObject({ name: 'ООО "Ромашка"', kpp: '771502001', version: 2 });
    expect(await crm.objects.get('counterparty', created.ref)).toEqual(updated);
    const row = await crm.db
      .selectFrom('cat_counterparty')
      .selectAll()
      .where('ref', '=', created.ref)
      .executeTakeFirst();
    expect(row).toMatchObject({
      search_key_1: '7715432185\u001f771502001',
      search_key_2: '7715432185',
      search_key_3: 'ромашка',
    });
  });

  it('an object read to be changed, alone or with others, is updated in the columns that change only', async () => {
    // A trigger on the name's column tells whether an update sets it: every index over a set column is
    // rewritten, even to the same value.
    await sql`create table name_set (ref text)`.execute(crm.db);
    if (dialect === 'sqlite') {
      await sql`create trigger name_set_probe after update of name on cat_counterparty
        begin insert into name_set values (new.ref); end`.execute(crm.db);
    } else {
      await sql`create function name_set_probe() returns trigger language plpgsql as
        $$ begin insert into name_set values (new.ref); return new; end $$`.execute(crm.db);
      await sql`create trigger name_set_probe after update of name on cat_counterparty
        for each row execute function name_set_probe()`.execute(crm.db);
    }
    const refs: string[] = [];
    for (const name of ['Первый', 'Второй', 'Третий'])
      refs.push((await crm.objects.create('counterparty', { name }, origin)).ref);
    await crm.db.transaction().execute(async (trx) => {
      const read = await crm.objects.getManyToChange('counterparty', refs.slice(0, 2), trx);
      expect([...read.keys()].sort()).toEqual(refs.slice(0, 2).sort());
      for (const ref of refs.slice(0, 2)) {
        expect(read.get(ref)).toEqual(await crm.objects.get('counterparty', ref, trx));
        await crm.objects.put('counterparty', ref, { phone: '+7 900 000-00-01' }, origin, {
          trx,
          before: { object: read.get(ref) },
        });
      }
      const alone = await crm.objects.get('counterparty', refs[2]!, trx);
      await crm.objects.put('counterparty', refs[2]!, { phone: '+7 900 000-00-02' }, origin, {
        trx,
        before: { object: alone },
      });
      await crm.objects.put('counterparty', refs[2]!, { name: 'Третий, иначе' }, origin, { trx });
    });
    const named = await sql<{ ref: string }>`select ref from name_set`.execute(crm.db);
    expect(named.rows.map((row) => row.ref)).toEqual([refs[2]]);
    expect(await crm.objects.get('counterparty', refs[0]!)).toMatchObject({
      phone: '+7 900 000-00-01',
      version: 2,
    });
  });
});
