import type { FieldDef, ObjectTypeDef, TabularSectionDef } from '../../platform/metadata.js';
import { completeDocumentTotals, vatIncludedIn } from './document-totals.js';
import { bool, field, label, money, oneOf, quantity, ref, str } from './fields.js';
import { VAT_LABELS, VAT_RATES, type VatRate } from './vat.js';

const goodsLines: TabularSectionDef = {
  name: 'lines',
  label: label('Goods and services', 'Товары и услуги'),
  fields: [
    field('product', 'Product', 'Номенклатура', ref('product'), { required: true }),
    field('quantity', 'Quantity', 'Количество', quantity, { required: true }),
    field('unit', 'Unit', 'Ед. изм.', ref('unit'), { indexed: false }),
    field('price', 'Price', 'Цена', money),
    field('amount', 'Amount', 'Сумма', money),
    field('vatRate', 'VAT rate', 'Ставка НДС', oneOf(VAT_RATES, VAT_LABELS), {
      required: true,
      default: 'vat22',
    }),
    field('vatAmount', 'VAT', 'Сумма НДС', money),
  ],
};

function header(extra: FieldDef[]): FieldDef[] {
  return [
    field('organization', 'Organization', 'Организация', ref('organization'), {
      required: true,
      indexed: false,
    }),
    field('counterparty', 'Counterparty', 'Контрагент', ref('counterparty'), { required: true }),
    field('contract', 'Contract', 'Договор', ref('contract')),
    field('currency', 'Currency', 'Валюта', ref('currency'), { required: true, indexed: false }),
    ...extra,
    field('comment', 'Comment', 'Комментарий', str(1000, { multiline: true })),
  ];
}

const totals: FieldDef[] = [
  field('pricesIncludeVat', 'Prices include VAT', 'Цена включает НДС', bool, { default: true }),
  field('amount', 'Total', 'Сумма', money),
  field('vatAmount', 'VAT total', 'Сумма НДС', money),
];

const numbered = { numberPrefixFrom: { field: 'organization', prefixField: 'prefix' } } as const;

export const customerInvoice: ObjectTypeDef = {
  name: 'customer-invoice',
  kind: 'document',
  label: label('Customer invoice', 'Счет покупателю'),
  pluralLabel: label('Customer invoices', 'Счета покупателям'),
  fields: header([
    field('bankAccount', 'Bank account', 'Банковский счет', ref('bank-account'), { indexed: false }),
    ...totals,
  ]),
  tabularSections: [goodsLines],
  presentation: ['number', 'date'],
  complete: completeDocumentTotals,
  ...numbered,
};

export const sale: ObjectTypeDef = {
  name: 'sale',
  kind: 'document',
  label: label('Sale of goods and services', 'Реализация товаров и услуг'),
  pluralLabel: label('Sales of goods and services', 'Реализация товаров и услуг'),
  fields: header([field('basis', 'Basis: invoice', 'Основание: счет', ref('customer-invoice')), ...totals]),
  tabularSections: [goodsLines],
  presentation: ['number', 'date'],
  complete: completeDocumentTotals,
  ...numbered,
};

export const incomingPayment: ObjectTypeDef = {
  name: 'incoming-payment',
  kind: 'document',
  label: label('Incoming bank payment', 'Поступление на расчетный счет'),
  pluralLabel: label('Incoming bank payments', 'Поступления на расчетный счет'),
  fields: header([
    // The organization's account the money came to: the format requires it, as a bank statement does.
    field('bankAccount', 'Bank account', 'Банковский счет', ref('bank-account'), {
      required: true,
      indexed: false,
    }),
    field('basis', 'Basis: invoice', 'Основание: счет', ref('customer-invoice')),
    field(
      'amount',
      'Amount',
      'Сумма',
      { kind: 'decimal', precision: 15, scale: 2, nonNegative: true },
      { required: true },
    ),
    field('vatRate', 'VAT rate', 'Ставка НДС', oneOf(VAT_RATES, VAT_LABELS), { default: 'vat22' }),
    field('vatAmount', 'VAT', 'Сумма НДС', money),
    field('purpose', 'Payment purpose', 'Назначение платежа', str(210)),
  ]),
  presentation: ['number', 'date'],
  complete: (values) => ({
    ...values,
    vatAmount: vatIncludedIn(String(values.amount ?? '0'), values.vatRate as VatRate | null),
  }),
  ...numbered,
};

export const sharedDocuments = [customerInvoice, sale, incomingPayment];
