import Big from 'big.js';

/**
 * Money and quantities stay exact decimals in the browser too: text in, text out, big.js between, so no
 * amount ever passes through binary floating point.
 */
const DECIMAL_TEXT = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** Reads what a person typed: spaces between digit groups and a decimal comma are fine. */
export function parseDecimal(text: string | null | undefined): Big | undefined {
  if (text === null || text === undefined) return undefined;
  const normalized = text.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!DECIMAL_TEXT.test(normalized)) return undefined;
  return new Big(normalized);
}

export type DecimalCheck =
  | { ok: true; value: string }
  | { ok: false; reason: 'not_a_number' | 'too_precise' | 'negative' };

/** Normalizes to exactly `scale` digits after the point, as the API stores it. */
export function checkDecimal(
  text: string,
  scale: number,
  options: { nonNegative?: boolean } = {},
): DecimalCheck {
  const value = parseDecimal(text);
  if (!value) return { ok: false, reason: 'not_a_number' };
  const fractionDigits = Math.max(0, value.c.length - value.e - 1);
  if (fractionDigits > scale) return { ok: false, reason: 'too_precise' };
  if (options.nonNegative && value.lt(0)) return { ok: false, reason: 'negative' };
  return { ok: true, value: value.toFixed(scale) };
}

/** Half away from zero, as accounting rounds (and as the host does). */
export function roundDecimal(value: Big, scale: number): string {
  return value.round(scale, Big.roundHalfUp).toFixed(scale);
}

export function sumDecimals(values: readonly string[], scale: number): string {
  return values.reduce((total, value) => total.plus(value), new Big(0)).toFixed(scale);
}

export function addDecimals(a: string, b: string, scale: number): string {
  return new Big(a).plus(b).toFixed(scale);
}

/** "1234567.50" → "1 234 567,50" (ru) or "1,234,567.50" (en), without touching the digits. */
export function formatDecimal(text: string | null | undefined, language: string): string {
  if (text === null || text === undefined || text === '') return '';
  const [whole = '', fraction] = text.split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const groupSeparator = language === 'ru' ? '\u00a0' : ',';
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, groupSeparator);
  const decimalSeparator = language === 'ru' ? ',' : '.';
  return `${negative ? '-' : ''}${grouped}${fraction !== undefined ? decimalSeparator + fraction : ''}`;
}
