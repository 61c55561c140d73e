import { createHash } from 'node:crypto';
import { accountingDemoData, crmDemoData } from '../src/apps/demo/seed-demo.js';
import { uuidV7 } from '../src/platform/refs.js';

/**
 * The benchmark's data, made from a seed: a trading company's CRM (organizations, counterparties,
 * contracts, products, customer invoices, sales and incoming payments with 1–20 lines, about 5 on
 * average) and what its Accounting already holds: the units and currencies, and about one catalog item
 * in ten under another spelling (the demo's cases: legal form moved, other quotes, upper case, ё/е,
 * double spaces, reworded product names). Every object is a function of its index, so that a document
 * can name any catalog item by index and the same rows can be made again for the raw-limit measurement.
 */
export type GeneratedObject = { type: string; input: Record<string, unknown> };

export type DatasetPlan = {
  seed: number;
  objects: number;
  organizations: number;
  counterparties: number;
  contracts: number;
  products: number;
  invoices: number;
  sales: number;
  payments: number;
};

const UNITS = crmDemoData.units;
const CURRENCIES = crmDemoData.currencies;
const FIXED = UNITS.length + CURRENCIES.length;

/** Document dates run over these days: numbering restarts each year, as in real data. */
const FIRST_DAY = Date.UTC(2024, 0, 9);
const DAYS = 900;

export function planDataset(objects: number, seed: number): DatasetPlan {
  const organizations = Math.max(1, Math.min(10, Math.round(objects / 100_000)));
  const counterparties = Math.max(3, Math.round(objects * 0.05));
  const contracts = Math.max(2, Math.round(objects * 0.04));
  const products = Math.max(UNITS.length, Math.round(objects * 0.04));
  const documents = objects - FIXED - 2 * organizations - counterparties - contracts - products;
  if (documents < counterparties + products) {
    throw new Error(`--objects ${objects} is too small for a realistic data set; give at least 500`);
  }
  const invoices = Math.round(documents * 0.4);
  const sales = Math.round(documents * 0.35);
  return {
    seed,
    objects,
    organizations,
    counterparties,
    contracts,
    products,
    invoices,
    sales,
    payments: documents - invoices - sales,
  };
}

/** A small, fast PRNG (mulberry32): the same seed gives the same data on every machine. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function objectRandom(plan: DatasetPlan, kind: string, index: number): () => number {
  let hash = 2166136261 ^ plan.seed;
  for (let i = 0; i < kind.length; i += 1) hash = Math.imul(hash ^ kind.charCodeAt(i), 16777619);
  return random(Math.imul(hash ^ index, 2654435761) ^ (index >>> 16));
}

/**
 * A stable ref per (side, kind, index), made as the platform makes refs (platform/refs.ts): a version 7
 * UUID whose time is the object's creation, its random part a hash. Catalog items are created before the
 * first document (Accounting's own a year before), documents on their date, so a table's refs increase
 * in the order its objects were created, as they do in a real infobase.
 */
export function refOf(plan: DatasetPlan, side: string, kind: string, index: number): string {
  const digest = createHash('md5').update(`${plan.seed}:${side}:${kind}:${index}`).digest();
  return uuidV7(createdAt(plan, side, kind, index), index & 0xfff, digest.subarray(0, 8));
}

const DOCUMENT_COUNTS: Record<string, (plan: DatasetPlan) => number> = {
  'customer-invoice': (plan) => plan.invoices,
  sale: (plan) => plan.sales,
  'incoming-payment': (plan) => plan.payments,
};

function createdAt(plan: DatasetPlan, side: string, kind: string, index: number): number {
  const count = DOCUMENT_COUNTS[kind];
  // Documents of the same second get a millisecond each.
  if (count) return Date.parse(`${dayOf(plan, index, count(plan))}Z`) + (index % 1000);
  const before = side.startsWith('bp') ? 365 : 30;
  return FIRST_DAY - before * 86_400_000 + index;
}

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Ten digits with the tax service's check digit, so the data looks like the real thing. */
function innOf(index: number, individual: boolean): string {
  if (individual) {
    const base = `77${pad(index % 100_000_000, 8)}`;
    const d11 = checkDigit(base, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
    const d12 = checkDigit(base + d11, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
    return `${base}${d11}${d12}`;
  }
  const base = `${pad(50 + (index % 40), 2)}${pad(Math.floor(index / 40) % 10_000_000, 7)}`;
  return base + checkDigit(base, [2, 4, 10, 3, 5, 9, 4, 6, 8]);
}

function checkDigit(digits: string, weights: readonly number[]): string {
  let sum = 0;
  for (let i = 0; i < weights.length; i += 1) sum += Number(digits[i]) * weights[i]!;
  return String((sum % 11) % 10);
}

const FIRST = ['Альфа', 'Вектор', 'Гранит', 'Зелёная', 'Орион', 'Север', 'Техно', 'Урал', 'Меридиан', 'Ёлка'];
const SECOND = ['Строй', 'Трейд', 'Пром', 'Сервис', 'Логистик', 'Опт', 'Снаб', 'Маркет', 'Продукт', 'Систем'];
const SURNAMES = ['Кузнецов', 'Смирнова', 'Соколов', 'Николаев', 'Фёдоров', 'Петрова', 'Иванов', 'Орлова'];
const GIVEN = [
  ['Игорь', 'Петрович'],
  ['Ольга', 'Владимировна'],
  ['Андрей', 'Викторович'],
  ['Сергей', 'Александрович'],
];
const GOODS = [
  ['Бумага офисная', 'А4, 80 г/м², 500 л.'],
  ['Ручка шариковая', 'синяя 0,7 мм'],
  ['Скотч упаковочный', '48 мм × 66 м'],
  ['Коробка картонная', '600×400×400'],
  ['Стрейч-плёнка', '500 мм, 20 мкм'],
  ['Перчатки х/б с ПВХ', 'упак. 10 пар'],
  ['Стеллаж металлический', '2000×1000×500'],
  ['Сахар-песок', '1 кг'],
];
const SERVICES = ['Доставка по Москве', 'Ответственное хранение', 'Погрузо-разгрузочные работы'];
const VAT = ['vat22', 'vat22', 'vat22', 'vat10', 'none'] as const;

type Party = { name: string; fullName: string; inn: string | null; kpp: string | null; individual: boolean };

function counterpartyOf(plan: DatasetPlan, index: number): Party {
  const rng = objectRandom(plan, 'counterparty', index);
  if (index % 7 === 3) {
    const surname = pick(rng, SURNAMES);
    const [given, patronymic] = pick(rng, GIVEN);
    const feminine = surname.endsWith('а');
    const [g, p] = feminine ? ['Ольга', 'Владимировна'] : [given!, patronymic!];
    return {
      name: `ИП ${surname} ${g} ${p} ${index}`,
      fullName: `Индивидуальный предприниматель ${surname} ${g} ${p}`,
      inn: innOf(index, true),
      kpp: null,
      individual: true,
    };
  }
  const form = index % 5 === 1 ? 'АО' : 'ООО';
  const words = `${pick(rng, FIRST)}-${pick(rng, SECOND)} ${index}`;
  const inn = innOf(index, false);
  return {
    name: `${form} "${words}"`,
    fullName: `${form === 'АО' ? 'Акционерное общество' : 'Общество с ограниченной ответственностью'} "${words}"`,
    inn,
    kpp: `${inn.slice(0, 4)}01001`,
    individual: false,
  };
}

/**
 * Accounting's spelling of a CRM name, one of the demo's cases (demo-overlaps.ts): the legal form moved
 * to the end without quotes (Ромашка), «» and upper case (Стройинвест), ё as е (Зелёная долина), a double
 * space (Техномир). Each keeps the normalized name, so a match by name finds it.
 */
export function accountingSpelling(name: string, variant: number): string {
  const quoted = /^(ООО|АО|ИП) "(.*)"$/.exec(name);
  switch (variant % 4) {
    case 0:
      return quoted ? `${quoted[2]} ${quoted[1]}` : `${name.replace(/^ИП /, '')} ИП`;
    case 1:
      return quoted ? `${quoted[1]} «${quoted[2]!.toUpperCase()}»` : name.toUpperCase();
    case 2:
      return name.replace(/ё/g, 'е').replace(/Ё/g, 'Е');
    default:
      return name.replace(' ', '  ');
  }
}

type Product = {
  name: string;
  fullName: string;
  sku: string;
  kind: 'goods' | 'service';
  unit: number;
  vat: string;
};

function productOf(plan: DatasetPlan, index: number): Product {
  const rng = objectRandom(plan, 'product', index);
  if (index % 10 === 7) {
    const name = `${pick(rng, SERVICES)} (тариф ${index})`;
    return { name, fullName: name, sku: `SV-${pad(index, 6)}`, kind: 'service', unit: 5, vat: 'vat22' };
  }
  const [base, detail] = pick(rng, GOODS);
  const name = `${base} ${detail} №${index}`;
  return {
    name,
    fullName: name,
    sku: `SKU-${pad(index, 6)}`,
    kind: 'goods',
    unit: index % UNITS.length === 5 ? 0 : index % UNITS.length,
    vat: pick(rng, VAT),
  };
}

/** Accounting's wording of a product it knows by SKU: the words in another order, abbreviated. */
function productRewording(product: Product): string {
  return product.name.replace(/^(\S+) (\S+)/, '$2 $1').replace('металлический', 'металл.');
}

function organizationOf(index: number) {
  const inn = innOf(9_000_000 + index * 17, false);
  const words = index === 0 ? 'Вектор-Трейд' : `Вектор-Трейд ${index + 1}`;
  return {
    name: `ООО "${words}"`,
    fullName: `Общество с ограниченной ответственностью "${words}"`,
    inn,
    kpp: `${inn.slice(0, 4)}01001`,
    prefix: index === 0 ? '00' : `A${index}`,
    account: `40702810${pad(index + 1, 12)}`,
  };
}

function dayOf(plan: DatasetPlan, index: number, count: number): string {
  const day = Math.floor((index * DAYS) / Math.max(1, count));
  const date = new Date(FIRST_DAY + day * 86_400_000);
  const seconds = 9 * 3600 + ((index * 37 + plan.seed) % 28_800);
  const time = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;
  return `${date.toISOString().slice(0, 10)}T${time}`;
}

function linesOf(plan: DatasetPlan, kind: string, index: number) {
  const rng = objectRandom(plan, `${kind}-lines`, index);
  // 1 to 20 lines, 5 on average: mostly short documents, a few long ones.
  const count = Math.min(20, 1 + Math.floor(-Math.log(1 - rng()) * 4.6));
  const lines: Record<string, unknown>[] = [];
  for (let line = 0; line < count; line += 1) {
    const productIndex = line === 0 ? index % plan.products : Math.floor(rng() * plan.products);
    const product = productOf(plan, productIndex);
    const quantity = product.kind === 'service' ? '1' : String(1 + Math.floor(rng() * 40));
    lines.push({
      product: refOf(plan, 'crm', 'product', productIndex),
      quantity,
      unit: refOf(plan, 'crm', 'unit', product.unit),
      price: `${50 + Math.floor(rng() * 9_000)}.${pad(Math.floor(rng() * 100), 2)}`,
      vatRate: product.vat,
    });
  }
  return lines;
}

/** Who a document is with: the counterparty, its contract when it has one, the organization and its account. */
function partiesOf(plan: DatasetPlan, index: number) {
  const counterparty = index % plan.counterparties;
  const organization = index % plan.organizations;
  const currency = index % 50 === 7 ? 1 : index % 100 === 13 ? 2 : 0;
  return {
    organization: refOf(plan, 'crm', 'organization', organization),
    organizationIndex: organization,
    counterparty: refOf(plan, 'crm', 'counterparty', counterparty),
    contract: counterparty < plan.contracts ? refOf(plan, 'crm', 'contract', counterparty) : null,
    currency: refOf(plan, 'crm', 'currency', currency),
    bankAccount: refOf(plan, 'crm', 'bank-account', organization),
  };
}

/** Per (type, scope, year): the next number, as the platform would have given it. */
class Numbers {
  private readonly next = new Map<string, number>();
  take(type: string, scope: string, year: string): string {
    const key = `${type}:${scope}:${year}`;
    const sequence = (this.next.get(key) ?? 0) + 1;
    this.next.set(key, sequence);
    return `${scope}-${pad(sequence, 6)}`;
  }
}

function documentNumber(numbers: Numbers, type: string, organization: number, date: string): string {
  return numbers.take(type, `CR${organizationOf(organization).prefix}`, date.slice(0, 4));
}

function invoiceOf(plan: DatasetPlan, index: number, numbers?: Numbers) {
  const parties = partiesOf(plan, index);
  const date = dayOf(plan, index, plan.invoices);
  const { organizationIndex, ...refs } = parties;
  return {
    ref: refOf(plan, 'crm', 'customer-invoice', index),
    ...(numbers ? { number: documentNumber(numbers, 'customer-invoice', organizationIndex, date) } : {}),
    date,
    posted: index % 20 !== 0,
    ...refs,
    pricesIncludeVat: index % 9 !== 0,
    comment: index % 4 === 0 ? `Счет по заявке № ${index}` : null,
    lines: linesOf(plan, 'invoice', index),
  };
}

/** The CRM's objects, in the order the platform needs them (what a document names exists before it). */
export function* crmObjects(plan: DatasetPlan): Generator<GeneratedObject> {
  const ref = (kind: string, index: number) => refOf(plan, 'crm', kind, index);
  for (const [index, unit] of UNITS.entries())
    yield { type: 'unit', input: { ref: ref('unit', index), ...unit } };
  for (const [index, currency] of CURRENCIES.entries())
    yield { type: 'currency', input: { ref: ref('currency', index), ...currency } };
  for (let index = 0; index < plan.organizations; index += 1) {
    const { account: _, ...organization } = organizationOf(index);
    yield {
      type: 'organization',
      input: { ref: ref('organization', index), code: `CR-${pad(index + 1, 5)}`, ...organization },
    };
  }
  for (let index = 0; index < plan.counterparties; index += 1) {
    const party = counterpartyOf(plan, index);
    yield {
      type: 'counterparty',
      input: {
        ref: ref('counterparty', index),
        code: `CR-${pad(plan.organizations + index + 1, 5)}`,
        name: party.name,
        fullName: party.fullName,
        inn: party.inn,
        kpp: party.kpp,
        kind: party.individual ? 'individual' : 'legal-entity',
        phone: `+7 (495) ${pad(index % 1000, 3)}-${pad(index % 100, 2)}-${pad((index * 7) % 100, 2)}`,
        email: index % 3 === 0 ? `info${index}@example.ru` : null,
        address:
          index % 2 === 0 ? `г. Москва, ул. Тверская, д. ${1 + (index % 120)}, офис ${index % 500}` : null,
      },
    };
  }
  for (let index = 0; index < plan.organizations; index += 1) {
    yield {
      type: 'bank-account',
      input: {
        ref: ref('bank-account', index),
        code: `CR-${pad(index + 1, 5)}`,
        organization: ref('organization', index),
        number: organizationOf(index).account,
        bic: '044525225',
        bank: 'ПАО Сбербанк',
        currency: ref('currency', 0),
      },
    };
  }
  for (let index = 0; index < plan.contracts; index += 1) {
    yield {
      type: 'contract',
      input: {
        ref: ref('contract', index),
        code: `CR-${pad(index + 1, 5)}`,
        counterparty: ref('counterparty', index),
        organization: ref('organization', index % plan.organizations),
        kind: 'with-customer',
        number: `Д-${index + 1}/24`,
        date: dayOf(plan, index, plan.contracts).slice(0, 10),
        currency: ref('currency', 0),
      },
    };
  }
  for (let index = 0; index < plan.products; index += 1) {
    const product = productOf(plan, index);
    yield {
      type: 'product',
      input: {
        ref: ref('product', index),
        code: `CR-${pad(index + 1, 5)}`,
        name: product.name,
        fullName: product.fullName,
        sku: product.sku,
        kind: product.kind,
        unit: ref('unit', product.unit),
        vatRate: product.vat,
      },
    };
  }
  const numbers = new Numbers();
  for (let index = 0; index < plan.invoices; index += 1) {
    yield { type: 'customer-invoice', input: invoiceOf(plan, index, numbers) };
  }
  for (let index = 0; index < plan.sales; index += 1) {
    const basisIndex = index % 10 < 7 ? Math.floor((index * plan.invoices) / plan.sales) : undefined;
    const basis = basisIndex === undefined ? undefined : invoiceOf(plan, basisIndex);
    const own = partiesOf(plan, index + 1);
    const date = dayOf(plan, index, plan.sales);
    const { organizationIndex, bankAccount: _, ...parties } = basis ? partiesOf(plan, basisIndex!) : own;
    yield {
      type: 'sale',
      input: {
        ref: ref('sale', index),
        number: documentNumber(numbers, 'sale', organizationIndex, date),
        date,
        posted: true,
        ...parties,
        basis: basis ? basis.ref : null,
        pricesIncludeVat: basis ? basis.pricesIncludeVat : true,
        comment: null,
        lines: basis ? basis.lines : linesOf(plan, 'sale', index),
      },
    };
  }
  for (let index = 0; index < plan.payments; index += 1) {
    const rng = objectRandom(plan, 'payment', index);
    const basisIndex = Math.floor((index * plan.invoices) / plan.payments);
    const { organizationIndex, ...parties } = partiesOf(plan, basisIndex);
    const date = dayOf(plan, index, plan.payments);
    yield {
      type: 'incoming-payment',
      input: {
        ref: ref('incoming-payment', index),
        number: documentNumber(numbers, 'incoming-payment', organizationIndex, date),
        date,
        posted: true,
        ...parties,
        basis: refOf(plan, 'crm', 'customer-invoice', basisIndex),
        amount: `${100 + Math.floor(rng() * 500_000)}.${pad(Math.floor(rng() * 100), 2)}`,
        vatRate: 'vat22',
        purpose: `Оплата по счету № ${basisIndex + 1}, в т.ч. НДС`,
      },
    };
  }
}

/** Whether a CRM catalog item also exists in Accounting: about one in ten. */
export const knownToAccounting = (index: number) => index % 10 === 0;

/**
 * What Accounting holds before the exchange: units and currencies (its own names for the same codes),
 * the company itself and about one catalog item in ten under other spellings and other refs, matched
 * by INN+KPP, INN, SKU, number, or name only where an identifier is missing on one side.
 */
export function* accountingObjects(plan: DatasetPlan): Generator<GeneratedObject> {
  const ref = (kind: string, index: number) => refOf(plan, 'bp', kind, index);
  for (const [index, unit] of accountingDemoData.units.entries())
    yield { type: 'unit', input: { ref: ref('unit', index), ...unit } };
  for (const [index, currency] of accountingDemoData.currencies.entries())
    yield { type: 'currency', input: { ref: ref('currency', index), ...currency } };
  let code = 0;
  const nextCode = () => `BP-${pad(++code, 5)}`;
  const organizations: number[] = [];
  for (let index = 0; index < plan.organizations; index += 1) {
    if (!knownToAccounting(index)) continue;
    organizations.push(index);
    const { account: _, ...organization } = organizationOf(index);
    yield {
      type: 'organization',
      input: {
        ref: ref('organization', index),
        code: nextCode(),
        ...organization,
        name: accountingSpelling(organization.name, 0),
        fullName: null,
      },
    };
  }
  for (const index of organizations) {
    yield {
      type: 'bank-account',
      input: {
        ref: ref('bank-account', index),
        code: nextCode(),
        name: 'Расчетный счет (Сбербанк)',
        organization: ref('organization', index),
        number: organizationOf(index).account,
        bic: '044525225',
      },
    };
  }
  for (let index = 0; index < plan.counterparties; index += 10) {
    const party = counterpartyOf(plan, index);
    const variant = Math.floor(index / 10) % 10;
    // Mostly the same INN and KPP; now and then the KPP or both identifiers are missing here.
    const withoutKpp = variant === 8;
    const withoutInn = variant === 9;
    yield {
      type: 'counterparty',
      input: {
        ref: ref('counterparty', index),
        code: nextCode(),
        name: accountingSpelling(party.name, withoutInn ? 2 + (index % 2) : variant),
        inn: withoutInn ? null : party.inn,
        kpp: withoutInn || withoutKpp ? null : party.kpp,
        kind: party.individual ? 'individual' : 'legal-entity',
      },
    };
  }
  for (let index = 0; index < plan.contracts; index += 10) {
    yield {
      type: 'contract',
      input: {
        ref: ref('contract', index),
        code: nextCode(),
        name: 'Основной договор',
        counterparty: ref('counterparty', index),
        organization: ref('organization', 0),
        kind: 'with-customer',
        number: `Д-${index + 1}/24`,
        date: dayOf(plan, index, plan.contracts).slice(0, 10),
        currency: ref('currency', 0),
      },
    };
  }
  for (let index = 0; index < plan.products; index += 10) {
    const product = productOf(plan, index);
    const withoutSku = Math.floor(index / 10) % 10 === 9;
    yield {
      type: 'product',
      input: {
        ref: ref('product', index),
        code: nextCode(),
        name: withoutSku ? accountingSpelling(product.name, 2) : productRewording(product),
        sku: withoutSku ? null : product.sku,
        kind: product.kind,
        unit: ref('unit', product.unit),
        vatRate: product.vat,
      },
    };
  }
}

/**
 * The mapping data set (issue 4): `count` counterparties in the CRM and as many in Accounting, most of
 * them the same companies spelled differently (INN+KPP, INN only, name only), some only on one side, and
 * a few ambiguous (two Accounting entries with the INN of a CRM one that has no KPP).
 */
export function* mappingCounterparties(
  plan: DatasetPlan,
  side: 'crm' | 'bp',
  count: number,
): Generator<GeneratedObject> {
  for (let index = 0; index < count; index += 1) {
    const own = index % 10 === 9;
    // The last tenth exists on one side only: the CRM's are new to Accounting, Accounting's stay apart.
    const party = counterpartyOf(plan, own ? count * (side === 'crm' ? 2 : 3) + index : index);
    const variant = Math.floor(index / 10) % 20;
    const ambiguous = variant === 17 && party.individual;
    let input: Record<string, unknown> = {
      name: party.name,
      fullName: party.fullName,
      inn: party.inn,
      kpp: party.kpp,
      kind: party.individual ? 'individual' : 'legal-entity',
    };
    if (side === 'bp' && !own) {
      input = {
        ...input,
        name: accountingSpelling(party.name, variant),
        fullName: null,
        ...(variant === 18 ? { kpp: null } : {}),
        ...(variant === 19
          ? { inn: null, kpp: null, name: accountingSpelling(party.name, 2 + (index % 2)) }
          : {}),
      };
    }
    yield {
      type: 'counterparty',
      input: {
        ref: refOf(plan, `${side}-map`, 'counterparty', index),
        code: `${side === 'crm' ? 'CR' : 'BP'}-${pad(index + 1, 5)}`,
        ...input,
      },
    };
    if (side === 'bp' && ambiguous) {
      yield {
        type: 'counterparty',
        input: {
          ref: refOf(plan, 'bp-map-twin', 'counterparty', index),
          code: `BP-${pad(count + index + 1, 5)}`,
          ...input,
          name: `${party.name} (второй)`,
        },
      };
    }
  }
}
