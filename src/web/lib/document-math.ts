import Big from 'big.js';
import { checkDecimal, parseDecimal, roundDecimal, sumDecimals } from './decimal';

/**
 * The figures of a document as the host computes them on save, computed here as the user types:
 * line amount = quantity × price; VAT taken out of the amount when prices include it, added on top
 * otherwise; totals are sums of the lines.
 */

/** `vat22` → 22; `none` and `vat0` → 0. */
export function vatPercent(rate: string | null | undefined): number {
  const match = /^vat(\d+)$/.exec(rate ?? '');
  return match ? Number(match[1]) : 0;
}

export function vatIncludedIn(amount: string, rate: string | null | undefined): string {
  const percent = vatPercent(rate);
  return roundDecimal(new Big(amount).times(percent).div(100 + percent), 2);
}

export function vatOnTop(amount: string, rate: string | null | undefined): string {
  return roundDecimal(new Big(amount).times(vatPercent(rate)).div(100), 2);
}

export type LineInput = {
  quantity?: string | null;
  price?: string | null;
  amount?: string | null;
  vatRate?: string | null;
};

export type LineFigures = { amount: string; vatAmount: string };

/** A line's amount and VAT, or undefined while what was typed is not a number yet. */
export function lineFigures(line: LineInput, pricesIncludeVat: boolean): LineFigures | undefined {
  let amount: string;
  if (line.price) {
    const quantity = checkDecimal(line.quantity ?? '', 3);
    const price = checkDecimal(line.price, 2);
    if (!quantity.ok || !price.ok) return undefined;
    amount = roundDecimal(new Big(quantity.value).times(price.value), 2);
  } else {
    const given = parseDecimal(line.amount ?? '0');
    if (!given) return undefined;
    amount = given.toFixed(2);
  }
  const vatAmount = pricesIncludeVat ? vatIncludedIn(amount, line.vatRate) : vatOnTop(amount, line.vatRate);
  return { amount, vatAmount };
}

export type DocumentTotals = { amount: string; vatAmount: string; complete: boolean };

export function documentTotals(lines: readonly LineInput[], pricesIncludeVat: boolean): DocumentTotals {
  const figures = lines.map((line) => lineFigures(line, pricesIncludeVat));
  const known = figures.filter((figure): figure is LineFigures => figure !== undefined);
  const net = sumDecimals(
    known.map((figure) => figure.amount),
    2,
  );
  const vat = sumDecimals(
    known.map((figure) => figure.vatAmount),
    2,
  );
  return {
    amount: pricesIncludeVat ? net : new Big(net).plus(vat).toFixed(2),
    vatAmount: vat,
    complete: known.length === figures.length,
  };
}
