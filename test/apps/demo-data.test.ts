import { describe, expect, it } from 'vitest';
import { DEMO_DATASETS, DEMO_OVERLAPS, type DemoDataset } from '../../src/apps/demo/seed-demo.js';

/** The INN check digits (Federal Tax Service order): weights per position, sum mod 11 mod 10. */
function innIsValid(inn: string): boolean {
  const digits = [...inn].map(Number);
  const check = (weights: number[]) =>
    (weights.reduce((sum, weight, index) => sum + weight * digits[index]!, 0) % 11) % 10;
  if (/^\d{10}$/.test(inn)) return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[9];
  if (/^\d{12}$/.test(inn)) {
    return (
      check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[10] &&
      check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[11]
    );
  }
  return false;
}

/** The Bank of Russia control key: the last 3 digits of the BIC and the account, weighted 7-1-3, sum to 0 mod 10. */
function accountMatchesBic(account: string, bic: string): boolean {
  const weights = [7, 1, 3];
  const sum = [...`${bic.slice(-3)}${account}`].reduce(
    (total, digit, index) => total + ((Number(digit) * weights[index % 3]!) % 10),
    0,
  );
  return sum % 10 === 0;
}

const datasets = Object.entries(DEMO_DATASETS) as [string, DemoDataset][];

describe('demo data: believable for a Russian user', () => {
  it('the INN validity check itself accepts known valid INNs and refuses a wrong check digit', () => {
    expect(innIsValid('7707083893')).toBe(true);
    expect(innIsValid('7707083894')).toBe(false);
    expect(innIsValid('500100732259')).toBe(true);
    expect(innIsValid('500100732250')).toBe(false);
  });

  it.each(datasets)(
    '%s: every INN has valid check digits, 10 digits with a KPP, 12 without',
    (_name, data) => {
      for (const party of [...data.organizations, ...data.counterparties]) {
        if (party.inn === undefined) continue;
        expect(innIsValid(party.inn), `${party.name}: ${party.inn}`).toBe(true);
        if (party.inn.length === 10) expect(party.kpp, party.name).toMatch(/^\d{4}[\dA-Z]{2}\d{3}$/);
        else expect(party.kpp, party.name).toBeUndefined();
      }
    },
  );

  it.each(datasets)(
    '%s: a KPP starts with the tax office of the INN, or of a branch elsewhere',
    (_name, data) => {
      for (const party of [...data.organizations, ...data.counterparties]) {
        if (!party.kpp) continue;
        const ownOffice = party.kpp.slice(0, 4) === party.inn?.slice(0, 4);
        const branch = party.kpp.slice(4, 6) === '43';
        expect(ownOffice || branch, `${party.name}: ${party.inn} / ${party.kpp}`).toBe(true);
      }
    },
  );

  it.each(datasets)(
    '%s: account numbers carry the control key of their BIC and the right currency',
    (_name, data) => {
      for (const account of data.bankAccounts) {
        expect(account.number, account.name).toMatch(/^\d{20}$/);
        expect(account.bic, account.name).toMatch(/^04\d{7}$/);
        expect(accountMatchesBic(account.number, account.bic), `${account.name}: ${account.number}`).toBe(
          true,
        );
        expect(account.number.slice(5, 8), account.name).toBe(
          account.currency === '643' ? '810' : account.currency,
        );
      }
    },
  );

  it.each(datasets)(
    '%s: keys and names are unique within each kind, so a name finds one object',
    (_name, data) => {
      const kinds = [
        data.organizations,
        data.counterparties,
        data.contracts,
        data.products,
        data.bankAccounts,
        data.partners ?? [],
        data.contactPersons ?? [],
        data.deals ?? [],
        data.invoices,
        data.sales,
        data.payments,
      ];
      for (const items of kinds) {
        const keys = items.map((item) => item.key);
        expect(new Set(keys).size).toBe(keys.length);
        const names = items.flatMap((item) => ('name' in item ? [item.name] : []));
        expect(new Set(names).size).toBe(names.length);
      }
      const skus = data.products.flatMap((product) => (product.sku ? [product.sku] : []));
      expect(new Set(skus).size).toBe(skus.length);
    },
  );

  it.each(datasets)(
    '%s: prices are kopeck strings, quantities at most 3 decimals, 1 to 6 lines',
    (_name, data) => {
      const lines = [...data.invoices, ...data.sales].flatMap((document) => {
        if (document.lines) expect(document.lines.length).toBeGreaterThanOrEqual(1);
        if (document.lines) expect(document.lines.length).toBeLessThanOrEqual(6);
        return document.lines ?? [];
      });
      for (const line of lines) {
        expect(line.price).toMatch(/^\d+\.\d{2}$/);
        expect(line.quantity).toMatch(/^\d+(\.\d{1,3})?$/);
      }
    },
  );

  it('has the documented amount of overlap between CRM and Accounting', () => {
    const count = (type: string, relation: string, matchBy?: string) =>
      DEMO_OVERLAPS.filter(
        (overlap) =>
          overlap.type === type &&
          overlap.relation === relation &&
          (matchBy === undefined || overlap.matchBy === matchBy),
      ).length;
    expect(count('counterparty', 'same')).toBe(8);
    expect(count('counterparty', 'same', 'name')).toBe(2);
    expect(count('counterparty', 'branch')).toBe(3);
    expect(count('counterparty', 'different')).toBe(1);
    expect(count('product', 'same', 'sku')).toBe(10);
    expect(count('product', 'same', 'name')).toBe(1);
    expect(count('product', 'different')).toBe(1);
    expect(count('organization', 'same')).toBe(1);
    expect(count('unit', 'same')).toBe(6);
    expect(count('currency', 'same')).toBe(3);
    expect(count('bank-account', 'same')).toBe(3);
    expect(count('contract', 'same')).toBe(4);
  });
});
