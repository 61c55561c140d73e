import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDecimal,
  type DecimalCheck,
  multiplyRounded,
  shareRounded,
  sumDecimals,
} from '../../src/platform/decimal.js';

/** What checkDecimal answered before its fast path for plain decimals: big.js all the way. */
function viaBigJs(input: string, spec: { precision: number; scale: number }): DecimalCheck {
  const text = input.trim().replace(',', '.');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return checkDecimal(input, spec);
  const value = new Big(text.replace(/^\+/, ''));
  const fractionDigits = Math.max(0, value.c.length - value.e - 1);
  if (fractionDigits > spec.scale) return checkDecimal(input, spec);
  if (Math.max(1, value.e + 1) > spec.precision - spec.scale) return checkDecimal(input, spec);
  return { ok: true, value: value.toFixed(spec.scale) };
}

describe('decimals: the plain-text fast path answers as big.js does', () => {
  const specs = [
    { precision: 15, scale: 2 },
    { precision: 15, scale: 3 },
    { precision: 10, scale: 0 },
    { precision: 4, scale: 2 },
  ];

  it('normalizes the cases real data has', () => {
    const money = { precision: 15, scale: 2 };
    expect(checkDecimal('1250.5', money)).toEqual({ ok: true, value: '1250.50' });
    expect(checkDecimal('007', money)).toEqual({ ok: true, value: '7.00' });
    expect(checkDecimal('-0', money)).toEqual({ ok: true, value: '0.00' });
    expect(checkDecimal('-0.10', money)).toEqual({ ok: true, value: '-0.10' });
    expect(checkDecimal('1.500', money)).toEqual({ ok: true, value: '1.50' });
    expect(checkDecimal('5.', money)).toEqual({ ok: true, value: '5.00' });
    expect(checkDecimal('1.005', money)).toMatchObject({ ok: false });
    expect(checkDecimal('1234567890123.4', money)).toEqual({ ok: true, value: '1234567890123.40' });
    expect(checkDecimal('12345678901234', money)).toMatchObject({ ok: false });
    // A plus sign used to reach big.js, which refuses it, and fail the request as an internal error.
    expect(checkDecimal('+1.5', money)).toEqual({ ok: true, value: '1.50' });
  });

  it('agrees with big.js on any decimal text', () => {
    const digits = fc.stringMatching(/^[0-9]{0,18}$/);
    const text = fc
      .tuple(fc.constantFrom('', '-', '+', ' '), digits, fc.constantFrom('', '.', ','), digits)
      .map(([sign, integer, point, fraction]) => `${sign}${integer}${point}${fraction}`);
    fc.assert(
      fc.property(text, fc.constantFrom(...specs), (input, spec) => {
        expect(checkDecimal(input, spec)).toEqual(viaBigJs(input, spec));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('decimals: exact arithmetic on whole units answers as big.js does', () => {
  const plainUpTo = (scale: number, max: bigint) =>
    fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max })).map(([negative, units]) => {
      const digits = units.toString().padStart(scale + 1, '0');
      const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
      return negative ? `-${text}` : text;
    });
  // Values real documents have take the arithmetic on doubles, large ones bigint: both must agree.
  const plain = (scale: number) =>
    fc.oneof(plainUpTo(scale, 10n ** 15n), plainUpTo(scale, 10_000_000n), plainUpTo(scale, 1000n));
  const roundHalfUp = (value: Big, scale: number) => value.round(scale, Big.roundHalfUp).toFixed(scale);

  it('multiplies quantity by price and rounds half away from zero', () => {
    fc.assert(
      fc.property(plain(3), plain(2), fc.constantFrom(0, 2), (quantity, price, scale) => {
        expect(multiplyRounded(quantity, price, scale)).toBe(
          roundHalfUp(new Big(quantity).times(price), scale),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('takes a share (VAT in and on top of an amount) as big.js divides', () => {
    fc.assert(
      fc.property(
        plain(2),
        fc.constantFrom(0, 10, 18, 20, 22, 7),
        fc.constantFrom(100, 110, 118, 120, 122, 107, 3),
        (amount, percent, denominator) => {
          expect(shareRounded(amount, percent, denominator, 2)).toBe(
            roundHalfUp(new Big(amount).times(percent).div(denominator), 2),
          );
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('sums, and leaves anything unusual to big.js', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(plain(2), plain(1), plain(0)), { maxLength: 6 }), (values) => {
        expect(sumDecimals(values, 2)).toBe(
          values.reduce((total, value) => total.plus(value), new Big(0)).toFixed(2),
        );
      }),
      { numRuns: 3000 },
    );
    expect(sumDecimals(['1.005', '-0.00'], 2)).toBe(new Big('1.005').toFixed(2));
    expect(multiplyRounded('1e2', '0.5', 2)).toBe('50.00');
    expect(multiplyRounded('-0.001', '1', 2)).toBe('0.00');
    expect(multiplyRounded('-0.005', '1', 2)).toBe('-0.01');
    expect(multiplyRounded('-0.004', '1', 2)).toBe('0.00');
    expect(multiplyRounded('0.5', '1', 0)).toBe('1');
    expect(sumDecimals(['9999999999999.99', '0.01'], 2)).toBe('10000000000000.00');
    expect(shareRounded('-10.00', 22, 122, 2)).toBe('-1.80');
  });
});
