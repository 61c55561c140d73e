import {
  type QName,
  qnameText,
  sameQName,
  type XdtoObjectType,
  type XdtoPackage,
  type XdtoProperty,
  type XdtoValueType,
  XS_NAMESPACE,
} from './xdto-package.js';

/**
 * Checks a value of our JSON exchange model against an XDTO package type, so that emitters can prove
 * they write exactly what the package declares. The JSON model of a package type:
 *
 * - object type → JSON object; keys are property names, in the package's sequence order (inherited
 *   base properties first); an absent optional property is an absent key. Unknown keys are issues
 *   even though the 1C types are `open`, so that what we emit stays exact.
 * - property with upperBound -1 or > 1 → JSON array (also with one element).
 * - wrapper: an object type whose only property is repeated (tabular sections such as `Товары` with
 *   its `Строка`, `КонтактнаяИнформация`, `ДополнительныеРеквизиты`) → the array of rows itself:
 *   `"Товары": [{...}, {...}]`, paths `Товары[0].Количество` (0-based).
 * - unordered object type (`ordered="false"`) whose properties are all optional → a choice: exactly one
 *   key. `ЛюбаяСсылка` is one inside an object, so a deletion is
 *   `{"СсылкаНаОбъект": {"СсылкаНаОбъект": {"КонтрагентыСсылка": "<uuid>"}}}`, as the XML nests it.
 * - xs:string → string; xs:decimal → string such as "1234.50" (no exponent, no "+", no bare "."),
 *   digits counted on the value as XSD does ("1.50" has one fraction digit), the whole part limited to
 *   totalDigits − fractionDigits as 1C's Number(p, s) is; xs:int/integer/long/short/byte →
 *   JSON integer; xs:boolean → true/false; xs:date → "YYYY-MM-DD"; xs:dateTime →
 *   "YYYY-MM-DDTHH:mm:ss" (local time, as 1C writes it); xs:anyType → anything.
 * - value types based on the ExchangeMessage `Ref` (`СправочникСсылка.*`, `ДокументСсылка.*`) → UUID
 *   string; enumerations → one of their strings; union → a value valid for one member type.
 * - nillable property → may be null.
 */
export type ConformanceIssueCode =
  | 'unknown_property'
  | 'out_of_order'
  | 'missing_required'
  | 'too_few'
  | 'too_many'
  | 'not_nillable'
  | 'bad_choice'
  | 'wrong_type'
  | 'out_of_range'
  | 'too_long'
  | 'too_short'
  | 'bad_pattern'
  | 'bad_enum'
  | 'too_many_digits'
  | 'too_many_fraction_digits'
  | 'bad_ref';

export type ConformanceIssue = {
  /** From the checked value: `КлючевыеСвойства.ИНН`, `Товары[2].Количество`; '' is the value itself. */
  readonly path: string;
  readonly code: ConformanceIssueCode;
  readonly message: string;
};

export type ConformanceOptions = {
  /** Packages the checked one imports (EnterpriseData needs ExchangeMessage for `Object` and `Ref`). */
  readonly imports?: readonly XdtoPackage[];
  /**
   * Values a declared format extension adds to enumerations, by value type name, e.g.
   * `{ СтавкиНДС: ['НДС22', 'НДС22_122'] }`: accepted as if the package listed them.
   */
  readonly extraEnumerations?: Readonly<Record<string, readonly string[]>>;
};

export const EXCHANGE_MESSAGE_NAMESPACE = 'http://www.1c.ru/SSL/Exchange/Message';
const REF_TYPE: QName = { namespace: EXCHANGE_MESSAGE_NAMESPACE, name: 'Ref' };

/** Problems with the package itself (an unresolvable type), as opposed to problems with the value. */
export class ConformanceSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceSchemaError';
  }
}

export function checkConformance(
  pkg: XdtoPackage,
  typeName: string,
  value: unknown,
  options: ConformanceOptions = {},
): ConformanceIssue[] {
  const checker = new Checker([pkg, ...(options.imports ?? [])], options.extraEnumerations ?? {});
  const type = checker.resolve({ namespace: pkg.targetNamespace, name: typeName });
  checker.checkValue(type, value, { path: '', label: typeName });
  return checker.issues;
}

type Builtin = { readonly kind: 'builtin'; readonly name: string };
type Reference = { readonly kind: 'reference' };
type SimpleType = XdtoValueType | Builtin | Reference;
type AnyType = SimpleType | XdtoObjectType;

/** Where a value sits: its path, and the name messages call it by. */
type Place = { readonly path: string; readonly label: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})$/;
const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  int: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  integer: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  nonNegativeInteger: [0, Number.MAX_SAFE_INTEGER],
  positiveInteger: [1, Number.MAX_SAFE_INTEGER],
  unsignedByte: [0, 255],
  unsignedShort: [0, 65535],
  unsignedInt: [0, 4294967295],
  unsignedLong: [0, Number.MAX_SAFE_INTEGER],
};
const LISTED_ALTERNATIVES = 8;

class Checker {
  readonly issues: ConformanceIssue[] = [];
  private readonly packages: ReadonlyMap<string, XdtoPackage>;
  private readonly propertyLists = new Map<XdtoObjectType, readonly XdtoProperty[]>();
  private readonly patterns = new Map<string, RegExp>();

  constructor(
    packages: readonly XdtoPackage[],
    private readonly extraEnumerations: Readonly<Record<string, readonly string[]>>,
  ) {
    this.packages = new Map(packages.map((pkg) => [pkg.targetNamespace, pkg]));
  }

  resolve(qname: QName): AnyType {
    if (qname.namespace === XS_NAMESPACE) return { kind: 'builtin', name: qname.name };
    // Ref is a plain xs:string to XDTO; knowing it is a reference lets us demand a UUID.
    if (sameQName(qname, REF_TYPE)) return { kind: 'reference' };
    const pkg = this.packages.get(qname.namespace);
    if (pkg === undefined) {
      throw new ConformanceSchemaError(
        `type ${qnameText(qname)} needs the package for ${qname.namespace}: pass it in options.imports`,
      );
    }
    const type = pkg.objectTypes.get(qname.name) ?? pkg.valueTypes.get(qname.name);
    if (type === undefined) throw new ConformanceSchemaError(`type ${qnameText(qname)} is not defined`);
    return type;
  }

  checkValue(type: AnyType, value: unknown, at: Place): void {
    if (type.kind !== 'objectType') {
      this.issues.push(...this.simpleIssues(type, value, at));
      return;
    }
    const wrapped = this.wrappedProperty(type);
    if (wrapped !== undefined) this.checkRepeated(wrapped, value, at);
    else this.checkObject(type, value, at);
  }

  private checkObject(type: XdtoObjectType, value: unknown, at: Place): void {
    if (!isRecord(value)) {
      this.report(at, 'wrong_type', `expected an object (${typeLabel(type)}), got ${describeValue(value)}`);
      return;
    }
    const properties = this.propertiesOf(type);
    const positions = new Map(properties.map((property, index) => [property.name, index]));
    let previous: { name: string; position: number } | undefined;
    const present: string[] = [];
    for (const [name, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const place = { path: join(at.path, name), label: name };
      const position = positions.get(name);
      const property = position === undefined ? undefined : properties[position];
      if (position === undefined || property === undefined) {
        this.report(
          place,
          'unknown_property',
          `not a property of ${typeLabel(type)}, got ${describeValue(item)}`,
        );
        continue;
      }
      present.push(name);
      if (type.ordered && previous !== undefined && position < previous.position) {
        this.report(
          place,
          'out_of_order',
          `expected before ${previous.name} (the sequence of ${typeLabel(type)}), got after it`,
        );
      } else {
        previous = { name, position };
      }
      this.checkProperty(property, item, place);
    }
    for (const property of properties) {
      if (property.lowerBound > 0 && value[property.name] === undefined) {
        this.report(
          { path: join(at.path, property.name), label: property.name },
          'missing_required',
          `expected a value (required in ${typeLabel(type)}), got none`,
        );
      }
    }
    if (!type.ordered && properties.length > 0 && properties.every((property) => property.lowerBound === 0)) {
      this.checkChoice(type, properties, present, at);
    }
  }

  private checkChoice(
    type: XdtoObjectType,
    properties: readonly XdtoProperty[],
    present: readonly string[],
    at: Place,
  ): void {
    if (present.length === 1) return;
    const names = properties.map((property) => property.name);
    const listed = names.slice(0, LISTED_ALTERNATIVES).join(', ');
    const more = names.length > LISTED_ALTERNATIVES ? `, … (${names.length} alternatives)` : '';
    const got = present.length === 0 ? 'none' : present.join(' and ');
    this.report(
      at,
      'bad_choice',
      `expected exactly one of ${listed}${more} (${typeLabel(type)}), got ${got}`,
    );
  }

  private checkProperty(property: XdtoProperty, value: unknown, at: Place): void {
    if (property.upperBound === -1 || property.upperBound > 1) {
      this.checkRepeated(property, value, at);
      return;
    }
    this.checkItem(property, value, at);
  }

  private checkRepeated(property: XdtoProperty, value: unknown, at: Place): void {
    if (!Array.isArray(value)) {
      this.report(
        at,
        'wrong_type',
        `expected an array of ${this.label(property)}, got ${describeValue(value)}`,
      );
      return;
    }
    if (value.length < property.lowerBound) {
      this.report(at, 'too_few', `expected at least ${items(property.lowerBound)}, got ${value.length}`);
    }
    if (property.upperBound !== -1 && value.length > property.upperBound) {
      this.report(at, 'too_many', `expected at most ${items(property.upperBound)}, got ${value.length}`);
    }
    value.forEach((item: unknown, index) => {
      this.checkItem(property, item, { path: `${at.path}[${index}]`, label: at.label });
    });
  }

  private checkItem(property: XdtoProperty, value: unknown, at: Place): void {
    if (value === null) {
      if (!property.nillable) this.report(at, 'not_nillable', `expected ${this.label(property)}, got null`);
      return;
    }
    this.checkValue(this.typeOf(property), value, at);
  }

  private simpleIssues(type: SimpleType, value: unknown, at: Place): ConformanceIssue[] {
    if (type.kind === 'builtin') return builtinIssues(type.name, value, at);
    if (type.kind === 'reference') return referenceIssues(value, at);
    if (type.variety === 'Union') return this.unionIssues(type, value, at);
    if (type.variety === 'List') return this.listIssues(type, value, at);
    const base =
      type.base === undefined
        ? ({ kind: 'builtin', name: 'anySimpleType' } as const)
        : this.resolve(type.base);
    if (base.kind === 'objectType') {
      throw new ConformanceSchemaError(
        `value type ${typeLabel(type)} is based on object type ${typeLabel(base)}`,
      );
    }
    const baseIssues = this.simpleIssues(base, value, at);
    // A value of the wrong kind would only add noise under the facets.
    if (baseIssues.length > 0) return baseIssues;
    return this.facetIssues(type, value, at);
  }

  private unionIssues(type: XdtoValueType, value: unknown, at: Place): ConformanceIssue[] {
    const members = type.memberTypes.map((member) => this.resolve(member));
    const fits = members.some(
      (member) => member.kind !== 'objectType' && this.simpleIssues(member, value, at).length === 0,
    );
    if (fits) return [];
    const names = type.memberTypes.map((member) => member.name).join(' or ');
    return [issue(at, 'wrong_type', `expected a value of ${names}, got ${describeValue(value)}`)];
  }

  private listIssues(type: XdtoValueType, value: unknown, at: Place): ConformanceIssue[] {
    if (typeof value !== 'string') {
      return [issue(at, 'wrong_type', `expected a space-separated list, got ${describeValue(value)}`)];
    }
    const item = type.itemType === undefined ? undefined : this.resolve(type.itemType);
    const items = value.split(/\s+/).filter((text) => text !== '');
    const issues =
      item === undefined || item.kind === 'objectType'
        ? []
        : items.flatMap((text, index) =>
            this.simpleIssues(item, text, { ...at, path: `${at.path}[${index}]` }),
          );
    return [...issues, ...lengthIssues(type, items.length, 'items', value, at)];
  }

  private facetIssues(type: XdtoValueType, value: unknown, at: Place): ConformanceIssue[] {
    const text = typeof value === 'string' ? value : String(value);
    const issues: ConformanceIssue[] = [];
    const name = typeLabel(type);
    const enumeration = this.enumerationOf(type);
    if (enumeration.length > 0 && !enumeration.includes(text)) {
      const listed = enumeration.slice(0, LISTED_ALTERNATIVES).join(', ');
      const more = enumeration.length > LISTED_ALTERNATIVES ? `, … (${enumeration.length} values)` : '';
      issues.push(
        issue(at, 'bad_enum', `expected one of ${listed}${more} (${name}), got ${describeValue(value)}`),
      );
    }
    for (const pattern of type.patterns) {
      if (!this.pattern(pattern).test(text)) {
        issues.push(
          issue(
            at,
            'bad_pattern',
            `expected a match for /${pattern}/ (${name}), got ${describeValue(value)}`,
          ),
        );
      }
    }
    if (typeof value === 'string') {
      issues.push(...lengthIssues(type, [...value].length, 'characters', value, at));
    }
    if (type.totalDigits !== undefined || type.fractionDigits !== undefined) {
      issues.push(...digitIssues(type, text, value, at));
    }
    return issues;
  }

  /** Extra values only widen a type that is an enumeration already: they never turn a free string into one. */
  private enumerationOf(type: XdtoValueType): readonly string[] {
    const extra = type.name === undefined ? undefined : this.extraEnumerations[type.name];
    return extra === undefined || type.enumeration.length === 0
      ? type.enumeration
      : [...type.enumeration, ...extra];
  }

  private pattern(source: string): RegExp {
    let compiled = this.patterns.get(source);
    if (compiled === undefined) {
      compiled = new RegExp(`^(?:${source})$`, 'u');
      this.patterns.set(source, compiled);
    }
    return compiled;
  }

  private propertiesOf(type: XdtoObjectType): readonly XdtoProperty[] {
    let properties = this.propertyLists.get(type);
    if (properties === undefined) {
      const base = type.base === undefined ? undefined : this.resolve(type.base);
      if (base !== undefined && base.kind !== 'objectType') {
        throw new ConformanceSchemaError(`object type ${typeLabel(type)} is based on a value type`);
      }
      properties = base === undefined ? type.properties : [...this.propertiesOf(base), ...type.properties];
      this.propertyLists.set(type, properties);
    }
    return properties;
  }

  /** The repeated property of a wrapper type, whose JSON is the array of its items. */
  private wrappedProperty(type: XdtoObjectType): XdtoProperty | undefined {
    const properties = this.propertiesOf(type);
    const only = properties.length === 1 ? properties[0] : undefined;
    return only !== undefined && (only.upperBound === -1 || only.upperBound > 1) ? only : undefined;
  }

  private typeOf(property: XdtoProperty): AnyType {
    return property.type.kind === 'ref' ? this.resolve(property.type.ref) : property.type;
  }

  private label(property: XdtoProperty): string {
    return property.type.kind === 'ref' ? refLabel(property.type.ref) : typeLabel(property.type);
  }

  private report(at: Place, code: ConformanceIssueCode, detail: string): void {
    this.issues.push(issue(at, code, detail));
  }
}

function builtinIssues(name: string, value: unknown, at: Place): ConformanceIssue[] {
  const range = INTEGER_RANGES[name];
  if (range !== undefined) {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return [
        issue(
          at,
          'wrong_type',
          `expected an integer (xs:${name}) as a JSON number, got ${describeValue(value)}`,
        ),
      ];
    }
    if (value < range[0] || value > range[1]) {
      return [issue(at, 'out_of_range', `expected xs:${name} from ${range[0]} to ${range[1]}, got ${value}`)];
    }
    return [];
  }
  switch (name) {
    case 'anyType':
      return [];
    case 'decimal':
      return typeof value === 'string' && DECIMAL.test(value)
        ? []
        : [
            issue(
              at,
              'wrong_type',
              `expected a decimal (xs:decimal) as a string like "1234.50", got ${describeValue(value)}`,
            ),
          ];
    case 'boolean':
      return typeof value === 'boolean'
        ? []
        : [issue(at, 'wrong_type', `expected true or false (xs:boolean), got ${describeValue(value)}`)];
    case 'double':
    case 'float':
      return typeof value === 'number' && Number.isFinite(value)
        ? []
        : [issue(at, 'wrong_type', `expected a number (xs:${name}), got ${describeValue(value)}`)];
    case 'date':
      return typeof value === 'string' && isDate(value)
        ? []
        : [issue(at, 'wrong_type', `expected a date "YYYY-MM-DD" (xs:date), got ${describeValue(value)}`)];
    case 'dateTime':
      return typeof value === 'string' && isDateTime(value)
        ? []
        : [
            issue(
              at,
              'wrong_type',
              `expected a date and time "YYYY-MM-DDTHH:mm:ss" (xs:dateTime), got ${describeValue(value)}`,
            ),
          ];
    case 'time':
      return typeof value === 'string' && isTime(value)
        ? []
        : [issue(at, 'wrong_type', `expected a time "HH:mm:ss" (xs:time), got ${describeValue(value)}`)];
    default:
      // xs:string and its relatives; XDTO maps the remaining simple types to strings too.
      return typeof value === 'string'
        ? []
        : [issue(at, 'wrong_type', `expected a string (xs:${name}), got ${describeValue(value)}`)];
  }
}

function referenceIssues(value: unknown, at: Place): ConformanceIssue[] {
  if (typeof value !== 'string') {
    return [issue(at, 'wrong_type', `expected a reference (a UUID string), got ${describeValue(value)}`)];
  }
  return UUID.test(value)
    ? []
    : [issue(at, 'bad_ref', `expected a reference UUID, got ${describeValue(value)}`)];
}

function lengthIssues(
  type: XdtoValueType,
  length: number,
  unit: string,
  value: unknown,
  at: Place,
): ConformanceIssue[] {
  const name = typeLabel(type);
  const got = `got ${length} (${describeValue(value)})`;
  if (type.length !== undefined && length > type.length) {
    return [issue(at, 'too_long', `expected exactly ${type.length} ${unit} (${name}), ${got}`)];
  }
  if (type.length !== undefined && length < type.length) {
    return [issue(at, 'too_short', `expected exactly ${type.length} ${unit} (${name}), ${got}`)];
  }
  if (type.maxLength !== undefined && length > type.maxLength) {
    return [issue(at, 'too_long', `expected at most ${type.maxLength} ${unit} (${name}), ${got}`)];
  }
  if (type.minLength !== undefined && length < type.minLength) {
    return [issue(at, 'too_short', `expected at least ${type.minLength} ${unit} (${name}), ${got}`)];
  }
  return [];
}

/**
 * Counts digits of the value, not of its spelling, as XSD does: "0012.50" has 3 digits, 1 after the
 * point. Stricter than XSD on purpose: with both facets, the whole part may only use the digits the
 * fraction leaves, because 1C reads such a type as Number(totalDigits, fractionDigits).
 */
function digitIssues(type: XdtoValueType, text: string, value: unknown, at: Place): ConformanceIssue[] {
  const [whole = '', fraction = ''] = text.replace(/^-/, '').split('.');
  const fractionDigits = fraction.replace(/0+$/, '').length;
  const wholeDigits = whole.replace(/^0+/, '').length;
  const name = typeLabel(type);
  const got = `in ${describeValue(value)}`;
  const issues: ConformanceIssue[] = [];
  if (type.fractionDigits !== undefined && fractionDigits > type.fractionDigits) {
    issues.push(
      issue(
        at,
        'too_many_fraction_digits',
        `expected at most ${type.fractionDigits} digits after the point (${name}), ` +
          `got ${fractionDigits} ${got}`,
      ),
    );
  }
  if (type.totalDigits === undefined) return issues;
  const wholeLimit = type.totalDigits - (type.fractionDigits ?? 0);
  if (wholeDigits > wholeLimit) {
    issues.push(
      issue(
        at,
        'too_many_digits',
        `expected at most ${wholeLimit} digits before the point (${name}), got ${wholeDigits} ${got}`,
      ),
    );
  } else if (issues.length === 0 && wholeDigits + fractionDigits > type.totalDigits) {
    issues.push(
      issue(
        at,
        'too_many_digits',
        `expected at most ${type.totalDigits} digits (${name}), got ${wholeDigits + fractionDigits} ${got}`,
      ),
    );
  }
  return issues;
}

function isDate(text: string): boolean {
  const match = DATE.exec(text);
  return match !== null && isCalendarDate(match);
}

function isDateTime(text: string): boolean {
  const match = DATE_TIME.exec(text);
  return match !== null && isCalendarDate(match) && isClock(match.slice(4));
}

function isTime(text: string): boolean {
  const match = TIME.exec(text);
  return match !== null && isClock(match.slice(1));
}

function isCalendarDate(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

function isClock(parts: readonly string[]): boolean {
  const [hours, minutes, seconds] = parts.map(Number);
  return (
    hours !== undefined &&
    hours <= 23 &&
    minutes !== undefined &&
    minutes <= 59 &&
    seconds !== undefined &&
    seconds <= 59
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function issue(at: Place, code: ConformanceIssueCode, detail: string): ConformanceIssue {
  return { path: at.path, code, message: `${at.label}: ${detail}` };
}

function items(count: number): string {
  return count === 1 ? '1 item' : `${count} items`;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function typeLabel(type: AnyType): string {
  switch (type.kind) {
    case 'builtin':
      return `xs:${type.name}`;
    case 'reference':
      return 'Ref';
    case 'objectType':
      return type.name ?? 'an inline object type';
    case 'valueType':
      return type.name ?? inlineValueLabel(type);
  }
}

function inlineValueLabel(type: XdtoValueType): string {
  const facets = (['length', 'minLength', 'maxLength', 'totalDigits', 'fractionDigits'] as const)
    .filter((facet) => type[facet] !== undefined)
    .map((facet) => `${facet} ${type[facet]}`);
  const base = type.base === undefined ? type.variety.toLowerCase() : refLabel(type.base);
  return [base, ...facets].join(' ');
}

function refLabel(qname: QName): string {
  return qname.namespace === XS_NAMESPACE ? `xs:${qname.name}` : qname.name;
}

function describeValue(value: unknown): string {
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
