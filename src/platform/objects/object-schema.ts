import { z } from 'zod';
import { checkDecimal } from '../decimal.js';
import type { FieldDef, FieldType, FieldValue, ObjectTypeDef, TabularSectionDef } from '../metadata.js';

export type LineValues = Record<string, FieldValue>;
export type ObjectValues = Record<string, FieldValue | LineValues[]>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export const refSchema = z
  .guid({ error: 'must be a UUID such as 6f1c2a44-…' })
  .transform((ref) => ref.toLowerCase());

export const dateSchema = z
  .string()
  .refine(isCalendarDate, { message: 'must be a date written as YYYY-MM-DD' });

/** Dates and times are local to the infobase, as in accounting: no time zone, to the second. */
export const dateTimeSchema = z.string().transform((text, ctx) => {
  const normalized = normalizeDateTime(text);
  if (typeof normalized === 'string') return normalized;
  ctx.addIssue({ code: 'custom', message: normalized.problem });
  return z.NEVER;
});

/** `YYYY-MM-DDTHH:mm:ss` from the ways a date and time may be written, or what is wrong with it. */
export function normalizeDateTime(text: string): string | { problem: string } {
  if (isNormalDateTime(text)) return text;
  const parts = DATETIME.exec(text.trim());
  if (!parts || !isCalendarDate(`${parts[1]}-${parts[2]}-${parts[3]}`)) {
    return { problem: 'must be a date and time written as YYYY-MM-DDTHH:mm:ss' };
  }
  const [hours = '00', minutes = '00', seconds = '00'] = parts.slice(4).map((part) => part ?? '00');
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
    return { problem: 'has a time of day that does not exist' };
  }
  return `${parts[1]}-${parts[2]}-${parts[3]}T${hours}:${minutes}:${seconds}`;
}

const digit = (text: string, index: number) => {
  const code = text.charCodeAt(index);
  return code >= 0x30 && code <= 0x39 ? code - 0x30 : -1;
};

function number(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index += 1) {
    const next = digit(text, index);
    if (next < 0) return -1;
    value = value * 10 + next;
  }
  return value;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A moment already written as `YYYY-MM-DDTHH:mm:ss` and real, told by its characters: what almost every
 * received document carries. Years before 1000 go the long way, which reads them as it always has.
 */
function isNormalDateTime(text: string): boolean {
  if (text.length !== 19 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T') return false;
  if (text[13] !== ':' || text[16] !== ':') return false;
  const year = number(text, 0, 4);
  const month = number(text, 5, 7);
  const day = number(text, 8, 10);
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : DAYS[month - 1]!)) return false;
  const hours = number(text, 11, 13);
  const minutes = number(text, 14, 16);
  const seconds = number(text, 17, 19);
  return hours >= 0 && hours <= 23 && minutes >= 0 && minutes <= 59 && seconds >= 0 && seconds <= 59;
}

export function isCalendarDate(text: string): boolean {
  const parts = DATE.exec(text);
  if (!parts) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function fieldValueSchema(type: FieldType): z.ZodType<FieldValue> {
  switch (type.kind) {
    case 'string': {
      let schema = z.string().max(type.maxLength);
      if (type.minLength) schema = schema.min(type.minLength);
      if (type.pattern)
        schema = schema.regex(type.pattern, { message: type.patternHint ?? `must match ${type.pattern}` });
      return schema;
    }
    case 'decimal':
      return z.union([z.string(), z.number()]).transform((input, ctx) => {
        const checked = checkDecimal(input, type);
        if (!checked.ok) {
          ctx.addIssue({ code: 'custom', message: checked.reason });
          return z.NEVER;
        }
        if (type.nonNegative && checked.value.startsWith('-')) {
          ctx.addIssue({ code: 'custom', message: 'must not be negative' });
          return z.NEVER;
        }
        return checked.value;
      });
    case 'integer': {
      let schema = z.number().int();
      if (type.min !== undefined) schema = schema.min(type.min);
      if (type.max !== undefined) schema = schema.max(type.max);
      return schema;
    }
    case 'boolean':
      return z.boolean();
    case 'date':
      return dateSchema;
    case 'datetime':
      return dateTimeSchema;
    case 'ref':
      return refSchema;
    case 'enum':
      return z.enum(type.values as [string, ...string[]]);
  }
}

function fieldSchema(field: FieldDef, mode: 'create' | 'update'): z.ZodType<FieldValue | undefined> {
  const value = fieldValueSchema(field.type);
  if (field.required) {
    // A required text must carry something: an empty name is as good as none.
    const present = field.type.kind === 'string' ? (value as z.ZodString).min(1) : value;
    return mode === 'create' && field.default === undefined ? present : present.optional();
  }
  return value.nullable().optional();
}

function sectionSchema(section: TabularSectionDef) {
  const shape: Record<string, z.ZodType> = {};
  for (const field of section.fields) shape[field.name] = fieldSchema(field, 'create');
  return z.array(z.strictObject(shape)).max(10_000);
}

type ObjectInputSchema = ReturnType<typeof buildObjectInputSchema>;

const schemas = new WeakMap<ObjectTypeDef, Partial<Record<'create' | 'update', ObjectInputSchema>>>();

/**
 * The one schema for an object's input, shared by the API, the CLI's checks and the exchange. Built once
 * per type and mode: building it costs far more than using it, and every write needs it.
 */
export function objectInputSchema(def: ObjectTypeDef, mode: 'create' | 'update'): ObjectInputSchema {
  let byMode = schemas.get(def);
  if (!byMode) {
    byMode = {};
    schemas.set(def, byMode);
  }
  byMode[mode] ??= buildObjectInputSchema(def, mode);
  return byMode[mode];
}

function buildObjectInputSchema(def: ObjectTypeDef, mode: 'create' | 'update') {
  const shape: Record<string, z.ZodType> = {};
  if (mode === 'create') shape.ref = refSchema.optional();
  if (mode === 'update') shape.version = z.number().int().optional();
  shape.deleted = z.boolean().optional();
  if (def.kind === 'catalog') {
    const rule = def.code ?? { kind: 'auto' };
    let code = z
      .string()
      .min(1)
      .max(rule.kind === 'natural' ? rule.maxLength : 20);
    if (rule.kind === 'natural' && rule.pattern) {
      code = code.regex(rule.pattern, { message: rule.patternHint ?? `must match ${rule.pattern}` });
    }
    shape.code = rule.kind === 'natural' && mode === 'create' ? code : code.optional();
  } else {
    shape.number = z.string().min(1).max(30).optional();
    shape.date = dateTimeSchema.optional();
    shape.posted = z.boolean().optional();
  }
  for (const field of def.fields) shape[field.name] = fieldSchema(field, mode);
  for (const section of def.tabularSections ?? []) {
    shape[section.name] = sectionSchema(section).optional();
  }
  return z.strictObject(shape);
}

export type ObjectInput = Record<string, unknown>;
