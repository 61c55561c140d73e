import type {
  FormatObject,
  IncomingObject,
  IncomingRef,
  OutgoingContext,
} from '../../exchange/conversion.js';
import { ConversionError } from '../../exchange/conversion.js';
import {
  booleanAt,
  dateAt,
  dateTimeAt,
  decimalAt,
  describeValue,
  isRecord,
  type JsonRecord,
  join,
  propertyOf,
  recordAt,
  stringAt,
} from './format-input.js';

/**
 * A small vocabulary for conversion rules: each property of a format object is one rule that knows
 * both directions, so that a type's rules read as a table in the package's property order and the
 * inverse can never drift from the forward mapping.
 */

/**
 * The exporter's context as these rules use it. `object` is optional: with it, a document line goes to
 * Товары or Услуги by its product's kind; without it every line goes to Товары, which loses nothing
 * between ibsync infobases (see shared-rules.ts).
 */
export type ConversionContext = OutgoingContext;

export type LocalValues = Readonly<Record<string, unknown>>;
export type SystemValues = IncomingObject['system'];

/** What reading fills: local field values and system properties. */
export type Incoming = { values: IncomingObject['values']; system: SystemValues };

export type WriteScope = { readonly context: ConversionContext; readonly path: string };

export type ReadScope = {
  readonly path: string;
  readonly into: Incoming;
  /** The enclosing group is absent: its properties are not demanded and its fields read as null. */
  readonly absent: boolean;
  readonly readRef: (localType: string, value: unknown, path: string) => IncomingRef;
};

/** The scope of a nested group or row: same shape every time, which keeps reading monomorphic. */
export function within(scope: ReadScope, path: string, into = scope.into, absent = scope.absent): ReadScope {
  return { path, into, absent, readRef: scope.readRef };
}

export type PropertyRule = {
  write(source: LocalValues, out: Record<string, unknown>, scope: WriteScope): void | Promise<void>;
  read(input: JsonRecord, scope: ReadScope): void;
};

/** A value's two spellings: local (as the store gives it) and format (as the package types it). */
export type Codec<T extends string | boolean> = {
  write(value: unknown, path: string): T;
  read(value: unknown, path: string): T;
};

// Local decimals, dates and moments are strings already in the format's spelling.
export const text: Codec<string> = { write: stringAt, read: stringAt };
export const decimalText: Codec<string> = { write: stringAt, read: decimalAt };
export const flag: Codec<boolean> = { write: booleanAt, read: booleanAt };
export const day: Codec<string> = { write: stringAt, read: dateAt };
export const moment: Codec<string> = { write: stringAt, read: dateTimeAt };

/**
 * A local enumeration and a format one, both ways. `aliases` are further format values read as a local
 * value (a format distinction we do not keep); they are never written.
 */
export function enumeration<L extends string>(
  typeName: string,
  pairs: Readonly<Record<L, string>>,
  aliases: Readonly<Record<string, NoInfer<L>>> = {},
): Codec<string> {
  const toFormat = new Map<string, string>(Object.entries(pairs));
  const toLocal = new Map<string, string>([
    ...[...toFormat].map(([local, format]): [string, string] => [format, local]),
    ...Object.entries(aliases),
  ]);
  return {
    write(value, path) {
      const format = typeof value === 'string' ? toFormat.get(value) : undefined;
      if (format === undefined) {
        throw new ConversionError(path, `has no ${typeName} value for ${describeValue(value)}`);
      }
      return format;
    },
    read(value, path) {
      const local = typeof value === 'string' ? toLocal.get(value) : undefined;
      if (local === undefined) {
        const accepted = [...toLocal.keys()].join(', ');
        throw new ConversionError(
          path,
          `expected one of ${accepted} (${typeName}), got ${describeValue(value)}`,
        );
      }
      return local;
    },
  };
}

type ScalarOptions = {
  /** The package requires the property: reading demands it, writing demands a value or a fallback. */
  readonly required?: boolean;
  /** The format value to write when the local one is empty. */
  readonly fallback?: (source: LocalValues) => unknown;
};

/** A simple-typed property ↔ a local field. */
export function scalar<T extends string | boolean>(
  property: string,
  field: string,
  codec: Codec<T>,
  options: ScalarOptions = {},
): PropertyRule {
  return {
    write(source, out, scope) {
      writeValue(property, field, codec, options, source, out, scope);
    },
    read(input, scope) {
      const value = readValue(property, codec, options, input, scope);
      scope.into.values[field] = value ?? null;
    },
  };
}

/** A simple-typed property ↔ a system property (a document's number and date, a natural code). */
export function systemScalar(
  property: string,
  field: 'number' | 'date' | 'code',
  codec: Codec<string>,
  options: ScalarOptions = {},
): PropertyRule {
  return {
    write(source, out, scope) {
      writeValue(property, field, codec, options, source, out, scope);
    },
    read(input, scope) {
      const value = readValue(property, codec, options, input, scope);
      if (value !== undefined) scope.into.system[field] = value;
    },
  };
}

function writeValue<T extends string | boolean>(
  property: string,
  field: string,
  codec: Codec<T>,
  options: ScalarOptions,
  source: LocalValues,
  out: Record<string, unknown>,
  scope: WriteScope,
): void {
  const path = join(scope.path, property);
  const value = source[field];
  if (value !== null && value !== undefined) {
    out[property] = codec.write(value, path);
    return;
  }
  const fallback = options.fallback?.(source);
  if (fallback !== undefined) out[property] = fallback;
  else if (options.required) throw missingLocal(path, field);
}

function readValue<T extends string | boolean>(
  property: string,
  codec: Codec<T>,
  options: ScalarOptions,
  input: JsonRecord,
  scope: ReadScope,
): T | undefined {
  const path = join(scope.path, property);
  const raw = propertyOf(input, property);
  if (raw === undefined) {
    if (options.required && !scope.absent) throw missingFormat(path);
    return undefined;
  }
  return codec.read(raw, path);
}

type ReferenceOptions = {
  readonly required?: boolean;
  /** Key properties to send when the local reference is empty and the package requires one. */
  readonly fallback?: FormatObject;
  /** Written for the receiver's benefit only; another property carries the same field. */
  readonly writeOnly?: boolean;
};

/** A reference property: the referenced object's key properties ↔ a local ref field. */
export function reference(
  property: string,
  field: string,
  localType: string,
  options: ReferenceOptions = {},
): PropertyRule {
  return {
    async write(source, out, scope) {
      const path = join(scope.path, property);
      const ref = source[field];
      if (typeof ref !== 'string') {
        if (options.fallback !== undefined) out[property] = options.fallback;
        else if (options.required) throw missingLocal(path, field);
        return;
      }
      const keys = await scope.context.keyProperties(localType, ref);
      if (keys !== undefined) out[property] = keys;
      else if (options.required)
        throw new ConversionError(path, `refers to ${localType} ${ref}, which does not exist`);
    },
    read(input, scope) {
      if (options.writeOnly) return;
      const path = join(scope.path, property);
      const raw = propertyOf(input, property);
      if (raw === undefined) {
        if (options.required && !scope.absent) throw missingFormat(path);
        scope.into.values[field] = null;
        return;
      }
      scope.into.values[field] = scope.readRef(localType, raw, path);
    },
  };
}

/** A nested object of the format whose properties map to fields of the same local object. */
export function group(
  property: string,
  rules: readonly PropertyRule[],
  options: { readonly required?: boolean } = {},
): PropertyRule {
  return {
    async write(source, out, scope) {
      const inner = await writeRules(rules, source, { ...scope, path: join(scope.path, property) });
      if (options.required || !isDeepEmpty(inner)) out[property] = inner;
    },
    read(input, scope) {
      const path = join(scope.path, property);
      const raw = propertyOf(input, property);
      if (raw === undefined) {
        if (options.required && !scope.absent) throw missingFormat(path);
        readRules(rules, {}, within(scope, path, scope.into, true));
        return;
      }
      readRules(rules, recordAt(raw, path), within(scope, path));
    },
  };
}

/** A property the receiver derives from others (or does not need): written, never read back. */
export function computed(
  property: string,
  compute: (source: LocalValues, scope: WriteScope) => unknown,
): PropertyRule {
  return {
    async write(source, out, scope) {
      const value = await compute(source, scope);
      if (value !== undefined) out[property] = value;
    },
    read() {},
  };
}

export async function writeRules(
  rules: readonly PropertyRule[],
  source: LocalValues,
  scope: WriteScope,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const rule of rules) {
    const pending = rule.write(source, out, scope);
    if (pending !== undefined) await pending;
  }
  return out;
}

export function readRules(rules: readonly PropertyRule[], input: JsonRecord, scope: ReadScope): void {
  for (const rule of rules) rule.read(input, scope);
}

export function emptyIncoming(): Incoming {
  return { values: {}, system: {} };
}

function isDeepEmpty(value: unknown): boolean {
  return isRecord(value) && Object.values(value).every(isDeepEmpty);
}

function missingLocal(path: string, field: string): ConversionError {
  return new ConversionError(path, `is required by the format, but the object has no ${field}`);
}

function missingFormat(path: string): ConversionError {
  return new ConversionError(path, 'is required, got nothing');
}
