import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../helpers/dialects.js';
import { createMappingStage, type MappingStage, PASS } from '../helpers/sync-pair.js';

const user = { kind: 'user', login: 'seed' } as const;
const CRM_COUNT = 1100;
const PAIRS = 20;
const crmInn = (index: number) => String(7_700_000_000 + index);

/**
 * Suggestions by similar name are made after the analysis has matched everything, from the local
 * objects still free, and for unmatched objects anywhere in a long message (they are read back in
 * batches). The CRM's counterparties are exported in ref order, so which comes first is left to chance:
 * with twenty of each case, a suggestion made before its object was matched would show.
 */
describeEachDialect('map (S20): suggestions for what found no match', (dialect) => {
  let stage: MappingStage;
  const crmRefs: string[] = [];
  const similar: string[] = [];
  const matchedLater: string[] = [];
  const as = { as: PASS };

  beforeAll(async () => {
    stage = await createMappingStage(dialect, {
      rules: { catalogs: 'all', documents: 'all' },
      before: async ({ crm, bp }) => {
        const crmBase = await crm.host.get('crm');
        const bpBase = await bp.host.get('bp');
        for (let index = 0; index < CRM_COUNT; index += 1) {
          const created = await crmBase.objects.create(
            'counterparty',
            { name: `Торговый дом Z${index}`, inn: crmInn(index), kpp: '770001001' },
            user,
          );
          crmRefs.push(created.ref);
        }
        for (let pair = 0; pair < PAIRS; pair += 1) {
          // Like the CRM's Z(800+k), and free: it is suggested for it.
          const free = await bpBase.objects.create(
            'counterparty',
            { name: `Торговый дом Z${800 + pair} Плюс`, inn: String(7_800_000_000 + pair), kpp: '780001001' },
            user,
          );
          similar.push(free.ref);
          // Like the CRM's Z(700+k) by name, but the same company as Z(600+k) by INN and KPP: matched to
          // that one, so it is no suggestion for the other.
          const taken = await bpBase.objects.create(
            'counterparty',
            { name: `Торговый дом Z${700 + pair} Плюс`, inn: crmInn(600 + pair), kpp: '770001001' },
            user,
          );
          matchedLater.push(taken.ref);
        }
      },
    });
  }, 240_000);
  afterAll(() => stage?.cleanup());

  it('suggests free look-alikes anywhere in the message, and never one matched to another object', async () => {
    const analysis = await stage.bp.call(
      'GET',
      `/bp/api/v1/sync/settings/${stage.peerSettingId}/mapping`,
      as,
    );
    expect(analysis.statusCode, analysis.body).toBe(200);
    expect(
      analysis.data.types.find((summary: { type: string }) => summary.type === 'counterparty'),
    ).toMatchObject({
      total: CRM_COUNT,
      bySearch: { 'inn+kpp': PAIRS },
      unmatched: CRM_COUNT - PAIRS,
    });
    type Item = { peerRef: string; candidates: { localRef: string; reason: string }[] };
    const items = new Map<string, Item>();
    for (let offset = 0; offset < CRM_COUNT; offset += 1000) {
      const page = await stage.bp.call(
        'GET',
        `/bp/api/v1/sync/settings/${stage.peerSettingId}/mapping/items?type=counterparty&status=all&limit=1000&offset=${offset}`,
        as,
      );
      for (const item of page.data.items as Item[]) items.set(item.peerRef, item);
    }
    expect(items.size).toBe(CRM_COUNT);
    const suggested = (crmIndex: number) =>
      items.get(crmRefs[crmIndex]!)!.candidates.map((candidate) => candidate.localRef);
    for (let pair = 0; pair < PAIRS; pair += 1) {
      expect(suggested(800 + pair)[0]).toBe(similar[pair]);
      expect(suggested(700 + pair)).not.toContain(matchedLater[pair]);
    }
  });

  it('counts and lists once an object that two waiting messages carry', async () => {
    // The CRM exports everything again before Accounting has loaded: both messages wait for the mapping.
    const again = await stage.api(
      stage.crm,
      'POST',
      `/{ib}/api/v1/sync/settings/${stage.settingId}/initial-export?wait=120`,
    );
    expect(again.data.state, again.body).toBe('done');
    const waiting = await stage.bpExchange.messages.list(stage.peerSettingId, 'in');
    expect(waiting.filter((message) => message.status === 'awaiting-mapping')).toHaveLength(2);
    const analysis = await stage.bp.call(
      'GET',
      `/bp/api/v1/sync/settings/${stage.peerSettingId}/mapping`,
      as,
    );
    expect(
      analysis.data.types.find((summary: { type: string }) => summary.type === 'counterparty'),
    ).toMatchObject({ total: CRM_COUNT, bySearch: { 'inn+kpp': PAIRS }, unmatched: CRM_COUNT - PAIRS });
    const listed = await stage.bp.call(
      'GET',
      `/bp/api/v1/sync/settings/${stage.peerSettingId}/mapping/items?type=counterparty&status=all&limit=1`,
      as,
    );
    expect(listed.data.total).toBe(CRM_COUNT);
  });
});
