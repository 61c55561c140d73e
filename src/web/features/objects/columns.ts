import type { FieldDef, TypeDef } from '../../api/types';

export type Column = { key: string; system: boolean; field?: FieldDef; sortable: boolean };

const CATALOG_EXTRAS = [
  'inn',
  'kpp',
  'sku',
  'kind',
  'counterparty',
  'organization',
  'partner',
  'stage',
  'amount',
  'bank',
];
const DOCUMENT_EXTRAS = ['organization', 'counterparty', 'amount'];

/** The columns of a list: the code or number (with the prefix), the name, and the fields that tell items apart. */
export function listColumns(def: TypeDef): Column[] {
  const field = (name: string) => def.fields.find((candidate) => candidate.name === name);
  const columns: Column[] = [];
  if (def.kind === 'catalog') {
    columns.push({ key: 'code', system: true, sortable: true });
    for (const name of def.presentation) {
      const found = field(name);
      if (found) columns.push({ key: name, system: false, field: found, sortable: true });
    }
    for (const name of CATALOG_EXTRAS) {
      const found = field(name);
      if (found && !columns.some((column) => column.key === name) && columns.length < 6) {
        columns.push({ key: name, system: false, field: found, sortable: true });
      }
    }
  } else {
    columns.push(
      { key: 'number', system: true, sortable: true },
      { key: 'date', system: true, sortable: true },
    );
    for (const name of DOCUMENT_EXTRAS) {
      const found = field(name);
      if (found) columns.push({ key: name, system: false, field: found, sortable: true });
    }
    columns.push({ key: 'posted', system: true, sortable: false });
  }
  return columns;
}
