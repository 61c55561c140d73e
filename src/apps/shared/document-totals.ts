import { multiplyRounded, shareRounded, sumDecimals } from '../../platform/decimal.js';
import { VAT_PERCENT, type VatRate } from './vat.js';

type Line = Record<string, unknown>;

/**
 * The figures follow from what a person enters, on every write, so an edit never leaves a stale amount:
 * line amount = quantity × price (a line without a price keeps the amount entered); VAT is taken out of
 * the amount when prices include VAT and added on top when they do not; totals are sums of the lines.
 * Both sides of an exchange apply the same rule, so recomputing a received document changes nothing.
 */
export function completeLine(line: Line, pricesIncludeVat: boolean): Line {
  const amount =
    line.quantity != null && line.price != null
      ? multiplyRounded(String(line.quantity), String(line.price), 2)
      : String(line.amount ?? '0.00');
  const rate = line.vatRate as VatRate | null;
  const vatAmount = pricesIncludeVat ? vatIncludedIn(amount, rate) : vatOnTop(amount, rate);
  // Copied, not spread: new keys on a spread object are slow in V8 (object-rows.ts).
  const completed = Object.assign({}, line);
  completed.amount = amount;
  completed.vatAmount = vatAmount;
  return completed;
}

function percentOf(rate: VatRate | null): number {
  return VAT_PERCENT[rate ?? 'none'] ?? 0;
}

/** The VAT inside an amount that includes it. */
export function vatIncludedIn(amount: string, rate: VatRate | null): string {
  const percent = percentOf(rate);
  return shareRounded(amount, percent, 100 + percent, 2);
}

function vatOnTop(amount: string, rate: VatRate | null): string {
  return shareRounded(amount, percentOf(rate), 100, 2);
}

export function completeDocumentTotals(values: Line): Line {
  const pricesIncludeVat = values.pricesIncludeVat !== false;
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
    amount: pricesIncludeVat ? net : sumDecimals([net, vat], 2),
  };
}
