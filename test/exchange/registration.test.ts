import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../helpers/dialects.js';
import { createSyncPair, crmBasics, type SyncPair } from '../helpers/sync-pair.js';

/**
 * The rules decide what the change log takes (S16): a change of rules registers what now matches and the
 * peer lacks, and a deletion of what we sent and no longer matches, so that the peer keeps no stale copy.
 */
describeEachDialect('rules: what a change of rules registers', (dialect) => {
  let pair: SyncPair;
  let basics: Awaited<ReturnType<typeof crmBasics>>;
  const invoices: Record<string, string> = {};
  let otherOrganization: string;

  const changes = async () =>
    (
      await pair.crmExchange.infobase.db
        .selectFrom('exchange_changes')
        .select(['ref', 'action'])
        .where('node_id', '=', pair.settingId)
        .where('type', '=', 'customer-invoice')
        .execute()
    )
      .map((row) => `${row.action} ${Object.keys(invoices).find((name) => invoices[name] === row.ref)}`)
      .sort();
  const rules = (body: Record<string, unknown>) =>
    pair.api(pair.crm, 'PATCH', `/{ib}/api/v1/sync/settings/${pair.settingId}/rules`, body);

  beforeAll(async () => {
    pair = await createSyncPair(dialect, {
      before: async (partial) => {
        basics = await crmBasics(partial);
        otherOrganization = await partial.add(partial.crm, 'organization', {
          name: 'ООО "Второе"',
          inn: '7709876543',
        });
        invoices.old = await basics.invoice({ date: '2025-03-01T10:00:00' });
        invoices.recent = await basics.invoice({ date: '2026-10-01T10:00:00' });
        invoices.otherOld = await basics.invoice({
          date: '2025-03-02T10:00:00',
          organization: otherOrganization,
          bankAccount: null,
        });
      },
    });
  });
  afterAll(() => pair?.cleanup());

  it('sends nothing again once the peer has everything', async () => {
    expect(await changes()).toEqual([]);
  });

  it('documents since a date: what we sent from before it goes as a deletion', async () => {
    expect((await rules({ documents: 'since', documentsSince: '2026-01-01' })).statusCode).toBe(200);
    expect(await changes()).toEqual(['delete old', 'delete otherOld']);
    await pair.run();
    expect(await changes()).toEqual([]);
  });

  it('all documents again, of one organization: what the peer lacks and matches comes back, nothing else', async () => {
    const organization = basics.org;
    expect((await rules({ documents: 'all', organizations: [organization] })).statusCode).toBe(200);
    expect(await changes()).toEqual(['put old']);
    await pair.run();
    expect((await rules({ organizations: [] })).statusCode).toBe(200);
    expect(await changes()).toEqual(['put otherOld']);
  });

  it('a catalog item the peer sent, changed here, goes back though no document here uses it', async () => {
    // Accounting sends catalog items only when used, or when the CRM has them: this one came from there.
    const bpRules = await pair.api(
      pair.bp,
      'PATCH',
      `/{ib}/api/v1/sync/settings/${pair.peerSettingId}/rules`,
      {
        catalogs: 'used',
        documents: 'none',
      },
    );
    expect(bpRules.statusCode, bpRules.body).toBe(200);
    const renamed = await pair.api(pair.bp, 'PATCH', `/{ib}/api/v1/data/counterparty/${basics.buyer}`, {
      name: 'ООО "Ромашка и партнёры"',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    await pair.run();
    const inCrm = await pair.api(pair.crm, 'GET', `/{ib}/api/v1/data/counterparty/${basics.buyer}`);
    expect(inCrm.data.name).toBe('ООО "Ромашка и партнёры"');
  });
});
