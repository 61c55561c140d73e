import { readFileSync } from 'node:fs';
import type { ApiClient } from './api-client.js';
import type {
  ApiObject,
  FieldError,
  Metadata,
  MetadataSection,
  MetadataType,
  ObjectList,
  WireFieldType,
} from './api-types.js';
import { ApiError, CliError, UsageError } from './errors.js';
import { ExactNumber, parseJsonExact } from './exact-json.js';

/** What a field name means to the CLI: a typed field, or a tabular section given as a JSON array. */
export type FieldKind = WireFieldType | { kind: 'section'; section: MetadataSection };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string) => UUID.test(value);

/** Fields every object has, which the metadata does not list. */
function systemField(type: MetadataType, name: string): WireFieldType | undefined {
  switch (name) {
    case 'ref':
      return { kind: 'ref', to: type.name };
    case 'version':
      return { kind: 'integer' };
    case 'deleted':
      return { kind: 'boolean' };
    case 'createdIn':
      return { kind: 'string', maxLength: 2 };
  }
  if (type.kind === 'catalog') return name === 'code' ? { kind: 'string', maxLength: 30 } : undefined;
  if (name === 'number') return { kind: 'string', maxLength: 30 };
  if (name === 'date') return { kind: 'datetime' };
  if (name === 'posted') return { kind: 'boolean' };
  return undefined;
}

export function findType(metadata: Metadata, name: string): MetadataType | undefined {
  return metadata.types.find((type) => type.name === name);
}

export function fieldKind(type: MetadataType, name: string): FieldKind | undefined {
  const field = type.fields.find((candidate) => candidate.name === name);
  if (field) return field.type;
  const section = type.tabularSections.find((candidate) => candidate.name === name);
  if (section) return { kind: 'section', section };
  return systemField(type, name);
}

/** `name=value` pairs of repeated options such as `--set` and `--filter`; the value may hold `=`. */
export function parseAssignments(option: string, values: readonly string[] = []): [string, string][] {
  return values.map((text) => {
    const equals = text.indexOf('=');
    if (equals <= 0) {
      throw new UsageError(`${option} "${text}" must be written as field=value, e.g. ${option} name=Acme`);
    }
    return [text.slice(0, equals).trim(), text.slice(equals + 1)];
  });
}

export function readJsonObjectFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseJsonExact(text);
  } catch (error) {
    throw new UsageError(`--file ${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--file ${path}: must hold one JSON object of fields, e.g. {"name": "Acme"}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Turns a code or document number into the ref the API wants. Field lookups collect their failures, so
 * that one run reports every unresolved field at once.
 */
export type RefResolver = {
  readonly errors: FieldError[];
  field(target: string, value: string, path: string): Promise<string | undefined>;
  object(typeName: string, value: string): Promise<string>;
};

type Lookup = { key: 'code' | 'number'; found: ApiObject[] };

export function createRefResolver(client: ApiClient, metadata: Metadata): RefResolver {
  const errors: FieldError[] = [];

  async function lookup(type: MetadataType, value: string): Promise<Lookup> {
    const key = type.kind === 'document' ? 'number' : 'code';
    try {
      const list = await client.ib<ObjectList>('GET', `/data/${encodeURIComponent(type.name)}`, {
        query: { [key]: value, includeDeleted: 'true', limit: 20 },
      });
      // A single live object wins over ones marked for deletion.
      const live = list.items.filter((item) => !item.deleted);
      return { key, found: live.length === 1 ? live : list.items };
    } catch (error) {
      // A value the filter itself refuses (too long for a code) matches nothing.
      if (error instanceof ApiError && error.code === 'validation_failed') return { key, found: [] };
      throw error;
    }
  }

  const describe = (type: MetadataType, { key, found }: Lookup, value: string) =>
    found.length === 0
      ? `no ${type.name} has the ${key} "${value}"; give an existing ${key} or a ref (UUID)`
      : `${found.length} ${type.name} objects have the ${key} "${value}" (${found
          .map((item) => (type.kind === 'document' ? `ref ${item.ref} of ${item.date}` : `ref ${item.ref}`))
          .join(', ')}); give the ref instead`;

  return {
    errors,
    async field(target, value, path) {
      const type = findType(metadata, target);
      if (!type) return value;
      const result = await lookup(type, value);
      if (result.found.length === 1) return result.found[0]?.ref;
      errors.push({
        field: path,
        code: result.found.length === 0 ? 'reference_not_found' : 'ambiguous_reference',
        message: describe(type, result, value),
      });
      return undefined;
    },
    async object(typeName, value) {
      const type = findType(metadata, typeName);
      // An unknown type is for the API to name; a UUID needs no lookup.
      if (!type || isUuid(value)) return value;
      const result = await lookup(type, value);
      const only = result.found.length === 1 ? result.found[0] : undefined;
      if (only) return only.ref;
      throw new CliError(
        result.found.length === 0 ? 'not_found' : 'ambiguous_reference',
        describe(type, result, value).replace(/^no /, 'No '),
        { hint: `\`ibsync data list ${type.name}\` shows the ${result.key}s and refs` },
      );
    },
  };
}

type Coercion = { resolver: RefResolver; errors: FieldError[] };

/** A `--set` value, typed by the field it goes to; an empty value clears the field. */
async function fromText(kind: FieldKind | undefined, text: string, path: string, c: Coercion) {
  if (text === '') return null;
  if (!kind) return text;
  switch (kind.kind) {
    case 'section': {
      let parsed: unknown;
      try {
        parsed = parseJsonExact(text);
      } catch (error) {
        c.errors.push({
          field: path,
          code: 'bad_json',
          message: `is not valid JSON (${(error as Error).message})`,
        });
        return undefined;
      }
      return fromJson(kind, parsed, path, c);
    }
    case 'ref':
      return isUuid(text) ? text : c.resolver.field(kind.to, text, path);
    case 'integer':
      return /^[-+]?\d+$/.test(text) ? Number(text) : text;
    case 'boolean':
      return /^(true|false)$/i.test(text) ? text.toLowerCase() === 'true' : text;
    default:
      // Strings (an INN of digits stays text), enums, dates, and decimals, which stay exact text.
      return text;
  }
}

/** A value from JSON (`--file`, a section's lines), typed by its field; what does not fit goes as is. */
async function fromJson(
  kind: FieldKind | undefined,
  value: unknown,
  path: string,
  c: Coercion,
): Promise<unknown> {
  if (value === null || value === undefined || !kind) return value;
  switch (kind.kind) {
    case 'section':
      return linesFromJson(kind.section, value, path, c);
    case 'ref':
      return typeof value === 'string' && value !== '' && !isUuid(value)
        ? c.resolver.field(kind.to, value, path)
        : value;
    case 'integer':
      if (value instanceof ExactNumber) return Number(value.text);
      return typeof value === 'string' && /^[-+]?\d+$/.test(value) ? Number(value) : value;
    case 'boolean':
      return typeof value === 'string' && /^(true|false)$/i.test(value)
        ? value.toLowerCase() === 'true'
        : value;
    default:
      // Decimals keep the digits as written; a number given for a text field becomes that text.
      return value instanceof ExactNumber ? value.text : value;
  }
}

async function linesFromJson(section: MetadataSection, value: unknown, path: string, c: Coercion) {
  const isLine = (line: unknown) => typeof line === 'object' && line !== null && !Array.isArray(line);
  if (!Array.isArray(value) || !value.every(isLine)) {
    c.errors.push({
      field: path,
      code: 'wrong_type',
      message: `must be a JSON array of lines, e.g. [{"product":"<code or ref>","quantity":"1","price":"100.00"}]`,
    });
    return undefined;
  }
  const lines: Record<string, unknown>[] = [];
  for (const [index, line] of (value as Record<string, unknown>[]).entries()) {
    const coerced: Record<string, unknown> = {};
    for (const [name, fieldValue] of Object.entries(line)) {
      const field = section.fields.find((candidate) => candidate.name === name);
      coerced[name] = await fromJson(field?.type, fieldValue, `${path}[${index}].${name}`, c);
    }
    lines.push(coerced);
  }
  return lines;
}

function failIfErrors(c: Coercion, subject: string) {
  const fields = [...c.errors, ...c.resolver.errors];
  if (fields.length === 0) return;
  const [first] = fields;
  const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
  throw new UsageError(`${subject} is not valid: ${first?.field}: ${first?.message}${more}`, { fields });
}

/**
 * The body of a create or update: `--file` fields, then `--set` values over them, each typed by the
 * metadata. An unknown type or field goes to the API as given, so that the API names it.
 */
export async function buildObjectBody(input: {
  typeName: string;
  type: MetadataType | undefined;
  sets: readonly [string, string][];
  file: Record<string, unknown> | undefined;
  resolver: RefResolver;
}): Promise<Record<string, unknown>> {
  const c: Coercion = { resolver: input.resolver, errors: [] };
  const kindOf = (name: string) => (input.type ? fieldKind(input.type, name) : undefined);
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input.file ?? {})) {
    body[name] = await fromJson(kindOf(name), value, name, c);
  }
  for (const [name, text] of input.sets) body[name] = await fromText(kindOf(name), text, name, c);
  failIfErrors(c, `The ${input.typeName}`);
  return body;
}

const LIST_PARAMETERS = new Set(['limit', 'offset', 'sort', 'order', 'search', 'includeDeleted']);

/** `--filter` values for the list query: refs may be given by code or number like anywhere else. */
export async function buildFilter(input: {
  typeName: string;
  type: MetadataType | undefined;
  filters: readonly [string, string][];
  resolver: RefResolver;
}): Promise<Record<string, string>> {
  const c: Coercion = { resolver: input.resolver, errors: [] };
  const query: Record<string, string> = {};
  for (const [name, text] of input.filters) {
    if (LIST_PARAMETERS.has(name)) {
      throw new UsageError(
        `--filter ${name}=…: "${name}" is a parameter of the list, not a field; see --help`,
      );
    }
    const kind = input.type ? fieldKind(input.type, name) : undefined;
    const value =
      kind?.kind === 'ref' && text !== '' && !isUuid(text)
        ? await c.resolver.field(kind.to, text, name)
        : text;
    if (value !== undefined) query[name] = value;
  }
  failIfErrors(c, 'The filter');
  return query;
}
