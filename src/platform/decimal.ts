import Big from 'big.js';

/**
 * Money and quantities are exact decimals carried as strings ("1234.50"); arithmetic goes through
 * big.js so that no binary floating point ever touches an amount.
 */
export type DecimalSpec = { precision: number; scale: number };

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Parses a decimal given as text, or as a JSON number that converts to text without loss. */
export function parseDecimal(input: unknown): Big | undefined {
  if (typeof input === 'number') {
    // A JSON number beyond 15 significant digits may already have lost precision in transit.
    const text = String(input);
    if (!Number.isFinite(input) || /e/i.test(text)) return undefined;
    if (text.replace(/[-.]/g, '').replace(/^0+/, '').length > 15) return undefined;
    return new Big(text);
  }
  if (typeof input !== 'string') return undefined;
  const text = input.trim().replace(',', '.');
  if (!DECIMAL_TEXT.test(text)) return undefined;
  return new Big(text);
}

export type DecimalCheck = { ok: true; value: string } | { ok: false; reason: string };

/** Normalizes to exactly `scale` fraction digits, refusing values that need more digits than allowed. */
export function checkDecimal(input: unknown, spec: DecimalSpec): DecimalCheck {
  const value = parseDecimal(input);
  if (value === undefined) {
    return { ok: false, reason: 'must be a decimal number written as text, e.g. "1250.50"' };
  }
  const fractionDigits = Math.max(0, value.c.length - value.e - 1);
  if (fractionDigits > spec.scale) {
    return {
      ok: false,
      reason: `has ${fractionDigits} digits after the point; at most ${spec.scale} allowed`,
    };
  }
  const integerDigits = Math.max(1, value.e + 1);
  if (integerDigits > spec.precision - spec.scale) {
    return {
      ok: false,
      reason: `is too large: at most ${spec.precision - spec.scale} digits before the point`,
    };
  }
  return { ok: true, value: value.toFixed(spec.scale) };
}

export function decimal(value: string | number): Big {
  return new Big(value);
}

/** Rounds half away from zero, as accounting does, to `scale` digits. */
export function roundDecimal(value: Big, scale: number): string {
  return value.round(scale, Big.roundHalfUp).toFixed(scale);
}

export function sumDecimals(values: readonly string[], scale: number): string {
  return values.reduce((total, value) => total.plus(value), new Big(0)).toFixed(scale);
}
