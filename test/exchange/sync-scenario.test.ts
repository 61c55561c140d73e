import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHttpTransport } from '../../src/exchange/transport.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { createTestApp, injectFetch, type TestApp } from '../helpers/test-app.js';

const PASS: [string, string] = ['sc12345', 'Pass-word1'];

describeEachDialect('synchronization over the Internet, seed S2–S22, in process', (dialect) => {
  const apps = new Map<string, FastifyInstance>();
  const transport = (connection: Parameters<typeof createHttpTransport>[0]) =>
    createHttpTransport(connection, { fetch: injectFetch(apps), pollMs: 20 });
  let crm: TestApp;
  let bp: TestApp;
  let settingId: string;
  const refs: Record<string, string> = {};

  const call = (side: TestApp, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
    side.call(method, url, { as: PASS, ...(body === undefined ? {} : { body }) });

  beforeAll(async () => {
    crm = await createTestApp(dialect, { transport, partSize: 4096 });
    bp = await createTestApp(dialect, { transport, partSize: 4096 });
    apps.set('crm-host', crm.app);
    apps.set('bp-host', bp.app);
    await crm.host.create('crm', 'crm');
    await bp.host.create('bp', 'accounting');
    // S2–S4: the pass-through user, the first user of each infobase, so an administrator.
    for (const side of [crm, bp]) {
      const ib = side === crm ? 'crm' : 'bp';
      expect(
        (await side.call('POST', `/${ib}/api/v1/users`, { body: { login: PASS[0], password: PASS[1] } }))
          .statusCode,
      ).toBe(201);
    }
    const add = async (side: TestApp, ib: string, type: string, body: Record<string, unknown>) => {
      const response = await call(side, 'POST', `/${ib}/api/v1/data/${type}`, body);
      expect(response.statusCode, response.body).toBe(201);
      return response.data.ref as string;
    };
    // S9, S10 in the CRM.
    await call(crm, 'PATCH', '/crm/api/v1/settings', { syncEnabled: true, prefix: 'CR' });
    await call(bp, 'PATCH', '/bp/api/v1/settings', { syncEnabled: true });
    refs.rub = await add(crm, 'crm', 'currency', { code: '643', name: 'RUB' });
    refs.pcs = await add(crm, 'crm', 'unit', { code: '796', name: 'шт' });
    refs.org = await add(crm, 'crm', 'organization', {
      name: 'ООО "Вектор"',
      inn: '7701234567',
      kpp: '770101001',
    });
    refs.acc = await add(crm, 'crm', 'bank-account', {
      organization: refs.org,
      number: '40702810900000000001',
      bic: '044525225',
      bank: 'Сбербанк',
    });
    refs.romashka = await add(crm, 'crm', 'counterparty', {
      name: 'ООО "Ромашка"',
      inn: '7702345678',
      kpp: '770201001',
    });
    refs.unused = await add(crm, 'crm', 'counterparty', { name: 'Никому не нужен' });
    refs.paper = await add(crm, 'crm', 'product', { name: 'Бумага А4', sku: 'P-A4', unit: refs.pcs });
    refs.invoice = await add(crm, 'crm', 'customer-invoice', {
      date: '2026-11-02T10:00:00',
      organization: refs.org,
      counterparty: refs.romashka,
      currency: refs.rub,
      bankAccount: refs.acc,
      lines: [{ product: refs.paper, quantity: '10', price: '350.00', vatRate: 'vat22' }],
    });
    // Accounting already knows Romashka under another spelling and another ref.
    refs.bpRub = await add(bp, 'bp', 'currency', { code: '643', name: 'руб.' });
    refs.bpRomashka = await add(bp, 'bp', 'counterparty', {
      name: 'Ромашка ООО',
      inn: '7702345678',
      kpp: '770201001',
    });
  });
  afterAll(async () => {
    await crm?.cleanup();
    await bp?.cleanup();
  });

  const connection = {
    peerApplication: 'accounting',
    peerUrl: 'http://bp-host.test/bp',
    peerLogin: PASS[0],
    peerPassword: PASS[1],
  };

  it('tests the connection and names the cause of a failure (S13)', async () => {
    const ok = await call(crm, 'POST', '/crm/api/v1/sync/connection-test', connection);
    expect(ok.data).toMatchObject({
      ok: true,
      peer: { application: 'accounting', prefix: '', caller: { canSync: true } },
    });
    const wrong = await call(crm, 'POST', '/crm/api/v1/sync/connection-test', {
      ...connection,
      peerPassword: 'nope',
    });
    expect(wrong.data).toMatchObject({ ok: false, cause: 'wrong_password' });
  });

  it('creates both sides in one step, sets the peer prefix, and pressing Next twice changes nothing (S12–S15)', async () => {
    const first = await call(crm, 'POST', '/crm/api/v1/sync/settings', { ...connection, peerPrefix: 'BP' });
    expect(first.statusCode, first.body).toBe(201);
    settingId = first.data.id;
    expect(first.data).toMatchObject({ state: 'pending', role: 'initiator', peer: { prefix: 'BP' } });
    const again = await call(crm, 'POST', '/crm/api/v1/sync/settings', { ...connection, peerPrefix: 'BP' });
    expect(again.data.id).toBe(settingId);
    expect((await call(crm, 'GET', '/crm/api/v1/sync/settings')).data).toHaveLength(1);
    const peerSide = await call(bp, 'GET', '/bp/api/v1/sync/settings');
    expect(peerSide.data).toEqual([expect.objectContaining({ state: 'pending', role: 'responder' })]);
    expect((await call(bp, 'GET', '/bp/api/v1/settings')).data.prefix).toBe('BP');
    expect(JSON.stringify(first.data)).not.toContain(PASS[1]);
  });

  it('refuses Synchronize while the setup is pending and says what is missing', async () => {
    const run = await call(crm, 'POST', `/crm/api/v1/sync/settings/${settingId}/run?wait=30`);
    expect(run.data).toMatchObject({ state: 'failed', error: { code: 'setup_pending' } });
    expect(run.data.error.message).toContain('initial export');
  });

  it('sends the initial export, which the peer keeps for mapping (S16, S17)', async () => {
    const job = await call(crm, 'POST', `/crm/api/v1/sync/settings/${settingId}/initial-export?wait=60`);
    expect(job.data, job.body).toMatchObject({ state: 'done' });
    expect((await call(bp, 'GET', '/bp/api/v1/data/customer-invoice')).data.total).toBe(0);
    const run = await call(crm, 'POST', `/crm/api/v1/sync/settings/${settingId}/run?wait=30`);
    expect(run.data.error).toMatchObject({ code: 'setup_pending' });
    expect(run.data.error.message).toContain('map and load');
  });

  it('finishes stage 2 on the peer: rules, map and load, initial export (S18–S21)', async () => {
    const [setting] = (await call(bp, 'GET', '/bp/api/v1/sync/settings')).data;
    const rules = await call(bp, 'PATCH', `/bp/api/v1/sync/settings/${setting.id}/rules`, {
      catalogs: 'none',
      documents: 'none',
    });
    expect(rules.data.rules).toMatchObject({ catalogs: 'none', documents: 'none' });
    const load = await call(bp, 'POST', `/bp/api/v1/sync/settings/${setting.id}/load?wait=60`);
    expect(load.data, load.body).toMatchObject({ state: 'done' });
    const exported = await call(bp, 'POST', `/bp/api/v1/sync/settings/${setting.id}/initial-export?wait=60`);
    expect(exported.data, exported.body).toMatchObject({ state: 'done' });
    expect((await call(bp, 'GET', `/bp/api/v1/sync/settings/${setting.id}`)).data.state).toBe('ready');

    const invoices = (await call(bp, 'GET', '/bp/api/v1/data/customer-invoice')).data.items;
    expect(invoices).toEqual([
      expect.objectContaining({ number: 'CR00-000001', amount: '3500.00', createdIn: 'CR' }),
    ]);
    // Mapped, not duplicated: Accounting's own Romashka is the invoice's counterparty.
    const counterparties = (await call(bp, 'GET', '/bp/api/v1/data/counterparty')).data.items;
    expect(counterparties.filter((c: { inn: string }) => c.inn === '7702345678')).toHaveLength(1);
    expect(invoices[0].counterparty).toBe(refs.bpRomashka);
    // Only what documents use went along: the unused counterparty stayed in the CRM.
    expect(counterparties.map((c: { name: string }) => c.name)).not.toContain('Никому не нужен');
    expect((await call(bp, 'GET', '/bp/api/v1/data/currency')).data.total).toBe(1);
  });

  it('synchronizes from the CRM once both sides are ready (S22)', async () => {
    const run = await call(crm, 'POST', `/crm/api/v1/sync/settings/${settingId}/run?wait=30`);
    expect(run.data, run.body).toMatchObject({ state: 'done' });
    expect((await call(crm, 'GET', `/crm/api/v1/sync/settings/${settingId}`)).data.state).toBe('ready');
  });

  it('carries new, changed and deleted objects on the next Synchronize, and nothing when nothing changed', async () => {
    const second = await call(crm, 'POST', '/crm/api/v1/data/customer-invoice', {
      date: '2026-11-20T12:00:00',
      organization: refs.org,
      counterparty: refs.romashka,
      currency: refs.rub,
      bankAccount: refs.acc,
      lines: [{ product: refs.paper, quantity: '2', price: '350.00', vatRate: 'vat22' }],
    });
    await call(crm, 'PATCH', `/crm/api/v1/data/customer-invoice/${refs.invoice}`, { comment: 'Срочно' });
    await call(crm, 'DELETE', `/crm/api/v1/data/customer-invoice/${refs.invoice}`);
    const run = await call(crm, 'POST', `/crm/api/v1/sync/settings/${settingId}/run?wait=30`);
    expect(run.data.result, run.body).toMatchObject({ sent: { 'customer-invoice': 2 } });
    const invoices = (
      await call(bp, 'GET', '/bp/api/v1/data/customer-invoice?includeDeleted=true&sort=number')
    ).data.items;
    expect(invoices).toEqual([
      expect.objectContaining({ number: 'CR00-000001', comment: 'Срочно', deleted: true }),
      expect.objectContaining({ ref: second.data.ref, number: 'CR00-000002', amount: '700.00' }),
    ]);
    const idle = await call(crm, 'POST', `/crm/api/v1/sync/settings/${settingId}/run?wait=30`);
    expect(idle.data.result).toMatchObject({ sent: {}, received: {} });
  });

  it('keeps a journal of every session on both sides', async () => {
    const journal = (await call(crm, 'GET', `/crm/api/v1/sync/journal?setting=${settingId}`)).data;
    expect(
      journal.map((entry: { operation: string; status: string }) => `${entry.operation}:${entry.status}`),
    ).toContain('sync:ok');
    const peerJournal = (await call(bp, 'GET', '/bp/api/v1/sync/journal')).data;
    expect(peerJournal.map((entry: { operation: string }) => entry.operation)).toEqual(
      expect.arrayContaining(['import', 'load']),
    );
  });
});
