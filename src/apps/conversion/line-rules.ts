import type { IncomingLine, IncomingValue } from '../../exchange/conversion.js';
import { ConversionError } from '../../exchange/conversion.js';
import { decimal, roundDecimal, sumDecimals } from '../../platform/decimal.js';
import { arrayAt, isRecord, join, positiveIntegerAt, propertyOf, recordAt } from './format-input.js';
import { PIECE, settlementKind, vatRates } from './format-values.js';
import {
  type ConversionContext,
  computed,
  decimalText,
  emptyIncoming,
  group,
  type LocalValues,
  type PropertyRule,
  type ReadScope,
  readRules,
  reference,
  scalar,
  within,
  writeRules,
} from './property-rules.js';

/**
 * Document lines: our one `lines` section is the package's Товары and Услуги, split by the product's
 * kind. Each row carries its place in `lines` as НомерСтрокиДокумента, so that reading merges the two
 * sections back into the original order.
 */
const LINE_SECTIONS = ['Товары', 'Услуги'] as const;
type LineSection = (typeof LINE_SECTIONS)[number];

export type LineRules = Readonly<Record<LineSection, readonly PropertyRule[]>>;

const LINE_NUMBER = 'НомерСтрокиДокумента';

export function goodsRow(options: { amountRequired: boolean }): readonly PropertyRule[] {
  return [
    group('ДанныеНоменклатуры', [reference('Номенклатура', 'product', 'product', { required: true })], {
      required: true,
    }),
    reference('ЕдиницаИзмерения', 'unit', 'unit', { required: true, fallback: PIECE }),
    scalar('Количество', 'quantity', decimalText, { required: true }),
    scalar('Сумма', 'amount', decimalText, { required: options.amountRequired }),
    scalar('Цена', 'price', decimalText),
    scalar('СтавкаНДС', 'vatRate', vatRates),
    scalar('СуммаНДС', 'vatAmount', decimalText),
  ];
}

/** Service rows have no unit in the package: a service line's unit stays with the sender. */
export function serviceRow(options: { priceRequired: boolean }): readonly PropertyRule[] {
  return [
    reference('Номенклатура', 'product', 'product'),
    scalar('Количество', 'quantity', decimalText, { required: true }),
    scalar('Сумма', 'amount', decimalText, { required: true }),
    scalar(
      'Цена',
      'price',
      decimalText,
      options.priceRequired ? { required: true, fallback: unitPrice } : {},
    ),
    scalar('СтавкаНДС', 'vatRate', vatRates),
    scalar('СуммаНДС', 'vatAmount', decimalText),
  ];
}

/** Where the package demands a price the line lacks: what the amount pays for one unit. */
function unitPrice(line: LocalValues): string {
  const amount = typeof line.amount === 'string' ? line.amount : '0.00';
  const quantity = typeof line.quantity === 'string' ? decimal(line.quantity) : undefined;
  return quantity === undefined || quantity.eq(0) ? amount : roundDecimal(decimal(amount).div(quantity), 2);
}

export function documentLines(sections: LineRules): PropertyRule {
  return {
    async write(source, out, scope) {
      const rows: Record<LineSection, Record<string, unknown>[]> = { Товары: [], Услуги: [] };
      const lines = Array.isArray(source.lines) ? source.lines.filter(isRecord) : [];
      for (const [index, line] of lines.entries()) {
        const section = await sectionOf(line, scope.context);
        const path = `${join(scope.path, section)}[${rows[section].length}]`;
        const row = await writeRules(sections[section], line, { ...scope, path });
        rows[section].push({ [LINE_NUMBER]: index + 1, ...row });
      }
      for (const section of LINE_SECTIONS) if (rows[section].length > 0) out[section] = rows[section];
    },
    read(input, scope) {
      const read = LINE_SECTIONS.flatMap((section) => readSection(section, sections[section], input, scope));
      scope.into.values.lines = inDocumentOrder(read).map((row) => row.line);
    },
  };
}

/** The product fields line rules read: its kind decides the section. */
export const LINE_REFERENCED_FIELDS = { product: ['kind'] } as const;

/** Without the product's kind (the exporter may offer only key properties), a line goes to Товары. */
async function sectionOf(line: LocalValues, context: ConversionContext): Promise<LineSection> {
  const kind =
    typeof line.product === 'string' ? await context.fieldOf('product', line.product, 'kind') : undefined;
  return kind === 'service' ? 'Услуги' : 'Товары';
}

type ReadRow = { number: number | undefined; line: IncomingLine };

function readSection(
  section: LineSection,
  rules: readonly PropertyRule[],
  input: LocalValues,
  scope: ReadScope,
): ReadRow[] {
  const path = join(scope.path, section);
  const raw = propertyOf(input, section);
  if (raw === undefined) return [];
  return arrayAt(raw, path).map((item, index) => {
    const at = `${path}[${index}]`;
    const row = recordAt(item, at);
    const number = propertyOf(row, LINE_NUMBER);
    const into = emptyIncoming();
    readRules(rules, row, within(scope, at, into, false));
    return {
      number: number === undefined ? undefined : positiveIntegerAt(number, join(at, LINE_NUMBER)),
      // A row's rules are scalars and references: none of them reads a section.
      line: into.values as IncomingLine,
    };
  });
}

/** By line number when every row has its own; otherwise as the sections list them (1C numbers each apart). */
function inDocumentOrder(rows: ReadRow[]): ReadRow[] {
  const numbers = new Set(rows.map((row) => row.number));
  if (numbers.has(undefined) || numbers.size !== rows.length) return rows;
  return [...rows].sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
}

const paymentRow: readonly PropertyRule[] = [
  scalar('Сумма', 'amount', decimalText, { required: true }),
  scalar('СуммаНДС', 'vatAmount', decimalText),
  scalar('СтавкаНДС', 'vatRate', vatRates),
  group(
    'ДанныеВзаиморасчетов',
    [
      reference('Договор', 'contract', 'contract'),
      reference('ВалютаВзаиморасчетов', 'currency', 'currency', { writeOnly: true }),
    ],
    { required: true },
  ),
  computed('СпособПогашенияЗадолженности', (source) => (source.basis ? 'ПоДокументу' : undefined)),
  // 1.8 has no invoice among the settlement documents of a payment: the generic ИсходныйДокумент
  // carries the same key properties (Ссылка, Дата, Номер, Организация).
  group('ДокументРасчетов', [reference('ИсходныйДокумент', 'basis', 'customer-invoice')]),
];

/**
 * The payment's breakdown (required, at least one row): we write one row from the payment's own amount,
 * VAT, contract and basis. Reading a 1C payment of several rows takes the first row's rate, contract and
 * basis and the VAT of all rows; the amount is ОбщиеДанные.Сумма.
 */
export const paymentBreakdown: PropertyRule = {
  async write(source, out, scope) {
    const path = `${join(scope.path, 'РасшифровкаПлатежа')}[0]`;
    out.РасшифровкаПлатежа = [await writeRules(paymentRow, source, { ...scope, path })];
  },
  read(input, scope) {
    const path = join(scope.path, 'РасшифровкаПлатежа');
    const raw = propertyOf(input, 'РасшифровкаПлатежа');
    if (raw === undefined) throw new ConversionError(path, 'is required, got nothing');
    const rows = arrayAt(raw, path).map((item, index) => {
      const at = `${path}[${index}]`;
      const into = emptyIncoming();
      readRules(paymentRow, recordAt(item, at), within(scope, at, into, false));
      return into.values;
    });
    const [first] = rows;
    if (first === undefined) throw new ConversionError(path, 'expected at least one row, got none');
    const { values } = scope.into;
    values.vatRate = first.vatRate ?? null;
    values.vatAmount =
      rows.length === 1 ? (first.vatAmount ?? null) : totalOf(rows.map((row) => row.vatAmount));
    values.contract = first.contract ?? null;
    values.basis = first.basis ?? null;
  },
};

function totalOf(amounts: readonly (IncomingValue | IncomingLine[] | undefined)[]): string | null {
  const present = amounts.filter((amount): amount is string => typeof amount === 'string');
  return present.length === 0 ? null : sumDecimals(present, 2);
}

/** ВидРасчетов, which the package demands, follows from the contract's kind. */
export const settlementKindRule: PropertyRule = computed('ВидРасчетов', async (source, scope) => {
  const contract =
    typeof source.contract === 'string'
      ? await scope.context.keyProperties('contract', source.contract)
      : undefined;
  return settlementKind(contract?.ВидДоговора);
});
