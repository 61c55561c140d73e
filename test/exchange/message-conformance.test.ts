import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ENUMERATIONS } from '../../src/apps/conversion/format-values.js';
import { seedDemoCrm } from '../../src/apps/demo/seed-demo.js';
import { readMessageLines } from '../../src/exchange/message-codec.js';
import { checkConformance } from '../../src/format/conformance.js';
import { loadReferencePackage } from '../../src/format/reference-packages.js';
import type { XdtoPackage } from '../../src/format/xdto-package.js';
import { referenceDirOrSkip } from '../helpers/reference.js';
import { createSyncPair, type SyncPair } from '../helpers/sync-pair.js';

const dir = referenceDirOrSkip();

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The native wire names an object the message carried before by its ref alone (exchange/export.ts): the
 * EnterpriseData object that stands for is the one with that object's key properties in full, restored
 * here from the object itself. Returns the restored lines and how many references were named so.
 */
function withKeyPropertiesRestored(body: readonly Json[]): { restored: Json[]; byRefAlone: number } {
  const carried = new Map<string, Json>();
  let byRefAlone = 0;
  const restore = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(restore);
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ссылка') {
      const full = carried.get(String(value.Ссылка));
      if (!full)
        throw new Error(`${String(value.Ссылка)} is named by its ref alone before the message carries it`);
      byRefAlone += 1;
      return full;
    }
    return Object.fromEntries(keys.map((key) => [key, restore(value[key])]));
  };
  const restored = body.map((line) => {
    const [type, object] = Object.entries(line)[0]! as [string, Json];
    const full = restore(object) as Json;
    const keyProperties = full.КлючевыеСвойства;
    if (isRecord(keyProperties)) carried.set(String(keyProperties.Ссылка), keyProperties);
    return { [type]: full };
  });
  return { restored, byRefAlone };
}

/**
 * Not a sample but what the exchange really sends: the whole initial message of the demo CRM, every
 * line checked against the real packages — the header against ExchangeMessage, each object against
 * EnterpriseData 1.8 (with the declared 22% VAT extension), with the references named by ref alone
 * restored to the key properties they stand for.
 */
describe.runIf(dir !== undefined)('what the exchange emits conforms to EnterpriseData 1.8', () => {
  let pair: SyncPair;
  let enterpriseData: XdtoPackage;
  let exchangeMessage: XdtoPackage;
  const lines: unknown[] = [];

  beforeAll(async () => {
    enterpriseData = await loadReferencePackage(dir!, 'EnterpriseData_1_8_6');
    exchangeMessage = await loadReferencePackage(dir!, 'ExchangeMessage');
    pair = await createSyncPair('sqlite', {
      before: async ({ crm }) => {
        await seedDemoCrm(await crm.host.get('crm'));
      },
    });
    // Everything, catalogs too, and a deletion: forget what the peer has, so that a change of the rules
    // registers the whole infobase again.
    await pair.crmExchange.infobase.db.deleteFrom('exchange_sent_objects').execute();
    await pair.api(pair.crm, 'PATCH', `/{ib}/api/v1/sync/settings/${pair.settingId}/rules`, {
      catalogs: 'all',
    });
    const [invoice] = (await pair.api(pair.crm, 'GET', '/{ib}/api/v1/data/customer-invoice?limit=1')).data
      .items;
    await pair.crmExchange.infobase.db
      .insertInto('exchange_sent_objects')
      .values({ node_id: pair.settingId, type: 'customer-invoice', ref: invoice.ref, source: 'us' })
      .execute();
    await pair.api(pair.crm, 'DELETE', `/{ib}/api/v1/data/customer-invoice/${invoice.ref}`);
    await pair.api(pair.crm, 'POST', `/{ib}/api/v1/data/customer-invoice/${invoice.ref}/purge`);
    const { exportMessage } = await import('../../src/exchange/export.js');
    const message = await exportMessage(pair.crmExchange, pair.settingId);
    for await (const line of readMessageLines(
      pair.crmExchange.messages.parts(pair.settingId, 'out', message!.messageNo),
    )) {
      lines.push(line);
    }
  });
  afterAll(() => pair?.cleanup());

  it('writes a header that the ExchangeMessage package accepts', () => {
    const header = (lines[0] as { Header: unknown }).Header;
    expect(checkConformance(exchangeMessage, 'Header', header)).toEqual([]);
  });

  it('writes every object so that the package accepts it: names, order, required, types, lengths', () => {
    const { restored: body, byRefAlone } = withKeyPropertiesRestored(lines.slice(1, -1) as Json[]);
    // The documents name the catalog items the message carries by ref alone.
    expect(byRefAlone).toBeGreaterThan(100);
    const types = new Set<string>();
    for (const line of body) {
      const [type, object] = Object.entries(line)[0]!;
      types.add(type);
      const issues = checkConformance(enterpriseData, type, object, {
        imports: [exchangeMessage],
        extraEnumerations: EXTENSION_ENUMERATIONS,
      });
      expect(issues, `${type}: ${JSON.stringify(object).slice(0, 300)}`).toEqual([]);
    }
    expect([...types].sort()).toEqual(
      [
        'Справочник.Организации',
        'Справочник.Контрагенты',
        'Справочник.Договоры',
        'Справочник.Номенклатура',
        'Справочник.ЕдиницыИзмерения',
        'Справочник.Валюты',
        'Справочник.БанковскиеСчета',
        'Документ.СчетПокупателю',
        'Документ.РеализацияТоваровУслуг',
        'Документ.ПБДСРасчетыСКонтрагентами',
        'УдалениеОбъекта',
      ].sort(),
    );
    expect(body.length).toBeGreaterThan(100);
  });
});
