import type { ApiClient } from './api-client.js';
import type { ApiObject, Metadata, MetadataType, WireFieldType } from './api-types.js';
import { findType } from './object-input.js';
import { type Column, formatFields, formatTable, formatValue } from './output.js';

type ColumnSpec = Column & { name: string; type?: WireFieldType };

const MAX_LIST_COLUMNS = 8;
/** Refs shown by name in one listing; beyond this the listing would cost too many requests. */
const MAX_NAMED_REFS = 100;
const PARALLEL_REQUESTS = 8;

/** How a person names an object: its name for a catalog item, number and date for a document. */
export function presentation(type: MetadataType | undefined, object: ApiObject): string {
  if (type?.kind === 'document') {
    return `${String(object.number)} of ${formatDate(object.date)}`;
  }
  const words = (type?.presentation ?? ['name']).map((name) => formatValue(object[name])).filter(Boolean);
  return words.join(' ') || String(object.code ?? object.ref);
}

/** The code or number that identifies an object in messages. */
export function identity(object: ApiObject): string {
  return String(object.code ?? object.number ?? object.ref);
}

function formatDate(value: unknown): string {
  return typeof value === 'string' ? value.replace('T', ' ').replace(/ 00:00:00$/, '') : formatValue(value);
}

/** Names for the refs a listing shows, read from the API once per object. */
export type RefNames = {
  load(refs: readonly { to: string; ref: string }[]): Promise<void>;
  name(to: string, ref: string): string;
};

export function createRefNames(client: ApiClient, metadata: Metadata): RefNames {
  const names = new Map<string, string>();
  const key = (to: string, ref: string) => `${to}/${ref}`;
  return {
    async load(refs) {
      const wanted = [...new Map(refs.map((entry) => [key(entry.to, entry.ref), entry])).values()]
        .filter((entry) => !names.has(key(entry.to, entry.ref)))
        .slice(0, MAX_NAMED_REFS);
      const next = async (): Promise<void> => {
        const entry = wanted.shift();
        if (!entry) return;
        try {
          const object = await client.ib<ApiObject>(
            'GET',
            `/data/${encodeURIComponent(entry.to)}/${encodeURIComponent(entry.ref)}`,
          );
          names.set(key(entry.to, entry.ref), presentation(findType(metadata, entry.to), object));
        } catch {
          // A ref that cannot be read (gone, or not readable by this user) is shown as it is.
        }
        return next();
      };
      await Promise.all(Array.from({ length: PARALLEL_REQUESTS }, next));
    },
    name: (to, ref) => names.get(key(to, ref)) ?? ref,
  };
}

/** Short fields worth a column: long texts (full names, comments, addresses) are left to `data get`. */
function isCompact(type: WireFieldType): boolean {
  if (type.kind === 'string') return type.maxLength <= 50 && !type.multiline;
  return true;
}

function listColumns(type: MetadataType, withDeleted: boolean): ColumnSpec[] {
  const column = (name: string, fieldType?: WireFieldType): ColumnSpec => ({
    name,
    header: name,
    align: fieldType?.kind === 'decimal' || fieldType?.kind === 'integer' ? 'right' : 'left',
    ...(fieldType ? { type: fieldType } : {}),
  });
  const fields = type.fields;
  let columns: ColumnSpec[];
  if (type.kind === 'document') {
    columns = [
      column('number'),
      column('date', { kind: 'datetime' }),
      ...fields.filter((f) => f.type.kind === 'ref' && f.required).map((f) => column(f.name, f.type)),
      ...fields.filter((f) => f.type.kind === 'decimal').map((f) => column(f.name, f.type)),
      column('posted', { kind: 'boolean' }),
    ];
  } else {
    const named = fields.filter((f) => type.presentation.includes(f.name));
    const rest = fields.filter((f) => !type.presentation.includes(f.name) && isCompact(f.type));
    columns = [column('code'), ...[...named, ...rest].map((f) => column(f.name, f.type))];
  }
  columns = columns.slice(0, MAX_LIST_COLUMNS);
  return withDeleted ? [...columns, column('deleted', { kind: 'boolean' })] : columns;
}

function cell(value: unknown, type: WireFieldType | undefined, refs: RefNames): string {
  if (value === null || value === undefined) return '';
  if (type?.kind === 'ref' && typeof value === 'string') return refs.name(type.to, value);
  if (type?.kind === 'datetime') return formatDate(value);
  return formatValue(value);
}

function refsIn(objects: readonly Record<string, unknown>[], columns: readonly ColumnSpec[]) {
  const refs: { to: string; ref: string }[] = [];
  for (const object of objects) {
    for (const column of columns) {
      const value = object[column.name];
      if (column.type?.kind === 'ref' && typeof value === 'string')
        refs.push({ to: column.type.to, ref: value });
    }
  }
  return refs;
}

export async function formatObjectList(
  type: MetadataType,
  items: readonly ApiObject[],
  refs: RefNames,
  options: { withDeleted: boolean },
): Promise<string> {
  const columns = listColumns(type, options.withDeleted);
  await refs.load(refsIn(items, columns));
  return formatTable(
    columns,
    items.map((item) => columns.map((column) => cell(item[column.name], column.type, refs))),
  );
}

/** One object as `key: value` lines, refs with their names, then each tabular section as a table. */
export async function formatObject(type: MetadataType, object: ApiObject, refs: RefNames): Promise<string> {
  const header: ColumnSpec[] = [
    { header: 'ref', name: 'ref' },
    ...(type.kind === 'document'
      ? [
          { header: 'number', name: 'number' },
          { header: 'date', name: 'date', type: { kind: 'datetime' } as const },
          { header: 'posted', name: 'posted', type: { kind: 'boolean' } as const },
        ]
      : [{ header: 'code', name: 'code' }]),
    ...type.fields.map((field) => ({ header: field.name, name: field.name, type: field.type })),
    { header: 'deleted', name: 'deleted', type: { kind: 'boolean' } },
    { header: 'version', name: 'version' },
    { header: 'createdIn', name: 'createdIn' },
  ];
  const sections = type.tabularSections.map((section) => ({
    section,
    lines: Array.isArray(object[section.name]) ? (object[section.name] as Record<string, unknown>[]) : [],
    columns: section.fields.map(
      (field): ColumnSpec => ({
        header: field.name,
        name: field.name,
        type: field.type,
        align: field.type.kind === 'decimal' ? 'right' : 'left',
      }),
    ),
  }));
  await refs.load([
    ...refsIn([object], header),
    ...sections.flatMap(({ lines, columns }) => refsIn(lines, columns)),
  ]);
  const pairs = header.map((column): [string, string] => {
    const value = object[column.name];
    const shown = cell(value, column.type, refs);
    // A ref shows its name and, for scripts and copy-paste, the ref itself.
    return [
      column.header,
      column.type?.kind === 'ref' && typeof value === 'string' && shown !== value
        ? `${shown} (${String(value)})`
        : shown,
    ];
  });
  const parts = [formatFields(pairs)];
  for (const { section, lines, columns } of sections) {
    parts.push(
      lines.length === 0
        ? `${section.name}: none`
        : `${section.name}:\n${formatTable(
            [{ header: '#', align: 'right' }, ...columns],
            lines.map((line, index) => [
              String(index + 1),
              ...columns.map((c) => cell(line[c.name], c.type, refs)),
            ]),
          )}`,
    );
  }
  return parts.join('\n\n');
}
