import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEMO_OVERLAPS,
  type DemoOverlapDescription,
  type DemoSeedResult,
  seedDemoAccounting,
  seedDemoCrm,
} from '../../src/apps/demo/seed-demo.js';
import { DEMO_INFOBASES, seedDemoHost } from '../../src/apps/demo/seed-demo-host.js';
import type { Infobase } from '../../src/platform/infobase.js';
import type { StoredObject } from '../../src/platform/objects/object-store.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

type Line = Record<string, unknown>;

/** The day the demo is seeded on in these tests; documents go back up to 112 days from it. */
const TODAY = new Date(2026, 10, 28);

const CRM_COUNTS = {
  unit: 6,
  currency: 3,
  organization: 2,
  partner: 10,
  counterparty: 25,
  'contact-person': 8,
  'bank-account': 4,
  contract: 13,
  product: 30,
  deal: 6,
  'customer-invoice': 20,
  sale: 12,
  'incoming-payment': 10,
};

const ACCOUNTING_COUNTS = {
  unit: 6,
  currency: 3,
  organization: 1,
  counterparty: 15,
  'bank-account': 4,
  contract: 8,
  product: 20,
  'customer-invoice': 2,
  sale: 2,
  'incoming-payment': 2,
};

const DOCUMENT_TYPES = ['customer-invoice', 'sale', 'incoming-payment'] as const;

// An independent check of the platform's arithmetic: integers of the smallest unit, rounded half up.
const VAT_PERCENT: Record<string, bigint> = {
  vat22: 22n,
  vat20: 20n,
  vat18: 18n,
  vat10: 10n,
  vat0: 0n,
  none: 0n,
};

function units(text: string, scale: number): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
}

function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

function kopecks(value: bigint): string {
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}

function expectedLine(line: Line, pricesIncludeVat: boolean) {
  const amount = divideHalfUp(units(String(line.quantity), 3) * units(String(line.price), 2), 1000n);
  const percent = VAT_PERCENT[String(line.vatRate)]!;
  const vat = pricesIncludeVat
    ? divideHalfUp(amount * percent, 100n + percent)
    : divideHalfUp(amount * percent, 100n);
  return { amount, vat };
}

function expectExactTotals(document: StoredObject) {
  const pricesIncludeVat = document.pricesIncludeVat === true;
  let net = 0n;
  let vat = 0n;
  for (const line of document.lines as Line[]) {
    const expected = expectedLine(line, pricesIncludeVat);
    expect(line.amount, `${document.number}: ${JSON.stringify(line)}`).toBe(kopecks(expected.amount));
    expect(line.vatAmount, `${document.number}: ${JSON.stringify(line)}`).toBe(kopecks(expected.vat));
    net += expected.amount;
    vat += expected.vat;
  }
  expect(document.vatAmount, String(document.number)).toBe(kopecks(vat));
  expect(document.amount, String(document.number)).toBe(kopecks(pricesIncludeVat ? net : net + vat));
}

function normalizedName(name: unknown): string {
  return String(name)
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/["«»„“”']/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

async function all(infobase: Infobase, type: string): Promise<StoredObject[]> {
  return (await infobase.objects.list(type, { limit: 1000 })).items;
}

async function documents(infobase: Infobase, type: string): Promise<StoredObject[]> {
  const found = await all(infobase, type);
  return Promise.all(found.map((item) => infobase.objects.require(type, item.ref)));
}

describeEachDialect('demo data: a fresh demo host as seed step S2 finds it', (dialect) => {
  let test: TestHost;
  let crm: Infobase;
  let bp: Infobase;
  let crmSeed: DemoSeedResult;
  let bpSeed: DemoSeedResult;

  beforeAll(async () => {
    test = await createTestHost(dialect);
    crm = await test.host.create('crm', 'crm');
    bp = await test.host.create('bp', 'accounting');
    crmSeed = await seedDemoCrm(crm, { today: TODAY });
    bpSeed = await seedDemoAccounting(bp, { today: TODAY });
  });
  afterAll(() => test.cleanup());

  it('fills each application with the documented number of objects', async () => {
    for (const [infobase, seeded, expected] of [
      [crm, crmSeed, CRM_COUNTS],
      [bp, bpSeed, ACCOUNTING_COUNTS],
    ] as const) {
      for (const [type, count] of Object.entries(expected)) {
        expect((await infobase.objects.list(type)).total, `${infobase.name} ${type}`).toBe(count);
        expect(seeded.counts[type as keyof typeof seeded.counts], `${infobase.name} ${type}`).toBe(count);
      }
    }
  });

  it('leaves what the user does in S2 and later to the user: no users, no prefix, no synchronization', async () => {
    for (const infobase of [crm, bp]) {
      expect(await infobase.users.list()).toEqual([]);
      expect(await infobase.settings.get()).toEqual({ prefix: '', syncEnabled: false });
      for (const counterparty of await all(infobase, 'counterparty')) expect(counterparty.createdIn).toBe('');
    }
  });

  it('computes every line and total of every goods document exactly', async () => {
    for (const infobase of [crm, bp]) {
      for (const type of ['customer-invoice', 'sale'] as const) {
        const found = await documents(infobase, type);
        for (const document of found) {
          const lines = document.lines as Line[];
          expect(lines.length).toBeGreaterThanOrEqual(1);
          expect(lines.length).toBeLessThanOrEqual(6);
          expectExactTotals(document);
        }
      }
    }
  });

  it('takes the VAT of each payment out of its amount exactly', async () => {
    for (const infobase of [crm, bp]) {
      for (const payment of await all(infobase, 'incoming-payment')) {
        const amount = units(String(payment.amount), 2);
        const percent = VAT_PERCENT[String(payment.vatRate)]!;
        expect(payment.vatAmount, String(payment.number)).toBe(
          kopecks(divideHalfUp(amount * percent, 100n + percent)),
        );
      }
    }
  });

  it('shows the documented totals of two invoices a person can check by hand', async () => {
    const included = await crm.objects.require(
      'customer-invoice',
      crmSeed.refs['customer-invoice']['inv-01']!,
    );
    expect(included).toMatchObject({ pricesIncludeVat: true, amount: '19860.00', vatAmount: '3581.32' });
    const excluded = await crm.objects.require(
      'customer-invoice',
      crmSeed.refs['customer-invoice']['inv-04']!,
    );
    expect(excluded).toMatchObject({ pricesIncludeVat: false, amount: '20096.57', vatAmount: '3623.97' });
  });

  it('uses 22% VAT mostly, and also 10%, 0% and without VAT', async () => {
    const rates = new Map<string, number>();
    for (const type of ['customer-invoice', 'sale'] as const) {
      for (const document of await documents(crm, type)) {
        for (const line of document.lines as Line[]) {
          rates.set(String(line.vatRate), (rates.get(String(line.vatRate)) ?? 0) + 1);
        }
      }
    }
    const lines = [...rates.values()].reduce((sum, count) => sum + count, 0);
    expect(rates.get('vat22')! / lines).toBeGreaterThan(0.6);
    for (const rate of ['vat10', 'vat0', 'none']) expect(rates.get(rate), rate).toBeGreaterThan(0);
  });

  it('dates documents over the last months, numbered in date order, drafts unposted', async () => {
    const earliest = '2026-08-08T00:00:00';
    for (const infobase of [crm, bp]) {
      for (const type of DOCUMENT_TYPES) {
        const found = await all(infobase, type);
        for (const document of found) {
          expect(String(document.date) >= earliest && String(document.date) < '2026-11-28T00:00:00').toBe(
            true,
          );
        }
        const byScope = new Map<string, StoredObject[]>();
        for (const document of found) {
          const scope = String(document.number).slice(0, 4);
          byScope.set(scope, [...(byScope.get(scope) ?? []), document]);
        }
        for (const sameScope of byScope.values()) {
          const byNumber = [...sameScope].sort((a, b) => String(a.number).localeCompare(String(b.number)));
          const byDate = [...sameScope].sort((a, b) => String(a.date).localeCompare(String(b.date)));
          expect(byNumber.map((document) => document.ref)).toEqual(byDate.map((document) => document.ref));
        }
      }
    }
    const first = await crm.objects.require('customer-invoice', crmSeed.refs['customer-invoice']['inv-01']!);
    expect(first).toMatchObject({ number: '0000-000001', date: '2026-08-08T10:24:13', posted: true });
    const sokolovs = await crm.objects.require(
      'customer-invoice',
      crmSeed.refs['customer-invoice']['inv-17']!,
    );
    expect(sokolovs.number).toBe('00SK-000001');
    const drafts = await crm.objects.list('customer-invoice', { filter: { posted: 'false' } });
    expect(drafts.total).toBe(2);
  });

  it('bases sales and payments on invoices: same parties, later date, the whole invoice unless partial', async () => {
    for (const infobase of [crm, bp]) {
      const sales = await documents(infobase, 'sale');
      const payments = await all(infobase, 'incoming-payment');
      for (const document of [...sales, ...payments]) {
        if (!document.basis) continue;
        const invoice = await infobase.objects.require('customer-invoice', String(document.basis));
        for (const field of ['organization', 'counterparty', 'contract', 'currency'] as const) {
          expect(document[field], `${document.number} ${field}`).toBe(invoice[field]);
        }
        expect(String(document.date) > String(invoice.date)).toBe(true);
      }
    }
    const [fullSale, partialSale, fullPayment, partialPayment, invoice1, invoice5] = await Promise.all([
      crm.objects.require('sale', crmSeed.refs.sale['sale-01']!),
      crm.objects.require('sale', crmSeed.refs.sale['sale-04']!),
      crm.objects.require('incoming-payment', crmSeed.refs['incoming-payment']['pay-01']!),
      crm.objects.require('incoming-payment', crmSeed.refs['incoming-payment']['pay-04']!),
      crm.objects.require('customer-invoice', crmSeed.refs['customer-invoice']['inv-01']!),
      crm.objects.require('customer-invoice', crmSeed.refs['customer-invoice']['inv-05']!),
    ]);
    expect(fullSale.amount).toBe(invoice1.amount);
    expect(fullSale.lines).toEqual(invoice1.lines);
    expect(partialSale.basis).toBe(invoice5.ref);
    expect((partialSale.lines as Line[]).length).toBeLessThan((invoice5.lines as Line[]).length);
    expect(fullPayment).toMatchObject({ amount: invoice1.amount, basis: invoice1.ref });
    expect(fullPayment.purpose).toBe(`Оплата по счету № ${invoice1.number} от 08.08.2026. В т.ч. НДС 22%`);
    expect(partialPayment).toMatchObject({ amount: '50000.00', basis: invoice5.ref });
    const basedSales = (await all(crm, 'sale')).filter((sale) => sale.basis);
    expect(basedSales).toHaveLength(10);
  });

  it('keeps the spellings exactly as typed, double spaces included', async () => {
    const [tekhnomir] = (await crm.objects.list('counterparty', { filter: { inn: '7810345775' } })).items;
    expect(tekhnomir?.name).toBe('ООО  "Техномир"');
  });

  it.each(
    DEMO_OVERLAPS.map(
      (overlap) => [`${overlap.type} ${overlap.crmName} ⇄ ${overlap.accountingName}`, overlap] as const,
    ),
  )('the intended overlap is really there: %s', async (_title, overlap: DemoOverlapDescription) => {
    const crmObject = await crm.objects.require(overlap.type, crmSeed.refs[overlap.type][overlap.crm]!);
    const bpObject = await bp.objects.require(overlap.type, bpSeed.refs[overlap.type][overlap.accounting]!);
    expect(crmObject.ref).not.toBe(bpObject.ref);
    if (overlap.type === 'unit' || overlap.type === 'currency') {
      expect(crmObject.code).toBe(bpObject.code);
      return;
    }
    expect(crmObject.name).toBe(overlap.crmName);
    expect(bpObject.name).toBe(overlap.accountingName);
    switch (overlap.matchBy) {
      case 'inn':
        expect([crmObject.inn, crmObject.kpp]).toEqual([bpObject.inn, bpObject.kpp]);
        expect(crmObject.name).not.toBe(bpObject.name);
        break;
      case 'inn-kpp': {
        expect(crmObject.inn).toEqual(expect.any(String));
        expect([crmObject.inn, crmObject.kpp]).toEqual([bpObject.inn, bpObject.kpp]);
        expect(crmObject.name).not.toBe(bpObject.name);
        // Unambiguous: no other counterparty on either side has this INN and KPP.
        for (const infobase of [crm, bp]) {
          const sameInn = await infobase.objects.list('counterparty', {
            filter: { inn: String(crmObject.inn) },
          });
          expect(sameInn.items.filter((item) => item.kpp === crmObject.kpp)).toHaveLength(1);
        }
        break;
      }
      case 'name': {
        // Nothing better to go by: one side lacks the INN (counterparty) or the SKU (product).
        const key = overlap.type === 'product' ? 'sku' : 'inn';
        expect([crmObject[key], bpObject[key]]).toContain(null);
        expect(crmObject.name).not.toBe(bpObject.name);
        expect(normalizedName(crmObject.name)).toBe(normalizedName(bpObject.name));
        break;
      }
      case 'sku':
        expect(crmObject.sku).toEqual(expect.any(String));
        expect(crmObject.sku).toBe(bpObject.sku);
        expect(crmObject.name).not.toBe(bpObject.name);
        expect(crmObject.vatRate).toBe(bpObject.vatRate);
        break;
      case 'number':
        expect(crmObject.number).toBe(bpObject.number);
        expect(crmObject.bic).toBe(bpObject.bic);
        expect(crmObject.name).not.toBe(bpObject.name);
        break;
      case 'counterparty-number-date': {
        expect([crmObject.number, crmObject.date]).toEqual([bpObject.number, bpObject.date]);
        const counterparties = DEMO_OVERLAPS.find(
          (candidate) =>
            candidate.type === 'counterparty' &&
            candidate.matchBy !== 'none' &&
            crmSeed.refs.counterparty[candidate.crm] === crmObject.counterparty &&
            bpSeed.refs.counterparty[candidate.accounting] === bpObject.counterparty,
        );
        expect(counterparties, 'the contract parties are themselves an intended match').toBeDefined();
        break;
      }
      case 'none':
        if (overlap.relation === 'branch') {
          expect(crmObject.inn).toBe(bpObject.inn);
          expect(crmObject.kpp).not.toBe(bpObject.kpp);
          expect(normalizedName(crmObject.name)).not.toBe(normalizedName(bpObject.name));
        } else if (overlap.type === 'counterparty') {
          expect(normalizedName(crmObject.name)).toBe(normalizedName(bpObject.name));
          expect(crmObject.inn).not.toBe(bpObject.inn);
        } else {
          expect(normalizedName(crmObject.name)).toBe(normalizedName(bpObject.name));
          expect(crmObject.sku).not.toBe(bpObject.sku);
        }
        break;
      default:
        throw new Error(`no check for ${overlap.matchBy}`);
    }
  });

  it('refuses to seed an infobase that already has data, or one of the other application', async () => {
    await expect(seedDemoCrm(crm)).rejects.toMatchObject({ code: 'infobase_not_empty', status: 409 });
    const fresh = await test.host.create('fresh_bp', 'accounting');
    await expect(seedDemoCrm(fresh)).rejects.toMatchObject({ code: 'wrong_application' });
    expect((await fresh.objects.list('counterparty')).total).toBe(0);
  });
});

describeEachDialect('demo host: what `npm start` creates on first start', (dialect) => {
  let test: TestHost;

  beforeAll(async () => {
    test = await createTestHost(dialect);
  });
  afterAll(() => test.cleanup());

  it('creates and fills crm and bp once; starting again changes nothing', async () => {
    const logged: string[] = [];
    const first = await seedDemoHost(test.host, { info: (details) => logged.push(String(details.infobase)) });
    expect(first.map((result) => [result.infobase, result.application])).toEqual([
      ['crm', 'crm'],
      ['bp', 'accounting'],
    ]);
    expect(logged).toEqual(['crm', 'bp']);
    const listed = await test.host.list();
    expect(listed.map((entry) => [entry.name, entry.application, entry.title])).toEqual(
      [...DEMO_INFOBASES]
        .map((entry) => [entry.name, entry.application, entry.title])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(await seedDemoHost(test.host)).toEqual([]);
    const crm = await test.host.get('crm');
    expect((await crm.objects.list('counterparty')).total).toBe(CRM_COUNTS.counterparty);
  });

  it('fills a demo infobase that exists but is empty, e.g. after a failed first start', async () => {
    const other = await createTestHost(dialect);
    try {
      await other.host.create('bp', 'accounting');
      const results = await seedDemoHost(other.host);
      expect(results.map((result) => result.infobase)).toEqual(['crm', 'bp']);
      const bp = await other.host.get('bp');
      expect((await bp.objects.list('product')).total).toBe(ACCOUNTING_COUNTS.product);
    } finally {
      await other.cleanup();
    }
  });
});
