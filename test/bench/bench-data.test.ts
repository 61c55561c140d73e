import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Counters, objectRows } from '../../bench/bulk-rows.js';
import { accountingObjects, accountingSpelling, crmObjects, planDataset } from '../../bench/dataset.js';
import { crmDemoData, DEMO_OVERLAPS } from '../../src/apps/demo/seed-demo.js';
import type { Infobase } from '../../src/platform/infobase.js';
import { sectionTableName, tableName } from '../../src/platform/metadata.js';
import { normalizeName } from '../../src/platform/search-keys.js';
import { sqliteDialect } from '../../src/platform/storage/sqlite-storage.js';
import { createTestHost, type TestHost } from '../helpers/dialects.js';

/**
 * The benchmark writes its data in bulk; the rows must be exactly those the write path stores, or the
 * benchmark would measure something else than the product. A sample written both ways is compared.
 */
describe('the benchmark data set', () => {
  const plan = planDataset(2000, 7);
  let test: TestHost;
  let crm: Infobase;

  beforeAll(async () => {
    test = await createTestHost('sqlite');
    crm = await test.host.create('crm', 'crm');
    await crm.settings.setPrefix('CR', { continueNumbering: false });
  });
  afterAll(() => test.cleanup());

  it('makes the rows the write path stores, search keys, numbering and totals included', async () => {
    const counters: Counters = new Map();
    const meta = { createdIn: 'CR', updatedAt: 'x' };
    let compared = 0;
    for (const object of crmObjects(plan)) {
      if (compared >= 400 && object.type !== 'customer-invoice') continue;
      if (compared >= 450) break;
      const stored = await crm.objects.create(object.type, object.input, { kind: 'user', login: null });
      const expected = objectRows(crm.app, sqliteDialect, object, meta, counters);
      for (const { table, row } of expected) {
        const actual =
          table === tableName(crm.objects.typeDef(object.type))
            ? await crm.db
                .selectFrom(table)
                .selectAll()
                .where('ref', '=', stored.ref)
                .executeTakeFirstOrThrow()
            : await crm.db
                .selectFrom(table)
                .selectAll()
                .where('owner_ref', '=', stored.ref)
                .where('line_no', '=', row.line_no as number)
                .executeTakeFirstOrThrow();
        expect({ ...actual, updated_at: 'x' }).toEqual({
          ...row,
          updated_at: 'x',
          ...('partner' in actual ? { partner: null } : {}),
        });
      }
      compared += 1;
    }
    const def = crm.objects.typeDef('customer-invoice');
    expect(def.tabularSections?.length).toBe(1);
    expect(sectionTableName(def, def.tabularSections![0]!)).toBe('doc_customer_invoice__lines');
    // The platform's counters continue after the numbers the data set gave, as the bulk writer notes them.
    for (const counter of counters.values()) {
      const row = await crm.db
        .selectFrom('number_counters')
        .select('last_value')
        .where('type', '=', counter.type)
        .where('scope', '=', counter.scope)
        .where('year', '=', counter.year)
        .executeTakeFirstOrThrow();
      expect(Number(row.last_value)).toBe(counter.last);
    }
  });

  it("spells Accounting's names as the demo does, so a match by name finds them", () => {
    for (const overlap of DEMO_OVERLAPS.filter((o) => o.relation === 'same' && o.matchBy === 'name')) {
      expect(normalizeName(overlap.accountingName)).toBe(normalizeName(overlap.crmName));
    }
    for (const name of ['ООО "Ёлка-Опт 12"', 'АО "Урал-Пром 3"', 'ИП Кузнецов Игорь Петрович 7']) {
      for (const variant of [0, 1, 2, 3]) {
        expect(normalizeName(accountingSpelling(name, variant))).toBe(normalizeName(name));
      }
    }
    expect(crmDemoData.units.length).toBeGreaterThan(0);
  });

  it('has about one catalog item in ten already in Accounting, and sizes that add up', () => {
    expect(plan.organizations + plan.counterparties + plan.contracts + plan.products).toBeLessThan(
      plan.objects,
    );
    let total = 0;
    for (const _ of crmObjects(plan)) total += 1;
    expect(total).toBe(2000);
    const known = [...accountingObjects(plan)].filter((o) => o.type === 'counterparty').length;
    expect(known).toBe(Math.ceil(plan.counterparties / 10));
  });
});
