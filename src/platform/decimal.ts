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
  // big.js takes no plus sign, which the text may carry.
  return new Big(text.startsWith('+') ? text.slice(1) : text);
}

export type DecimalCheck = { ok: true; value: string } | { ok: false; reason: string };

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d*))?$/;

/**
 * The same answer as big.js for decimals written plainly ("1250.5", "-0.10", "007"), found with string
 * operations: every value of every line goes through here, and big.js costs a microsecond each. Anything
 * else, and any value that does not fit, takes the big.js path, which also words the reason.
 */
function checkPlainDecimal(text: string, spec: DecimalSpec): DecimalCheck | undefined {
  const parts = PLAIN_DECIMAL.exec(text);
  if (!parts) return undefined;
  const integer = parts[2]!.replace(/^0+/, '');
  const fraction = (parts[3] ?? '').replace(/0+$/, '');
  if (fraction.length > spec.scale || Math.max(1, integer.length) > spec.precision - spec.scale)
    return undefined;
  // big.js writes no negative zero.
  const sign = parts[1] === '-' && (integer !== '' || fraction !== '') ? '-' : '';
  const whole = `${sign}${integer || '0'}`;
  return { ok: true, value: spec.scale > 0 ? `${whole}.${fraction.padEnd(spec.scale, '0')}` : whole };
}

/**
 * Whether the text is a decimal already as normalizing writes it (`-?(0|[1-9]\d*)(\.\d{scale})?`, not
 * negative zero, within the precision): then it is its own normal form, told by its characters alone.
 */
function isNormalDecimal(text: string, spec: DecimalSpec): boolean {
  const length = text.length;
  const negative = length > 0 && text.charCodeAt(0) === 0x2d;
  let index = negative ? 1 : 0;
  const integerStart = index;
  let nonZero = false;
  for (; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x30 || code > 0x39) break;
    if (code !== 0x30) nonZero = true;
  }
  const integerDigits = index - integerStart;
  if (integerDigits === 0 || integerDigits > Math.max(1, spec.precision - spec.scale)) return false;
  if (integerDigits > 1 && text.charCodeAt(integerStart) === 0x30) return false;
  if (spec.scale === 0) return index === length && !(negative && !nonZero);
  if (index !== length - spec.scale - 1 || text.charCodeAt(index) !== 0x2e) return false;
  for (index += 1; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return false;
    if (code !== 0x30) nonZero = true;
  }
  return !(negative && !nonZero);
}

/** Normalizes to exactly `scale` fraction digits, refusing values that need more digits than allowed. */
export function checkDecimal(input: unknown, spec: DecimalSpec): DecimalCheck {
  if (typeof input === 'string') {
    if (isNormalDecimal(input, spec)) return { ok: true, value: input };
    const plain = checkPlainDecimal(input, spec);
    if (plain) return plain;
  }
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
  const small = smallSum(values, scale);
  if (small !== undefined) return smallTextOf(small, scale);
  const scaled = values.map((value) => scaledOf(value));
  if (scaled.every((value) => value !== undefined && value.scale <= scale)) {
    let total = 0n;
    for (const value of scaled) total += value!.units * 10n ** BigInt(scale - value!.scale);
    return textOf(total, scale);
  }
  return values.reduce((total, value) => total.plus(value), new Big(0)).toFixed(scale);
}

/** a × b rounded half away from zero to `scale` digits, as roundDecimal(decimal(a).times(b), scale) gives it. */
export function multiplyRounded(a: string, b: string, scale: number): string {
  const small = smallProduct(a, b, scale);
  if (small !== undefined) return smallTextOf(small, scale);
  const x = scaledOf(a);
  const y = scaledOf(b);
  if (x === undefined || y === undefined) return roundDecimal(decimal(a).times(b), scale);
  return textOf(rescale(x.units * y.units, x.scale + y.scale, scale), scale);
}

/**
 * amount × numerator / denominator rounded half away from zero to `scale` digits, as
 * roundDecimal(decimal(amount).times(numerator).div(denominator), scale) gives it: big.js divides to 20
 * places first, which for a whole denominator below 10^15 never moves a result across a half.
 */
export function shareRounded(amount: string, numerator: number, denominator: number, scale: number): string {
  const small = smallShare(amount, numerator, denominator, scale);
  if (small !== undefined) return smallTextOf(small, scale);
  const x = scaledOf(amount);
  if (
    x === undefined ||
    !Number.isSafeInteger(numerator) ||
    !Number.isSafeInteger(denominator) ||
    denominator <= 0
  )
    return roundDecimal(decimal(amount).times(numerator).div(denominator), scale);
  const units = x.units * BigInt(numerator) * 10n ** BigInt(scale);
  return textOf(divideRounded(units, BigInt(denominator) * 10n ** BigInt(x.scale)), scale);
}

/*
 * Exact arithmetic on plain decimals as whole numbers of their smallest unit (bigint): the figures of
 * every line of every document are computed on each write, and big.js costs a microsecond or more each.
 */
type Scaled = { units: bigint; scale: number };

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;

function scaledOf(text: string): Scaled | undefined {
  const parts = PLAIN.exec(text);
  if (!parts) return undefined;
  const fraction = parts[3] ?? '';
  const units = BigInt(`${parts[2]}${fraction}`);
  return { units: parts[1] === '-' ? -units : units, scale: fraction.length };
}

function rescale(units: bigint, from: number, to: number): bigint {
  return to >= from ? units * 10n ** BigInt(to - from) : divideRounded(units, 10n ** BigInt(from - to));
}

/** n / d (d > 0) rounded half away from zero. */
function divideRounded(n: bigint, d: bigint): bigint {
  const magnitude = n < 0n ? -n : n;
  const quotient = (2n * magnitude + d) / (2n * d);
  return n < 0n ? -quotient : quotient;
}

/** As big.js writes it with toFixed: no negative zero. */
function textOf(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${whole}` : whole;
}

/*
 * The same arithmetic on plain numbers, for the values real documents have: a decimal of at most 15
 * digits is a whole number of units that a double holds exactly, and so is every sum, product and
 * quotient below 2^53, which each step checks before it trusts one. Anything larger takes bigint above.
 * (bigint allocates on every operation: this is the difference between a document's totals costing
 * microseconds or a fraction of one.)
 */
type SmallScaled = { units: number; scale: number };

const SAFE = Number.MAX_SAFE_INTEGER;
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, exponent) => 10 ** exponent);

/** `-?digits(.digits)?` of at most 15 digits, as PLAIN matches it, read without a regex. */
function smallScaledOf(text: string): SmallScaled | undefined {
  const length = text.length;
  let index = text.charCodeAt(0) === 0x2d ? 1 : 0;
  const negative = index === 1;
  let units = 0;
  let digits = 0;
  let scale = -1;
  for (; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 0x30 && code <= 0x39) {
      units = units * 10 + (code - 0x30);
      digits += 1;
      if (scale >= 0) scale += 1;
    } else if (code === 0x2e && scale < 0 && digits > 0) {
      scale = 0;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || digits > 15 || scale === 0) return undefined;
  return { units: negative ? -units : units, scale: Math.max(0, scale) };
}

function smallSum(values: readonly string[], scale: number): number | undefined {
  let total = 0;
  for (const value of values) {
    const x = smallScaledOf(value);
    if (x === undefined || x.scale > scale || scale - x.scale > 15) return undefined;
    const term = x.units * POWERS_OF_TEN[scale - x.scale]!;
    total += term;
    if (Math.abs(term) > SAFE || Math.abs(total) > SAFE) return undefined;
  }
  return total;
}

function smallProduct(a: string, b: string, scale: number): number | undefined {
  const x = smallScaledOf(a);
  const y = smallScaledOf(b);
  if (x === undefined || y === undefined) return undefined;
  return smallRescale(x.units * y.units, x.scale + y.scale, scale);
}

function smallShare(
  amount: string,
  numerator: number,
  denominator: number,
  scale: number,
): number | undefined {
  const x = smallScaledOf(amount);
  if (x === undefined || !Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator))
    return undefined;
  if (denominator <= 0 || scale > 15) return undefined;
  const units = x.units * numerator * POWERS_OF_TEN[scale]!;
  const divisor = denominator * POWERS_OF_TEN[x.scale]!;
  if (Math.abs(units) > SAFE || divisor > SAFE) return undefined;
  return smallDivideRounded(units, divisor);
}

function smallRescale(units: number, from: number, to: number): number | undefined {
  if (Math.abs(units) > SAFE || Math.abs(from - to) > 15) return undefined;
  if (to >= from) {
    const scaled = units * POWERS_OF_TEN[to - from]!;
    return Math.abs(scaled) > SAFE ? undefined : scaled;
  }
  return smallDivideRounded(units, POWERS_OF_TEN[from - to]!);
}

/**
 * n / d rounded half away from zero; every operand below 2^53, so the division of whole numbers is exact
 * once floored (a double quotient of such numbers never rounds across a whole number).
 */
function smallDivideRounded(n: number, d: number): number | undefined {
  const magnitude = Math.abs(n);
  if (2 * magnitude + d > SAFE) return undefined;
  const quotient = Math.floor((2 * magnitude + d) / (2 * d));
  return n < 0 ? -quotient : quotient;
}

/** As big.js writes it with toFixed: no negative zero. */
function smallTextOf(units: number, scale: number): string {
  const negative = units < 0;
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  const whole = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${whole}` : whole;
}
