import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { ExchangeContext } from '../../src/exchange/exchange-context.js';
import { createHttpTransport, type Fetch, type PeerConnection } from '../../src/exchange/transport.js';
import type { DialectName } from '../../src/platform/storage/index.js';
import { createTestApp, injectFetch, type TestApp } from './test-app.js';

export const PASS: [string, string] = ['sc12345', 'Pass-word1'];

export type SyncPair = {
  crm: TestApp;
  bp: TestApp;
  /** The CRM's setting (the initiator's) and Accounting's (the responder's). */
  settingId: string;
  peerSettingId: string;
  crmExchange: ExchangeContext;
  bpExchange: ExchangeContext;
  /** The fetch the CRM uses to reach Accounting; tests may wrap it to cut or delay traffic. */
  network: { fetch: Fetch };
  api(
    side: TestApp,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    body?: unknown,
  ): ReturnType<TestApp['call']>;
  add(side: TestApp, type: string, body: Record<string, unknown>): Promise<string>;
  run(): Promise<Record<string, unknown>>;
  peerTransport(): ReturnType<typeof createHttpTransport>;
  cleanup(): Promise<void>;
};

/** What fetch throws when the other side resets the connection: tests cut traffic with it. */
export function connectionReset(): Error {
  return Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
}

/** A pair stopped at S20: the CRM's initial message is in Accounting, waiting for mapping. */
export type MappingStage = Omit<SyncPair, 'run'>;

type PairOptions = {
  partSize?: number;
  /** From what size (bytes) Accounting reads an incoming message in its reader thread (1: every one). */
  readerThreadFrom?: number;
  /** Fills the infobases before the setting is made. */
  before?: (pair: Omit<SyncPair, 'settingId' | 'peerSettingId' | 'run'>) => Promise<void>;
};

/**
 * Two hosts (CRM and Accounting) talking over their real HTTP routes in process, set up as the seed
 * does up to the CRM's initial export (S12–S17), with the CRM's rules (default: catalogs used in
 * documents, all documents).
 */
export async function createMappingStage(
  dialect: DialectName,
  options: PairOptions & { rules?: { catalogs: 'all' | 'used'; documents: 'all' | 'none' } } = {},
): Promise<MappingStage> {
  const apps = new Map<string, FastifyInstance>();
  const network = { fetch: injectFetch(apps) };
  const transport = (connection: PeerConnection) =>
    createHttpTransport(connection, { fetch: (input, init) => network.fetch(input, init), pollMs: 20 });
  const crm = await createTestApp(dialect, {
    transport,
    ...(options.partSize ? { partSize: options.partSize } : {}),
  });
  const bp = await createTestApp(dialect, {
    transport,
    ...(options.partSize ? { partSize: options.partSize } : {}),
    ...(options.readerThreadFrom ? { readerThreadFrom: options.readerThreadFrom } : {}),
  });
  apps.set('crm-host', crm.app);
  apps.set('bp-host', bp.app);
  await crm.host.create('crm', 'crm');
  await bp.host.create('bp', 'accounting');
  const ib = (side: TestApp) => (side === crm ? 'crm' : 'bp');
  const api: SyncPair['api'] = (side, method, url, body) =>
    side.call(method, url.replace('{ib}', ib(side)), { as: PASS, ...(body === undefined ? {} : { body }) });
  const add: SyncPair['add'] = async (side, type, body) => {
    const response = await api(side, 'POST', `/{ib}/api/v1/data/${type}`, body);
    expect(response.statusCode, response.body).toBe(201);
    return response.data.ref;
  };
  for (const side of [crm, bp]) {
    await side.call('POST', `/${ib(side)}/api/v1/users`, { body: { login: PASS[0], password: PASS[1] } });
  }
  await api(crm, 'PATCH', '/{ib}/api/v1/settings', { syncEnabled: true, prefix: 'CR' });
  await api(bp, 'PATCH', '/{ib}/api/v1/settings', { syncEnabled: true, prefix: 'BP' });
  const crmExchange = (await crm.services.exchange.of('crm')).context;
  const bpExchange = (await bp.services.exchange.of('bp')).context;
  const partial = {
    crm,
    bp,
    crmExchange,
    bpExchange,
    network,
    api,
    add,
    peerTransport: () => transport({ url: 'http://bp-host.test/bp', login: PASS[0], password: PASS[1] }),
    async cleanup() {
      await crm.cleanup();
      await bp.cleanup();
    },
  };
  await options.before?.(partial);
  const connected = await api(crm, 'POST', '/{ib}/api/v1/sync/settings', {
    peerApplication: 'accounting',
    peerUrl: 'http://bp-host.test/bp',
    peerLogin: PASS[0],
    peerPassword: PASS[1],
    ...(options.rules ? { rules: options.rules } : {}),
  });
  expect(connected.statusCode, connected.body).toBe(201);
  const settingId = connected.data.id;
  await expectDone(await api(crm, 'POST', `/{ib}/api/v1/sync/settings/${settingId}/initial-export?wait=120`));
  const peerSettingId = (await api(bp, 'GET', '/{ib}/api/v1/sync/settings')).data[0].id;
  return { ...partial, settingId, peerSettingId };
}

async function expectDone(response: Awaited<ReturnType<TestApp['call']>>) {
  expect(response.data.state, response.body).toBe('done');
  return response.data.result;
}

/**
 * The mapping stage carried on to a ready setting with the defaults: Accounting loads what came and
 * sends nothing back (S18–S21), then one Synchronize.
 */
export async function createSyncPair(dialect: DialectName, options: PairOptions = {}): Promise<SyncPair> {
  const stage = await createMappingStage(dialect, options);
  const { api, bp, crm, peerSettingId, settingId } = stage;
  await api(bp, 'PATCH', `/{ib}/api/v1/sync/settings/${peerSettingId}/rules`, {
    catalogs: 'none',
    documents: 'none',
  });
  await expectDone(await api(bp, 'POST', `/{ib}/api/v1/sync/settings/${peerSettingId}/load?wait=60`));
  await expectDone(
    await api(bp, 'POST', `/{ib}/api/v1/sync/settings/${peerSettingId}/initial-export?wait=60`),
  );
  const pair: SyncPair = {
    ...stage,
    async run() {
      return expectDone(await api(crm, 'POST', `/{ib}/api/v1/sync/settings/${settingId}/run?wait=60`));
    },
  };
  await pair.run();
  return pair;
}

/** The basic data a document needs, in the CRM. */
export async function crmBasics(pair: Pick<SyncPair, 'crm' | 'add'>) {
  const { crm, add } = pair;
  const rub = await add(crm, 'currency', { code: '643', name: 'RUB' });
  const org = await add(crm, 'organization', { name: 'ООО "Вектор"', inn: '7701234567', kpp: '770101001' });
  const account = await add(crm, 'bank-account', {
    organization: org,
    number: '40702810900000000001',
    bic: '044525225',
  });
  const buyer = await add(crm, 'counterparty', {
    name: 'ООО "Ромашка"',
    inn: '7702345678',
    kpp: '770201001',
  });
  const product = await add(crm, 'product', { name: 'Бумага А4', sku: 'P-A4' });
  const invoice = (extra: Record<string, unknown> = {}) =>
    add(crm, 'customer-invoice', {
      organization: org,
      counterparty: buyer,
      currency: rub,
      bankAccount: account,
      lines: [{ product, quantity: '1', price: '100.00' }],
      ...extra,
    });
  return { rub, org, account, buyer, product, invoice };
}
