import type { FieldDef, FieldValue, LineValues, StoredObject, TypeDef } from '../../api/types';
import { checkDecimal } from '../../lib/decimal';

/**
 * A form edits text as typed; this module turns an object into form values and back into the API's
 * input, checking what can be checked before the host does (numbers, required fields).
 */
export type FormScalar = string | boolean | null;
export type FormLine = { key: string; values: Record<string, FormScalar> };
export type FormState = { values: Record<string, FormScalar>; sections: Record<string, FormLine[]> };
export type FormErrors = Record<string, string>;

/** An error code and its parameters, for the translations. */
export type FieldProblem = {
  code: 'required' | 'not_a_number' | 'too_precise' | 'negative' | 'not_an_integer';
  scale?: number;
};

/** Figures the host computes from the rest; the form shows them, never sends them. */
export type ComputedFields = { header: ReadonlySet<string>; lines: ReadonlySet<string> };

const has = (fields: readonly FieldDef[], name: string) => fields.some((field) => field.name === name);

export function computedFields(def: TypeDef): ComputedFields {
  const lines = def.tabularSections.find((section) =>
    ['quantity', 'price', 'amount', 'vatAmount'].every((name) => has(section.fields, name)),
  );
  if (lines)
    return {
      header: new Set(['amount', 'vatAmount'].filter((name) => has(def.fields, name))),
      lines: new Set(['amount', 'vatAmount']),
    };
  if (def.kind === 'document' && has(def.fields, 'vatRate') && has(def.fields, 'vatAmount')) {
    return { header: new Set(['vatAmount']), lines: new Set() };
  }
  return { header: new Set(), lines: new Set() };
}

let lineKeys = 0;
export function newLineKey(): string {
  lineKeys += 1;
  return `line-${lineKeys}`;
}

function toFormValue(field: FieldDef, value: FieldValue | LineValues[] | undefined): FormScalar {
  const present = value === undefined || value === null ? (field.default ?? null) : value;
  switch (field.type.kind) {
    case 'boolean':
      return present === true;
    case 'enum':
    case 'ref':
      return present === null ? null : String(present);
    default:
      return present === null ? '' : String(present);
  }
}

/** Now, as a document date: local time, to the second. */
export function nowAsDocumentDate(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}

export function emptyLine(fields: readonly FieldDef[]): FormLine {
  return {
    key: newLineKey(),
    values: Object.fromEntries(fields.map((field) => [field.name, toFormValue(field, undefined)])),
  };
}

export function toFormState(def: TypeDef, object: StoredObject | undefined): FormState {
  const values: Record<string, FormScalar> = {};
  if (def.kind === 'catalog') values.code = object?.code ?? '';
  else {
    values.number = object?.number ?? '';
    values.date = object?.date ?? nowAsDocumentDate();
    values.posted = object?.posted ?? true;
  }
  for (const field of def.fields) values[field.name] = toFormValue(field, object?.[field.name]);
  const sections: Record<string, FormLine[]> = {};
  for (const section of def.tabularSections) {
    const stored = (object?.[section.name] as LineValues[] | undefined) ?? [];
    sections[section.name] = stored.map((line) => ({
      key: newLineKey(),
      values: Object.fromEntries(
        section.fields.map((field) => [field.name, toFormValue(field, line[field.name])]),
      ),
    }));
  }
  return { values, sections };
}

type Parsed = { ok: true; value: FieldValue | undefined } | { ok: false; problem: FieldProblem };

function parseField(field: FieldDef, raw: FormScalar): Parsed {
  const empty = raw === null || raw === '';
  if (field.type.kind === 'boolean') return { ok: true, value: raw === true };
  if (empty) {
    if (field.required && field.default === undefined) return { ok: false, problem: { code: 'required' } };
    return { ok: true, value: null };
  }
  const text = String(raw);
  switch (field.type.kind) {
    case 'decimal': {
      const checked = checkDecimal(text, field.type.scale, { nonNegative: field.type.nonNegative ?? false });
      return checked.ok
        ? { ok: true, value: checked.value }
        : { ok: false, problem: { code: checked.reason, scale: field.type.scale } };
    }
    case 'integer':
      return /^-?\d+$/.test(text.trim())
        ? { ok: true, value: Number(text.trim()) }
        : { ok: false, problem: { code: 'not_an_integer' } };
    default:
      return { ok: true, value: text };
  }
}

export type InputResult = { input: Record<string, unknown>; problems: Record<string, FieldProblem> };

/** The API input for a create or an update, with the problems found on the way (keyed by field path). */
export function toInput(def: TypeDef, state: FormState, original: StoredObject | undefined): InputResult {
  const computed = computedFields(def);
  const problems: Record<string, FieldProblem> = {};
  const input: Record<string, unknown> = {};
  const creating = original === undefined;
  const put = (name: string, value: FieldValue | undefined) => {
    if (value === undefined || (creating && value === null)) return;
    input[name] = value;
  };

  if (def.kind === 'catalog') {
    const code = String(state.values.code ?? '').trim();
    if (def.code?.kind === 'natural' && !code) problems.code = { code: 'required' };
    if (code && code !== original?.code) input.code = code;
  } else {
    const number = String(state.values.number ?? '').trim();
    if (number && number !== original?.number) input.number = number;
    const date = String(state.values.date ?? '');
    if (date) input.date = date.length === 16 ? `${date}:00` : date;
    input.posted = state.values.posted === true;
  }
  for (const field of def.fields) {
    if (computed.header.has(field.name)) continue;
    const parsed = parseField(field, state.values[field.name] ?? null);
    if (parsed.ok) put(field.name, parsed.value);
    else problems[field.name] = parsed.problem;
  }
  for (const section of def.tabularSections) {
    input[section.name] = (state.sections[section.name] ?? []).map((line, index) => {
      const values: Record<string, FieldValue> = {};
      for (const field of section.fields) {
        // A line without a price keeps the amount entered; with one, the host computes it.
        const keepAmount = field.name === 'amount' && !line.values.price;
        if (computed.lines.has(field.name) && !keepAmount) continue;
        const parsed = parseField(field, line.values[field.name] ?? null);
        if (!parsed.ok) problems[`${section.name}[${index}].${field.name}`] = parsed.problem;
        else if (parsed.value !== null && parsed.value !== undefined) values[field.name] = parsed.value;
      }
      return values;
    });
  }
  if (!creating) input.version = original.version;
  return { input, problems };
}
