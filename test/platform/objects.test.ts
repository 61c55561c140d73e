import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Infobase } from '../../src/platform/infobase.js';
import type { WriteEvent } from '../../src/platform/objects/object-store.js';
import type { Db } from '../../src/platform/storage/index.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

const user = { kind: 'user', login: 'tester' } as const;

describeEachDialect('objects: one write path with validation and hooks', (dialect) => {
  let test: TestHost;
  let crm: Infobase;
  const events: WriteEvent[] = [];

  beforeAll(async () => {
    test = await createTestHost(dialect);
    crm = await test.host.create('crm', 'crm');
    crm.addWriteHook(async (_trx, event) => {
      events.push(event);
    });
  });
  afterAll(() => test.cleanup());

  it('creates a catalog item with a ref, version 1, no deletion mark and the infobase prefix', async () => {
    await crm.settings.setPrefix('CR', { continueNumbering: false });
    const item = await crm.objects.create(
      'counterparty',
      { name: 'Romashka LLC', inn: '7701234567', kpp: '770101001' },
      user,
    );
    expect(item.ref).toMatch(/^[0-9a-f-]{36}$/);
    expect(item).toMatchObject({
      version: 1,
      deleted: false,
      createdIn: 'CR',
      code: 'CR-00001',
      kind: 'legal-entity',
      country: '643',
    });
    const again = await crm.objects.update('counterparty', item.ref, { phone: '+7 495 000-00-00' }, user);
    expect(again.version).toBe(2);
    expect(again.phone).toBe('+7 495 000-00-00');
  });

  it('names the field and writes nothing when the input is wrong', async () => {
    const before = (await crm.objects.list('counterparty')).total;
    const cases: [unknown, string, string][] = [
      [{ name: 'X', colour: 'red' }, 'colour', 'unknown_field'],
      [{ name: 42 }, 'name', 'wrong_type'],
      [{ name: 'x'.repeat(151) }, 'name', 'too_long'],
      [{ inn: '7701234567' }, 'name', 'required'],
      [{ name: 'X', inn: '12ab' }, 'inn', 'invalid_format'],
      [{ name: 'X', kind: 'company' }, 'kind', 'bad_enum'],
    ];
    for (const [input, field, code] of cases) {
      const error = await crm.objects.create('counterparty', input, user).catch((caught) => caught);
      expect(error.code, JSON.stringify(input)).toBe('validation_failed');
      expect(error.fields).toContainEqual(expect.objectContaining({ field, code }));
      expect(error.message).toContain(field);
    }
    expect((await crm.objects.list('counterparty')).total).toBe(before);
  });

  it('refuses a reference to a missing object, naming the field', async () => {
    const error = await crm.objects
      .create(
        'contract',
        {
          counterparty: '00000000-0000-4000-8000-000000000001',
          organization: '00000000-0000-4000-8000-000000000002',
        },
        user,
      )
      .catch((caught) => caught);
    expect(error.code).toBe('validation_failed');
    expect(error.fields.map((f: { field: string; code: string }) => `${f.field}:${f.code}`)).toEqual([
      'counterparty:reference_not_found',
      'organization:reference_not_found',
    ]);
  });

  it('asks nothing of the references a caller knows exist, and checks the others', async () => {
    // The exchange's importer knows of every ref a chunk names; the store takes its word for them. A ref
    // vouched for but absent shows that no look-up was made for it.
    const vouched = '00000000-0000-4000-8000-000000000003';
    const exists = (type: string, ref: string) => type === 'counterparty' && ref === vouched;
    const missingOrganization = '00000000-0000-4000-8000-000000000004';
    const error = await crm.objects
      .put('contract', randomUUID(), { counterparty: vouched, organization: missingOrganization }, user, {
        exists,
      })
      .catch((caught) => caught);
    expect(error.fields.map((f: { field: string; code: string }) => `${f.field}:${f.code}`)).toEqual([
      'organization:reference_not_found',
    ]);
    const { organization } = await basics(crm);
    const contract = await crm.objects.put(
      'contract',
      randomUUID(),
      { counterparty: vouched, organization },
      user,
      { exists },
    );
    expect(contract).toMatchObject({ counterparty: vouched, organization });
  });

  it('refuses an unknown type with the list of known ones', async () => {
    const error = await crm.objects.create('spaceship', {}, user).catch((caught) => caught);
    expect(error.code).toBe('unknown_type');
    expect(error.message).toContain('counterparty');
  });

  it('keeps money exact and computes lines, VAT and totals', async () => {
    const { organization, counterparty, currency, product } = await basics(crm);
    const invoice = await crm.objects.create(
      'customer-invoice',
      {
        date: '2026-03-05T10:00:00',
        organization,
        counterparty,
        currency,
        pricesIncludeVat: true,
        lines: [
          { product, quantity: '3', price: '0.10', vatRate: 'vat22' },
          { product, quantity: '1.5', price: '1000000000.01', vatRate: 'vat10' },
        ],
      },
      user,
    );
    const lines = invoice.lines as Record<string, unknown>[];
    expect(lines[0]).toMatchObject({ quantity: '3.000', price: '0.10', amount: '0.30', vatAmount: '0.05' });
    expect(lines[1]).toMatchObject({ amount: '1500000000.02', vatAmount: '136363636.37' });
    expect(invoice.amount).toBe('1500000000.32');
    expect(invoice.vatAmount).toBe('136363636.42');
  });

  it("gives a line's omitted field its declared default, so a line without a VAT rate gets 22%", async () => {
    const { organization, counterparty, currency, product } = await basics(crm);
    const invoice = await crm.objects.create(
      'customer-invoice',
      { organization, counterparty, currency, lines: [{ product, quantity: '1', price: '122.00' }] },
      user,
    );
    expect(invoice.lines).toEqual([expect.objectContaining({ vatRate: 'vat22', vatAmount: '22.00' })]);
  });

  it('runs write hooks inside the transaction: a failing hook leaves nothing behind', async () => {
    events.length = 0;
    const item = await crm.objects.create('product', { name: 'Hooked' }, user);
    expect(events).toEqual([expect.objectContaining({ action: 'create', ref: item.ref, origin: user })]);
    crm.addWriteHook(async (_trx, event) => {
      if (event.after?.name === 'Explodes') throw new Error('hook refused');
    });
    await expect(crm.objects.create('product', { name: 'Explodes' }, user)).rejects.toThrow('hook refused');
    expect((await crm.objects.list('product', { search: 'explodes' })).total).toBe(0);
  });

  it('gathers new rows to insert together, writes them before any read, and reports a key they break', async () => {
    const products = async (trx: Db) =>
      Number(
        (
          await trx
            .selectFrom('cat_product')
            .select((eb) => eb.fn.countAll().as('count'))
            .executeTakeFirstOrThrow()
        ).count,
      );
    await crm.db.transaction().execute(async (trx) => {
      const before = await products(trx);
      crm.objects.startGathering(trx);
      const first = await crm.objects.create('product', { name: 'Gathered 1' }, user, { trx });
      await crm.objects.create('product', { name: 'Gathered 2' }, user, { trx });
      expect(await products(trx)).toBe(before);
      expect((await crm.objects.get('product', first.ref, trx))?.name).toBe('Gathered 1');
      expect(await products(trx)).toBe(before + 2);
      await crm.objects.create('product', { name: 'Gathered 3' }, user, { trx });
      await crm.objects.stopGathering(trx);
      expect(await products(trx)).toBe(before + 3);
      await crm.objects.create('product', { name: 'Written at once' }, user, { trx });
      expect(await products(trx)).toBe(before + 4);
    });
    const refused = await crm.db
      .transaction()
      .execute(async (trx) => {
        crm.objects.startGathering(trx);
        // Written twice by a caller that knows there is nothing there (as an import does): nothing is
        // read in between, so the second row breaks the key only when the rows are written.
        const ref = randomUUID();
        const unread = { trx, before: { object: undefined } };
        await crm.objects.put('product', ref, { name: 'Twin 1' }, user, unread);
        await crm.objects.put('product', ref, { name: 'Twin 2' }, user, unread);
        await crm.objects.stopGathering(trx);
      })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'gathered_write_refused' });
    expect((await crm.objects.list('product', { search: 'twin' })).total).toBe(0);
  });

  it('marks for deletion, and deletes for good only what nothing refers to', async () => {
    const { counterparty, organization } = await basics(crm);
    const contract = await crm.objects.create('contract', { counterparty, organization, number: '7' }, user);
    const marked = await crm.objects.setDeletionMark('counterparty', counterparty, true, user);
    expect(marked.deleted).toBe(true);
    const listed = await crm.objects.list('counterparty', { filter: { deleted: 'true' } });
    expect(listed.items.map((item) => item.ref)).toContain(counterparty);
    const refused = await crm.objects.remove('counterparty', counterparty, user).catch((caught) => caught);
    expect(refused.code).toBe('still_referenced');
    expect(refused.message).toContain(contract.ref);
    await crm.objects.remove('contract', contract.ref, user);
    expect(await crm.objects.get('contract', contract.ref)).toBeUndefined();
  });

  it('lists with paging, filters, search and sorting', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta'])
      await crm.objects.create('partner', { name }, user);
    const page = await crm.objects.list('partner', { limit: 2, offset: 1, sort: 'name' });
    expect(page.total).toBe(4);
    expect(page.items.map((item) => item.name)).toEqual(['Beta', 'Delta']);
    expect((await crm.objects.list('partner', { search: 'AMM' })).items.map((item) => item.name)).toEqual([
      'Gamma',
    ]);
    expect((await crm.objects.list('partner', { filter: { name: 'Delta' } })).total).toBe(1);
    await expect(crm.objects.list('partner', { filter: { colour: 'x' } })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('refuses a stale version with a conflict', async () => {
    const item = await crm.objects.create('partner', { name: 'Versioned' }, user);
    await crm.objects.update('partner', item.ref, { name: 'Versioned 2' }, user);
    await expect(
      crm.objects.update('partner', item.ref, { version: 1, name: 'Stale' }, user),
    ).rejects.toMatchObject({
      code: 'version_conflict',
      status: 409,
    });
  });

  it('searches case-insensitively in Cyrillic too', async () => {
    await crm.objects.create('partner', { name: 'ООО «Ромашка»' }, user);
    expect((await crm.objects.list('partner', { search: 'ромашка' })).total).toBe(1);
  });
});

/** Currency codes the tests have taken: a code drawn at random would now and then be drawn twice. */
let lastCurrencyCode = 100;

export async function basics(infobase: Infobase) {
  lastCurrencyCode += 1;
  const currency = await infobase.objects.create(
    'currency',
    { code: String(lastCurrencyCode), name: 'RUB' },
    user,
  );
  const organization = await infobase.objects.create(
    'organization',
    { name: 'Our Company', inn: '7700000001', prefix: '00' },
    user,
  );
  const counterparty = await infobase.objects.create(
    'counterparty',
    { name: 'Customer', inn: '7700000002' },
    user,
  );
  const product = await infobase.objects.create('product', { name: 'Widget', sku: 'W-1' }, user);
  return {
    currency: currency.ref,
    organization: organization.ref,
    counterparty: counterparty.ref,
    product: product.ref,
  };
}
