import { ConversionError } from '../../exchange/conversion.js';

/**
 * Reading what came from the network: every step checks the shape it relies on and names the property
 * it rejects, so that no input can surface as a TypeError. Only own properties are read, so that a key
 * such as `constructor` in the input means nothing.
 */
export type JsonRecord = Readonly<Record<string, unknown>>;

/** Hex digits and the dashes of a UUID, any case: as /^[0-9a-f]{8}-…-[0-9a-f]{12}$/i says, without a regex per reference. */
function isUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let index = 0; index < 36; index += 1) {
    const code = text.charCodeAt(index);
    if (index === 8 || index === 13 || index === 18 || index === 23) {
      if (code !== 0x2d) return false;
    } else if (
      !((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46))
    ) {
      return false;
    }
  }
  return true;
}
const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

export function join(path: string, property: string): string {
  return path === '' ? property : `${path}.${property}`;
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function recordAt(value: unknown, path: string): JsonRecord {
  if (!isRecord(value)) throw new ConversionError(path, `expected an object, got ${describeValue(value)}`);
  return value;
}

export function arrayAt(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new ConversionError(path, `expected an array of rows, got ${describeValue(value)}`);
  }
  return value;
}

/** An own property; undefined and null both mean absent (the format writes no nil we keep). */
export function propertyOf(input: JsonRecord, name: string): unknown {
  const value = input[name];
  return value === undefined || value === null || !Object.hasOwn(input, name) ? undefined : value;
}

export function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string')
    throw new ConversionError(path, `expected a string, got ${describeValue(value)}`);
  return value;
}

export function booleanAt(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') {
    throw new ConversionError(path, `expected true or false, got ${describeValue(value)}`);
  }
  return value;
}

export function uuidAt(value: unknown, path: string): string {
  if (typeof value !== 'string' || !isUuid(value)) {
    throw new ConversionError(path, `expected a reference UUID, got ${describeValue(value)}`);
  }
  return value;
}

/** Decimals stay the sender's text: converting to a number would lose exactness. */
export function decimalAt(value: unknown, path: string): string {
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new ConversionError(
      path,
      `expected a decimal written as a string like "1250.00", got ${describeValue(value)}`,
    );
  }
  return value;
}

export function dateAt(value: unknown, path: string): string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (match === null || !isCalendarDate(match)) {
    throw new ConversionError(path, `expected a date "YYYY-MM-DD", got ${describeValue(value)}`);
  }
  return value as string;
}

export function dateTimeAt(value: unknown, path: string): string {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  if (match === null || !isCalendarDate(match) || !isClock(match)) {
    throw new ConversionError(
      path,
      `expected a date and time "YYYY-MM-DDTHH:mm:ss", got ${describeValue(value)}`,
    );
  }
  return value as string;
}

export function positiveIntegerAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ConversionError(path, `expected a whole number from 1, got ${describeValue(value)}`);
  }
  return value;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function isCalendarDate(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

function isClock(match: RegExpExecArray): boolean {
  return Number(match[4]) <= 23 && Number(match[5]) <= 59 && Number(match[6]) <= 59;
}
