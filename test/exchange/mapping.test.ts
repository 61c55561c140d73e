import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEMO_OVERLAPS,
  type DemoSeedResult,
  seedDemoAccounting,
  seedDemoCrm,
} from '../../src/apps/demo/seed-demo.js';
import { createHttpTransport, type PeerConnection } from '../../src/exchange/transport.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { PASS } from '../helpers/sync-pair.js';
import { createTestApp, injectFetch, type TestApp } from '../helpers/test-app.js';

const TYPES = [
  'organization',
  'counterparty',
  'contract',
  'product',
  'unit',
  'currency',
  'bank-account',
] as const;

describeEachDialect(
  'map and load (S20): the demo companies spelled differently are found, nothing doubles',
  (dialect) => {
    const apps = new Map<string, FastifyInstance>();
    const transport = (connection: PeerConnection) =>
      createHttpTransport(connection, { fetch: injectFetch(apps), pollMs: 20 });
    let crmApp: Awaited<ReturnType<typeof createTestApp>>;
    let bp: Awaited<ReturnType<typeof createTestApp>>;
    let crmSeed: DemoSeedResult;
    let bpSeed: DemoSeedResult;
    let settingId: string;
    const api = (side: TestApp, method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) =>
      side.call(method, url, { as: PASS, ...(body === undefined ? {} : { body }) });
    const bpApi = (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) =>
      api(bp, method, `/bp/api/v1${path}`, body);
    const crmRef = (type: string, key: string) => crmSeed.refs[type as keyof DemoSeedResult['refs']][key]!;
    const bpRef = (type: string, key: string) => bpSeed.refs[type as keyof DemoSeedResult['refs']][key]!;
    const overlaps = (type: string, relation: 'same' | 'apart') =>
      DEMO_OVERLAPS.filter(
        (o) => o.type === type && (relation === 'same' ? o.relation === 'same' : o.relation !== 'same'),
      );
    /** A branch kept apart whose Accounting side nothing else matches: a person may link it by hand. */
    const freeBranch = () =>
      overlaps('counterparty', 'apart').find(
        (o) =>
          o.relation === 'branch' &&
          !overlaps('counterparty', 'same').some((same) => same.accounting === o.accounting),
      )!;

    /** A restart of the Accounting host on the same store. */
    const restartAccounting = async () => {
      await bp.app.close();
      await bp.services.close();
      const reopened = await createTestApp(dialect, {
        transport,
        reopen: { config: bp.config, hostKey: bp.hostKey },
      });
      const cleanupStore = bp.cleanup;
      const cleanupReopened = reopened.cleanup;
      bp = Object.assign(reopened, {
        cleanup: async () => {
          await cleanupReopened();
          await cleanupStore().catch(() => undefined);
        },
      });
      apps.set('bp-host', bp.app);
    };

    beforeAll(async () => {
      crmApp = await createTestApp(dialect, { transport });
      bp = await createTestApp(dialect, { transport });
      apps.set('bp-host', bp.app);
      crmSeed = await seedDemoCrm(await crmApp.host.create('crm', 'crm'), {
        today: new Date('2026-11-20T12:00:00'),
      });
      bpSeed = await seedDemoAccounting(await bp.host.create('bp', 'accounting'), {
        today: new Date('2026-11-20T12:00:00'),
      });
      for (const [side, ib] of [
        [crmApp, 'crm'],
        [bp, 'bp'],
      ] as const) {
        await side.call('POST', `/${ib}/api/v1/users`, { body: { login: PASS[0], password: PASS[1] } });
      }
      await api(crmApp, 'PATCH', '/crm/api/v1/settings', {
        syncEnabled: true,
        prefix: 'CR',
        continueNumbering: true,
      });
      await bpApi('PATCH', '/settings', { syncEnabled: true, prefix: 'BP', continueNumbering: true });
      const connected = await api(crmApp, 'POST', '/crm/api/v1/sync/settings', {
        peerApplication: 'accounting',
        peerUrl: 'http://bp-host.test/bp',
        peerLogin: PASS[0],
        peerPassword: PASS[1],
        rules: { catalogs: 'all', documents: 'all' },
      });
      settingId = connected.data.id;
      const exported = await api(
        crmApp,
        'POST',
        `/crm/api/v1/sync/settings/${settingId}/initial-export?wait=120`,
      );
      expect(exported.data.state, exported.body).toBe('done');
    });
    afterAll(async () => {
      await crmApp?.cleanup();
      await bp?.cleanup();
    });

    it('uses one id for the setting on both sides', async () => {
      expect((await bpApi('GET', `/sync/settings/${settingId}`)).data).toMatchObject({
        id: settingId,
        role: 'responder',
        state: 'pending',
      });
    });

    it('analyses before anything is written, with exact counts per type, also after a restart', async () => {
      // Tables earlier versions kept their analyses in: they go at the next start, their content with them.
      const stale = await bp.host.get('bp');
      for (const table of ['exchange_mapping_items', 'exchange_mapping_review'])
        await stale.db.schema.createTable(table).ifNotExists().addColumn('node_id', 'text').execute();
      // Accounting restarts between the arrival of the data and the analysis: nothing it needs is in memory.
      await restartAccounting();
      const reopened = await bp.host.get('bp');
      for (const table of ['exchange_mapping_items', 'exchange_mapping_review'])
        expect((await reopened.dialect.listColumns(reopened.db, table)).size, table).toBe(0);
      const before = Object.fromEntries(
        await Promise.all(
          TYPES.map(async (type) => [type, (await bpApi('GET', `/data/${type}`)).data.total]),
        ),
      );
      const { types } = (await bpApi('GET', `/sync/settings/${settingId}/mapping`)).data;
      for (const type of TYPES) {
        const summary = types.find((entry: { type: string }) => entry.type === type);
        const matched = Object.values(summary.bySearch as Record<string, number>).reduce((a, b) => a + b, 0);
        expect(summary.total, type).toBe(crmSeed.counts[type]);
        expect(matched, type).toBe(overlaps(type, 'same').length);
        expect(summary.ambiguous, type).toBe(0);
        expect(summary.unmatched, type).toBe(crmSeed.counts[type] - overlaps(type, 'same').length);
      }
      // Nothing was written by the analysis.
      for (const type of TYPES) expect((await bpApi('GET', `/data/${type}`)).data.total).toBe(before[type]);
    });

    it('matches each pair the demo intends, by the intended fields, and keeps branches and namesakes apart', async () => {
      const items = (await bpApi('GET', `/sync/settings/${settingId}/mapping/items?status=all&limit=1000`))
        .data.items as {
        type: string;
        peerRef: string;
        status: string;
        match: { localRef: string; fields: string[] } | null;
      }[];
      const byPeer = new Map(items.map((item) => [`${item.type}:${item.peerRef}`, item]));
      const expectedFields: Record<string, string> = {
        'inn-kpp': 'inn+kpp',
        inn: 'inn',
        name: 'name',
        sku: 'sku',
        code: 'code',
        number: 'number',
        'counterparty-number-date': 'counterparty+number+date',
      };
      for (const overlap of DEMO_OVERLAPS) {
        const item = byPeer.get(`${overlap.type}:${crmRef(overlap.type, overlap.crm)}`);
        if (overlap.relation === 'same') {
          expect(item?.match?.localRef, overlap.why).toBe(bpRef(overlap.type, overlap.accounting));
          // A sole proprietor has no KPP: INN and KPP cannot both be compared, the INN alone can.
          const fields = item?.match?.fields.join('+');
          expect(
            fields === expectedFields[overlap.matchBy] || (overlap.matchBy === 'inn-kpp' && fields === 'inn'),
            `${overlap.why}: ${fields}`,
          ).toBe(true);
        } else {
          expect(item?.match?.localRef, overlap.why).not.toBe(bpRef(overlap.type, overlap.accounting));
        }
      }
    });

    it('shows candidates with a score and a reason for what it could not match', async () => {
      const review = (
        await bpApi('GET', `/sync/settings/${settingId}/mapping/items?type=counterparty&status=review`)
      ).data;
      expect(review.total).toBe(crmSeed.counts.counterparty - overlaps('counterparty', 'same').length);
      const withCandidates = review.items.filter(
        (item: { candidates: unknown[] }) => item.candidates.length > 0,
      );
      expect(withCandidates.length).toBeGreaterThan(0);
      expect(withCandidates[0].candidates[0]).toMatchObject({
        score: expect.any(Number),
        reason: expect.stringContaining('similar name'),
      });
      // A local object that already stands for another incoming one is no suggestion: it cannot be linked.
      const all = (
        await bpApi(
          'GET',
          `/sync/settings/${settingId}/mapping/items?type=counterparty&status=all&limit=1000`,
        )
      ).data.items as { match: { localRef: string } | null }[];
      const matched = new Set(all.flatMap((item) => (item.match ? [item.match.localRef] : [])));
      const suggested = withCandidates.flatMap(
        (item: { candidates: { localRef: string; reason: string }[] }) =>
          item.candidates.filter((candidate) => candidate.reason.startsWith('similar name')),
      );
      expect(suggested.filter((candidate: { localRef: string }) => matched.has(candidate.localRef))).toEqual(
        [],
      );
    });

    it('dry-runs the load: what it would create, update and link, writing nothing', async () => {
      const before = (await bpApi('GET', '/data/counterparty')).data.total;
      const job = await bpApi('POST', `/sync/settings/${settingId}/load?dryRun=true&wait=120`);
      expect(job.data.state, job.body).toBe('done');
      const counts = job.data.result.counts;
      expect(counts.counterparty.linked).toBe(overlaps('counterparty', 'same').length);
      expect(counts.counterparty.created).toBe(
        crmSeed.counts.counterparty - overlaps('counterparty', 'same').length,
      );
      expect(counts['customer-invoice'].created).toBe(crmSeed.counts['customer-invoice']);
      expect((await bpApi('GET', '/data/counterparty')).data.total).toBe(before);
      expect((await bpApi('GET', `/sync/settings/${settingId}`)).data.setup.loadDone).toBe(false);
    });

    it("keeps a person's link and refuses to link one local object twice", async () => {
      const branch = freeBranch();
      const peerRef = crmRef('counterparty', branch.crm);
      const localRef = bpRef('counterparty', branch.accounting);
      // The person decides the branch is, for their accounting, the same counterparty.
      expect(
        (
          await bpApi('POST', `/sync/settings/${settingId}/mapping/decisions`, {
            type: 'counterparty',
            peerRef,
            action: 'link',
            localRef,
          })
        ).statusCode,
      ).toBe(204);
      const sameAgain = DEMO_OVERLAPS.find((o) => o.type === 'counterparty' && o.relation === 'same')!;
      const refused = await bpApi('POST', `/sync/settings/${settingId}/mapping/decisions`, {
        type: 'counterparty',
        peerRef: crmRef('counterparty', sameAgain.crm),
        action: 'link',
        localRef,
      });
      expect(refused.data.code).toBe('already_linked');
      const item = (await bpApi('GET', `/sync/settings/${settingId}/mapping`)).data.types.find(
        (t: { type: string }) => t.type === 'counterparty',
      );
      expect(item.byDecision).toBe(1);
    });

    it('loads with the decisions: no counterparty, product, organization, contract, unit or currency twice', async () => {
      const before = Object.fromEntries(
        await Promise.all(
          TYPES.map(async (type) => [type, (await bpApi('GET', `/data/${type}`)).data.total]),
        ),
      );
      const job = await bpApi('POST', `/sync/settings/${settingId}/load?wait=120`);
      expect(job.data.state, job.body).toBe('done');
      for (const type of TYPES) {
        const merged = overlaps(type, 'same').length + (type === 'counterparty' ? 1 : 0);
        expect((await bpApi('GET', `/data/${type}?limit=1000`)).data.total, type).toBe(
          before[type] + crmSeed.counts[type] - merged,
        );
      }
      const counterparties = (await bpApi('GET', '/data/counterparty?limit=1000')).data.items as {
        inn: string | null;
        kpp: string | null;
      }[];
      const identities = counterparties.filter((c) => c.inn).map((c) => `${c.inn}/${c.kpp ?? ''}`);
      // No two counterparties share INN and KPP: every company, and every branch, exists once.
      expect(new Set(identities).size).toBe(identities.length);
      // Each pair found is linked by its public ID, so later synchronizations need no search.
      const links = await (await bp.host.get('bp')).db
        .selectFrom('exchange_public_ids')
        .select(['type', 'peer_ref', 'local_ref'])
        .execute();
      const linked = new Map(links.map((row) => [`${row.type}:${row.peer_ref}`, row.local_ref]));
      for (const overlap of DEMO_OVERLAPS.filter((o) => o.relation === 'same')) {
        expect(linked.get(`${overlap.type}:${crmRef(overlap.type, overlap.crm)}`), overlap.why).toBe(
          bpRef(overlap.type, overlap.accounting),
        );
      }
    });

    it('uses the manual link in later synchronizations, also after a restart', async () => {
      await bpApi('POST', `/sync/settings/${settingId}/initial-export?wait=60`);
      // Its links and decisions are in its database.
      await restartAccounting();
      const branch = freeBranch();
      await api(crmApp, 'PATCH', `/crm/api/v1/data/counterparty/${crmRef('counterparty', branch.crm)}`, {
        phone: '+7 351 000-00-00',
      });
      const run = await api(crmApp, 'POST', `/crm/api/v1/sync/settings/${settingId}/run?wait=60`);
      expect(run.data.state, run.body).toBe('done');
      const linked = (await bpApi('GET', `/data/counterparty/${bpRef('counterparty', branch.accounting)}`))
        .data;
      expect(linked.phone).toBe('+7 351 000-00-00');
      expect(
        (await bpApi('GET', `/data/counterparty/${crmRef('counterparty', branch.crm)}`)).statusCode,
      ).toBe(404);
    });
  },
);
