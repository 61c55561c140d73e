import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadReferencePackage,
  REFERENCE_PACKAGE_NAMES,
  type ReferencePackageName,
  referencePackageFile,
} from '../../src/format/reference-packages.js';
import {
  parseXdtoPackage,
  type QName,
  type XdtoObjectType,
  type XdtoPackage,
  XdtoPackageError,
  type XdtoProperty,
  type XdtoType,
  XS_NAMESPACE,
} from '../../src/format/xdto-package.js';
import { referenceDirOrSkip } from '../helpers/reference.js';

const ED_1_8 = 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.8';
const MESSAGE = 'http://www.1c.ru/SSL/Exchange/Message';
const xs = (name: string): QName => ({ namespace: XS_NAMESPACE, name });
const ed = (name: string): QName => ({ namespace: ED_1_8, name });

const dir = referenceDirOrSkip();

describe.runIf(dir !== undefined)('reading the real XDTO packages', () => {
  const packages = new Map<ReferencePackageName, XdtoPackage>();

  beforeAll(async () => {
    for (const name of REFERENCE_PACKAGE_NAMES) packages.set(name, await loadReferencePackage(dir!, name));
  });

  const pkg = (name: ReferencePackageName): XdtoPackage => {
    const loaded = packages.get(name);
    if (loaded === undefined) throw new Error(`${name} was not loaded`);
    return loaded;
  };
  const objectType = (name: string, from: ReferencePackageName = 'EnterpriseData_1_8_6'): XdtoObjectType => {
    const type = pkg(from).objectTypes.get(name);
    if (type === undefined) throw new Error(`no object type ${name}`);
    return type;
  };
  const property = (type: XdtoObjectType, name: string): XdtoProperty => {
    const found = type.properties.find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`${type.name ?? 'inline type'} has no property ${name}`);
    return found;
  };

  it.each([
    ['EnterpriseData_1_8_6', ED_1_8, [MESSAGE], 278, 737],
    ['EnterpriseData_1_17_3', 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.17', [MESSAGE], 328, 867],
    ['EnterpriseData_1_21_1', 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.21', [MESSAGE], 354, 904],
    ['ExchangeMessage', MESSAGE, [], 1, 11],
    ['EnterpriseDataExchange_1_0_1_1', 'http://v8.1c.ru/SSL/Exchange/EnterpriseDataExchange', [], 0, 1],
  ] as const)(
    'parses %s with its namespace, imports and every type',
    (name, namespace, imports, values, objects) => {
      expect(pkg(name).targetNamespace).toBe(namespace);
      expect(pkg(name).imports).toEqual(imports);
      expect(pkg(name).valueTypes.size).toBe(values);
      expect(pkg(name).objectTypes.size).toBe(objects);
    },
  );

  it('parses the largest package well under a second', async () => {
    const xml = await readFile(referencePackageFile(dir!, 'EnterpriseData_1_21_1'), 'utf8');
    const started = performance.now();
    parseXdtoPackage(xml);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('resolves every type reference of every package to a declared type', () => {
    const declared = new Map([...packages.values()].map((loaded) => [loaded.targetNamespace, loaded]));
    const unresolved: string[] = [];
    const check = (qname: QName, where: string) => {
      if (qname.namespace === XS_NAMESPACE) return;
      const owner = declared.get(qname.namespace);
      if (!owner?.objectTypes.has(qname.name) && !owner?.valueTypes.has(qname.name)) {
        unresolved.push(`${where} → {${qname.namespace}}${qname.name}`);
      }
    };
    const visit = (type: XdtoType, where: string): void => {
      if (type.base) check(type.base, where);
      if (type.kind === 'valueType') {
        for (const member of type.memberTypes) check(member, where);
        return;
      }
      for (const child of type.properties) {
        if (child.type.kind === 'ref') check(child.type.ref, `${where}.${child.name}`);
        else visit(child.type, `${where}.${child.name}`);
      }
    };
    let visited = 0;
    for (const loaded of packages.values()) {
      for (const [name, type] of [...loaded.valueTypes, ...loaded.objectTypes]) {
        visit(type, name);
        visited += 1;
      }
    }
    expect(visited).toBeGreaterThan(3000);
    expect(unresolved).toEqual([]);
  });

  describe('the 1.8.6 package', () => {
    it.each([
      'Справочник.Контрагенты',
      'Справочник.Номенклатура',
      'Справочник.Организации',
      'Справочник.Договоры',
      'Справочник.ЕдиницыИзмерения',
      'Справочник.Валюты',
      'Справочник.БанковскиеСчета',
      'Документ.СчетПокупателю',
      'Документ.РеализацияТоваровУслуг',
      'Документ.ПБДСРасчетыСКонтрагентами',
    ])(
      'declares %s as an open, ordered object based on the message Object with КлючевыеСвойства first',
      (name) => {
        const type = objectType(name);
        expect(type).toMatchObject({
          base: { namespace: MESSAGE, name: 'Object' },
          open: true,
          ordered: true,
        });
        expect(type.properties[0]).toMatchObject({ name: 'КлючевыеСвойства', lowerBound: 1, upperBound: 1 });
      },
    );

    it('declares УдалениеОбъекта with one required СсылкаНаОбъект of type ЛюбаяСсылка', () => {
      expect(objectType('УдалениеОбъекта')).toMatchObject({
        open: false,
        ordered: true,
        properties: [
          { name: 'СсылкаНаОбъект', type: { kind: 'ref', ref: ed('ЛюбаяСсылка') }, lowerBound: 1 },
        ],
      });
    });

    it('keeps property order and fills in the default bounds', () => {
      const counterparty = objectType('Справочник.Контрагенты');
      expect(counterparty.properties.map((item) => item.name)).toEqual([
        'КлючевыеСвойства',
        'ОКПО',
        'ДополнительнаяИнформация',
        'ДокументУдЛичность',
        'КонтактнаяИнформация',
        'ГоловнойКонтрагент',
        'ОбособленноеПодразделение',
        'ДополнительныеРеквизиты',
        'ОсновнойБанковскийСчет',
        'ОсновнойДоговор',
      ]);
      const keys = objectType('КлючевыеСвойстваКонтрагент');
      expect(property(keys, 'Наименование')).toEqual({
        name: 'Наименование',
        type: { kind: 'ref', ref: xs('string') },
        lowerBound: 1,
        upperBound: 1,
        nillable: false,
        form: 'Element',
      });
      expect(property(keys, 'Ссылка')).toMatchObject({
        type: { kind: 'ref', ref: ed('СправочникСсылка.Контрагенты') },
        lowerBound: 0,
      });
    });

    it('reads inline value typeDefs with their facets', () => {
      expect(property(objectType('КлючевыеСвойстваКонтрагент'), 'ИНН')).toMatchObject({
        lowerBound: 0,
        type: { kind: 'valueType', base: xs('string'), variety: 'Atomic', maxLength: 12 },
      });
      expect(property(objectType('Справочник.Валюты'), 'Наценка').type).toMatchObject({
        kind: 'valueType',
        base: xs('decimal'),
        totalDigits: 10,
        fractionDigits: 2,
      });
      expect(property(objectType('ОбщиеСвойстваПлатежиВБюджет'), 'СтатусСоставителя')).toMatchObject({
        nillable: true,
        type: { kind: 'valueType', length: 2 },
      });
    });

    it('reads union typeDefs whose member types are written as {namespace}name', () => {
      expect(property(objectType('ОбщиеСвойстваПлатежиВБюджет'), 'ПоказательДаты').type).toMatchObject({
        kind: 'valueType',
        variety: 'Union',
        memberTypes: [ed('ТипДатаФНС'), ed('ТипНоль')],
      });
    });

    it('reads inline object typeDefs with their nested properties and own prefixes', () => {
      const owner = property(objectType('КлючевыеСвойстваБанковскийСчет'), 'Владелец').type;
      expect(owner).toMatchObject({ kind: 'objectType', ordered: true });
      expect(owner.kind === 'objectType' && owner.properties.map((item) => [item.name, item.type])).toEqual([
        ['КонтрагентыСсылка', { kind: 'ref', ref: ed('КлючевыеСвойстваКонтрагент') }],
        ['ОрганизацииСсылка', { kind: 'ref', ref: ed('КлючевыеСвойстваОрганизация') }],
        ['ФизическиеЛицаСсылка', { kind: 'ref', ref: ed('КлючевыеСвойстваФизическоеЛицо') }],
      ]);
    });

    it('reads ЛюбаяСсылка as one property holding an unordered choice of every reference type', () => {
      const anyRef = objectType('ЛюбаяСсылка');
      expect(anyRef.properties).toHaveLength(1);
      const choice = property(anyRef, 'СсылкаНаОбъект').type;
      if (choice.kind !== 'objectType') throw new Error('expected an inline object type');
      expect(choice).toMatchObject({ ordered: false, sequenced: true });
      expect(choice.properties.length).toBeGreaterThan(150);
      expect(choice.properties.every((item) => item.lowerBound === 0 && item.upperBound === 1)).toBe(true);
      expect(property(choice, 'КонтрагентыСсылка').type).toEqual({
        kind: 'ref',
        ref: ed('СправочникСсылка.Контрагенты'),
      });
    });

    it('reads tabular sections as a wrapper type with one repeated Строка', () => {
      expect(objectType('Документ.СчетПокупателю.Товары').properties).toEqual([
        {
          name: 'Строка',
          type: { kind: 'ref', ref: ed('Документ.СчетПокупателю.Товары.Строка') },
          lowerBound: 0,
          upperBound: -1,
          nillable: false,
          form: 'Element',
        },
      ]);
      expect(property(objectType('ДополнительныеРеквизиты'), 'Строка')).toMatchObject({
        lowerBound: 1,
        upperBound: -1,
      });
    });

    it('reads reference value types as based on the message Ref, and enumerations in order', () => {
      const values = pkg('EnterpriseData_1_8_6').valueTypes;
      expect(values.get('СправочникСсылка.Контрагенты')).toMatchObject({
        base: { namespace: MESSAGE, name: 'Ref' },
      });
      expect(values.get('ДокументСсылка.СчетПокупателю')).toMatchObject({
        base: { namespace: MESSAGE, name: 'Ref' },
      });
      expect(pkg('ExchangeMessage').valueTypes.get('Ref')).toMatchObject({
        base: xs('string'),
        variety: 'Atomic',
      });
      expect(values.get('ЮридическоеФизическоеЛицо')?.enumeration).toEqual([
        'ЮридическоеЛицо',
        'ФизическоеЛицо',
      ]);
      expect(values.get('СтавкиНДС')?.enumeration).toHaveLength(13);
      expect(values.get('СтавкиНДС')?.enumeration).toContain('НДС20');
      expect(values.get('ТипСумма')).toMatchObject({
        base: xs('decimal'),
        totalDigits: 15,
        fractionDigits: 2,
      });
      expect(values.get('ТипДатаФНС')?.patterns).toHaveLength(1);
    });
  });

  it('reads the ExchangeMessage header with its bounded and nillable properties', () => {
    const header = objectType('Header', 'ExchangeMessage');
    expect(property(header, 'AvailableVersion')).toMatchObject({ upperBound: 100, lowerBound: 1 });
    expect(property(header, 'AvailableObjectTypes')).toMatchObject({ nillable: true, lowerBound: 0 });
    expect(objectType('Object', 'ExchangeMessage')).toMatchObject({
      abstract: true,
      open: false,
      properties: [{ name: 'AdditionalInfo', type: { kind: 'ref', ref: xs('anyType') }, lowerBound: 0 }],
    });
  });
});

describe('parsing package XML', () => {
  const wrap = (body: string) =>
    `<package xmlns="http://v8.1c.ru/8.1/xdto" xmlns:xs="${XS_NAMESPACE}" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="urn:t">${body}</package>`;

  it('skips a byte order mark', () => {
    expect(
      parseXdtoPackage(`\uFEFF${wrap('<valueType name="A" base="xs:string"/>')}`).valueTypes.has('A'),
    ).toBe(true);
  });

  it('scopes a prefix to the element that declares it', () => {
    const xml = wrap(
      '<objectType name="O"><property xmlns:p="urn:t" name="a" type="p:A"/><property name="b" type="p:A"/></objectType>',
    );
    expect(() => parseXdtoPackage(xml)).toThrow(XdtoPackageError);
    expect(() => parseXdtoPackage(xml)).toThrow(/prefix "p" of "p:A" is not declared/);
  });

  it('gives a property without a type xs:anyType, and keeps string enumerations as text', () => {
    const parsed = parseXdtoPackage(
      wrap(
        '<valueType name="Zero" base="xs:string"><enumeration>0</enumeration><enumeration>007</enumeration></valueType>' +
          '<objectType name="O"><property name="any"/></objectType>',
      ),
    );
    expect(parsed.valueTypes.get('Zero')?.enumeration).toEqual(['0', '007']);
    expect(parsed.objectTypes.get('O')?.properties[0]?.type).toEqual({ kind: 'ref', ref: xs('anyType') });
  });

  it('refuses what is not a package', () => {
    expect(() => parseXdtoPackage('<schema/>')).toThrow(/no <package> root/);
    expect(() => parseXdtoPackage('<package targetNamespace="urn:t"/>')).toThrow(/not in the XDTO namespace/);
    expect(() => parseXdtoPackage('<package xmlns="http://v8.1c.ru/8.1/xdto"/>')).toThrow(
      /no targetNamespace/,
    );
    expect(() =>
      parseXdtoPackage(wrap('<objectType name="O"><property name="a" lowerBound="x"/></objectType>')),
    ).toThrow(/lowerBound="x"/);
  });
});
