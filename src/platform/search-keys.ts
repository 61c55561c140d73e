import type { FieldDef, ObjectTypeDef } from './metadata.js';

/**
 * Search keys: for each group of a type's search fields (DESIGN.md 6.5), one normalized value, stored in
 * its own indexed column so that finding "the same object" is a look-up, never a scan of all pairs.
 * Normalization covers what real data varies in: case, spaces, quotes, the legal form written out or
 * abbreviated, ё/е, leading zeros in codes.
 */
const LEGAL_FORMS = [
  'общество с ограниченной ответственностью',
  'публичное акционерное общество',
  'закрытое акционерное общество',
  'открытое акционерное общество',
  'непубличное акционерное общество',
  'акционерное общество',
  'индивидуальный предприниматель',
  'ооо',
  'пао',
  'зао',
  'оао',
  'нао',
  'ао',
  'ип',
  'ooo',
  'llc',
  'ltd',
  'inc',
  'jsc',
  'pjsc',
  'gmbh',
];
const LEGAL_FORM_PATTERN = new RegExp(
  `(^|\\s)(${LEGAL_FORMS.map((form) => form.replace(/ /g, '\\s+')).join('|')})(?=\\s|$)`,
  'gu',
);

export function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/["'«»„“”`´‘’]/g, ' ')
    .replace(/[.,;:()]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(LEGAL_FORM_PATTERN, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const DIGITS = /^\d+$/;

export function normalizeCode(code: string): string {
  // Most codes (INN, KPP, OKEI) are digits already: nothing to lower-case or squeeze.
  if (DIGITS.test(code)) return code.replace(/^0+(?=\d)/, '');
  const compact = code.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, '');
  return /^\d+$/.test(compact) ? compact.replace(/^0+(?=\d)/, '') : compact;
}

const fieldsByName = new WeakMap<ObjectTypeDef, Map<string, FieldDef>>();

function fieldOf(def: ObjectTypeDef, name: string): FieldDef | undefined {
  let fields = fieldsByName.get(def);
  if (!fields) {
    fields = new Map(def.fields.map((field) => [field.name, field]));
    fieldsByName.set(def, fields);
  }
  return fields.get(name);
}

function normalizeField(field: FieldDef | undefined, name: string, value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const text = String(value);
  if (field?.type.kind === 'ref' || field?.type.kind === 'date') return text;
  const normalized = name === 'name' || name === 'fullName' ? normalizeName(text) : normalizeCode(text);
  return normalized === '' ? undefined : normalized;
}

export function searchKeyColumn(index: number): string {
  return `search_key_${index + 1}`;
}

/** The key of one search group, or undefined when a field of the group is empty. */
export function searchKey(
  def: ObjectTypeDef,
  group: readonly string[],
  values: Record<string, unknown>,
): string | undefined {
  const parts: string[] = [];
  for (const name of group) {
    const normalized = normalizeField(fieldOf(def, name), name, values[name]);
    if (normalized === undefined) return undefined;
    parts.push(normalized);
  }
  return parts.join('\u001f');
}

/** The values of the identifying fields (the first search group): two objects differing in one are not the same. */
export function identifyingValues(
  def: ObjectTypeDef,
  values: Record<string, unknown>,
): Record<string, string | undefined> {
  const group = def.searchFields?.[0] ?? [];
  const identifying: Record<string, string | undefined> = {};
  for (const name of group) identifying[name] = normalizeField(fieldOf(def, name), name, values[name]);
  return identifying;
}

export function conflicts(
  a: Record<string, string | undefined>,
  b: Record<string, string | undefined>,
): boolean {
  return Object.keys(a).some((name) => a[name] !== undefined && b[name] !== undefined && a[name] !== b[name]);
}
