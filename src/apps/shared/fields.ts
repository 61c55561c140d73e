import type { FieldDef, FieldType, Label } from '../../platform/metadata.js';

/** Small builders so that a declaration reads as a list of fields, not as plumbing. */
export function field(
  name: string,
  en: string,
  ru: string,
  type: FieldType,
  extra: Partial<FieldDef> = {},
): FieldDef {
  return { name, label: { en, ru }, type, ...extra };
}

export const label = (en: string, ru: string): Label => ({ en, ru });

export const str = (
  maxLength: number,
  extra: Partial<Extract<FieldType, { kind: 'string' }>> = {},
): FieldType => ({
  kind: 'string',
  maxLength,
  ...extra,
});
export const ref = (to: string): FieldType => ({ kind: 'ref', to });
export const bool: FieldType = { kind: 'boolean' };
export const date: FieldType = { kind: 'date' };
export const money: FieldType = { kind: 'decimal', precision: 15, scale: 2 };
export const quantity: FieldType = { kind: 'decimal', precision: 15, scale: 3, nonNegative: true };
export const oneOf = (values: readonly string[], labels?: Record<string, Label>): FieldType => ({
  kind: 'enum',
  values,
  ...(labels ? { labels } : {}),
});

export const INN: FieldType = {
  kind: 'string',
  maxLength: 12,
  pattern: /^(\d{10}|\d{12})$/,
  patternHint: 'must be 10 digits (a company) or 12 digits (a person)',
};
export const KPP: FieldType = {
  kind: 'string',
  maxLength: 9,
  pattern: /^\d{4}[\dA-Z]{2}\d{3}$/,
  patternHint: 'must be 9 characters: 4 digits, 2 digits or letters, 3 digits',
};
