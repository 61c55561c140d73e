import { checkDecimal } from '../decimal.js';
import type { FieldError } from '../errors.js';
import { safeParseFields } from '../field-errors.js';
import type { FieldDef, FieldType, ObjectTypeDef } from '../metadata.js';
import { isCalendarDate, normalizeDateTime, objectInputSchema } from './object-schema.js';

export type ParsedInput =
  | { success: true; data: Record<string, unknown> }
  | { success: false; errors: FieldError[] };

/**
 * Parses an object's input by its schema (object-schema.ts), as the API, the CLI and the exchange do.
 * Every object a large load applies goes through here, and Zod spends tens of microseconds on one with
 * a few lines, so well-formed input takes a fast path that gives the schema's own answer: the same
 * checks, the same normalized values, the keys in the schema's order. Anything it is not sure of —
 * a value that fails, a key it does not know, input that is not a plain object — goes to Zod, which
 * decides and words what is wrong.
 */
export function parseObjectInput(def: ObjectTypeDef, mode: 'create' | 'update', input: unknown): ParsedInput {
  const fast = fastObjectInput(def, mode, input);
  if (fast) return { success: true, data: fast };
  const parsed = safeParseFields(objectInputSchema(def, mode), input);
  return parsed.success ? { success: true, data: parsed.data as Record<string, unknown> } : parsed;
}

/** A value as its schema would give it back, or FAIL when the fast path cannot say. */
const FAIL = Symbol('fail');
type Check = (value: unknown) => unknown;
type Entry = { key: string; check: Check; required: boolean };
type Shape = { entries: Entry[]; keys: Set<string> };

const MAX_LINES = 10_000;

const shapes = new WeakMap<ObjectTypeDef, Partial<Record<'create' | 'update', Shape>>>();

export function fastObjectInput(
  def: ObjectTypeDef,
  mode: 'create' | 'update',
  input: unknown,
): Record<string, unknown> | undefined {
  let byMode = shapes.get(def);
  if (!byMode) {
    byMode = {};
    shapes.set(def, byMode);
  }
  byMode[mode] ??= shapeOf(def, mode);
  const output = parseShape(byMode[mode], input);
  return output === FAIL ? undefined : (output as Record<string, unknown>);
}

function parseShape(shape: Shape, input: unknown): unknown {
  if (!isPlainObject(input)) return FAIL;
  for (const key in input) if (!shape.keys.has(key)) return FAIL;
  const output: Record<string, unknown> = {};
  for (const { key, check, required } of shape.entries) {
    if (!Object.hasOwn(input, key)) {
      if (required) return FAIL;
      continue;
    }
    const value = check(input[key]);
    if (value === FAIL) return FAIL;
    output[key] = value;
  }
  return output;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** The entries of objectInputSchema, one for one. */
function shapeOf(def: ObjectTypeDef, mode: 'create' | 'update'): Shape {
  const entries: Entry[] = [];
  const optional = (key: string, check: Check) =>
    entries.push({ key, check: orUndefined(check), required: false });
  if (mode === 'create') optional('ref', guid);
  if (mode === 'update') optional('version', integer({ kind: 'integer' }));
  optional('deleted', boolean);
  if (def.kind === 'catalog') {
    const rule = def.code ?? { kind: 'auto' };
    const code =
      rule.kind === 'natural'
        ? text(
            { kind: 'string', maxLength: rule.maxLength, ...(rule.pattern ? { pattern: rule.pattern } : {}) },
            1,
          )
        : text({ kind: 'string', maxLength: 20 }, 1);
    if (rule.kind === 'natural' && mode === 'create')
      entries.push({ key: 'code', check: code, required: true });
    else optional('code', code);
  } else {
    optional('number', text({ kind: 'string', maxLength: 30 }, 1));
    optional('date', dateTime);
    optional('posted', boolean);
  }
  for (const field of def.fields) entries.push(fieldEntry(field, mode));
  for (const section of def.tabularSections ?? []) {
    const line: Shape = { entries: [], keys: new Set() };
    for (const field of section.fields) {
      line.entries.push(fieldEntry(field, 'create'));
      line.keys.add(field.name);
    }
    optional(section.name, (value) => {
      if (!Array.isArray(value) || value.length > MAX_LINES) return FAIL;
      const lines: unknown[] = [];
      for (const item of value) {
        const parsed = parseShape(line, item);
        if (parsed === FAIL) return FAIL;
        lines.push(parsed);
      }
      return lines;
    });
  }
  return { entries, keys: new Set(entries.map((entry) => entry.key)) };
}

/** fieldSchema of object-schema.ts: required, optional, or nullable and optional. */
function fieldEntry(field: FieldDef, mode: 'create' | 'update'): Entry {
  if (field.required) {
    // A required text must carry something: an empty name is as good as none.
    const check = valueCheck(field.type, field.type.kind === 'string' ? 1 : 0);
    return mode === 'create' && field.default === undefined
      ? { key: field.name, check, required: true }
      : { key: field.name, check: orUndefined(check), required: false };
  }
  const check = valueCheck(field.type, 0);
  return {
    key: field.name,
    check: orUndefined((value) => (value === null ? null : check(value))),
    required: false,
  };
}

function orUndefined(check: Check): Check {
  return (value) => (value === undefined ? undefined : check(value));
}

function valueCheck(type: FieldType, minLength: number): Check {
  switch (type.kind) {
    case 'string':
      return text(type, minLength);
    case 'decimal':
      return (value) => {
        if (typeof value !== 'string' && typeof value !== 'number') return FAIL;
        const checked = checkDecimal(value, type);
        if (!checked.ok || (type.nonNegative && checked.value.startsWith('-'))) return FAIL;
        return checked.value;
      };
    case 'integer':
      return integer(type);
    case 'boolean':
      return boolean;
    case 'date':
      return (value) => (typeof value === 'string' && isCalendarDate(value) ? value : FAIL);
    case 'datetime':
      return dateTime;
    case 'ref':
      return guid;
    case 'enum':
      return (value) => (typeof value === 'string' && type.values.includes(value) ? value : FAIL);
  }
}

function text(type: Extract<FieldType, { kind: 'string' }>, minLength: number): Check {
  const min = Math.max(minLength, type.minLength ?? 0);
  const { pattern } = type;
  return (value) => {
    if (typeof value !== 'string' || value.length > type.maxLength || value.length < min) return FAIL;
    if (pattern) {
      pattern.lastIndex = 0;
      if (!pattern.test(value)) return FAIL;
    }
    return value;
  };
}

function integer(type: Extract<FieldType, { kind: 'integer' }>): Check {
  return (value) =>
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    (type.min === undefined || value >= type.min) &&
    (type.max === undefined || value <= type.max)
      ? value
      : FAIL;
}

function boolean(value: unknown): unknown {
  return typeof value === 'boolean' ? value : FAIL;
}

/** As GUID tests it, by its characters: every reference of every line passes here. */
function guid(value: unknown): unknown {
  if (typeof value !== 'string' || value.length !== 36) return FAIL;
  let upper = false;
  for (let index = 0; index < 36; index += 1) {
    const code = value.charCodeAt(index);
    if (index === 8 || index === 13 || index === 18 || index === 23) {
      if (code !== 0x2d) return FAIL;
    } else if (code >= 0x41 && code <= 0x46) {
      upper = true;
    } else if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) {
      return FAIL;
    }
  }
  return upper ? value.toLowerCase() : value;
}

function dateTime(value: unknown): unknown {
  if (typeof value !== 'string') return FAIL;
  const normalized = normalizeDateTime(value);
  return typeof normalized === 'string' ? normalized : FAIL;
}
