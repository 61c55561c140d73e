import { afterAll, beforeAll, expect, it } from 'vitest';
import { batchInserter, type Counters, counterRows, objectRows } from '../../bench/bulk-rows.js';
import {
  accountingObjects,
  crmObjects,
  type GeneratedObject,
  planDataset,
  refOf,
} from '../../bench/dataset.js';
import type { Infobase } from '../../src/platform/infobase.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { createMappingStage, PASS } from '../helpers/sync-pair.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * A message of thousands of objects goes through every batched path at once: the export reads and
 * converts them a batch at a time, the analysis and the load take them in chunks that look up together
 * what they name, catalog items are found by search in later chunks than the documents that need them
 * are written... The answers must be those of one object at a time.
 */
// Read in place and in the reader thread (where references travel by their ref only): the same answers.
for (const reading of ['in place', 'in the reader thread'] as const)
  describeEachDialect(
    `a large message read ${reading}: batches and chunks give the answers of one object at a time`,
    (dialect) => {
      const plan = planDataset(1600, 11);
      let crm: TestApp;
      let bp: TestApp;
      let settingId: string;
      let peerSettingId: string;
      const as = { as: PASS };

      async function seed(infobase: Infobase, objects: Iterable<GeneratedObject>, prefix: string) {
        const counters: Counters = new Map();
        await infobase.db.transaction().execute(async (trx) => {
          const insert = batchInserter(trx, 200);
          for (const object of objects) {
            for (const { table, row } of objectRows(
              infobase.app,
              infobase.dialect,
              object,
              { createdIn: prefix, updatedAt: 'x' },
              counters,
            ))
              await insert.insert(table, row);
          }
          await insert.flush();
          for (const row of counterRows(counters))
            await trx.insertInto('number_counters').values(row).execute();
        });
      }

      let cleanup: (() => Promise<void>) | undefined;

      beforeAll(async () => {
        const stage = await createMappingStage(dialect, {
          ...(reading === 'in the reader thread' ? { readerThreadFrom: 1 } : {}),
          before: async (pair) => {
            await seed(await pair.crm.host.get('crm'), crmObjects(plan), 'CR');
            await seed(await pair.bp.host.get('bp'), accountingObjects(plan), 'BP');
          },
        });
        ({ crm, bp, settingId, peerSettingId, cleanup } = stage);
        await bp.call('PATCH', `/bp/api/v1/sync/settings/${peerSettingId}/rules`, {
          ...as,
          body: { catalogs: 'none', documents: 'none' },
        });
      }, 120_000);
      afterAll(() => cleanup?.());

      it('analyses every object: each catalog item Accounting has is found, nothing is ambiguous', async () => {
        const analysis = await bp.call('GET', `/bp/api/v1/sync/settings/${peerSettingId}/mapping`, as);
        expect(analysis.statusCode, analysis.body).toBe(200);
        type Summary = { type: string; total: number; bySearch: Record<string, number> };
        const byType: Record<string, Summary> = Object.fromEntries(
          (analysis.data.types as Summary[]).map((summary) => [summary.type, summary]),
        );
        const matched = (type: string) =>
          Object.values(byType[type]?.bySearch ?? {}).reduce((sum, n) => sum + n, 0);
        expect(byType.counterparty).toMatchObject({ total: plan.counterparties, ambiguous: 0 });
        expect(matched('counterparty')).toBe(Math.ceil(plan.counterparties / 10));
        expect(byType.product).toMatchObject({ total: plan.products, ambiguous: 0 });
        expect(matched('product')).toBe(Math.ceil(plan.products / 10));
        expect(matched('contract')).toBe(Math.ceil(plan.contracts / 10));
        expect(matched('unit')).toBe(6);
        expect(byType['customer-invoice']).toMatchObject({ total: plan.invoices, unmatched: plan.invoices });
        expect(byType.sale?.total).toBe(plan.sales);
        expect(byType['incoming-payment']?.total).toBe(plan.payments);
      });

      it('loads them all once: no duplicate, nothing held back, documents as the CRM has them', async () => {
        const loaded = await bp.call('POST', `/bp/api/v1/sync/settings/${peerSettingId}/load?wait=120`, as);
        expect(loaded.data.state, loaded.body).toBe('done');
        const counts = loaded.data.result.counts as Record<
          string,
          { created: number; linked: number; heldBack: number }
        >;
        for (const type of Object.values(counts)) expect(type.heldBack).toBe(0);
        const total = Object.values(counts).reduce((sum, type) => sum + type.created + type.linked, 0);
        expect(total).toBe(plan.objects);
        const list = async (type: string) =>
          (await bp.call('GET', `/bp/api/v1/data/${type}?limit=1`, as)).data.total as number;
        expect(await list('counterparty')).toBe(plan.counterparties);
        expect(await list('product')).toBe(plan.products);
        expect(await list('customer-invoice')).toBe(plan.invoices);
        for (const index of [0, 7, plan.invoices - 1]) {
          const ref = refOf(plan, 'crm', 'customer-invoice', index);
          const there = (await bp.call('GET', `/bp/api/v1/data/customer-invoice/${ref}`, as)).data;
          const here = (await crm.call('GET', `/crm/api/v1/data/customer-invoice/${ref}`, as)).data;
          expect(there.number).toBe(here.number);
          expect(there.amount).toBe(here.amount);
          expect(
            there.lines.map((line: { quantity: string; amount: string }) => [line.quantity, line.amount]),
          ).toEqual(
            here.lines.map((line: { quantity: string; amount: string }) => [line.quantity, line.amount]),
          );
        }
      });

      it('then carries a few changed documents, and nothing when nothing changed', async () => {
        await bp.call('POST', `/bp/api/v1/sync/settings/${peerSettingId}/initial-export?wait=60`, as);
        const run = async () =>
          (await crm.call('POST', `/crm/api/v1/sync/settings/${settingId}/run?wait=60`, as)).data;
        await run();
        expect((await run()).result.sent).toEqual({});
        for (const index of [3, 4, 5]) {
          const ref = refOf(plan, 'crm', 'customer-invoice', index);
          await crm.call('PATCH', `/crm/api/v1/data/customer-invoice/${ref}`, {
            ...as,
            body: { comment: `changed ${index}` },
          });
        }
        expect((await run()).result.sent).toEqual({ 'customer-invoice': 3 });
        const ref = refOf(plan, 'crm', 'customer-invoice', 4);
        expect((await bp.call('GET', `/bp/api/v1/data/customer-invoice/${ref}`, as)).data.comment).toBe(
          'changed 4',
        );
      });

      it('finds by its key properties what a reference names without a ref: a line without a unit gets "шт"', async () => {
        // The format demands a unit, so the CRM sends OKEI 796 without Ссылка; Accounting finds its own
        // unit by the code, which a line read by refs only cannot tell: it is read again in full.
        const source = refOf(plan, 'crm', 'customer-invoice', 9);
        const invoice = (await crm.call('GET', `/crm/api/v1/data/customer-invoice/${source}`, as)).data;
        const created = await crm.call('POST', '/crm/api/v1/data/customer-invoice', {
          ...as,
          body: {
            organization: invoice.organization,
            counterparty: invoice.counterparty,
            currency: invoice.currency,
            lines: [{ product: invoice.lines[0].product, quantity: '2', price: '10.00', vatRate: 'vat22' }],
          },
        });
        expect(created.statusCode, created.body).toBe(201);
        const run = (await crm.call('POST', `/crm/api/v1/sync/settings/${settingId}/run?wait=60`, as)).data;
        expect(run.result.sent).toEqual({ 'customer-invoice': 1 });
        const there = (await bp.call('GET', `/bp/api/v1/data/customer-invoice/${created.data.ref}`, as)).data;
        const units = (await bp.call('GET', '/bp/api/v1/data/unit?code=796', as)).data.items;
        expect(units).toHaveLength(1);
        expect(there.lines[0].unit).toBe(units[0].ref);
      });
    },
  );
