import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmConversion } from '../../../src/apps/conversion/crm-conversion.js';
import { crm } from '../../../src/apps/crm.js';
import type {
  IncomingLine,
  IncomingObject,
  IncomingRef,
  IncomingValue,
  SearchKeys,
} from '../../../src/exchange/conversion.js';
import { findField, findType } from '../../../src/platform/metadata.js';
import type { StoredObject } from '../../../src/platform/objects/object-store.js';
import { contextFor, type DataSet, givenCrmData, peerRefOf } from './fixtures.js';

/** Per exchanged type, the declared fields that travel; what a declaration has beyond them is below. */
const EXCHANGED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  unit: ['name', 'fullName'],
  currency: ['name', 'fullName'],
  organization: ['name', 'fullName', 'inn', 'kpp', 'prefix'],
  counterparty: ['name', 'fullName', 'inn', 'kpp', 'kind', 'country', 'phone', 'email', 'address'],
  'bank-account': ['name', 'organization', 'counterparty', 'number', 'bic', 'bank', 'currency'],
  contract: ['name', 'counterparty', 'organization', 'kind', 'number', 'date', 'currency'],
  product: ['name', 'fullName', 'sku', 'kind', 'unit', 'vatRate'],
  'customer-invoice': [
    'organization',
    'counterparty',
    'contract',
    'currency',
    'bankAccount',
    'pricesIncludeVat',
    'amount',
    'comment',
    'lines',
  ],
  sale: [
    'organization',
    'counterparty',
    'contract',
    'currency',
    'basis',
    'pricesIncludeVat',
    'amount',
    'comment',
    'lines',
  ],
  'incoming-payment': [
    'organization',
    'counterparty',
    'contract',
    'currency',
    'bankAccount',
    'basis',
    'amount',
    'vatRate',
    'vatAmount',
    'purpose',
    'comment',
  ],
};

/** Declared fields that do not travel, and why. */
const NOT_EXCHANGED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'customer-invoice': { vatAmount: 'a total of the lines: the receiver computes it' },
  sale: { vatAmount: 'a total of the lines: the receiver computes it' },
};

const LINE_FIELDS = ['product', 'quantity', 'unit', 'price', 'amount', 'vatRate', 'vatAmount'] as const;

/** What the receiver gets for an empty unit or bank-account currency the package requires: found by code. */
const PIECE_BY_CODE: IncomingRef = {
  kind: 'ref',
  localType: 'unit',
  peerRef: null,
  keys: { code: '796' },
  values: { name: 'шт' },
};
const ROUBLE_BY_CODE: IncomingRef = {
  kind: 'ref',
  localType: 'currency',
  peerRef: null,
  keys: { code: '643' },
  values: { name: 'RUB' },
};

describe('reading back what was written: fromFormat(toFormat(object))', () => {
  let data: DataSet;

  beforeAll(async () => {
    data = await givenCrmData();
  });
  afterAll(() => data?.cleanup());

  const sample = (ref: string) => {
    const found = data.samples.get(ref);
    if (found === undefined) throw new Error(`no sample ${ref}`);
    return found;
  };

  function expectedRef(localType: string, ref: string): IncomingRef {
    return {
      kind: 'ref',
      localType,
      peerRef: peerRefOf(data, ref),
      keys: expectedKeys(localType, sample(ref).object),
      // What the key properties tell of the object; their exact reading is covered by the key tests.
      values: expect.any(Object),
    };
  }

  /** The declaration's search fields, with references as IncomingRef (a contract's counterparty). */
  function expectedKeys(localType: string, object: StoredObject): SearchKeys {
    const def = findType(crm, localType)!;
    const keys: Record<string, string | IncomingRef | null> = {};
    for (const name of new Set((def.searchFields ?? []).flat())) {
      const field = findField(def, name);
      const value = object[name];
      keys[name] =
        field?.type.kind === 'ref' && typeof value === 'string'
          ? expectedRef(field.type.to, value)
          : typeof value === 'string'
            ? value
            : null;
    }
    return keys;
  }

  function expectedValue(localType: string, fieldName: string, value: unknown): IncomingValue {
    const field = findField(findType(crm, localType)!, fieldName)!;
    if (field.type.kind === 'ref')
      return typeof value === 'string' ? expectedRef(field.type.to, value) : null;
    return (value ?? null) as IncomingValue;
  }

  function expectedLine(localType: string, line: Record<string, unknown>): IncomingLine {
    const expected: IncomingLine = {};
    for (const name of LINE_FIELDS) {
      expected[name] =
        name === 'unit' || name === 'product'
          ? lineRef(name, line[name])
          : ((line[name] ?? null) as IncomingValue);
    }
    const service = sample(String(line.product)).object.kind === 'service';
    // The package's service rows have no unit; a goods row demands one (796 "шт" if the line has none).
    if (service) delete expected.unit;
    else if (line.unit == null) expected.unit = PIECE_BY_CODE;
    // A sale's service row demands a price: a line without one sends what the amount pays for one unit.
    if (service && localType === 'sale' && line.price == null) expected.price = String(line.amount);
    return expected;
  }

  function lineRef(field: 'product' | 'unit', ref: unknown): IncomingValue {
    return typeof ref === 'string' ? expectedRef(field, ref) : null;
  }

  function expectedIncoming(localType: string, object: StoredObject): IncomingObject {
    const def = findType(crm, localType)!;
    const values: IncomingObject['values'] = {};
    for (const name of EXCHANGED_FIELDS[localType] ?? []) {
      values[name] =
        name === 'lines'
          ? (object.lines as Record<string, unknown>[]).map((line) => expectedLine(localType, line))
          : expectedValue(localType, name, object[name]);
    }
    if (localType === 'product' && object.unit === null) values.unit = PIECE_BY_CODE;
    if (localType === 'bank-account' && object.currency === null) values.currency = ROUBLE_BY_CODE;
    const system: IncomingObject['system'] =
      def.kind === 'document'
        ? {
            deleted: object.deleted,
            posted: object.posted as boolean,
            createdIn: object.createdIn,
            number: String(object.number),
            date: String(object.date),
          }
        : { deleted: object.deleted, createdIn: object.createdIn, code: String(object.code) };
    return {
      action: 'put',
      localType,
      peerRef: peerRefOf(data, object.ref),
      keys: expectedKeys(localType, object),
      values,
      system,
    };
  }

  it('gives back every exchanged field of every object, references as IncomingRef with the peer ref and keys', async () => {
    const context = contextFor(crmConversion, data);
    let checked = 0;
    for (const { localType } of crmConversion.types) {
      for (const { type, object } of data.samples.values()) {
        if (type !== localType) continue;
        const entry = await crmConversion.toFormat(type, object, peerRefOf(data, object.ref), context);
        // Through JSON, as the wire carries it.
        const received = crmConversion.fromFormat(JSON.parse(JSON.stringify(entry)));
        expect(received, `${type} ${object.ref}`).toStrictEqual(expectedIncoming(type, object));
        checked += 1;
      }
    }
    expect(checked).toBe(
      [...data.samples.values()].filter((s) => crmConversion.types.some((t) => t.localType === s.type))
        .length,
    );
  });

  it('reads of every object, keys only, what identifies it exactly as in full: ref, search keys, system properties', async () => {
    const context = contextFor(crmConversion, data);
    for (const { type, object } of data.samples.values()) {
      if (!crmConversion.types.some((t) => t.localType === type)) continue;
      const entry = JSON.parse(
        JSON.stringify(await crmConversion.toFormat(type, object, peerRefOf(data, object.ref), context)),
      );
      const full = crmConversion.fromFormat(entry) as IncomingObject;
      const keysOnly = crmConversion.fromFormat(entry, { keysOnly: true }) as IncomingObject;
      expect(keysOnly, `${type} ${object.ref}`).toMatchObject({
        localType: full.localType,
        peerRef: full.peerRef,
        keys: full.keys,
        system: full.system,
      });
      // What it reads, it reads as the full reading does; the body it leaves unread.
      for (const [field, value] of Object.entries(keysOnly.values))
        expect(value, `${type}.${field}`).toStrictEqual(full.values[field]);
      if (type === 'customer-invoice') expect(keysOnly.values.lines).toBeUndefined();
    }
  });

  it('names every declared field of an exchanged type as exchanged or not, with the reason', () => {
    for (const { localType } of crmConversion.types) {
      const declared = findType(crm, localType)!.fields.map((field) => field.name);
      const accounted = [
        ...(EXCHANGED_FIELDS[localType] ?? []),
        ...Object.keys(NOT_EXCHANGED[localType] ?? {}),
      ];
      const crmOnly = localType === 'counterparty' ? ['partner'] : [];
      const sections = (findType(crm, localType)!.tabularSections ?? []).map((section) => section.name);
      expect([...declared, ...sections].sort(), localType).toEqual([...accounted, ...crmOnly].sort());
    }
  });

  it('keeps decimals as the same strings, never numbers', async () => {
    const invoice = data.named.invoice!;
    const entry = await crmConversion.toFormat(
      'customer-invoice',
      invoice,
      invoice.ref,
      contextFor(crmConversion, data),
    );
    const received = crmConversion.fromFormat(entry);
    if (received.action !== 'put') throw new Error('expected a put');
    expect(received.values.amount).toBe(invoice.amount);
    const lines = received.values.lines as IncomingLine[];
    expect(lines.map((line) => [line.quantity, line.price, line.amount, line.vatAmount])).toEqual(
      (invoice.lines as Record<string, unknown>[]).map((line) => [
        line.quantity,
        line.price,
        line.amount,
        line.vatAmount,
      ]),
    );
    expect(lines.map((line) => line.quantity)).toEqual(['2.000', '1.500', '0.500']);
    expect(JSON.stringify(entry)).not.toMatch(/"(Количество|Сумма|Цена|СуммаНДС)":\d/);
  });

  it('splits lines into Товары and Услуги by the product kind and merges them back in the original order', async () => {
    const sale = data.named.sale!;
    const entry = await crmConversion.toFormat('sale', sale, sale.ref, contextFor(crmConversion, data));
    const numbers = (rows: unknown) =>
      (rows as { НомерСтрокиДокумента: number }[]).map((row) => row.НомерСтрокиДокумента);
    expect(numbers(entry.object.Товары)).toEqual([2]);
    expect(numbers(entry.object.Услуги)).toEqual([1, 3]);
    const received = crmConversion.fromFormat(entry) as IncomingObject;
    const products = (received.values.lines as IncomingLine[]).map(
      (line) => (line.product as IncomingRef).peerRef,
    );
    expect(products).toEqual((sale.lines as Record<string, unknown>[]).map((line) => line.product));
  });

  it('without the products at hand, sends every line as goods and still gives them all back, units included', async () => {
    const sale = data.named.sale!;
    const context = contextFor(crmConversion, data, { withObjects: false });
    const entry = await crmConversion.toFormat('sale', sale, sale.ref, context);
    const received = crmConversion.fromFormat(entry) as IncomingObject;
    const lines = received.values.lines as IncomingLine[];
    expect(lines.map((line) => (line.unit as IncomingRef | null)?.keys)).toEqual([
      { code: '796' },
      { code: '796' },
      { code: '356' },
    ]);
    expect(lines.map((line) => line.amount)).toEqual(
      (sale.lines as Record<string, unknown>[]).map((l) => l.amount),
    );
  });

  it('carries system properties in AdditionalInfo: deletion mark, posted, origin, our own code', async () => {
    const context = contextFor(crmConversion, data);
    const purchase = data.named.purchase!;
    const contract = await crmConversion.toFormat('contract', purchase, purchase.ref, context);
    expect(contract.object.AdditionalInfo).toEqual({
      ibsync: { deleted: true, createdIn: 'CR', code: purchase.code },
    });
    const sale = await crmConversion.toFormat('sale', data.named.sale!, data.named.sale!.ref, context);
    expect(sale.object.AdditionalInfo).toEqual({ ibsync: { deleted: false, posted: true, createdIn: 'CR' } });
    // A natural code (OKEI, ISO) travels in ДанныеКлассификатора, not as ours.
    const unit = await crmConversion.toFormat('unit', data.named.piece!, data.named.piece!.ref, context);
    expect(unit.object.AdditionalInfo).toEqual({ ibsync: { deleted: false, createdIn: 'CR' } });
    expect(unit.object.КлючевыеСвойства).toMatchObject({
      ДанныеКлассификатора: { Код: '796', Наименование: 'шт' },
    });
  });

  it('reads a 1C object: its own AdditionalInfo and properties we do not keep are ignored', () => {
    const received = crmConversion.fromFormat({
      type: 'Справочник.Контрагенты',
      object: {
        AdditionalInfo: { НомерВерсии: 7 },
        КлючевыеСвойства: {
          Ссылка: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
          Наименование: 'ООО «Лютик»',
          ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо',
          GLN: '4600000000001',
        },
        ОКПО: '12345678',
        КонтактнаяИнформация: [{ ВидКонтактнойИнформации: 'ФактическийАдрес', ЗначенияПолей: 'Новосибирск' }],
      },
    });
    expect(received).toStrictEqual({
      action: 'put',
      localType: 'counterparty',
      peerRef: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
      keys: { inn: null, kpp: null, name: 'ООО «Лютик»' },
      values: {
        name: 'ООО «Лютик»',
        fullName: null,
        inn: null,
        kpp: null,
        kind: 'legal-entity',
        country: null,
        phone: null,
        email: null,
        address: 'Новосибирск',
      },
      system: {},
    });
  });

  it('reads a 1C document whose Товары and Услуги are numbered apart: goods first, then services', async () => {
    const sale = data.named.sale!;
    const entry = await crmConversion.toFormat('sale', sale, sale.ref, contextFor(crmConversion, data));
    const renumber = (rows: unknown) =>
      (rows as Record<string, unknown>[]).map((row, index) => ({ ...row, НомерСтрокиДокумента: index + 1 }));
    const received = crmConversion.fromFormat({
      type: entry.type,
      object: {
        ...entry.object,
        Товары: renumber(entry.object.Товары),
        Услуги: renumber(entry.object.Услуги),
      },
    }) as IncomingObject;
    const names = (received.values.lines as IncomingLine[]).map(
      (line) => (line.product as IncomingRef).keys.name,
    );
    expect(names).toEqual(['Стол письменный', 'Сборка мебели', 'Доставка']);
  });

  it('reads a 1C payment of several rows: the VAT of all rows, the rest from the first', async () => {
    const payment = data.named.payment!;
    const entry = await crmConversion.toFormat(
      'incoming-payment',
      payment,
      payment.ref,
      contextFor(crmConversion, data),
    );
    const [row] = entry.object.РасшифровкаПлатежа as Record<string, unknown>[];
    const rows = [
      { ...row, Сумма: '30000.00', СуммаНДС: '5409.84' },
      { Сумма: '6015.00', СуммаНДС: '1084.64', СтавкаНДС: 'НДС22', ДанныеВзаиморасчетов: {} },
    ];
    const received = crmConversion.fromFormat({
      type: entry.type,
      object: { ...entry.object, РасшифровкаПлатежа: rows },
    }) as IncomingObject;
    expect(received.values).toMatchObject({ amount: '36015.00', vatAmount: '6494.48', vatRate: 'vat22' });
    expect((received.values.contract as IncomingRef).peerRef).toBe(data.named.supply!.ref);
    expect((received.values.basis as IncomingRef).peerRef).toBe(data.named.invoice!.ref);
  });

  it('reads the 22% rate as written by another ibsync, and 1C estimated rates as the rate itself', () => {
    const product = (rate: string) =>
      crmConversion.fromFormat({
        type: 'Справочник.Номенклатура',
        object: {
          КлючевыеСвойства: { Ссылка: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7', Наименование: 'Стол' },
          ТипНоменклатуры: 'Работа',
          ЕдиницаИзмерения: { ДанныеКлассификатора: { Код: '356' } },
          СтавкаНДС: rate,
        },
      }) as IncomingObject;
    expect(product('НДС22').values.vatRate).toBe('vat22');
    expect(product('НДС22_122').values.vatRate).toBe('vat22');
    expect(product('НДС20_120').values.vatRate).toBe('vat20');
    expect(product('БезНДС').values).toMatchObject({ vatRate: 'none', kind: 'service' });
  });

  it.each(crmConversion.types.map((type) => type.localType))(
    'round-trips a deletion of a %s',
    (localType) => {
      const peerRef = '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a';
      const entry = crmConversion.deletion(localType, peerRef);
      expect(crmConversion.fromFormat(JSON.parse(JSON.stringify(entry)))).toStrictEqual({
        action: 'delete',
        localType,
        peerRef,
      });
    },
  );
});
