import { decimal, roundDecimal, sumDecimals } from '../../platform/decimal.js';
import { VAT_PERCENT, type VatRate } from './vat.js';

type Line = Record<string, unknown>;

/**
 * Line amount = quantity × price, unless the line already has an amount (an exchange carries the
 * sender's figures); VAT is taken out of the amount when prices include VAT and added on top when they
 * do not. Totals always follow from the lines.
 */
export function completeLine(line: Line, pricesIncludeVat: boolean): Line {
  const amount =
    line.amount ??
    (line.quantity != null && line.price != null
      ? roundDecimal(decimal(String(line.quantity)).times(String(line.price)), 2)
      : '0.00');
  const rate = line.vatRate as VatRate | null;
  const vatAmount =
    line.vatAmount ??
    (pricesIncludeVat ? vatIncludedIn(String(amount), rate) : vatOnTop(String(amount), rate));
  return { ...line, amount, vatAmount };
}

function percentOf(rate: VatRate | null): number {
  return VAT_PERCENT[rate ?? 'none'] ?? 0;
}

/** The VAT inside an amount that includes it. */
export function vatIncludedIn(amount: string, rate: VatRate | null): string {
  const percent = percentOf(rate);
  return roundDecimal(
    decimal(amount)
      .times(percent)
      .div(100 + percent),
    2,
  );
}

function vatOnTop(amount: string, rate: VatRate | null): string {
  return roundDecimal(decimal(amount).times(percentOf(rate)).div(100), 2);
}

export function completeDocumentTotals(values: Line): Line {
  const pricesIncludeVat = values.pricesIncludeVat === true;
  const lines = ((values.lines as Line[] | undefined) ?? []).map((line) =>
    completeLine(line, pricesIncludeVat),
  );
  const net = sumDecimals(
    lines.map((line) => String(line.amount)),
    2,
  );
  const vat = sumDecimals(
    lines.map((line) => String(line.vatAmount)),
    2,
  );
  return {
    ...values,
    lines,
    vatAmount: vat,
    amount: pricesIncludeVat ? net : decimal(net).plus(vat).toFixed(2),
  };
}
