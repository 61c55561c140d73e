/**
 * The metadata model: an application declares its catalogs and documents with this vocabulary, and
 * the platform derives tables, validation, numbering and API schemas from the declaration alone.
 */
export type Label = { en: string; ru: string };

export type FieldType =
  | {
      kind: 'string';
      maxLength: number;
      minLength?: number;
      pattern?: RegExp;
      patternHint?: string;
      multiline?: boolean;
    }
  | { kind: 'decimal'; precision: number; scale: number; nonNegative?: boolean }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'date' }
  | { kind: 'datetime' }
  | { kind: 'ref'; to: string }
  | { kind: 'enum'; values: readonly string[]; labels?: Readonly<Record<string, Label>> };

export type FieldValue = string | number | boolean | null;

export type FieldDef = {
  /** camelCase; the API and CLI name. The column is its snake_case form. */
  name: string;
  label: Label;
  type: FieldType;
  required?: boolean;
  default?: FieldValue;
  /**
   * References only: whether the column is indexed (by default it is). A reference to one of a handful of
   * items (an organization, a currency, a unit) is not: its index would file every row under a few keys,
   * a cost on each write for the rare question "is it used anywhere", which a scan answers at the first row.
   */
  indexed?: boolean;
};

export type TabularSectionDef = {
  name: string;
  label: Label;
  fields: FieldDef[];
};

export type ObjectKind = 'catalog' | 'document';

/** How a catalog gets its code: generated `<prefix>-NNNNN`, or a natural code the user enters (ISO, OKEI). */
export type CodeRule =
  | { kind: 'auto' }
  | { kind: 'natural'; maxLength: number; pattern?: RegExp; patternHint?: string };

export type ObjectTypeDef = {
  /** kebab-case, the API and CLI type name: `counterparty`, `customer-invoice`. */
  name: string;
  kind: ObjectKind;
  label: Label;
  pluralLabel: Label;
  fields: FieldDef[];
  tabularSections?: TabularSectionDef[];
  /** Catalogs only. */
  code?: CodeRule;
  /**
   * Documents only: the number is `<infobase prefix><the referenced object's prefix>-NNNNNN`, e.g. the
   * organization's prefix.
   */
  numberPrefixFrom?: { field: string; prefixField: string };
  /** Ordered alternatives used to find the same object elsewhere, e.g. [['inn', 'kpp'], ['name']]. */
  searchFields?: readonly (readonly string[])[];
  indexes?: readonly { fields: readonly string[]; unique?: boolean }[];
  /** The fields that name an object to a person, e.g. ['name'] or ['number', 'date']. */
  presentation: readonly string[];
  /**
   * Fills what follows from the rest before every write, e.g. line amounts and document totals.
   * Gets validated values and returns them completed; must be pure.
   */
  complete?: (values: Record<string, unknown>) => Record<string, unknown>;
  /** Rules across fields that a field's own type cannot say, e.g. "an owner: organization or counterparty". */
  check?: (values: Record<string, unknown>) => { field: string; code: string; message: string }[];
};

export type ApplicationName = 'crm' | 'accounting';

export type ApplicationDef = {
  name: ApplicationName;
  label: Label;
  /** The configuration's own version, reported to peers. */
  version: string;
  types: readonly ObjectTypeDef[];
};

/** Fields every object has, managed by the platform rather than declared. */
export const SYSTEM_FIELDS = ['ref', 'version', 'deleted', 'createdIn'] as const;
export const CATALOG_SYSTEM_FIELDS = ['code'] as const;
export const DOCUMENT_SYSTEM_FIELDS = ['number', 'date', 'posted'] as const;

export function findType(app: ApplicationDef, typeName: string): ObjectTypeDef | undefined {
  return app.types.find((type) => type.name === typeName);
}

export function findField(def: ObjectTypeDef, fieldName: string): FieldDef | undefined {
  return def.fields.find((field) => field.name === fieldName);
}

export function tableName(def: ObjectTypeDef): string {
  return `${def.kind === 'catalog' ? 'cat' : 'doc'}_${snakeCase(def.name)}`;
}

export function sectionTableName(def: ObjectTypeDef, section: TabularSectionDef): string {
  return `${tableName(def)}__${snakeCase(section.name)}`;
}

export function columnName(fieldName: string): string {
  return snakeCase(fieldName);
}

const spelled = new Map<string, string>();

/** Asked for every field of every row written: each name is spelled once (bounded: names come from requests too). */
function snakeCase(name: string): string {
  let snake = spelled.get(name);
  if (snake === undefined) {
    snake = toSnakeCase(name);
    if (spelled.size >= 10_000) spelled.clear();
    spelled.set(name, snake);
  }
  return snake;
}

function toSnakeCase(name: string): string {
  return name
    .replace(/-/g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
