import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Infobase } from '../../src/platform/infobase.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

const user = { kind: 'user', login: 'tester' } as const;

describeEachDialect('numbering with prefixes (S10, S11)', (dialect) => {
  let test: TestHost;
  let ib: Infobase;
  let refs: { organization: string; counterparty: string; currency: string };

  const invoice = (extra: Record<string, unknown> = {}) =>
    ib.objects.create('customer-invoice', { date: '2026-02-01T09:00:00', ...refs, ...extra }, user);

  beforeAll(async () => {
    test = await createTestHost(dialect);
    ib = await test.host.create('numbers', 'crm');
    refs = {
      organization: (await ib.objects.create('organization', { name: 'Org', prefix: '00' }, user)).ref,
      counterparty: (await ib.objects.create('counterparty', { name: 'Buyer' }, user)).ref,
      currency: (await ib.objects.create('currency', { code: '643', name: 'RUB' }, user)).ref,
    };
  });
  afterAll(() => test.cleanup());

  it('numbers documents <infobase prefix><organization prefix>-NNNNNN and codes <prefix>-NNNNN', async () => {
    await ib.settings.setPrefix('cr', { continueNumbering: false });
    expect((await invoice()).number).toBe('CR00-000001');
    expect((await invoice()).number).toBe('CR00-000002');
    expect((await ib.objects.create('partner', { name: 'P' }, user)).code).toBe('CR-00001');
    const otherOrg = await ib.objects.create('organization', { name: 'Branch', prefix: 'BR' }, user);
    expect((await invoice({ organization: otherOrg.ref })).number).toBe('CRBR-000001');
  });

  it('restarts each calendar year, and the same number may exist in two years', async () => {
    expect((await invoice({ date: '2027-01-10T00:00:00' })).number).toBe('CR00-000001');
    expect((await invoice({ date: '2027-01-11T00:00:00' })).number).toBe('CR00-000002');
  });

  it('keeps a number set by hand if free, continues after it, and refuses a taken one', async () => {
    expect((await invoice({ number: 'CR00-000050' })).number).toBe('CR00-000050');
    expect((await invoice()).number).toBe('CR00-000051');
    const error = await invoice({ number: 'CR00-000050' }).catch((caught) => caught);
    expect(error.code).toBe('validation_failed');
    expect(error.fields).toEqual([expect.objectContaining({ field: 'number', code: 'duplicate_number' })]);
    expect(error.message).toContain('CR00-000050');
    expect((await invoice({ number: 'CR00-000050', date: '2028-05-05T00:00:00' })).number).toBe(
      'CR00-000050',
    );
    expect((await invoice({ number: 'by hand 7' })).number).toBe('by hand 7');
  });

  it('skips numbers already taken when the counter reaches them', async () => {
    const taken = await invoice({ number: 'CR00-000100', date: '2029-01-01T00:00:00' });
    expect(taken.number).toBe('CR00-000100');
    // The counter continued after 100 at once, so 100 is never handed out again.
    expect((await invoice({ date: '2029-01-02T00:00:00' })).number).toBe('CR00-000101');
  });

  it('refuses a duplicate catalog code', async () => {
    const error = await ib.objects
      .create('currency', { code: '643', name: 'RUB again' }, user)
      .catch((caught) => caught);
    expect(error.fields).toEqual([expect.objectContaining({ field: 'code', code: 'duplicate_code' })]);
  });

  it('gives every one of many concurrent writers its own number', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, () => invoice({ date: '2030-06-01T00:00:00' })),
    );
    const numbers = created.map((doc) => doc.number);
    expect(new Set(numbers).size).toBe(40);
    expect([...numbers].sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => `CR00-${String(i + 1).padStart(6, '0')}`),
    );
  });
});

describeEachDialect('a prefix change restarts or continues numbering (S11)', (dialect) => {
  let test: TestHost;

  afterAll(() => test.cleanup());
  beforeAll(async () => {
    test = await createTestHost(dialect);
  });

  async function infobaseWithThreeInvoices(name: string) {
    const ib = await test.host.create(name, 'accounting');
    const refs = {
      organization: (await ib.objects.create('organization', { name: 'Org' }, user)).ref,
      counterparty: (await ib.objects.create('counterparty', { name: 'Buyer' }, user)).ref,
      currency: (await ib.objects.create('currency', { code: '643', name: 'RUB' }, user)).ref,
    };
    const invoice = () =>
      ib.objects.create('customer-invoice', { date: '2026-04-01T12:00:00', ...refs }, user);
    for (let i = 0; i < 3; i += 1) await invoice();
    return { ib, invoice };
  }

  it('restarts at 1 under the new prefix when asked to', async () => {
    const { ib, invoice } = await infobaseWithThreeInvoices('restart');
    expect(
      (await ib.objects.list('customer-invoice', { sort: 'number' })).items.map((doc) => doc.number),
    ).toEqual(['0000-000001', '0000-000002', '0000-000003']);
    const preview = await ib.settings.previewPrefix('BP');
    expect(preview).toContainEqual(
      expect.objectContaining({ type: 'customer-invoice', restart: 'BP00-000001', continue: 'BP00-000004' }),
    );
    const change = await ib.settings.setPrefix('BP', { continueNumbering: false });
    expect(change).toMatchObject({ prefix: 'BP', previousPrefix: '' });
    expect((await invoice()).number).toBe('BP00-000001');
  });

  it('continues after the highest number when asked to', async () => {
    const { ib, invoice } = await infobaseWithThreeInvoices('continue');
    const change = await ib.settings.setPrefix('BP', { continueNumbering: true });
    expect(change.nextNumbers).toContainEqual({
      type: 'customer-invoice',
      scope: 'BP00',
      next: 'BP00-000004',
    });
    expect((await invoice()).number).toBe('BP00-000004');
    expect((await ib.objects.create('counterparty', { name: 'New' }, user)).code).toBe('BP-00002');
  });

  it('refuses a prefix that is not two letters or digits', async () => {
    const ib = await test.host.create('badprefix', 'crm');
    for (const prefix of ['A', 'ABC', 'A-', '']) {
      await expect(ib.settings.setPrefix(prefix, { continueNumbering: false })).rejects.toMatchObject({
        code: 'bad_prefix',
      });
    }
    expect((await ib.settings.setPrefix('бп', { continueNumbering: false })).prefix).toBe('БП');
  });
});
