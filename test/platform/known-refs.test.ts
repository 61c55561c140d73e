import { describe, expect, it } from 'vitest';
import { accounting } from '../../src/apps/accounting.js';
import { crm } from '../../src/apps/crm.js';
import { KnownRefs, referencedTypes } from '../../src/platform/objects/object-store.js';

describe('what a transaction remembers of the objects it has seen exist', () => {
  it('keeps the types some field refers to, and no others', () => {
    const referenced = referencedTypes(accounting);
    expect(referenced).toContain('counterparty');
    expect(referenced).toContain('product');
    expect(referenced).toContain('customer-invoice'); // a sale's basis
    expect(referenced).not.toContain('sale');
    expect(referenced).not.toContain('incoming-payment');
    expect(referencedTypes(crm)).not.toContain('deal');

    const known = new KnownRefs(referenced);
    known.add('counterparty', 'c1');
    known.add('sale', 's1');
    expect(known.has('counterparty', 'c1')).toBe(true);
    expect(known.has('sale', 's1')).toBe(false);
    known.delete('counterparty', 'c1');
    expect(known.has('counterparty', 'c1')).toBe(false);
  });
});
