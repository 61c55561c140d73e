import { describe, expect, it } from 'vitest';
import { completeDocumentTotals, vatIncludedIn } from '../../src/apps/shared/document-totals.js';

type Line = Record<string, unknown>;

const totals = (pricesIncludeVat: boolean, lines: Line[]) =>
  completeDocumentTotals({ pricesIncludeVat, lines });

describe('vatIncludedIn: the VAT inside an amount that includes it', () => {
  it('takes 22/122, 10/110 and nothing at 0% or without VAT', () => {
    expect(vatIncludedIn('122.00', 'vat22')).toBe('22.00');
    expect(vatIncludedIn('110.00', 'vat10')).toBe('10.00');
    expect(vatIncludedIn('100.00', 'vat0')).toBe('0.00');
    expect(vatIncludedIn('100.00', 'none')).toBe('0.00');
    expect(vatIncludedIn('100.00', null)).toBe('0.00');
  });

  it('still knows the older rates a document may carry', () => {
    expect(vatIncludedIn('120.00', 'vat20')).toBe('20.00');
    expect(vatIncludedIn('118.00', 'vat18')).toBe('18.00');
  });

  it('rounds to kopecks half up, just below and just above the half', () => {
    // 0.36 × 22/122 = 0.0649…, 0.25 × 22/122 = 0.0450…8; 0.05 / 11 = 0.0045…, 0.06 / 11 = 0.0054…
    expect(vatIncludedIn('0.36', 'vat22')).toBe('0.06');
    expect(vatIncludedIn('0.25', 'vat22')).toBe('0.05');
    expect(vatIncludedIn('0.05', 'vat10')).toBe('0.00');
    expect(vatIncludedIn('0.06', 'vat10')).toBe('0.01');
    expect(vatIncludedIn('19860.00', 'vat22')).toBe('3581.31');
  });

  it('stays exact on amounts no binary float holds', () => {
    expect(vatIncludedIn('1500000000.02', 'vat10')).toBe('136363636.37');
    expect(vatIncludedIn('9999999999999.99', 'vat22')).toBe('1803278688524.59');
  });

  it('rounds a negative amount (a return) half away from zero', () => {
    expect(vatIncludedIn('-122.00', 'vat22')).toBe('-22.00');
    expect(vatIncludedIn('-0.25', 'vat22')).toBe('-0.05');
  });
});

describe('completeDocumentTotals: lines and totals of a goods document', () => {
  it('with prices including VAT: the total is the sum of the lines, VAT is taken out of each line', () => {
    const result = totals(true, [
      { quantity: '40', price: '420.00', vatRate: 'vat22' },
      { quantity: '24', price: '95.00', vatRate: 'vat22' },
      { quantity: '12', price: '65.00', vatRate: 'vat22' },
    ]);
    expect(result.lines).toEqual([
      expect.objectContaining({ amount: '16800.00', vatAmount: '3029.51' }),
      expect.objectContaining({ amount: '2280.00', vatAmount: '411.15' }),
      expect.objectContaining({ amount: '780.00', vatAmount: '140.66' }),
    ]);
    expect(result).toMatchObject({ amount: '19860.00', vatAmount: '3581.32' });
  });

  it('sums the VAT of the lines, each rounded, not the VAT of the total', () => {
    const result = totals(true, [
      { quantity: '1', price: '0.03', vatRate: 'vat22' },
      { quantity: '1', price: '0.03', vatRate: 'vat22' },
      { quantity: '1', price: '0.03', vatRate: 'vat22' },
    ]);
    // Each line: 0.03 × 22/122 = 0.0054 → 0.01; the total 0.09 would give 0.02.
    expect(result).toMatchObject({ amount: '0.09', vatAmount: '0.03' });
  });

  it('with prices excluding VAT: VAT goes on top and the total is amount plus VAT', () => {
    const result = totals(false, [
      { quantity: '5', price: '2350.00', vatRate: 'vat22' },
      { quantity: '10', price: '344.26', vatRate: 'vat22' },
      { quantity: '4', price: '320.00', vatRate: 'vat22' },
    ]);
    expect((result.lines as Line[]).map((line) => line.vatAmount)).toEqual(['2585.00', '757.37', '281.60']);
    expect(result).toMatchObject({ amount: '20096.57', vatAmount: '3623.97' });
  });

  it('mixes 22%, 10%, 0% and without VAT in one document', () => {
    const lines = [
      { quantity: '2', price: '610.00', vatRate: 'vat22' },
      { quantity: '3', price: '110.00', vatRate: 'vat10' },
      { quantity: '1', price: '98.50', vatRate: 'vat0' },
      { quantity: '4', price: '1250.00', vatRate: 'none' },
    ];
    const included = totals(true, lines);
    expect((included.lines as Line[]).map((line) => [line.amount, line.vatAmount])).toEqual([
      ['1220.00', '220.00'],
      ['330.00', '30.00'],
      ['98.50', '0.00'],
      ['5000.00', '0.00'],
    ]);
    expect(included).toMatchObject({ amount: '6648.50', vatAmount: '250.00' });
    const excluded = totals(false, lines);
    expect((excluded.lines as Line[]).map((line) => line.vatAmount)).toEqual([
      '268.40',
      '33.00',
      '0.00',
      '0.00',
    ]);
    expect(excluded).toMatchObject({ amount: '6949.90', vatAmount: '301.40' });
  });

  it('rounds a line amount (quantity × price) half up to kopecks', () => {
    const result = totals(true, [
      { quantity: '0.125', price: '0.20', vatRate: 'none' },
      { quantity: '1.5', price: '0.05', vatRate: 'none' },
      { quantity: '48.6', price: '245.00', vatRate: 'vat22' },
    ]);
    // 0.025 → 0.03 and 0.075 → 0.08: half up, where bankers' rounding would give 0.02 and 0.08.
    expect((result.lines as Line[]).map((line) => line.amount)).toEqual(['0.03', '0.08', '11907.00']);
    expect(result.amount).toBe('11907.11');
  });

  it('rounds VAT on top half up at an exact half', () => {
    const result = totals(false, [
      { quantity: '1', price: '0.75', vatRate: 'vat22' },
      { quantity: '1', price: '0.25', vatRate: 'vat10' },
      { quantity: '1', price: '0.05', vatRate: 'vat10' },
    ]);
    // 0.165 → 0.17, 0.025 → 0.03, 0.005 → 0.01 (bankers' rounding: 0.16, 0.02, 0.00).
    expect((result.lines as Line[]).map((line) => line.vatAmount)).toEqual(['0.17', '0.03', '0.01']);
    expect(result).toMatchObject({ amount: '1.26', vatAmount: '0.21' });
  });

  it('recomputes stale figures from quantity and price, so an edit never keeps an old amount', () => {
    const result = totals(true, [
      { quantity: '3', price: '33.33', amount: '100.00', vatAmount: '18.03', vatRate: 'vat22' },
    ]);
    expect(result.lines).toEqual([expect.objectContaining({ amount: '99.99', vatAmount: '18.03' })]);
    expect(result).toMatchObject({ amount: '99.99', vatAmount: '18.03' });
  });

  it('keeps the amount of a line without a price, and computes its VAT', () => {
    const result = totals(false, [{ quantity: '1', amount: '100.00', vatAmount: '1.00', vatRate: 'vat10' }]);
    expect(result.lines).toEqual([expect.objectContaining({ amount: '100.00', vatAmount: '10.00' })]);
    expect(result).toMatchObject({ amount: '110.00', vatAmount: '10.00' });
  });

  it('gives zero totals to a document without lines', () => {
    expect(totals(true, [])).toMatchObject({ amount: '0.00', vatAmount: '0.00', lines: [] });
    expect(completeDocumentTotals({ pricesIncludeVat: false })).toMatchObject({
      amount: '0.00',
      vatAmount: '0.00',
    });
  });

  it('keeps the other fields of the document as they are', () => {
    const result = completeDocumentTotals({ pricesIncludeVat: true, comment: 'Срочно', lines: [] });
    expect(result.comment).toBe('Срочно');
    expect(result.pricesIncludeVat).toBe(true);
  });
});
