import { ConversionError } from '../../exchange/conversion.js';
import type { ObjectKind } from '../../platform/metadata.js';
import { arrayAt, join, propertyOf, recordAt, stringAt } from './format-input.js';
import {
  contractTypes,
  legalForms,
  organizationLegalForm,
  PIECE,
  productTypes,
  ROUBLE,
  vatRates,
} from './format-values.js';
import { documentLines, goodsRow, paymentBreakdown, serviceRow, settlementKindRule } from './line-rules.js';
import {
  computed,
  day,
  decimalText,
  flag,
  group,
  moment,
  type PropertyRule,
  reference,
  scalar,
  systemScalar,
  text,
} from './property-rules.js';

/**
 * The conversion of every exchanged type, shared by both applications: per type, the rules of its
 * КлючевыеСвойства (after Ссылка) and of the properties that follow, each list in the package's order.
 * Ссылка and AdditionalInfo (system properties) are the same for every type: conversion-rules.ts
 * writes them.
 */
export type TypeRule = {
  readonly localType: string;
  readonly formatType: string;
  readonly kind: ObjectKind;
  readonly keys: readonly PropertyRule[];
  readonly body: readonly PropertyRule[];
  /** Local fields the package has no place for: they travel in AdditionalInfo with the system properties. */
  readonly carried?: readonly string[];
};

/** The same three kinds of contact data, phone first; reading also accepts the package's near kinds. */
const CONTACT_KINDS: readonly { field: string; kinds: readonly [string, ...string[]] }[] = [
  { field: 'phone', kinds: ['Телефон', 'ТелефонРабочий'] },
  { field: 'email', kinds: ['АдресЭлектроннойПочты'] },
  { field: 'address', kinds: ['ЮридическийАдрес', 'ФактическийАдрес', 'ПочтовыйАдрес'] },
];

/** ЗначенияПолей carries the plain value: 1C reads it as the presentation of the contact. */
const contactInformation: PropertyRule = {
  write(source, out) {
    const rows = CONTACT_KINDS.flatMap(({ field, kinds }) => {
      const value = source[field];
      return typeof value === 'string' ? [{ ВидКонтактнойИнформации: kinds[0], ЗначенияПолей: value }] : [];
    });
    if (rows.length > 0) out.КонтактнаяИнформация = rows;
  },
  read(input, scope) {
    const path = join(scope.path, 'КонтактнаяИнформация');
    const raw = propertyOf(input, 'КонтактнаяИнформация');
    const rows = (raw === undefined ? [] : arrayAt(raw, path)).map((item, index) => {
      const at = `${path}[${index}]`;
      const row = recordAt(item, at);
      return {
        kind: stringAt(propertyOf(row, 'ВидКонтактнойИнформации'), join(at, 'ВидКонтактнойИнформации')),
        value: stringAt(propertyOf(row, 'ЗначенияПолей'), join(at, 'ЗначенияПолей')),
      };
    });
    for (const { field, kinds } of CONTACT_KINDS) {
      const found = kinds
        .map((kind) => rows.find((row) => row.kind === kind))
        .find((row) => row !== undefined);
      scope.into.values[field] = found?.value ?? null;
    }
  },
};

const OWNERS = [
  { choice: 'ОрганизацииСсылка', field: 'organization', localType: 'organization' },
  { choice: 'КонтрагентыСсылка', field: 'counterparty', localType: 'counterparty' },
] as const;

/** Владелец is a choice: our bank account belongs to an organization or to a counterparty. */
const bankAccountOwner: PropertyRule = {
  async write(source, out, scope) {
    const path = join(scope.path, 'Владелец');
    for (const owner of OWNERS) {
      const ref = source[owner.field];
      if (typeof ref !== 'string') continue;
      const keys = await scope.context.keyProperties(owner.localType, ref);
      if (keys === undefined) {
        throw new ConversionError(
          join(path, owner.choice),
          `refers to ${owner.localType} ${ref}, which does not exist`,
        );
      }
      out.Владелец = { [owner.choice]: keys };
      return;
    }
    throw new ConversionError(path, 'is required by the format, but the bank account has no owner');
  },
  read(input, scope) {
    const path = join(scope.path, 'Владелец');
    const raw = propertyOf(input, 'Владелец');
    if (raw === undefined && !scope.absent) throw new ConversionError(path, 'is required, got nothing');
    const choice = raw === undefined ? {} : recordAt(raw, path);
    const names = Object.keys(choice);
    const chosen = OWNERS.find((owner) => owner.choice === names[0]);
    if (raw !== undefined && (names.length !== 1 || chosen === undefined)) {
      const got = names.length === 0 ? 'none' : names.join(' and ');
      throw new ConversionError(
        path,
        `expected exactly one of ОрганизацииСсылка, КонтрагентыСсылка, got ${got}`,
      );
    }
    for (const owner of OWNERS) {
      scope.into.values[owner.field] =
        owner === chosen
          ? scope.readRef(owner.localType, propertyOf(choice, owner.choice), join(path, owner.choice))
          : null;
    }
  },
};

const classifierData = (name: string) =>
  group('ДанныеКлассификатора', [systemScalar('Код', 'code', text), scalar('Наименование', name, text)], {
    required: true,
  });

const settlements = group(
  'ДанныеВзаиморасчетов',
  [
    reference('Договор', 'contract', 'contract'),
    // Written for 1C's benefit: the document's currency is read from Валюта.
    reference('ВалютаВзаиморасчетов', 'currency', 'currency', { writeOnly: true }),
  ],
  { required: true },
);

const documentKeys: readonly PropertyRule[] = [
  systemScalar('Дата', 'date', moment, { required: true }),
  systemScalar('Номер', 'number', text, { required: true }),
  reference('Организация', 'organization', 'organization', { required: true }),
];

const unit: TypeRule = {
  localType: 'unit',
  formatType: 'Справочник.ЕдиницыИзмерения',
  kind: 'catalog',
  keys: [classifierData('name')],
  body: [scalar('НаименованиеПолное', 'fullName', text)],
};

const currency: TypeRule = {
  localType: 'currency',
  formatType: 'Справочник.Валюты',
  kind: 'catalog',
  keys: [classifierData('name')],
  body: [scalar('НаименованиеПолное', 'fullName', text)],
};

const organization: TypeRule = {
  localType: 'organization',
  formatType: 'Справочник.Организации',
  kind: 'catalog',
  keys: [
    scalar('Наименование', 'name', text, { required: true }),
    scalar('НаименованиеПолное', 'fullName', text),
    scalar('ИНН', 'inn', text),
    scalar('КПП', 'kpp', text),
    computed('ЮридическоеФизическоеЛицо', (source) => organizationLegalForm(source.inn)),
  ],
  body: [scalar('Префикс', 'prefix', text)],
};

const counterparty: TypeRule = {
  localType: 'counterparty',
  formatType: 'Справочник.Контрагенты',
  kind: 'catalog',
  keys: [
    scalar('Наименование', 'name', text, { required: true }),
    scalar('НаименованиеПолное', 'fullName', text),
    scalar('ИНН', 'inn', text),
    scalar('КПП', 'kpp', text),
    scalar('ЮридическоеФизическоеЛицо', 'kind', legalForms, { required: true }),
    // Our country is its OKSM code; the receiver finds its own country by it.
    group('СтранаРегистрации', [
      group('ДанныеКлассификатора', [scalar('Код', 'country', text)], { required: true }),
    ]),
  ],
  body: [contactInformation],
};

const bankAccount: TypeRule = {
  localType: 'bank-account',
  formatType: 'Справочник.БанковскиеСчета',
  kind: 'catalog',
  keys: [
    scalar('НомерСчета', 'number', text, { required: true }),
    group('Банк', [
      group(
        'ДанныеКлассификатораБанков',
        [scalar('Наименование', 'bank', text), scalar('БИК', 'bic', text)],
        {
          required: true,
        },
      ),
    ]),
    bankAccountOwner,
  ],
  body: [
    scalar('Наименование', 'name', text),
    reference('ВалютаДенежныхСредств', 'currency', 'currency', { required: true, fallback: ROUBLE }),
  ],
};

const contract: TypeRule = {
  localType: 'contract',
  formatType: 'Справочник.Договоры',
  kind: 'catalog',
  keys: [
    scalar('ВидДоговора', 'kind', contractTypes, { required: true }),
    reference('Организация', 'organization', 'organization', { required: true }),
    reference('Контрагент', 'counterparty', 'counterparty', { required: true }),
    reference('ВалютаВзаиморасчетов', 'currency', 'currency'),
    scalar('Наименование', 'name', text),
    scalar('Дата', 'date', day),
    scalar('Номер', 'number', text),
  ],
  body: [],
};

const product: TypeRule = {
  localType: 'product',
  formatType: 'Справочник.Номенклатура',
  kind: 'catalog',
  keys: [
    scalar('НаименованиеПолное', 'fullName', text),
    scalar('Артикул', 'sku', text),
    scalar('Наименование', 'name', text, { required: true }),
  ],
  body: [
    scalar('ТипНоменклатуры', 'kind', productTypes, { required: true }),
    reference('ЕдиницаИзмерения', 'unit', 'unit', { required: true, fallback: PIECE }),
    scalar('СтавкаНДС', 'vatRate', vatRates),
  ],
};

const customerInvoice: TypeRule = {
  localType: 'customer-invoice',
  formatType: 'Документ.СчетПокупателю',
  kind: 'document',
  keys: documentKeys,
  body: [
    reference('Валюта', 'currency', 'currency', { required: true }),
    scalar('Сумма', 'amount', decimalText, { required: true }),
    reference('Контрагент', 'counterparty', 'counterparty', { required: true }),
    settlements,
    scalar('СуммаВключаетНДС', 'pricesIncludeVat', flag),
    reference('БанковскийСчетОрганизации', 'bankAccount', 'bank-account'),
    documentLines({
      Товары: goodsRow({ amountRequired: true }),
      Услуги: serviceRow({ priceRequired: false }),
    }),
  ],
  // СчетПокупателю 1.8 has no Комментарий.
  carried: ['comment'],
};

const sale: TypeRule = {
  localType: 'sale',
  formatType: 'Документ.РеализацияТоваровУслуг',
  kind: 'document',
  keys: documentKeys,
  body: [
    computed('ВидОперации', () => 'РеализацияКлиенту'),
    reference('Валюта', 'currency', 'currency', { required: true }),
    scalar('Сумма', 'amount', decimalText),
    scalar('СуммаВключаетНДС', 'pricesIncludeVat', flag),
    reference('Контрагент', 'counterparty', 'counterparty', { required: true }),
    settlements,
    reference('СчетПокупателю', 'basis', 'customer-invoice'),
    scalar('Комментарий', 'comment', text),
    documentLines({
      Товары: goodsRow({ amountRequired: false }),
      Услуги: serviceRow({ priceRequired: true }),
    }),
  ],
};

const incomingPayment: TypeRule = {
  localType: 'incoming-payment',
  formatType: 'Документ.ПБДСРасчетыСКонтрагентами',
  kind: 'document',
  keys: documentKeys,
  body: [
    group(
      'ОбщиеДанные',
      [
        computed('ДатаВыписки', (source) =>
          typeof source.date === 'string' ? source.date.slice(0, 10) : undefined,
        ),
        reference('Валюта', 'currency', 'currency', { required: true }),
        scalar('Сумма', 'amount', decimalText, { required: true }),
        scalar('Комментарий', 'comment', text),
        reference('БанковскийСчетОрганизации', 'bankAccount', 'bank-account', { required: true }),
        scalar('НазначениеПлатежа', 'purpose', text),
      ],
      { required: true },
    ),
    settlementKindRule,
    reference('Контрагент', 'counterparty', 'counterparty'),
    paymentBreakdown,
  ],
};

/** Dependency order: whatever a type refers to comes before it. */
export const EXCHANGED_TYPES: readonly TypeRule[] = [
  unit,
  currency,
  organization,
  counterparty,
  bankAccount,
  contract,
  product,
  customerInvoice,
  sale,
  incomingPayment,
];
