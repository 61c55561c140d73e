import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../helpers/dialects.js';
import { connectionReset, createSyncPair, crmBasics, type SyncPair } from '../helpers/sync-pair.js';

/**
 * The same object changed on both sides between two synchronizations. The peer's version wins (it is
 * received first), both sides end up with it, and the journal says whose change was replaced.
 */
describeEachDialect('an object changed on both sides', (dialect) => {
  let pair: SyncPair;
  let basics: Awaited<ReturnType<typeof crmBasics>>;

  beforeAll(async () => {
    pair = await createSyncPair(dialect, {
      before: async (partial) => {
        basics = await crmBasics(partial);
        await basics.invoice();
      },
    });
    // Accounting sends its catalog changes too, so both sides can change the same counterparty.
    const rules = await pair.api(pair.bp, 'PATCH', `/{ib}/api/v1/sync/settings/${pair.peerSettingId}/rules`, {
      catalogs: 'all',
      documents: 'none',
    });
    expect(rules.statusCode, rules.body).toBe(200);
    await pair.run();
  });
  afterAll(() => pair?.cleanup());

  // The counterparty came to Accounting from the CRM under the same ref.
  const setPhone = (side: 'crm' | 'bp', phone: string, ref = basics.buyer) =>
    pair.api(side === 'crm' ? pair.crm : pair.bp, 'PATCH', `/{ib}/api/v1/data/counterparty/${ref}`, {
      phone,
    });
  const phoneOf = async (side: 'crm' | 'bp', ref = basics.buyer) =>
    (await pair.api(side === 'crm' ? pair.crm : pair.bp, 'GET', `/{ib}/api/v1/data/counterparty/${ref}`)).data
      .phone;
  const warningsOf = async (journalId: string) =>
    (await pair.api(pair.crm, 'GET', `/{ib}/api/v1/sync/journal/${journalId}`)).data.items.filter(
      (item: { code: string }) => item.code === 'changed_on_both_sides',
    );

  it('keeps the peer version on both sides and journals the replaced change', async () => {
    expect((await setPhone('crm', '+7 111')).statusCode).toBe(200);
    expect((await setPhone('bp', '+7 222')).statusCode).toBe(200);
    const result = (await pair.run()) as { journalId: string; status: string };
    expect(await phoneOf('crm')).toBe('+7 222');
    expect(await phoneOf('bp')).toBe('+7 222');
    expect(result.status).toBe('warnings');
    const [warning, ...more] = await warningsOf(result.journalId);
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ level: 'warning', type: 'counterparty', ref: basics.buyer });
    expect(warning.message).toMatch(/changed here and changed in ".+" since the last synchronization/);
    // Nothing is left to carry: the next Synchronize changes nothing and warns of nothing.
    const next = (await pair.run()) as { journalId: string; status: string; sent: Record<string, number> };
    expect(next.status).toBe('ok');
    expect(next.sent).toEqual({});
    expect(await phoneOf('bp')).toBe('+7 222');
  });

  it('converges when our change was already in a message the peer never got', async () => {
    // A message carrying our change of the counterparty and of the product does not arrive.
    expect((await setPhone('crm', '+7 333')).statusCode).toBe(200);
    const product = await pair.api(pair.crm, 'PATCH', `/{ib}/api/v1/data/product/${basics.product}`, {
      name: 'Бумага А4, 500 листов',
    });
    expect(product.statusCode, product.body).toBe(200);
    const real = pair.network.fetch;
    pair.network.fetch = async (input, init) => {
      // The announcement (a small message travels inside it) and any part upload are lost.
      if (init?.method === 'PUT' && String(input).includes('/inbox/')) throw connectionReset();
      return real(input, init);
    };
    const failed = await pair.api(
      pair.crm,
      'POST',
      `/{ib}/api/v1/sync/settings/${pair.settingId}/run?wait=60`,
    );
    pair.network.fetch = real;
    expect(failed.data.state).toBe('failed');
    // Meanwhile Accounting changes the same counterparty.
    expect((await setPhone('bp', '+7 444')).statusCode).toBe(200);
    await pair.run();
    // The message kept from before must not carry our old phone over Accounting's newer one.
    expect(await phoneOf('crm')).toBe('+7 444');
    expect(await phoneOf('bp')).toBe('+7 444');
    const bpProduct = await pair.api(pair.bp, 'GET', `/{ib}/api/v1/data/product/${basics.product}`);
    expect(bpProduct.data.name).toBe('Бумага А4, 500 листов');
    await pair.run();
    expect(await phoneOf('bp')).toBe('+7 444');
    expect(await phoneOf('crm')).toBe('+7 444');
  });
});
