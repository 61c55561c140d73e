import type { ConversionContext } from '../../../src/apps/conversion/property-rules.js';
import type { ConversionRules, FormatObject } from '../../../src/exchange/conversion.js';
import type { Infobase } from '../../../src/platform/infobase.js';
import type { StoredObject } from '../../../src/platform/objects/object-store.js';
import { createTestHost, type TestHost } from '../../helpers/dialects.js';

const user = { kind: 'user', login: 'tester' } as const;

export type Sample = { readonly type: string; readonly object: StoredObject };

/** Everything an infobase holds, by ref, plus the peer's refs of the objects the peer already knows. */
export type DataSet = {
  readonly samples: ReadonlyMap<string, Sample>;
  /** Local ref → the peer's ref; objects born here that the peer does not know yet keep their own ref. */
  readonly peerRefs: ReadonlyMap<string, string>;
  /** Named objects of the set, for assertions. */
  readonly named: Readonly<Record<string, StoredObject>>;
  readonly cleanup: () => Promise<void>;
};

export function peerRefOf(data: DataSet, ref: string): string {
  return data.peerRefs.get(ref) ?? ref;
}

/**
 * A context as the exporter offers it: key properties from the rules themselves, with the ref the peer
 * knows, and the referenced objects (products' kinds for Товары/Услуги) unless `withObjects` is false,
 * as when a referenced object cannot be read.
 */
export function contextFor(
  rules: ConversionRules,
  data: DataSet,
  options: { withObjects: boolean } = { withObjects: true },
): ConversionContext {
  const context: ConversionContext = {
    async keyProperties(localType: string, ref: string): Promise<FormatObject | undefined> {
      const sample = data.samples.get(ref);
      if (sample === undefined || sample.type !== localType) return undefined;
      return rules.keyProperties(localType, sample.object, peerRefOf(data, ref), context);
    },
    async fieldOf(localType: string, ref: string, field: string) {
      const sample = options.withObjects ? data.samples.get(ref) : undefined;
      return sample?.type === localType ? sample.object[field] : undefined;
    },
  };
  return context;
}

/**
 * Given a CRM infobase (prefix CR) with what a small trading company keeps: two organizations, a legal
 * entity and an individual as counterparties, bank accounts of both owners, two contracts, goods and
 * services (one without a unit), an invoice, a sale on its basis with a service first and a priceless
 * service line, and a payment of the invoice. Some catalog items are already mapped to the peer's refs.
 */
export async function givenCrmData(): Promise<DataSet> {
  const test = await createTestHost('sqlite');
  const ib = await test.host.create('crm', 'crm');
  await ib.settings.setPrefix('CR', { continueNumbering: false });
  const build = builder(ib);

  const piece = await build('unit', { code: '796', name: 'шт', fullName: 'Штука' });
  const hour = await build('unit', { code: '356', name: 'ч', fullName: 'Час' });
  const rouble = await build('currency', { code: '643', name: 'RUB', fullName: 'Российский рубль' });
  const dollar = await build('currency', { code: '840', name: 'USD' });
  const romashka = await build('organization', {
    name: 'ООО «Ромашка»',
    fullName: 'Общество с ограниченной ответственностью «Ромашка»',
    inn: '7701234567',
    kpp: '770101001',
    prefix: 'РМ',
  });
  const petrov = await build('organization', { name: 'ИП Петров А. В.', inn: '500100732259', prefix: 'ПТ' });
  const partner = await build('partner', { name: 'Василёк', relationship: 'client' });
  const vasilek = await build('counterparty', {
    name: 'АО «Василёк»',
    fullName: 'Акционерное общество «Василёк»',
    inn: '7809876543',
    kpp: '780901001',
    kind: 'legal-entity',
    country: '643',
    phone: '+7 812 555-01-02',
    email: 'info@vasilek.example',
    address: '190000, Санкт-Петербург, Невский пр., 1',
    partner: partner.ref,
  });
  const ivanov = await build('counterparty', {
    name: 'Иванов Иван Иванович',
    inn: '390123456789',
    kind: 'individual',
    country: '112',
    email: 'ivanov@example.by',
  });
  const romashkaAccount = await build('bank-account', {
    organization: romashka.ref,
    number: '40702810900000000001',
    bic: '044525225',
    bank: 'ПАО Сбербанк',
    currency: rouble.ref,
  });
  const vasilekAccount = await build('bank-account', {
    counterparty: vasilek.ref,
    number: '40702810500000000002',
  });
  const supply = await build('contract', {
    counterparty: vasilek.ref,
    organization: romashka.ref,
    kind: 'with-customer',
    number: '15',
    date: '2024-01-15',
    currency: rouble.ref,
  });
  const purchase = await build('contract', {
    name: 'Закупка упаковки',
    counterparty: ivanov.ref,
    organization: petrov.ref,
    kind: 'with-supplier',
  });
  await ib.objects.setDeletionMark('contract', purchase.ref, true, user);
  const desk = await build('product', {
    name: 'Стол письменный',
    fullName: 'Стол письменный 120×60 см, дуб',
    sku: 'СТ-100',
    kind: 'goods',
    unit: piece.ref,
    vatRate: 'vat22',
  });
  const delivery = await build('product', {
    name: 'Доставка',
    kind: 'service',
    unit: hour.ref,
    vatRate: 'vat20',
  });
  const box = await build('product', { name: 'Коробка картонная', kind: 'goods', vatRate: 'none' });
  const mounting = await build('product', { name: 'Сборка мебели', kind: 'service', vatRate: 'vat10' });
  const invoice = await build('customer-invoice', {
    date: '2026-03-02T10:15:00',
    organization: romashka.ref,
    counterparty: vasilek.ref,
    contract: supply.ref,
    currency: rouble.ref,
    bankAccount: romashkaAccount.ref,
    pricesIncludeVat: true,
    comment: 'Оплата в течение 5 банковских дней',
    lines: [
      { product: desk.ref, quantity: '2.000', unit: piece.ref, price: '15000.00', vatRate: 'vat22' },
      { product: delivery.ref, quantity: '1.500', unit: hour.ref, price: '4000.00', vatRate: 'vat20' },
      { product: box.ref, quantity: '0.500', price: '30.00', vatRate: 'none' },
    ],
  });
  const sale = await build('sale', {
    date: '2026-03-04T16:00:00',
    organization: romashka.ref,
    counterparty: vasilek.ref,
    contract: supply.ref,
    currency: rouble.ref,
    basis: invoice.ref,
    pricesIncludeVat: false,
    posted: true,
    comment: 'Отгрузка со склада на Невском',
    lines: [
      { product: mounting.ref, quantity: '1.000', amount: '2500.00', vatRate: 'vat10' },
      { product: desk.ref, quantity: '2.000', unit: piece.ref, price: '12295.08', vatRate: 'vat22' },
      { product: delivery.ref, quantity: '3.000', unit: hour.ref, price: '3333.33', vatRate: 'vat0' },
    ],
  });
  const payment = await build('incoming-payment', {
    date: '2026-03-05T09:00:00',
    organization: romashka.ref,
    counterparty: vasilek.ref,
    contract: supply.ref,
    currency: rouble.ref,
    bankAccount: romashkaAccount.ref,
    basis: invoice.ref,
    amount: '36015.00',
    vatRate: 'vat22',
    purpose: 'Оплата по счету № CRРМ-000001 от 02.03.2026, в т.ч. НДС',
    comment: 'Выписка от 05.03',
  });
  const dollarPayment = await build('incoming-payment', {
    date: '2026-03-06T11:30:00',
    organization: petrov.ref,
    counterparty: ivanov.ref,
    currency: dollar.ref,
    bankAccount: romashkaAccount.ref,
    amount: '100.50',
    vatRate: 'none',
  });

  const named = {
    piece,
    hour,
    rouble,
    dollar,
    romashka,
    petrov,
    partner,
    vasilek,
    ivanov,
    romashkaAccount,
    vasilekAccount,
    supply,
    purchase: (await ib.objects.get('contract', purchase.ref))!,
    desk,
    delivery,
    box,
    mounting,
    invoice,
    sale,
    payment,
    dollarPayment,
  };
  // The peer already knows the rouble, the organization and the counterparty under its own refs.
  const peerRefs = new Map([
    [rouble.ref, 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f'],
    [romashka.ref, '6f1c2a3e-0b5d-4c1e-9a7f-1d2e3f4a5b6c'],
    [vasilek.ref, '0a8e5f7c-3b2d-4e1f-8c9a-7b6d5e4f3a2b'],
  ]);
  return { samples: await readAll(ib), peerRefs, named, cleanup: test.cleanup };
}

/** Given an Accounting infobase (prefix BP) with one counterparty and what it needs. */
export async function givenAccountingData(): Promise<DataSet> {
  const test: TestHost = await createTestHost('sqlite');
  const ib = await test.host.create('bp', 'accounting');
  await ib.settings.setPrefix('BP', { continueNumbering: false });
  const build = builder(ib);
  const counterparty = await build('counterparty', {
    name: 'ООО «Лютик»',
    inn: '5408123456',
    kpp: '540801001',
    phone: '+7 383 200-00-00',
  });
  return { samples: await readAll(ib), peerRefs: new Map(), named: { counterparty }, cleanup: test.cleanup };
}

function builder(ib: Infobase) {
  return (type: string, input: Record<string, unknown>) => ib.objects.create(type, input, user);
}

async function readAll(ib: Infobase): Promise<Map<string, Sample>> {
  const samples = new Map<string, Sample>();
  for (const def of ib.app.types) {
    const { items } = await ib.objects.list(def.name, { includeDeleted: true, limit: 1000 });
    // The list shows headers; documents' lines come with the full read.
    for (const item of items)
      samples.set(item.ref, { type: def.name, object: (await ib.objects.get(def.name, item.ref))! });
  }
  return samples;
}
