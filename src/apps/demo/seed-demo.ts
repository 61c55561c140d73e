import { AppError } from '../../platform/errors.js';
import type { Infobase } from '../../platform/infobase.js';
import type { ApplicationName } from '../../platform/metadata.js';
import type { LineValues } from '../../platform/objects/object-schema.js';
import type { StoredObject, WriteOrigin } from '../../platform/objects/object-store.js';
import type { Db } from '../../platform/storage/index.js';
import { VAT_PERCENT, type VatRate } from '../shared/vat.js';
import { accountingDemoData } from './accounting-demo-data.js';
import { crmDemoData } from './crm-demo-data.js';
import { demoOverlaps } from './demo-overlaps.js';
import type {
  DemoDataset,
  DemoKey,
  DemoLine,
  DemoOverlap,
  DemoOverlapType,
  DemoParties,
} from './demo-types.js';

export type { DemoDataset, DemoKey, DemoOverlap, DemoOverlapType } from './demo-types.js';
export { accountingDemoData, crmDemoData };

export const DEMO_DATASETS: Readonly<Record<ApplicationName, DemoDataset>> = {
  crm: crmDemoData,
  accounting: accountingDemoData,
};

export type DemoOverlapDescription = DemoOverlap & { crmName: string; accountingName: string };

/** The intended correspondences between the two demo infobases, with the names each side shows. */
export const DEMO_OVERLAPS: readonly DemoOverlapDescription[] = demoOverlaps.map((overlap) => ({
  ...overlap,
  crmName: demoName(crmDemoData, overlap.type, overlap.crm),
  accountingName: demoName(accountingDemoData, overlap.type, overlap.accounting),
}));

export type DemoTypeName =
  | DemoOverlapType
  | 'partner'
  | 'contact-person'
  | 'deal'
  | 'customer-invoice'
  | 'sale'
  | 'incoming-payment';

const DEMO_TYPES: readonly DemoTypeName[] = [
  'unit',
  'currency',
  'organization',
  'partner',
  'counterparty',
  'contact-person',
  'bank-account',
  'contract',
  'product',
  'deal',
  'customer-invoice',
  'sale',
  'incoming-payment',
];

/** The ref of every seeded object by its demo key (units and currencies by code), per type. */
export type DemoRefs = Record<DemoTypeName, Record<DemoKey, string>>;

export type DemoSeedResult = {
  infobase: string;
  application: ApplicationName;
  refs: DemoRefs;
  counts: Record<DemoTypeName, number>;
};

export type DemoSeedOptions = {
  /** The day documents are dated back from; today by default. */
  today?: Date;
};

const SYSTEM: WriteOrigin = { kind: 'system' };

export function seedDemoCrm(infobase: Infobase, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  return seedDataset(infobase, 'crm', options);
}

export function seedDemoAccounting(
  infobase: Infobase,
  options: DemoSeedOptions = {},
): Promise<DemoSeedResult> {
  return seedDataset(infobase, 'accounting', options);
}

/** Fills an empty infobase with the demo data of its application. */
export function seedDemoInfobase(infobase: Infobase, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  return seedDataset(infobase, infobase.app.name, options);
}

/** True while the infobase holds no object at all, not even one marked for deletion. */
export async function isEmptyInfobase(infobase: Infobase): Promise<boolean> {
  for (const def of infobase.app.types) {
    const { total } = await infobase.objects.list(def.name, { limit: 1, includeDeleted: true });
    if (total > 0) return false;
  }
  return true;
}

async function seedDataset(
  infobase: Infobase,
  application: ApplicationName,
  options: DemoSeedOptions,
): Promise<DemoSeedResult> {
  if (infobase.app.name !== application) {
    throw new AppError(
      'wrong_application',
      `The ${application} demo data cannot go into "${infobase.name}", an infobase of the ${infobase.app.name} application`,
      { status: 422 },
    );
  }
  if (!(await isEmptyInfobase(infobase))) {
    throw new AppError(
      'infobase_not_empty',
      `The infobase "${infobase.name}" already has data; demo data goes only into an empty infobase`,
      { status: 409 },
    );
  }
  // One transaction: a failed seed leaves the infobase empty, and SQLite commits once instead of per object.
  const refs = await infobase.db
    .transaction()
    .execute((trx) => writeDataset(infobase, trx, DEMO_DATASETS[application], options.today ?? new Date()));
  const counts = Object.fromEntries(
    DEMO_TYPES.map((type) => [type, Object.keys(refs[type]).length]),
  ) as Record<DemoTypeName, number>;
  return { infobase: infobase.name, application, refs, counts };
}

/** Writes through the object store and remembers the ref the platform gave each demo key. */
type DemoWriter = {
  data: DemoDataset;
  today: Date;
  create(type: DemoTypeName, key: DemoKey, input: Record<string, unknown>): Promise<StoredObject>;
  ref(type: DemoTypeName, key: DemoKey): string;
  optionalRef(type: DemoTypeName, key: DemoKey | undefined): string | undefined;
};

async function writeDataset(infobase: Infobase, trx: Db, data: DemoDataset, today: Date): Promise<DemoRefs> {
  const refs = Object.fromEntries(DEMO_TYPES.map((type) => [type, {}])) as DemoRefs;
  const ref = (type: DemoTypeName, key: DemoKey): string => {
    const found = refs[type][key];
    if (!found) throw new Error(`Demo data: no ${type} "${key}" (list it before what refers to it)`);
    return found;
  };
  const writer: DemoWriter = {
    data,
    today,
    async create(type, key, input) {
      const stored = await infobase.objects.create(type, withoutUndefined(input), SYSTEM, { trx });
      refs[type][key] = stored.ref;
      return stored;
    },
    ref,
    optionalRef: (type, key) => (key === undefined ? undefined : ref(type, key)),
  };
  await writeCatalogs(writer);
  await writeDocuments(writer);
  return refs;
}

async function writeCatalogs({ data, today, create, ref, optionalRef }: DemoWriter) {
  for (const unit of data.units) await create('unit', unit.code, unit);
  for (const currency of data.currencies) await create('currency', currency.code, currency);
  for (const { key, ...organization } of data.organizations) await create('organization', key, organization);
  for (const { key, ...partner } of data.partners ?? []) await create('partner', key, partner);
  for (const { key, partner, ...counterparty } of data.counterparties) {
    await create('counterparty', key, { ...counterparty, partner: optionalRef('partner', partner) });
  }
  for (const { key, partner, ...person } of data.contactPersons ?? []) {
    await create('contact-person', key, { ...person, partner: ref('partner', partner) });
  }
  for (const { key, main: _main, organization, counterparty, currency, ...account } of data.bankAccounts) {
    await create('bank-account', key, {
      ...account,
      organization: optionalRef('organization', organization),
      counterparty: optionalRef('counterparty', counterparty),
      currency: ref('currency', currency),
    });
  }
  for (const { key, counterparty, organization, currency, ...contract } of data.contracts) {
    await create('contract', key, {
      ...contract,
      counterparty: ref('counterparty', counterparty),
      organization: ref('organization', organization),
      currency: ref('currency', currency),
    });
  }
  for (const { key, unit, ...product } of data.products) {
    await create('product', key, { ...product, unit: ref('unit', unit) });
  }
  const deals = data.deals ?? [];
  for (const { key, partner, counterparty, currency, closeInDays, contactPerson, ...deal } of deals) {
    await create('deal', key, {
      ...deal,
      partner: ref('partner', partner),
      counterparty: optionalRef('counterparty', counterparty),
      currency: optionalRef('currency', currency),
      closeDate: closeInDays === undefined ? undefined : isoDate(addDays(today, closeInDays)),
      contactPerson: optionalRef('contact-person', contactPerson),
    });
  }
}

async function writeDocuments({ data, today, create, ref, optionalRef }: DemoWriter) {
  const invoices = new Map<DemoKey, StoredObject>();

  const basisInvoice = (key: DemoKey): StoredObject => {
    const invoice = invoices.get(key);
    if (!invoice) throw new Error(`Demo data: no customer invoice "${key}" to base a document on`);
    return invoice;
  };

  /** The organization's account in the document's currency, unless the document names one. */
  const bankAccount = (organization: DemoKey, currency: string, given: DemoKey | undefined) => {
    const main = data.bankAccounts.find(
      (account) => account.organization === organization && account.currency === currency && account.main,
    );
    return optionalRef('bank-account', given ?? main?.key);
  };

  /** Unit and VAT rate as the product card has them, unless the line says otherwise (e.g. 0% on export). */
  const line = (demoLine: DemoLine): LineValues => {
    const product = data.products.find((candidate) => candidate.key === demoLine.product);
    if (!product) throw new Error(`Demo data: no product "${demoLine.product}"`);
    return {
      product: ref('product', product.key),
      quantity: demoLine.quantity,
      unit: ref('unit', product.unit),
      price: demoLine.price,
      vatRate: demoLine.vatRate ?? product.vatRate,
    };
  };

  const dated = (document: { daysAgo: number; time: string; posted?: boolean; comment?: string }) => ({
    date: `${isoDate(addDays(today, -document.daysAgo))}T${document.time}`,
    posted: document.posted ?? true,
    comment: document.comment,
  });

  const parties = (document: DemoParties) => ({
    organization: ref('organization', document.organization),
    counterparty: ref('counterparty', document.counterparty),
    contract: optionalRef('contract', document.contract),
    currency: ref('currency', document.currency ?? RUB),
  });

  // Each kind in date order, so that the numbers the platform gives follow the dates as a user's would.
  for (const invoice of chronological(data.invoices)) {
    const stored = await create('customer-invoice', invoice.key, {
      ...dated(invoice),
      ...parties(invoice),
      bankAccount: bankAccount(invoice.organization, invoice.currency ?? RUB, invoice.bankAccount),
      pricesIncludeVat: invoice.pricesIncludeVat,
      lines: invoice.lines.map(line),
    });
    invoices.set(invoice.key, stored);
  }

  for (const sale of chronological(data.sales)) {
    if (sale.basis === undefined) {
      await create('sale', sale.key, {
        ...dated(sale),
        ...parties(sale),
        pricesIncludeVat: sale.pricesIncludeVat,
        lines: sale.lines.map(line),
      });
      continue;
    }
    const invoice = basisInvoice(sale.basis);
    await create('sale', sale.key, {
      ...dated(sale),
      ...pick(invoice, ['organization', 'counterparty', 'contract', 'currency', 'pricesIncludeVat']),
      basis: invoice.ref,
      lines: sale.lines ? sale.lines.map(line) : linesOf(invoice).map(copyLine),
    });
  }

  for (const payment of chronological(data.payments)) {
    if (payment.basis === undefined) {
      await create('incoming-payment', payment.key, {
        ...dated(payment),
        ...parties(payment),
        bankAccount: bankAccount(payment.organization, payment.currency ?? RUB, payment.bankAccount),
        amount: payment.amount,
        vatRate: payment.vatRate,
        purpose: payment.purpose,
      });
      continue;
    }
    const invoice = basisInvoice(payment.basis);
    const amount = payment.amount ?? String(invoice.amount);
    const vatRate = singleVatRate(invoice, payment.key);
    await create('incoming-payment', payment.key, {
      ...dated(payment),
      ...pick(invoice, ['organization', 'counterparty', 'contract', 'currency', 'bankAccount']),
      ...(payment.bankAccount ? { bankAccount: ref('bank-account', payment.bankAccount) } : {}),
      basis: invoice.ref,
      amount,
      vatRate,
      purpose: payment.purpose ?? paymentPurpose(invoice, amount, vatRate),
    });
  }
}

const RUB = '643';

function chronological<T extends { daysAgo: number; time: string }>(documents: readonly T[]): T[] {
  return [...documents].sort((a, b) => b.daysAgo - a.daysAgo || a.time.localeCompare(b.time));
}

function linesOf(document: StoredObject): LineValues[] {
  return (document.lines ?? []) as LineValues[];
}

/** A line "based on" another document's: amounts are left for the platform to compute again. */
function copyLine(line: LineValues): LineValues {
  return pick(line, ['product', 'quantity', 'unit', 'price', 'vatRate']);
}

function pick<T extends Record<string, unknown>>(
  source: T,
  names: readonly string[],
): Record<string, T[string]> {
  return Object.fromEntries(names.map((name) => [name, source[name]])) as Record<string, T[string]>;
}

/** An absent key keeps the field's default; a key present as undefined would not. */
function withoutUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/** A payment carries one VAT rate, so demo payments are only made against single-rate invoices. */
function singleVatRate(invoice: StoredObject, paymentKey: DemoKey): VatRate {
  const rates = new Set(linesOf(invoice).map((line) => line.vatRate as VatRate));
  const [rate] = rates;
  if (rates.size !== 1 || rate === undefined) {
    throw new Error(`Demo data: payment "${paymentKey}" is based on an invoice with ${rates.size} VAT rates`);
  }
  return rate;
}

function paymentPurpose(invoice: StoredObject, amount: string, vatRate: VatRate): string {
  const what = amount === invoice.amount ? 'Оплата' : 'Частичная оплата';
  const vat = vatRate === 'none' ? 'Без налога (НДС)' : `В т.ч. НДС ${VAT_PERCENT[vatRate]}%`;
  return `${what} по счету № ${invoice.number} от ${russianDate(String(invoice.date))}. ${vat}`;
}

function addDays(day: Date, days: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + days);
}

/** The local calendar date: infobases keep dates without a time zone, as a user sees them. */
function isoDate(day: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function russianDate(isoDateTime: string): string {
  const [year, month, day] = isoDateTime.slice(0, 10).split('-');
  return `${day}.${month}.${year}`;
}

function demoName(data: DemoDataset, type: DemoOverlapType, key: DemoKey): string {
  const byType: Record<DemoOverlapType, readonly { name: string; key?: string; code?: string }[]> = {
    organization: data.organizations,
    counterparty: data.counterparties,
    contract: data.contracts,
    product: data.products,
    unit: data.units,
    currency: data.currencies,
    'bank-account': data.bankAccounts,
  };
  const found = byType[type].find((item) => (item.key ?? item.code) === key);
  if (!found) throw new Error(`Demo overlaps: no ${type} "${key}" in the demo data`);
  return found.name;
}
