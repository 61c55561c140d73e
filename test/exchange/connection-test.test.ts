import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../src/exchange/exchange-context.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { createSyncPair, PASS, type SyncPair } from '../helpers/sync-pair.js';

/** Every way the connection test of stage 1 can fail names its own cause (S3, S13). */
describeEachDialect('the connection test names the cause of each failure', (dialect) => {
  let pair: SyncPair;
  let fake: Server;
  let fakeUrl: string;
  let answer: (path: string) => { status: number; type: string; body: string } = () => ({
    status: 404,
    type: 'text/html',
    body: '<h1>Not Found</h1>',
  });
  const connection = {
    peerApplication: 'accounting',
    peerUrl: 'http://bp-host.test/bp',
    peerLogin: PASS[0],
    peerPassword: PASS[1],
  };
  const test = async (change: Partial<typeof connection>) =>
    (await pair.api(pair.crm, 'POST', '/{ib}/api/v1/sync/connection-test', { ...connection, ...change }))
      .data;

  beforeAll(async () => {
    pair = await createSyncPair(dialect);
    fake = createServer((request, response) => {
      const { status, type, body } = answer(request.url ?? '');
      response.writeHead(status, { 'content-type': type }).end(body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    // Real addresses go over the real network (the fake server, a closed port); the two test hosts stay on inject.
    const inject = pair.network.fetch;
    pair.network.fetch = (input, init) =>
      new URL(String(input)).hostname.endsWith('.test') ? inject(input, init) : fetch(input, init);
    await pair.bp.call('POST', '/bp/api/v1/users', {
      as: PASS,
      body: { login: 'viewer', password: 'pw-viewer', role: 'readonly' },
    });
    await pair.bp.call('POST', '/bp/api/v1/users', { as: PASS, body: { login: 'nopass', role: 'admin' } });
  });
  afterAll(async () => {
    await new Promise((resolve) => fake?.close(resolve));
    await pair?.cleanup();
  });

  it('passes with the right address, user and password', async () => {
    expect(await test({})).toMatchObject({ ok: true, warnings: [] });
  });

  it('not reachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await test({ peerUrl: `http://127.0.0.1:${port}/bp` });
    expect(result).toMatchObject({ ok: false, cause: 'not_reachable' });
    expect(result.message).toContain('refused');
  });

  it('not an ibsync publication', async () => {
    answer = () => ({ status: 404, type: 'text/html', body: '<h1>Not Found</h1>' });
    expect(await test({ peerUrl: `${fakeUrl}/bp` })).toMatchObject({
      ok: false,
      cause: 'not_ibsync_publication',
    });
    expect(await test({ peerUrl: 'http://bp-host.test/nothing' })).toMatchObject({
      ok: false,
      cause: 'not_ibsync_publication',
    });
  });

  it('incompatible version, naming both', async () => {
    const info = await pair.peerTransport().publicInfo();
    answer = () => ({
      status: 200,
      type: 'application/json',
      body: JSON.stringify({ ...info, protocolVersion: PROTOCOL_VERSION + 1, formatVersions: ['1.21'] }),
    });
    const result = await test({ peerUrl: `${fakeUrl}/bp` });
    expect(result).toMatchObject({ ok: false, cause: 'incompatible_version' });
    expect(result.message).toContain(`protocol ${PROTOCOL_VERSION + 1}`);
    expect(result.message).toContain('EnterpriseData 1.21');
    expect(result.message).toContain(`protocol ${PROTOCOL_VERSION} with EnterpriseData 1.8`);
  });

  it('wrong application', async () => {
    const result = await test({ peerApplication: 'crm' });
    expect(result).toMatchObject({ ok: false, cause: 'wrong_application' });
    expect(result.message).toContain('Enterprise Accounting');
  });

  it('unknown user, wrong password, passwordless user, no sync right', async () => {
    expect(await test({ peerLogin: 'stranger' })).toMatchObject({ ok: false, cause: 'unknown_user' });
    expect(await test({ peerPassword: 'nope' })).toMatchObject({ ok: false, cause: 'wrong_password' });
    expect(await test({ peerLogin: 'nopass', peerPassword: '' })).toMatchObject({
      ok: false,
      cause: 'passwordless_user',
    });
    const viewer = await test({ peerLogin: 'viewer', peerPassword: 'pw-viewer' });
    expect(viewer).toMatchObject({ ok: false, cause: 'no_sync_right' });
    expect(viewer.message).toContain('viewer');
  });

  it('warns about spaces and other keyboard layouts in the credentials (S3)', async () => {
    const result = await test({ peerPassword: `${PASS[1]} ` });
    expect(result.cause).toBe('wrong_password');
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ field: 'password', code: 'surrounding_spaces' }),
    );
  });

  it('synchronization disabled there, or here', async () => {
    await pair.api(pair.bp, 'PATCH', '/{ib}/api/v1/settings', { syncEnabled: false });
    expect(await test({})).toMatchObject({ ok: false, cause: 'sync_disabled' });
    await pair.api(pair.bp, 'PATCH', '/{ib}/api/v1/settings', { syncEnabled: true });
    await pair.api(pair.crm, 'PATCH', '/{ib}/api/v1/settings', { syncEnabled: false });
    expect(await test({})).toMatchObject({ ok: false, cause: 'sync_disabled_here' });
    await pair.api(pair.crm, 'PATCH', '/{ib}/api/v1/settings', { syncEnabled: true });
  });

  it('prefix clash', async () => {
    await pair.api(pair.bp, 'PATCH', '/{ib}/api/v1/settings', { prefix: 'CR' });
    const result = await test({});
    expect(result).toMatchObject({ ok: false, cause: 'prefix_clash' });
    expect(result.message).toContain('"CR"');
    await pair.api(pair.bp, 'PATCH', '/{ib}/api/v1/settings', { prefix: 'BP' });
  });
});
