import type { ObjectTypeDef } from '../../platform/metadata.js';
import { date, field, INN, KPP, label, oneOf, ref, str } from './fields.js';
import { VAT_LABELS, VAT_RATES } from './vat.js';

/** The catalogs both applications keep and exchange (DESIGN.md section 4). */
export const organization: ObjectTypeDef = {
  name: 'organization',
  kind: 'catalog',
  label: label('Organization', 'Организация'),
  pluralLabel: label('Organizations', 'Организации'),
  fields: [
    field('name', 'Name', 'Наименование', str(150), { required: true }),
    field('fullName', 'Full name', 'Полное наименование', str(500)),
    field('inn', 'INN', 'ИНН', INN),
    field('kpp', 'KPP', 'КПП', KPP),
    field(
      'prefix',
      'Prefix',
      'Префикс',
      str(2, { minLength: 2, pattern: /^[\p{L}\p{N}]{2}$/u, patternHint: 'must be two letters or digits' }),
      {
        default: '00',
      },
    ),
  ],
  searchFields: [['inn'], ['name']],
  indexes: [{ fields: ['inn'] }],
  presentation: ['name'],
};

export const counterpartyKinds = ['legal-entity', 'individual'] as const;

export const counterparty: ObjectTypeDef = {
  name: 'counterparty',
  kind: 'catalog',
  label: label('Counterparty', 'Контрагент'),
  pluralLabel: label('Counterparties', 'Контрагенты'),
  fields: [
    field('name', 'Name', 'Наименование', str(150), { required: true }),
    field('fullName', 'Full name', 'Полное наименование', str(500)),
    field('inn', 'INN', 'ИНН', INN),
    field('kpp', 'KPP', 'КПП', KPP),
    field(
      'kind',
      'Legal form',
      'Юр./физ. лицо',
      oneOf(counterpartyKinds, {
        'legal-entity': label('Legal entity', 'Юридическое лицо'),
        individual: label('Individual', 'Физическое лицо'),
      }),
      { required: true, default: 'legal-entity' },
    ),
    field(
      'country',
      'Country (OKSM code)',
      'Страна (код ОКСМ)',
      str(3, { pattern: /^\d{3}$/, patternHint: 'must be a 3-digit OKSM country code, e.g. 643' }),
      {
        default: '643',
      },
    ),
    field('phone', 'Phone', 'Телефон', str(50)),
    field(
      'email',
      'Email',
      'Электронная почта',
      str(100, { pattern: /^[^\s@]+@[^\s@]+$/, patternHint: 'must be an email address' }),
    ),
    field('address', 'Address', 'Адрес', str(500)),
  ],
  // INN+KPP first; INN alone only when one side has no KPP; the name only when no identifier disagrees.
  searchFields: [['inn', 'kpp'], ['inn'], ['name']],
  indexes: [{ fields: ['inn'] }],
  presentation: ['name'],
};

export const contractKinds = ['with-customer', 'with-supplier', 'other'] as const;

export const contract: ObjectTypeDef = {
  name: 'contract',
  kind: 'catalog',
  label: label('Contract', 'Договор'),
  pluralLabel: label('Contracts', 'Договоры'),
  fields: [
    field('name', 'Name', 'Наименование', str(150)),
    field('counterparty', 'Counterparty', 'Контрагент', ref('counterparty'), { required: true }),
    field('organization', 'Organization', 'Организация', ref('organization'), {
      required: true,
      indexed: false,
    }),
    field(
      'kind',
      'Kind',
      'Вид договора',
      oneOf(contractKinds, {
        'with-customer': label('With customer', 'С покупателем'),
        'with-supplier': label('With supplier', 'С поставщиком'),
        other: label('Other', 'Прочее'),
      }),
      { required: true, default: 'with-customer' },
    ),
    field('number', 'Number', 'Номер', str(50)),
    field('date', 'Date', 'Дата', date),
    field('currency', 'Currency', 'Валюта', ref('currency'), { indexed: false }),
  ],
  searchFields: [['counterparty', 'number', 'date']],
  presentation: ['name'],
  complete: (values) =>
    values.name
      ? values
      : {
          ...values,
          // The applications keep Russian business data, so the generated name is Russian too.
          name: [
            'Договор',
            values.number ? `№ ${values.number}` : '',
            values.date ? `от ${russianDate(String(values.date))}` : '',
          ]
            .filter(Boolean)
            .join(' '),
        },
};

function russianDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return `${day}.${month}.${year}`;
}

export const productKinds = ['goods', 'service'] as const;

export const product: ObjectTypeDef = {
  name: 'product',
  kind: 'catalog',
  label: label('Product', 'Номенклатура'),
  pluralLabel: label('Products', 'Номенклатура'),
  fields: [
    field('name', 'Name', 'Наименование', str(150), { required: true }),
    field('fullName', 'Full name', 'Полное наименование', str(500)),
    field('sku', 'SKU', 'Артикул', str(50)),
    field(
      'kind',
      'Kind',
      'Вид',
      oneOf(productKinds, { goods: label('Goods', 'Товар'), service: label('Service', 'Услуга') }),
      { required: true, default: 'goods' },
    ),
    field('unit', 'Unit', 'Единица измерения', ref('unit'), { indexed: false }),
    field('vatRate', 'VAT rate', 'Ставка НДС', oneOf(VAT_RATES, VAT_LABELS), { default: 'vat22' }),
  ],
  searchFields: [['sku'], ['name']],
  indexes: [{ fields: ['sku'] }],
  presentation: ['name'],
};

export const unit: ObjectTypeDef = {
  name: 'unit',
  kind: 'catalog',
  label: label('Unit of measure', 'Единица измерения'),
  pluralLabel: label('Units of measure', 'Единицы измерения'),
  code: {
    kind: 'natural',
    maxLength: 3,
    pattern: /^\d{3}$/,
    patternHint: 'must be the 3-digit OKEI code, e.g. 796',
  },
  fields: [
    field('name', 'Name', 'Наименование', str(50), { required: true }),
    field('fullName', 'Full name', 'Полное наименование', str(150)),
  ],
  searchFields: [['code']],
  presentation: ['name'],
};

export const currency: ObjectTypeDef = {
  name: 'currency',
  kind: 'catalog',
  label: label('Currency', 'Валюта'),
  pluralLabel: label('Currencies', 'Валюты'),
  code: {
    kind: 'natural',
    maxLength: 3,
    pattern: /^\d{3}$/,
    patternHint: 'must be the 3-digit ISO 4217 code, e.g. 643',
  },
  fields: [
    field('name', 'Name', 'Наименование', str(10), { required: true }),
    field('fullName', 'Full name', 'Полное наименование', str(100)),
  ],
  searchFields: [['code']],
  presentation: ['name'],
};

export const bankAccount: ObjectTypeDef = {
  name: 'bank-account',
  kind: 'catalog',
  label: label('Bank account', 'Банковский счет'),
  pluralLabel: label('Bank accounts', 'Банковские счета'),
  fields: [
    field('name', 'Name', 'Наименование', str(150)),
    field('organization', 'Owner: organization', 'Владелец: организация', ref('organization'), {
      indexed: false,
    }),
    field('counterparty', 'Owner: counterparty', 'Владелец: контрагент', ref('counterparty')),
    field(
      'number',
      'Account number',
      'Номер счета',
      str(34, { pattern: /^\d{20}$/, patternHint: 'must be 20 digits' }),
      {
        required: true,
      },
    ),
    field('bic', 'BIC', 'БИК', str(9, { pattern: /^\d{9}$/, patternHint: 'must be 9 digits' })),
    field('bank', 'Bank', 'Банк', str(150)),
    field('currency', 'Currency', 'Валюта', ref('currency'), { indexed: false }),
  ],
  searchFields: [['number']],
  indexes: [{ fields: ['number'] }],
  presentation: ['name'],
  complete: (values) =>
    values.name
      ? values
      : { ...values, name: `${values.number ?? ''}${values.bank ? `, ${values.bank}` : ''}` },
  check: (values) =>
    (values.organization ? 1 : 0) + (values.counterparty ? 1 : 0) === 1
      ? []
      : [
          {
            field: 'organization',
            code: 'owner_required',
            message: 'give exactly one owner: an organization or a counterparty',
          },
        ],
};

export const sharedCatalogs = [organization, counterparty, contract, product, unit, currency, bankAccount];
