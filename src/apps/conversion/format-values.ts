import type { FormatObject } from '../../exchange/conversion.js';
import type { contractKinds, counterpartyKinds, productKinds } from '../shared/catalogs.js';
import type { VatRate } from '../shared/vat.js';
import { enumeration } from './property-rules.js';

/** The EnterpriseData version these rules write: the package EnterpriseData_1_8_6. */
export const FORMAT_VERSION = '1.8';

/**
 * EnterpriseData 1.8 predates the 22% VAT rate, and sending a 22% line as 20% would silently change
 * its tax. So 22% travels as `НДС22` (and a 22/122 estimate as `НДС22_122`), values our own extension
 * adds to `СтавкиНДС`; the message header declares the extension, and a receiver that does not know it
 * refuses the value instead of misreading it.
 */
export const VAT22_EXTENSION = { namespace: 'urn:ibsync:enterprisedata:vat22', baseVersion: '1.8' } as const;

/** The enumeration values the extensions add, for validators (checkConformance's `extraEnumerations`). */
export const EXTENSION_ENUMERATIONS: Readonly<Record<string, readonly string[]>> = {
  СтавкиНДС: ['НДС22', 'НДС22_122'],
};

// Estimated rates (20/120…) are what 1C writes on advances; a line keeps the rate itself.
export const vatRates = enumeration<VatRate>(
  'СтавкиНДС',
  { vat22: 'НДС22', vat20: 'НДС20', vat18: 'НДС18', vat10: 'НДС10', vat0: 'НДС0', none: 'БезНДС' },
  { НДС22_122: 'vat22', НДС20_120: 'vat20', НДС18_118: 'vat18', НДС10_110: 'vat10' },
);

export const legalForms = enumeration<(typeof counterpartyKinds)[number]>('ЮридическоеФизическоеЛицо', {
  'legal-entity': 'ЮридическоеЛицо',
  individual: 'ФизическоеЛицо',
});

// A work is a service to us; returnable packaging is goods.
export const productTypes = enumeration<(typeof productKinds)[number]>(
  'ТипыНоменклатуры',
  { goods: 'Товар', service: 'Услуга' },
  { Работа: 'service', МногооборотнаяТара: 'goods' },
);

// Commission and agency contracts are kinds we do not distinguish.
export const contractTypes = enumeration<(typeof contractKinds)[number]>(
  'ВидыДоговоров',
  { 'with-customer': 'СПокупателем', 'with-supplier': 'СПоставщиком', other: 'Прочее' },
  {
    СКомиссионером: 'other',
    СКомитентом: 'other',
    СКомитентомНаЗакупку: 'other',
    СКомиссионеромНаЗакупку: 'other',
  },
);

/**
 * OKEI 796 "шт", without Ссылка: the unit the package demands where a product or a goods line has none.
 * The receiver finds its own unit by the code.
 */
export const PIECE: FormatObject = { ДанныеКлассификатора: { Код: '796', Наименование: 'шт' } };

/** ISO 643, without Ссылка: the currency the package demands of a bank account that names none. */
export const ROUBLE: FormatObject = { ДанныеКлассификатора: { Код: '643', Наименование: 'RUB' } };

/** An organization with a 12-digit INN is an individual entrepreneur; the package demands the legal form. */
export function organizationLegalForm(inn: unknown): string {
  return typeof inn === 'string' && inn.length === 12 ? 'ФизическоеЛицо' : 'ЮридическоеЛицо';
}

/** A payment's ВидРасчетов follows its contract's kind; without a contract, it is a customer's payment. */
export function settlementKind(contractKind: unknown): string {
  return contractKind === 'СПоставщиком' || contractKind === 'Прочее' ? contractKind : 'СПокупателем';
}
