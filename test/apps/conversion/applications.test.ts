import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounting } from '../../../src/apps/accounting.js';
import { accountingConversion } from '../../../src/apps/conversion/accounting-conversion.js';
import { crmConversion } from '../../../src/apps/conversion/crm-conversion.js';
import { crm } from '../../../src/apps/crm.js';
import {
  ConversionError,
  type ConversionRules,
  type IncomingObject,
} from '../../../src/exchange/conversion.js';
import type { ApplicationDef, ObjectTypeDef } from '../../../src/platform/metadata.js';
import { findType } from '../../../src/platform/metadata.js';
import { contextFor, type DataSet, givenAccountingData, givenCrmData, peerRefOf } from './fixtures.js';

const EXCHANGED = [
  ['unit', 'Справочник.ЕдиницыИзмерения', 'catalog'],
  ['currency', 'Справочник.Валюты', 'catalog'],
  ['organization', 'Справочник.Организации', 'catalog'],
  ['counterparty', 'Справочник.Контрагенты', 'catalog'],
  ['bank-account', 'Справочник.БанковскиеСчета', 'catalog'],
  ['contract', 'Справочник.Договоры', 'catalog'],
  ['product', 'Справочник.Номенклатура', 'catalog'],
  ['customer-invoice', 'Документ.СчетПокупателю', 'document'],
  ['sale', 'Документ.РеализацияТоваровУслуг', 'document'],
  ['incoming-payment', 'Документ.ПБДСРасчетыСКонтрагентами', 'document'],
] as const;

function referencedTypes(def: ObjectTypeDef): string[] {
  const fields = [...def.fields, ...(def.tabularSections ?? []).flatMap((section) => section.fields)];
  return fields.flatMap((field) => (field.type.kind === 'ref' ? [field.type.to] : []));
}

describe.each([
  ['CRM', crmConversion, crm],
  ['Accounting', accountingConversion, accounting],
] as [string, ConversionRules, ApplicationDef][])('the %s rules', (_name, rules, app) => {
  it('exchange the shared catalogs and documents, in this order', () => {
    expect(rules.types.map((type) => [type.localType, type.formatType, type.kind])).toEqual(EXCHANGED);
  });

  it('list every type after the exchanged types it refers to (dependency order)', () => {
    const order = rules.types.map((type) => type.localType);
    const notExchanged: string[] = [];
    for (const [index, localType] of order.entries()) {
      for (const target of referencedTypes(findType(app, localType)!)) {
        if (!order.includes(target)) notExchanged.push(`${localType} → ${target}`);
        else expect(order.indexOf(target), `${localType} refers to ${target}`).toBeLessThan(index);
      }
    }
    // The one link to a type that stays home is the CRM counterparty's partner, which is not sent.
    expect(notExchanged).toEqual(app.name === 'crm' ? ['counterparty → partner'] : []);
  });
});

describe('CRM and Accounting side by side', () => {
  let crmData: DataSet;
  let accountingData: DataSet;

  beforeAll(async () => {
    crmData = await givenCrmData();
    accountingData = await givenAccountingData();
  });
  afterAll(async () => {
    await crmData?.cleanup();
    await accountingData?.cleanup();
  });

  it('keeps partners, contact persons and deals in the CRM', async () => {
    const crmOnly = crm.types.map((type) => type.name).filter((name) => !findType(accounting, name));
    expect(crmOnly).toEqual(['partner', 'contact-person', 'deal']);
    for (const name of crmOnly) expect(crmConversion.types.map((type) => type.localType)).not.toContain(name);
    const partner = crmData.named.partner!;
    await expect(
      crmConversion.toFormat('partner', partner, partner.ref, contextFor(crmConversion, crmData)),
    ).rejects.toThrow(/partner is not exchanged by the crm application/);
    expect(() => crmConversion.deletion('deal', partner.ref)).toThrow(/deal is not exchanged/);
  });

  it('does not export the CRM counterparty’s partner, and reads back no partner, so the receiver keeps its own', async () => {
    const vasilek = crmData.named.vasilek!;
    const partner = crmData.named.partner!;
    expect(vasilek.partner).toBe(partner.ref);
    const entry = await crmConversion.toFormat(
      'counterparty',
      vasilek,
      vasilek.ref,
      contextFor(crmConversion, crmData),
    );
    const wire = JSON.stringify(entry);
    expect(wire).not.toContain(partner.ref);
    expect(wire).not.toContain('Партнер');
    for (const reader of [crmConversion, accountingConversion]) {
      const received = reader.fromFormat(entry) as IncomingObject;
      expect(received.values).not.toHaveProperty('partner');
    }
  });

  it('reads each other’s objects alike: an Accounting counterparty in the CRM, a CRM document in Accounting', async () => {
    const lutik = accountingData.named.counterparty!;
    const fromAccounting = await accountingConversion.toFormat(
      'counterparty',
      lutik,
      lutik.ref,
      contextFor(accountingConversion, accountingData),
    );
    expect(crmConversion.fromFormat(fromAccounting)).toStrictEqual(
      accountingConversion.fromFormat(fromAccounting),
    );
    expect(crmConversion.fromFormat(fromAccounting)).toMatchObject({
      values: { name: 'ООО «Лютик»', phone: '+7 383 200-00-00' },
      system: { createdIn: 'BP', code: lutik.code },
    });
    const sale = crmData.named.sale!;
    const fromCrm = await crmConversion.toFormat(
      'sale',
      sale,
      peerRefOf(crmData, sale.ref),
      contextFor(crmConversion, crmData),
    );
    expect(accountingConversion.fromFormat(fromCrm)).toStrictEqual(crmConversion.fromFormat(fromCrm));
  });

  it('refuses a format type neither application exchanges, naming the type property', () => {
    for (const rules of [crmConversion, accountingConversion]) {
      const error = (() => {
        try {
          return rules.fromFormat({ type: 'Справочник.Склады', object: {} });
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ConversionError);
      expect(error).toMatchObject({ path: 'type' });
    }
  });
});
