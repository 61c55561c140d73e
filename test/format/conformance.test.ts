import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ConformanceIssue,
  ConformanceSchemaError,
  checkConformance,
} from '../../src/format/conformance.js';
import { loadReferencePackage } from '../../src/format/reference-packages.js';
import type { XdtoPackage } from '../../src/format/xdto-package.js';
import { referenceDirOrSkip } from '../helpers/reference.js';

const dir = referenceDirOrSkip();

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

const organization = {
  Ссылка: '6f1c2a3e-0b5d-4c1e-9a7f-1d2e3f4a5b6c',
  Наименование: 'ООО «Ромашка»',
  НаименованиеПолное: 'Общество с ограниченной ответственностью «Ромашка»',
  ИНН: '7701234567',
  КПП: '770101001',
  ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо',
} satisfies JsonObject;

const counterpartyKeys = {
  Ссылка: '0a8e5f7c-3b2d-4e1f-8c9a-7b6d5e4f3a2b',
  Наименование: 'АО «Василёк»',
  НаименованиеПолное: 'Акционерное общество «Василёк»',
  ИНН: '7809876543',
  КПП: '780901001',
  ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо',
} satisfies JsonObject;

const rouble = {
  Ссылка: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  ДанныеКлассификатора: { Код: '643', Наименование: 'RUB' },
} satisfies JsonObject;

const piece = {
  Ссылка: 'd4c3b2a1-f6e5-4d7c-9b8a-5f4e3d2c1b0a',
  ДанныеКлассификатора: { Код: '796', Наименование: 'шт' },
} satisfies JsonObject;

// Артикул precedes Наименование in the package's sequence.
const desk = {
  Ссылка: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
  Артикул: 'СТ-100',
  Наименование: 'Стол письменный',
} satisfies JsonObject;

const delivery = {
  Ссылка: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  Наименование: 'Доставка',
} satisfies JsonObject;

const contractKeys = {
  Ссылка: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
  ВидДоговора: 'СПокупателем',
  Организация: organization,
  Контрагент: counterpartyKeys,
  ВалютаВзаиморасчетов: rouble,
  РасчетыВУсловныхЕдиницах: false,
  Наименование: 'Договор поставки № 15',
  Дата: '2024-01-15',
  Номер: '15',
} satisfies JsonObject;

const bankAccountKeys = {
  Ссылка: '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a',
  НомерСчета: '40702810900000000001',
  Банк: {
    ДанныеКлассификатораБанков: {
      Наименование: 'ПАО Сбербанк',
      БИК: '044525225',
      КоррСчет: '30101810400000000225',
    },
  },
  Владелец: { ОрганизацииСсылка: organization },
} satisfies JsonObject;

const settlements = {
  Договор: contractKeys,
  ВалютаВзаиморасчетов: rouble,
  КурсВзаиморасчетов: '1',
  КратностьВзаиморасчетов: 1,
  РасчетыВУсловныхЕдиницах: false,
} satisfies JsonObject;

const invoiceKeys = {
  Ссылка: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
  Дата: '2024-03-01T10:15:00',
  Номер: 'ЦР00-000001',
  Организация: organization,
} satisfies JsonObject;

const saleKeys = {
  Ссылка: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d',
  Дата: '2024-03-04T16:00:00',
  Номер: 'БП00-000007',
  Организация: organization,
} satisfies JsonObject;

const goodsRow = {
  НомерСтрокиДокумента: 1,
  ДанныеНоменклатуры: { Номенклатура: desk },
  ЕдиницаИзмерения: piece,
  Количество: '2',
  Сумма: '30000.00',
  Цена: '15000.00',
  СтавкаНДС: 'НДС20',
  СуммаНДС: '5000.00',
} satisfies JsonObject;

const serviceRow = {
  НомерСтрокиДокумента: 1,
  Номенклатура: delivery,
  Количество: '1',
  Сумма: '6000.00',
  Цена: '6000.00',
  СтавкаНДС: 'НДС20',
  СуммаНДС: '1000.00',
  Содержание: 'Доставка до склада покупателя',
} satisfies JsonObject;

const samples = {
  'Справочник.Контрагенты': {
    КлючевыеСвойства: counterpartyKeys,
    ОКПО: '12345678',
    КонтактнаяИнформация: [
      { ВидКонтактнойИнформации: 'Телефон', ЗначенияПолей: '+7 812 555-01-02' },
      { ВидКонтактнойИнформации: 'АдресЭлектроннойПочты', ЗначенияПолей: 'info@vasilek.example' },
    ],
    ДополнительныеРеквизиты: [
      { ЗначениеСвойства: { Строка: 'Ключевой клиент' }, Свойство: { Наименование: 'Категория' } },
    ],
    ОсновнойБанковскийСчет: bankAccountKeys,
    ОсновнойДоговор: contractKeys,
  },
  'Справочник.Номенклатура': {
    КлючевыеСвойства: desk,
    ТипНоменклатуры: 'Товар',
    Описание: 'Стол письменный, 120×60 см',
    ЕдиницаИзмерения: piece,
    СтавкаНДС: 'НДС20',
    Весовой: false,
  },
  'Справочник.Организации': {
    КлючевыеСвойства: organization,
    Префикс: 'БП',
    ОГРН: '1027700000001',
    КонтактнаяИнформация: [
      { ВидКонтактнойИнформации: 'ЮридическийАдрес', ЗначенияПолей: 'Москва, ул. Лесная, 1' },
    ],
    ОсновнойБанковскийСчет: bankAccountKeys,
    ЯвляетсяНерезидентом: false,
  },
  'Справочник.Договоры': {
    КлючевыеСвойства: contractKeys,
    СрокДействия: '2024-12-31',
    Комментарий: 'Отсрочка 30 дней',
    СрокКонтроляОплатыВДнях: 30,
  },
  'Справочник.ЕдиницыИзмерения': {
    КлючевыеСвойства: piece,
    НаименованиеПолное: 'Штука',
  },
  'Справочник.Валюты': {
    КлючевыеСвойства: rouble,
    НаименованиеПолное: 'Российский рубль',
    ЗагружаетсяИзИнтернета: false,
    ПараметрыПрописи: 'рубль, рубля, рублей, м, копейка, копейки, копеек, ж, 2',
    Наценка: '0.00',
  },
  'Справочник.БанковскиеСчета': {
    КлючевыеСвойства: bankAccountKeys,
    Наименование: 'Расчетный счет в ПАО Сбербанк',
    ВалютаДенежныхСредств: rouble,
    ВидСчета: 'Расчетный',
    ДатаОткрытия: '2020-03-01',
  },
  'Документ.СчетПокупателю': {
    КлючевыеСвойства: invoiceKeys,
    Валюта: rouble,
    Сумма: '36000.00',
    Контрагент: counterpartyKeys,
    ДанныеВзаиморасчетов: settlements,
    СуммаВключаетНДС: true,
    БанковскийСчетОрганизации: bankAccountKeys,
    Товары: [goodsRow],
    Услуги: [serviceRow],
  },
  'Документ.РеализацияТоваровУслуг': {
    КлючевыеСвойства: saleKeys,
    ВидОперации: 'РеализацияКлиенту',
    Валюта: rouble,
    Сумма: '36000.00',
    СуммаВключаетНДС: true,
    Контрагент: counterpartyKeys,
    ДанныеВзаиморасчетов: settlements,
    СчетПокупателю: invoiceKeys,
    Товары: [goodsRow, { ...goodsRow, НомерСтрокиДокумента: 2, Количество: '0.5', Сумма: '7500.00' }],
    Услуги: [serviceRow],
  },
  'Документ.ПБДСРасчетыСКонтрагентами': {
    КлючевыеСвойства: {
      Ссылка: '4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
      Дата: '2024-03-05T09:00:00',
      Номер: 'БП00-000003',
      Организация: organization,
    },
    ОбщиеДанные: {
      ДатаВыписки: '2024-03-05',
      ДатаВходящегоДокумента: '2024-03-05',
      НомерВходящегоДокумента: '512',
      ТипПлатежногоДокумента: 'ПлатежноеПоручение',
      Валюта: rouble,
      Сумма: '36000.00',
      БанковскийСчетОрганизации: bankAccountKeys,
      НазначениеПлатежа: 'Оплата по счету № ЦР00-000001 от 01.03.2024, в т.ч. НДС 20% 6000.00',
    },
    ВидРасчетов: 'СПокупателем',
    Контрагент: counterpartyKeys,
    РасшифровкаПлатежа: [
      {
        Сумма: '36000.00',
        СуммаНДС: '6000.00',
        СтавкаНДС: 'НДС20',
        ДанныеВзаиморасчетов: settlements,
        ВидРасчетовРасширенный: { ВидРасчетовСПокупателямиПоставщиками: 'Долг' },
        СпособПогашенияЗадолженности: 'ПоДокументу',
        ДокументРасчетов: { РеализацияТоваровУслугСсылка: saleKeys },
      },
    ],
  },
  УдалениеОбъекта: {
    СсылкаНаОбъект: { СсылкаНаОбъект: { КонтрагентыСсылка: '0a8e5f7c-3b2d-4e1f-8c9a-7b6d5e4f3a2b' } },
  },
} satisfies Record<string, JsonObject>;

type SampleType = keyof typeof samples;

/** The sample with one property, at a dotted path, replaced (or dropped when `value` is undefined). */
function changed(type: SampleType, path: string, value: Json | undefined): JsonObject {
  const edit = (node: Json, keys: readonly string[]): Json => {
    const [key, ...rest] = keys;
    if (key === undefined) return value ?? null;
    if (Array.isArray(node)) {
      return node.map((item: Json, index: number) => (String(index) === key ? edit(item, rest) : item));
    }
    if (typeof node !== 'object' || node === null) throw new Error(`cannot descend into ${key}`);
    const entries = Object.entries(node as JsonObject).flatMap(([name, item]): [string, Json][] => {
      if (name !== key) return [[name, item]];
      return rest.length === 0 && value === undefined ? [] : [[name, edit(item, rest)]];
    });
    if (!(key in node) && rest.length === 0 && value !== undefined) entries.push([key, value]);
    return Object.fromEntries(entries);
  };
  return edit(samples[type], path.split('.')) as JsonObject;
}

describe.runIf(dir !== undefined)('checking exchange objects against the 1.8.6 package', () => {
  let enterpriseData: XdtoPackage;
  let exchangeMessage: XdtoPackage;

  beforeAll(async () => {
    enterpriseData = await loadReferencePackage(dir!, 'EnterpriseData_1_8_6');
    exchangeMessage = await loadReferencePackage(dir!, 'ExchangeMessage');
  });

  const check = (type: string, value: unknown): ConformanceIssue[] =>
    checkConformance(enterpriseData, type, value, { imports: [exchangeMessage] });
  /** Issues as "code path", the compact form the assertions compare. */
  const found = (type: string, value: unknown): string[] =>
    check(type, value).map((issue) => `${issue.code} ${issue.path}`);

  describe('given a well-formed sample of each exchanged type', () => {
    it.each(Object.keys(samples) as SampleType[])('finds no issue in %s', (type) => {
      expect(check(type, samples[type])).toEqual([]);
    });
  });

  describe('given a sample broken in one place', () => {
    it('reports a property the type does not declare', () => {
      const issues = check(
        'Справочник.Контрагенты',
        changed('Справочник.Контрагенты', 'Телефон', '+7 812 555-01-02'),
      );
      expect(issues).toEqual([
        {
          path: 'Телефон',
          code: 'unknown_property',
          message: 'Телефон: not a property of Справочник.Контрагенты, got "+7 812 555-01-02"',
        },
      ]);
    });

    it('reports a property written before one that precedes it in the sequence', () => {
      const keys = { Ссылка: desk.Ссылка, Наименование: desk.Наименование, Артикул: desk.Артикул };
      const issues = check(
        'Справочник.Номенклатура',
        changed('Справочник.Номенклатура', 'КлючевыеСвойства', keys),
      );
      expect(issues.map((issue) => `${issue.code} ${issue.path}`)).toEqual([
        'out_of_order КлючевыеСвойства.Артикул',
      ]);
      expect(issues[0]?.message).toBe(
        'Артикул: expected before Наименование (the sequence of КлючевыеСвойстваНоменклатура), got after it',
      );
    });

    it('reports a missing required property, however deep', () => {
      expect(
        found(
          'Справочник.Контрагенты',
          changed('Справочник.Контрагенты', 'КлючевыеСвойства.Наименование', undefined),
        ),
      ).toEqual(['missing_required КлючевыеСвойства.Наименование']);
      expect(
        found(
          'Документ.СчетПокупателю',
          changed('Документ.СчетПокупателю', 'Товары.0.ДанныеНоменклатуры.Номенклатура', undefined),
        ),
      ).toEqual(['missing_required Товары[0].ДанныеНоменклатуры.Номенклатура']);
    });

    it('reports a string longer than its maxLength', () => {
      const issues = check(
        'Справочник.Контрагенты',
        changed('Справочник.Контрагенты', 'КлючевыеСвойства.ИНН', '7809876543210'),
      );
      expect(issues).toEqual([
        {
          path: 'КлючевыеСвойства.ИНН',
          code: 'too_long',
          message: 'ИНН: expected at most 12 characters (xs:string maxLength 12), got 13 ("7809876543210")',
        },
      ]);
    });

    it('reports a string shorter than its length or minLength', () => {
      expect(found('ОбщиеСвойстваПлатежиВБюджет', { СтатусСоставителя: '1', ОКАТО: '' })).toEqual([
        'too_short СтатусСоставителя',
        'too_short ОКАТО',
      ]);
    });

    it('reports a value outside an enumeration, naming the allowed values', () => {
      const issues = check(
        'Справочник.Контрагенты',
        changed('Справочник.Контрагенты', 'КлючевыеСвойства.ЮридическоеФизическоеЛицо', 'Юрлицо'),
      );
      expect(issues).toEqual([
        {
          path: 'КлючевыеСвойства.ЮридическоеФизическоеЛицо',
          code: 'bad_enum',
          message:
            'ЮридическоеФизическоеЛицо: expected one of ЮридическоеЛицо, ФизическоеЛицо (ЮридическоеФизическоеЛицо), got "Юрлицо"',
        },
      ]);
      expect(
        found('Документ.СчетПокупателю', changed('Документ.СчетПокупателю', 'Товары.0.СтавкаНДС', 'НДС21')),
      ).toEqual(['bad_enum Товары[0].СтавкаНДС']);
      expect(
        found(
          'Справочник.Договоры',
          changed('Справочник.Договоры', 'КлючевыеСвойства.ВидДоговора', 'Аренда'),
        ),
      ).toEqual(['bad_enum КлючевыеСвойства.ВидДоговора']);
    });

    it('accepts the values a declared extension adds to an enumeration, and only those', () => {
      const invoice = 'Документ.СчетПокупателю';
      const at22 = changed(invoice, 'Товары.0.СтавкаНДС', 'НДС22');
      const extraEnumerations = { СтавкиНДС: ['НДС22', 'НДС22_122'] };
      const withExtension = (value: unknown) =>
        checkConformance(enterpriseData, invoice, value, {
          imports: [exchangeMessage],
          extraEnumerations,
        }).map((issue) => `${issue.code} ${issue.path}`);
      expect(found(invoice, at22)).toEqual(['bad_enum Товары[0].СтавкаНДС']);
      expect(withExtension(at22)).toEqual([]);
      expect(withExtension(changed(invoice, 'Товары.0.СтавкаНДС', 'НДС22_122'))).toEqual([]);
      // The package's own values still pass; values of no one's list still fail.
      expect(withExtension(samples[invoice])).toEqual([]);
      expect(withExtension(changed(invoice, 'Товары.0.СтавкаНДС', 'НДС21'))).toEqual([
        'bad_enum Товары[0].СтавкаНДС',
      ]);
      // An extension widens an enumeration; it never narrows a type that has none.
      expect(
        checkConformance(enterpriseData, 'ТипНомерДокумента', 'БП00-000007', {
          extraEnumerations: { ТипНомерДокумента: ['X'] },
        }),
      ).toEqual([]);
    });

    it('reports a value that does not match the type pattern', () => {
      expect(found('ТипДатаФНС', '15.03.2024')).toEqual([]);
      expect(found('ТипДатаФНС', '32.03.2024')).toEqual(['bad_pattern ']);
    });

    it('reports a reference that is not a UUID', () => {
      const issues = check(
        'Справочник.Контрагенты',
        changed('Справочник.Контрагенты', 'КлючевыеСвойства.Ссылка', 'CP-0001'),
      );
      expect(issues).toEqual([
        {
          path: 'КлючевыеСвойства.Ссылка',
          code: 'bad_ref',
          message: 'Ссылка: expected a reference UUID, got "CP-0001"',
        },
      ]);
    });

    it('reports values of the wrong JSON kind or spelling for each XML Schema type', () => {
      const invoice = 'Документ.СчетПокупателю';
      expect(found(invoice, changed(invoice, 'Товары.0.Количество', 2))).toEqual([
        'wrong_type Товары[0].Количество',
      ]);
      expect(found(invoice, changed(invoice, 'Сумма', '36 000,00'))).toEqual(['wrong_type Сумма']);
      expect(found(invoice, changed(invoice, 'СуммаВключаетНДС', 'true'))).toEqual([
        'wrong_type СуммаВключаетНДС',
      ]);
      expect(found(invoice, changed(invoice, 'КлючевыеСвойства.Дата', '2024-03-01 10:15'))).toEqual([
        'wrong_type КлючевыеСвойства.Дата',
      ]);
      expect(found(invoice, changed(invoice, 'КлючевыеСвойства.Дата', '2024-02-30T10:15:00'))).toEqual([
        'wrong_type КлючевыеСвойства.Дата',
      ]);
      expect(found(invoice, changed(invoice, 'Товары.0.НомерСтрокиДокумента', '1'))).toEqual([
        'wrong_type Товары[0].НомерСтрокиДокумента',
      ]);
      expect(found(invoice, changed(invoice, 'КлючевыеСвойства.Номер', 1))).toEqual([
        'wrong_type КлючевыеСвойства.Номер',
      ]);
      expect(
        found('Справочник.Договоры', changed('Справочник.Договоры', 'СрокДействия', '31.12.2024')),
      ).toEqual(['wrong_type СрокДействия']);
      const message = check(invoice, changed(invoice, 'Товары.0.Количество', 2))[0]?.message;
      expect(message).toBe(
        'Количество: expected a decimal (xs:decimal) as a string like "1234.50", got number 2',
      );
    });

    it('reports a tabular section not written as the array of its rows', () => {
      const invoice = 'Документ.СчетПокупателю';
      expect(found(invoice, changed(invoice, 'Товары', { Строка: [goodsRow] }))).toEqual([
        'wrong_type Товары',
      ]);
      expect(found(invoice, changed(invoice, 'Товары', goodsRow))).toEqual(['wrong_type Товары']);
      expect(found(invoice, changed(invoice, 'КлючевыеСвойства', [invoiceKeys]))).toEqual([
        'wrong_type КлючевыеСвойства',
      ]);
    });

    it('reports an integer outside the range of its type', () => {
      const invoice = 'Документ.СчетПокупателю';
      expect(found(invoice, changed(invoice, 'Товары.0.НомерСтрокиДокумента', 2147483648))).toEqual([
        'out_of_range Товары[0].НомерСтрокиДокумента',
      ]);
    });

    it('reports decimals with more digits than totalDigits or fractionDigits allow', () => {
      const invoice = 'Документ.СчетПокупателю';
      expect(found(invoice, changed(invoice, 'Сумма', '1234567890123456.00'))).toEqual([
        'too_many_digits Сумма',
      ]);
      expect(found(invoice, changed(invoice, 'Сумма', '36000.005'))).toEqual([
        'too_many_fraction_digits Сумма',
      ]);
      // XSD counts the value's digits: trailing zeros after the point do not count.
      expect(found(invoice, changed(invoice, 'Сумма', '36000.5000'))).toEqual([]);
      // 1C reads Наценка (totalDigits 10, fractionDigits 2) as Number(10, 2): 8 digits before the point.
      expect(check('Справочник.Валюты', changed('Справочник.Валюты', 'Наценка', '123456789.00'))).toEqual([
        {
          path: 'Наценка',
          code: 'too_many_digits',
          message:
            'Наценка: expected at most 8 digits before the point (xs:decimal totalDigits 10 fractionDigits 2), got 9 in "123456789.00"',
        },
      ]);
      expect(found('Справочник.Валюты', changed('Справочник.Валюты', 'Наценка', '12345678.99'))).toEqual([]);
    });

    it('reports null for a property that is not nillable, and accepts it for one that is', () => {
      const invoice = 'Документ.СчетПокупателю';
      expect(check(invoice, changed(invoice, 'Товары.0.Сумма', null))).toEqual([
        { path: 'Товары[0].Сумма', code: 'not_nillable', message: 'Сумма: expected ТипСумма, got null' },
      ]);
      expect(found('ОбщиеСвойстваПлатежиВБюджет', { СтатусСоставителя: null })).toEqual([]);
    });

    it('reports too few rows where the package requires at least one', () => {
      const payment = 'Документ.ПБДСРасчетыСКонтрагентами';
      expect(found(payment, changed(payment, 'РасшифровкаПлатежа', []))).toEqual([
        'too_few РасшифровкаПлатежа',
      ]);
      expect(
        found('Справочник.Контрагенты', changed('Справочник.Контрагенты', 'ДополнительныеРеквизиты', [])),
      ).toEqual(['too_few ДополнительныеРеквизиты']);
    });

    it('reports a choice with none or more than one alternative', () => {
      const twoRefs = {
        СсылкаНаОбъект: {
          СсылкаНаОбъект: { ДоговорыСсылка: contractKeys.Ссылка, КонтрагентыСсылка: counterpartyKeys.Ссылка },
        },
      };
      expect(found('УдалениеОбъекта', twoRefs)).toEqual(['bad_choice СсылкаНаОбъект.СсылкаНаОбъект']);
      expect(found('УдалениеОбъекта', { СсылкаНаОбъект: { СсылкаНаОбъект: {} } })).toEqual([
        'bad_choice СсылкаНаОбъект.СсылкаНаОбъект',
      ]);
      const message = check('УдалениеОбъекта', twoRefs)[0]?.message ?? '';
      expect(message).toMatch(
        /^СсылкаНаОбъект: expected exactly one of .* \(\d+ alternatives\) \(an inline object type\)/,
      );
      expect(message).toContain('got ДоговорыСсылка and КонтрагентыСсылка');
      // The reference type inside the choice is still checked.
      expect(
        found('УдалениеОбъекта', { СсылкаНаОбъект: { СсылкаНаОбъект: { ДоговорыСсылка: 'договор 15' } } }),
      ).toEqual(['bad_ref СсылкаНаОбъект.СсылкаНаОбъект.ДоговорыСсылка']);
    });

    it('accepts any member of a union type and reports a value fitting none', () => {
      expect(found('ОбщиеСвойстваПлатежиВБюджет', { ПоказательДаты: '0' })).toEqual([]);
      expect(found('ОбщиеСвойстваПлатежиВБюджет', { ПоказательДаты: '15.03.2024' })).toEqual([]);
      expect(check('ОбщиеСвойстваПлатежиВБюджет', { ПоказательДаты: 'вчера' })).toEqual([
        {
          path: 'ПоказательДаты',
          code: 'wrong_type',
          message: 'ПоказательДаты: expected a value of ТипДатаФНС or ТипНоль, got "вчера"',
        },
      ]);
    });

    it('checks a wrapper type on its own as the array of its rows', () => {
      expect(found('КонтактнаяИнформация', samples['Справочник.Контрагенты'].КонтактнаяИнформация)).toEqual(
        [],
      );
      expect(
        found('КонтактнаяИнформация', [{ ВидКонтактнойИнформации: 'Почта', ЗначенияПолей: 'x' }]),
      ).toEqual(['bad_enum [0].ВидКонтактнойИнформации']);
    });
  });

  it('reports more items than a bounded repeated property allows (ExchangeMessage header)', () => {
    const header = {
      Format: 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.8',
      CreationDate: '2024-03-05T09:00:00',
      AvailableVersion: Array.from({ length: 101 }, (_, index) => `1.${index}`),
    };
    expect(checkConformance(exchangeMessage, 'Header', header)).toEqual([
      {
        path: 'AvailableVersion',
        code: 'too_many',
        message: 'AvailableVersion: expected at most 100 items, got 101',
      },
    ]);
    expect(checkConformance(exchangeMessage, 'Header', { ...header, AvailableVersion: ['1.8'] })).toEqual([]);
  });

  it('refuses to check when the package cannot resolve a type, instead of passing silently', () => {
    expect(() =>
      checkConformance(enterpriseData, 'Справочник.Контрагенты', samples['Справочник.Контрагенты']),
    ).toThrow(ConformanceSchemaError);
    expect(() => checkConformance(enterpriseData, 'Справочник.Контрагенты', {})).toThrow(/options\.imports/);
    expect(() => check('Справочник.Клиенты', {})).toThrow(/Справочник\.Клиенты is not defined/);
  });
});
