import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmConversion } from '../../../src/apps/conversion/crm-conversion.js';
import { ConversionError, type FormatEntry } from '../../../src/exchange/conversion.js';
import { contextFor, type DataSet, givenCrmData, peerRefOf } from './fixtures.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** A copy of `value` with the node at `path` replaced, or removed when `replacement` is undefined. */
function edited(value: Json, path: Path, replacement: Json | undefined): Json {
  const [key, ...rest] = path;
  if (key === undefined) return replacement ?? null;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && replacement === undefined) copy.splice(Number(key), 1);
    else copy[Number(key)] = edited(copy[Number(key)] ?? null, rest, replacement);
    return copy;
  }
  if (typeof value !== 'object' || value === null) throw new Error(`cannot descend into ${String(key)}`);
  const copy = { ...value };
  if (rest.length === 0 && replacement === undefined) delete copy[key];
  else copy[key] = edited(copy[key] ?? null, rest, replacement);
  return copy;
}

/** Every node's path inside a value, the value itself included. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const children: [string | number, Json][] = Array.isArray(value)
    ? value.map((item, index): [number, Json] => [index, item])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : [];
  return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

/** The error fromFormat throws, or a failure if it returns. */
function rejection(entry: unknown): unknown {
  try {
    crmConversion.fromFormat(entry as FormatEntry);
  } catch (error) {
    return error;
  }
  throw new Error(`accepted ${JSON.stringify(entry).slice(0, 200)}`);
}

describe('reading malformed entries from the network', () => {
  let data: DataSet;
  /** A valid entry of every exchanged type, as it travels (plain JSON), by format type. */
  const valid = new Map<string, Json>();

  beforeAll(async () => {
    data = await givenCrmData();
    const context = contextFor(crmConversion, data);
    for (const { type, object } of data.samples.values()) {
      const formatType = crmConversion.types.find((candidate) => candidate.localType === type)?.formatType;
      if (formatType === undefined || valid.has(formatType)) continue;
      const entry = await crmConversion.toFormat(type, object, peerRefOf(data, object.ref), context);
      valid.set(formatType, JSON.parse(JSON.stringify(entry)) as Json);
    }
    valid.set(
      'УдалениеОбъекта',
      crmConversion.deletion('counterparty', '0a8e5f7c-3b2d-4e1f-8c9a-7b6d5e4f3a2b') as unknown as Json,
    );
  });
  afterAll(() => data?.cleanup());

  const entryOf = (formatType: string): Json => {
    const entry = valid.get(formatType);
    if (entry === undefined) throw new Error(`no valid ${formatType}`);
    return entry;
  };
  /** A valid entry with one property of its object changed (dotted path, [n] for rows). */
  const change = (formatType: string, path: string, value: Json | undefined): Json =>
    edited(entryOf(formatType), ['object', ...path.split(/\.|\[|\]\.?/).filter(Boolean)], value);

  const counterparty = 'Справочник.Контрагенты';
  const invoice = 'Документ.СчетПокупателю';
  const payment = 'Документ.ПБДСРасчетыСКонтрагентами';
  const deletion = 'УдалениеОбъекта';

  const cases: { name: string; entry: () => unknown; path: string }[] = [
    { name: 'an entry that is not an object', entry: () => counterparty, path: 'entry' },
    { name: 'an entry without a type', entry: () => ({ object: {} }), path: 'type' },
    {
      name: 'a type no one exchanges',
      entry: () => ({ type: 'Справочник.Склады', object: {} }),
      path: 'type',
    },
    { name: 'an object that is an array', entry: () => ({ type: counterparty, object: [] }), path: 'object' },
    {
      name: 'no КлючевыеСвойства',
      entry: () => change(counterparty, 'КлючевыеСвойства', undefined),
      path: 'КлючевыеСвойства',
    },
    {
      name: 'a Ссылка that is not a UUID',
      entry: () => change(counterparty, 'КлючевыеСвойства.Ссылка', 'CP-0001'),
      path: 'КлючевыеСвойства.Ссылка',
    },
    {
      name: 'a counterparty without its required name',
      entry: () => change(counterparty, 'КлючевыеСвойства.Наименование', undefined),
      path: 'КлючевыеСвойства.Наименование',
    },
    {
      name: 'an INN as a number',
      entry: () => change(counterparty, 'КлючевыеСвойства.ИНН', 7809876543),
      path: 'КлючевыеСвойства.ИНН',
    },
    {
      name: 'a legal form outside the enumeration',
      entry: () => change(counterparty, 'КлючевыеСвойства.ЮридическоеФизическоеЛицо', 'Юрлицо'),
      path: 'КлючевыеСвойства.ЮридическоеФизическоеЛицо',
    },
    {
      name: 'a contact row without its value',
      entry: () => change(counterparty, 'КонтактнаяИнформация[0].ЗначенияПолей', undefined),
      path: 'КонтактнаяИнформация[0].ЗначенияПолей',
    },
    {
      name: 'a product without ТипНоменклатуры',
      entry: () => change('Справочник.Номенклатура', 'ТипНоменклатуры', undefined),
      path: 'ТипНоменклатуры',
    },
    {
      name: 'a product unit given as text',
      entry: () => change('Справочник.Номенклатура', 'ЕдиницаИзмерения', 'шт'),
      path: 'ЕдиницаИзмерения',
    },
    {
      name: 'a bank account with two owners',
      entry: () => {
        const owner = { Наименование: 'АО «Василёк»', ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо' };
        const both = { ОрганизацииСсылка: owner, КонтрагентыСсылка: owner };
        return change('Справочник.БанковскиеСчета', 'КлючевыеСвойства.Владелец', both);
      },
      path: 'КлючевыеСвойства.Владелец',
    },
    { name: 'an amount as a JSON number', entry: () => change(invoice, 'Сумма', 36015), path: 'Сумма' },
    {
      name: 'a document date that does not exist',
      entry: () => change(invoice, 'КлючевыеСвойства.Дата', '2026-02-30T10:00:00'),
      path: 'КлючевыеСвойства.Дата',
    },
    {
      name: 'Товары as one row instead of an array',
      entry: () => change(invoice, 'Товары', {}),
      path: 'Товары',
    },
    {
      name: 'a quantity with a decimal comma',
      entry: () => change(invoice, 'Товары[0].Количество', '2,5'),
      path: 'Товары[0].Количество',
    },
    {
      name: 'a VAT rate of the package that we do not keep',
      entry: () => change(invoice, 'Товары[0].СтавкаНДС', 'НДС4'),
      path: 'Товары[0].СтавкаНДС',
    },
    {
      name: 'a line number of zero',
      entry: () => change(invoice, 'Товары[0].НомерСтрокиДокумента', 0),
      path: 'Товары[0].НомерСтрокиДокумента',
    },
    {
      name: 'a reference whose Ссылка is not a UUID',
      entry: () => change(invoice, 'Контрагент.Ссылка', 42),
      path: 'Контрагент.Ссылка',
    },
    {
      name: 'a nested reference without a required key property',
      entry: () => change(invoice, 'ДанныеВзаиморасчетов.Договор.Контрагент.Наименование', undefined),
      path: 'ДанныеВзаиморасчетов.Договор.Контрагент.Наименование',
    },
    {
      name: 'a payment without ОбщиеДанные',
      entry: () => change(payment, 'ОбщиеДанные', undefined),
      path: 'ОбщиеДанные',
    },
    {
      name: 'a payment with no breakdown row',
      entry: () => change(payment, 'РасшифровкаПлатежа', []),
      path: 'РасшифровкаПлатежа',
    },
    {
      name: 'a deletion mark that is not a boolean',
      entry: () => change(invoice, 'AdditionalInfo.ibsync.deleted', 'yes'),
      path: 'AdditionalInfo.ibsync.deleted',
    },
    {
      name: 'a deletion of a type no one exchanges',
      entry: () => ({
        type: deletion,
        object: {
          СсылкаНаОбъект: { СсылкаНаОбъект: { СкладыСсылка: '0a8e5f7c-3b2d-4e1f-8c9a-7b6d5e4f3a2b' } },
        },
      }),
      path: 'СсылкаНаОбъект.СсылкаНаОбъект.СкладыСсылка',
    },
    {
      name: 'a deletion naming two objects',
      entry: () =>
        change(
          deletion,
          'СсылкаНаОбъект.СсылкаНаОбъект.ДоговорыСсылка',
          '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
        ),
      path: 'СсылкаНаОбъект.СсылкаНаОбъект',
    },
    {
      name: 'a deletion whose ref is not a UUID',
      entry: () => change(deletion, 'СсылкаНаОбъект.СсылкаНаОбъект.КонтрагентыСсылка', 'Василёк'),
      path: 'СсылкаНаОбъект.СсылкаНаОбъект.КонтрагентыСсылка',
    },
  ];

  it.each(cases)('rejects $name with a ConversionError naming $path', ({ entry, path }) => {
    const error = rejection(entry());
    expect(error).toBeInstanceOf(ConversionError);
    expect(error).toMatchObject({ path });
    expect((error as ConversionError).message.startsWith(`${path}: `)).toBe(true);
  });

  it('accepts every valid entry the table starts from', () => {
    for (const entry of valid.values())
      expect(() => crmConversion.fromFormat(entry as FormatEntry)).not.toThrow();
  });

  /** fromFormat may return or throw a ConversionError; anything else (a TypeError…) is a bug. */
  const readsOrRefuses = (entry: unknown): boolean => {
    try {
      crmConversion.fromFormat(entry as FormatEntry);
      return true;
    } catch (error) {
      if (error instanceof ConversionError) return true;
      throw error;
    }
  };

  it('never throws anything but a ConversionError for any value at all', () => {
    fc.assert(fc.property(fc.anything(), readsOrRefuses), { numRuns: 500 });
  });

  it('never throws anything but a ConversionError for random JSON under a known type', () => {
    const types = [...valid.keys()];
    fc.assert(
      fc.property(fc.record({ type: fc.constantFrom(...types), object: fc.jsonValue() }), readsOrRefuses),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a ConversionError for a valid entry changed anywhere', () => {
    const entries = [...valid.values()].map((entry) => ({ entry, paths: pathsOf(entry) }));
    const mutation = fc.record({
      which: fc.nat(),
      where: fc.nat(),
      replacement: fc.option(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, { nil: undefined }),
    });
    fc.assert(
      fc.property(mutation, ({ which, where, replacement }) => {
        const { entry, paths } = entries[which % entries.length]!;
        return readsOrRefuses(edited(entry, paths[where % paths.length]!, replacement));
      }),
      { numRuns: 3000 },
    );
  });
});
