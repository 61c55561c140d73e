import { describe, expect, it } from 'vitest';
import { accounting } from '../../src/apps/index.js';
import { findType } from '../../src/platform/metadata.js';
import { objectTableSpecs, obsoleteIndexes } from '../../src/platform/objects/object-tables.js';

const indexedColumns = (type: string) =>
  objectTableSpecs(findType(accounting, type)!).map((table) => ({
    table: table.name,
    columns: (table.indexes ?? []).map((index) => index.columns.join('+')),
  }));

describe('tables of a declaration', () => {
  it('index references, except those to one of a handful of items, which an older version indexed', () => {
    expect(indexedColumns('customer-invoice')).toEqual([
      { table: 'doc_customer_invoice', columns: ['number_year+number', 'date', 'counterparty', 'contract'] },
      { table: 'doc_customer_invoice__lines', columns: ['product'] },
    ]);
    expect(obsoleteIndexes(findType(accounting, 'customer-invoice')!)).toEqual([
      'doc_customer_invoice__number_year__number__uq',
      'doc_customer_invoice__organization__ix',
      'doc_customer_invoice__currency__ix',
      'doc_customer_invoice__bank_account__ix',
      'doc_customer_invoice__lines__unit__ix',
    ]);
    expect(indexedColumns('product')[0]!.columns).toEqual(['code', 'search_key_1', 'search_key_2', 'sku']);
  });
});
