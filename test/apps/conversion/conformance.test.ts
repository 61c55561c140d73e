import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingConversion } from '../../../src/apps/conversion/accounting-conversion.js';
import { crmConversion } from '../../../src/apps/conversion/crm-conversion.js';
import { EXTENSION_ENUMERATIONS } from '../../../src/apps/conversion/format-values.js';
import type { ConversionRules, FormatEntry } from '../../../src/exchange/conversion.js';
import { ConversionError } from '../../../src/exchange/conversion.js';
import { checkConformance } from '../../../src/format/conformance.js';
import { loadReferencePackage } from '../../../src/format/reference-packages.js';
import type { XdtoPackage } from '../../../src/format/xdto-package.js';
import { referenceDirOrSkip } from '../../helpers/reference.js';
import { contextFor, type DataSet, givenAccountingData, givenCrmData, peerRefOf } from './fixtures.js';

const dir = referenceDirOrSkip();

describe.runIf(dir !== undefined)(
  'objects converted to EnterpriseData 1.8 against the real 1.8.6 package',
  () => {
    let enterpriseData: XdtoPackage;
    let exchangeMessage: XdtoPackage;
    let crmData: DataSet;
    let accountingData: DataSet;

    beforeAll(async () => {
      enterpriseData = await loadReferencePackage(dir!, 'EnterpriseData_1_8_6');
      exchangeMessage = await loadReferencePackage(dir!, 'ExchangeMessage');
      crmData = await givenCrmData();
      accountingData = await givenAccountingData();
    });
    afterAll(async () => {
      await crmData?.cleanup();
      await accountingData?.cleanup();
    });

    /** Issues as "code path"; the 22% extension is declared, so its values are allowed. */
    const issues = (type: string, value: unknown, options: { extension: boolean } = { extension: true }) =>
      checkConformance(enterpriseData, type, value, {
        imports: [exchangeMessage],
        ...(options.extension ? { extraEnumerations: EXTENSION_ENUMERATIONS } : {}),
      }).map((issue) => `${issue.code} ${issue.path}: ${issue.message}`);

    /** The package's type of a format type's КлючевыеСвойства, e.g. КлючевыеСвойстваКонтрагент. */
    const keyPropertiesType = (formatType: string): string => {
      const property = enterpriseData.objectTypes
        .get(formatType)
        ?.properties.find((p) => p.name === 'КлючевыеСвойства');
      if (property?.type.kind !== 'ref') throw new Error(`${formatType} has no named КлючевыеСвойства type`);
      return property.type.ref.name;
    };

    async function convertAll(
      rules: ConversionRules,
      data: DataSet,
      withObjects = true,
    ): Promise<FormatEntry[]> {
      const context = contextFor(rules, data, { withObjects });
      const entries: FormatEntry[] = [];
      for (const { localType } of rules.types) {
        for (const { type, object } of data.samples.values()) {
          if (type === localType)
            entries.push(await rules.toFormat(type, object, peerRefOf(data, object.ref), context));
        }
      }
      return entries;
    }

    it.each(crmConversion.types.map((type) => [type.localType, type.formatType]))(
      'writes every CRM %s as a %s with no issue',
      async (localType, formatType) => {
        const context = contextFor(crmConversion, crmData);
        const samples = [...crmData.samples.values()].filter((sample) => sample.type === localType);
        expect(samples.length).toBeGreaterThan(0);
        for (const { object } of samples) {
          const peerRef = peerRefOf(crmData, object.ref);
          const entry = await crmConversion.toFormat(localType, object, peerRef, context);
          expect(entry.type).toBe(formatType);
          expect(issues(formatType, entry.object), `${localType} ${object.ref}`).toEqual([]);
          const keys = await crmConversion.keyProperties(localType, object, peerRef, context);
          expect(issues(keyPropertiesType(formatType), keys)).toEqual([]);
          expect(entry.object.КлючевыеСвойства).toEqual(keys);
        }
      },
    );

    it('puts AdditionalInfo first and КлючевыеСвойства (with the peer ref as Ссылка) second', async () => {
      for (const entry of await convertAll(crmConversion, crmData)) {
        expect(Object.keys(entry.object).slice(0, 2)).toEqual(['AdditionalInfo', 'КлючевыеСвойства']);
        expect(entry.object.AdditionalInfo).toEqual({ ibsync: expect.objectContaining({ createdIn: 'CR' }) });
      }
      const romashka = crmData.named.romashka!;
      const entry = await crmConversion.toFormat(
        'organization',
        romashka,
        peerRefOf(crmData, romashka.ref),
        contextFor(crmConversion, crmData),
      );
      expect(entry.object.КлючевыеСвойства).toMatchObject({ Ссылка: '6f1c2a3e-0b5d-4c1e-9a7f-1d2e3f4a5b6c' });
    });

    it('conforms as well when the exporter offers only key properties (every line in Товары)', async () => {
      const entries = await convertAll(crmConversion, crmData, false);
      for (const entry of entries) expect(issues(entry.type, entry.object)).toEqual([]);
      const sale = entries.find((entry) => entry.type === 'Документ.РеализацияТоваровУслуг')!;
      expect(sale.object.Услуги).toBeUndefined();
      expect(sale.object.Товары).toHaveLength(3);
    });

    it('writes Accounting objects that conform too', async () => {
      const entries = await convertAll(accountingConversion, accountingData);
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) expect(issues(entry.type, entry.object)).toEqual([]);
    });

    it('writes a deletion of every exchanged type as a conforming УдалениеОбъекта', () => {
      for (const { localType } of crmConversion.types) {
        const entry = crmConversion.deletion(localType, '0a8e5f7c-3b2d-4e1f-8c9a-7b6d5e4f3a2b');
        expect(entry.type).toBe('УдалениеОбъекта');
        expect(issues(entry.type, entry.object), localType).toEqual([]);
      }
    });

    it('needs the declared extension for 22%: the bare 1.8 package has no НДС22', async () => {
      const invoice = crmData.named.invoice!;
      const entry = await crmConversion.toFormat(
        'customer-invoice',
        invoice,
        invoice.ref,
        contextFor(crmConversion, crmData),
      );
      expect(issues(entry.type, entry.object, { extension: false })).toEqual([
        expect.stringMatching(/^bad_enum Товары\[0\]\.СтавкаНДС: /),
      ]);
      expect(crmConversion.extensions).toEqual([
        { namespace: 'urn:ibsync:enterprisedata:vat22', baseVersion: '1.8' },
      ]);
      expect(crmConversion.formatVersion).toBe('1.8');
    });

    it('refuses to write a payment without the bank account the package requires, naming the property', async () => {
      const payment = { ...crmData.named.payment!, bankAccount: null };
      const error = await crmConversion
        .toFormat('incoming-payment', payment, payment.ref, contextFor(crmConversion, crmData))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConversionError);
      expect(error).toMatchObject({ path: 'ОбщиеДанные.БанковскийСчетОрганизации' });
    });
  },
);
