import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describeEachDialect('HTTP API: host, data, settings, users', (dialect) => {
  let t: TestApp;
  const admin: [string, string] = ['sc12345', 'Pass-word1'];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.host.create('crm', 'crm');
    await t.host.create('bp', 'accounting');
  });
  afterAll(() => t.cleanup());

  it('lists the infobases with their publication URLs (the seed\'s "Databases")', async () => {
    const response = await t.call('GET', '/api/v1/infobases', { headers: { host: 'cloud.example:8080' } });
    expect(response.statusCode).toBe(200);
    expect(response.data).toEqual([
      expect.objectContaining({
        name: 'bp',
        application: 'accounting',
        publicationUrl: 'http://cloud.example:8080/bp',
      }),
      expect.objectContaining({
        name: 'crm',
        application: 'crm',
        publicationUrl: 'http://cloud.example:8080/crm',
      }),
    ]);
  });

  it('creates infobases only from loopback, and names what is wrong', async () => {
    expect(
      (await t.call('POST', '/api/v1/infobases', { body: { name: 'x1', application: 'crm' }, remote: true }))
        .data.code,
    ).toBe('loopback_only');
    const bad = await t.call('POST', '/api/v1/infobases', { body: { name: 'Bad Name', application: 'crm' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.data.code).toBe('bad_infobase_name');
    expect(
      (await t.call('POST', '/api/v1/infobases', { body: { name: 'x2', application: 'erp' } })).data.code,
    ).toBe('unknown_application');
    const created = await t.call('POST', '/api/v1/infobases', { body: { name: 'x3', application: 'crm' } });
    expect(created.statusCode).toBe(201);
    expect(
      (await t.call('POST', '/api/v1/infobases', { body: { name: 'x3', application: 'crm' } })).data.code,
    ).toBe('infobase_exists');
  });

  it('admits only loopback clients to an infobase without users', async () => {
    expect((await t.call('GET', '/crm/api/v1/settings')).statusCode).toBe(200);
    const remote = await t.call('GET', '/crm/api/v1/settings', { remote: true });
    expect(remote.statusCode).toBe(403);
    expect(remote.data.code).toBe('loopback_only');
  });

  it('answers an unknown infobase and an unknown route with 404 and a code', async () => {
    expect((await t.call('GET', '/nope/api/v1/settings')).data).toMatchObject({ code: 'unknown_infobase' });
    expect((await t.call('GET', '/crm/api/v1/nothing-here')).data).toMatchObject({ code: 'not_found' });
  });

  it('requires authentication once a user exists (S5), by Basic or by session', async () => {
    const created = await t.call('POST', '/crm/api/v1/users', {
      body: { login: admin[0], password: admin[1] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.data.user).toMatchObject({ login: 'sc12345', role: 'admin' });
    expect((await t.call('GET', '/crm/api/v1/settings')).data.code).toBe('authentication_required');
    expect((await t.call('GET', '/crm/api/v1/settings', { as: admin })).statusCode).toBe(200);
    expect((await t.call('GET', '/crm/api/v1/settings', { as: ['sc12345', 'wrong'] })).data.code).toBe(
      'bad_credentials',
    );

    const login = await t.call('POST', '/crm/api/v1/auth/login', {
      body: { login: admin[0], password: admin[1] },
    });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'ibsync_crm');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/crm' });
    const session = { cookie: `ibsync_crm=${cookie?.value}` };
    expect((await t.call('GET', '/crm/api/v1/auth/me', { headers: session })).data).toMatchObject({
      login: 'sc12345',
      role: 'admin',
    });
    // A cookie alone cannot change data: a cross-site form could send it too.
    const forged = await t.call('PATCH', '/crm/api/v1/settings', {
      headers: session,
      body: { syncEnabled: true },
    });
    expect(forged.data.code).toBe('csrf');
    const allowed = await t.call('PATCH', '/crm/api/v1/settings', {
      headers: { ...session, 'x-ibsync-request': '1' },
      body: { syncEnabled: false },
    });
    expect(allowed.statusCode).toBe(200);
    await t.call('POST', '/crm/api/v1/auth/logout', { headers: session });
    expect((await t.call('GET', '/crm/api/v1/auth/me', { headers: session })).data.code).toBe(
      'authentication_required',
    );
  });

  it('returns field errors with a 422 and writes nothing on bad input', async () => {
    const cases: [unknown, string, string][] = [
      [{ name: 'A', colour: 'red' }, 'colour', 'unknown_field'],
      [{ name: 5 }, 'name', 'wrong_type'],
      [{ name: 'x'.repeat(200) }, 'name', 'too_long'],
      [{ fullName: 'No name' }, 'name', 'required'],
    ];
    for (const [body, field, code] of cases) {
      const response = await t.call('POST', '/crm/api/v1/data/counterparty', { as: admin, body });
      expect(response.statusCode).toBe(422);
      expect(response.data.code).toBe('validation_failed');
      expect(response.data.fields).toContainEqual(expect.objectContaining({ field, code }));
      expect(response.data.message).toContain(field);
    }
    const missingRef = await t.call('POST', '/crm/api/v1/data/contract', {
      as: admin,
      body: {
        counterparty: '11111111-1111-4111-8111-111111111111',
        organization: '11111111-1111-4111-8111-111111111112',
      },
    });
    expect(missingRef.data.fields[0]).toMatchObject({ field: 'counterparty', code: 'reference_not_found' });
    expect((await t.call('POST', '/crm/api/v1/data/spaceship', { as: admin, body: {} })).data.code).toBe(
      'unknown_type',
    );
    const badJson = await t.app.inject({
      method: 'POST',
      url: '/crm/api/v1/data/counterparty',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(admin.join(':')).toString('base64')}`,
      },
      payload: '{"name": ',
    });
    expect(JSON.parse(badJson.body).code).toBe('bad_json');
    expect((await t.call('GET', '/crm/api/v1/data/counterparty', { as: admin })).data.total).toBe(0);
  });

  it('creates, reads, lists, updates and marks objects for deletion', async () => {
    await t.call('PATCH', '/crm/api/v1/settings', { as: admin, body: { prefix: 'CR', syncEnabled: true } });
    const created = await t.call('POST', '/crm/api/v1/data/counterparty', {
      as: admin,
      body: { name: 'ООО "Ромашка"', inn: '7701234567', kpp: '770101001' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.data).toMatchObject({ code: 'CR-00001', createdIn: 'CR', version: 1 });
    const ref = created.data.ref;
    expect((await t.call('GET', `/crm/api/v1/data/counterparty/${ref}`, { as: admin })).data.name).toBe(
      'ООО "Ромашка"',
    );
    expect(
      (await t.call('GET', '/crm/api/v1/data/counterparty?inn=7701234567', { as: admin })).data.total,
    ).toBe(1);
    expect(
      (await t.call('GET', '/crm/api/v1/data/counterparty?inn=0000000000', { as: admin })).data.total,
    ).toBe(0);
    const changed = await t.call('PATCH', `/crm/api/v1/data/counterparty/${ref}`, {
      as: admin,
      body: { phone: '123' },
    });
    expect(changed.data).toMatchObject({ phone: '123', version: 2 });
    const marked = await t.call('DELETE', `/crm/api/v1/data/counterparty/${ref}`, { as: admin });
    expect(marked.data.deleted).toBe(true);
    expect((await t.call('GET', '/crm/api/v1/data/counterparty', { as: admin })).data.total).toBe(0);
    expect(
      (await t.call('GET', '/crm/api/v1/data/counterparty?includeDeleted=true', { as: admin })).data.total,
    ).toBe(1);
    expect(
      (await t.call('POST', `/crm/api/v1/data/counterparty/${ref}/purge`, { as: admin })).statusCode,
    ).toBe(204);
    expect((await t.call('GET', `/crm/api/v1/data/counterparty/${ref}`, { as: admin })).data.code).toBe(
      'not_found',
    );
  });

  it('changes the prefix with continue numbering through the API', async () => {
    await t.call('POST', '/crm/api/v1/data/counterparty', { as: admin, body: { name: 'Second' } });
    const preview = await t.call('GET', '/crm/api/v1/settings/prefix-preview?prefix=KK', { as: admin });
    expect(preview.data).toContainEqual(
      expect.objectContaining({ type: 'counterparty', restart: 'KK-00001', continue: 'KK-00003' }),
    );
    const response = await t.call('PATCH', '/crm/api/v1/settings', {
      as: admin,
      body: { prefix: 'KK', continueNumbering: true },
    });
    expect(response.data).toMatchObject({
      prefix: 'KK',
      syncEnabled: true,
      prefixChange: { previousPrefix: 'CR' },
    });
    const bad = await t.call('PATCH', '/crm/api/v1/settings', { as: admin, body: { prefix: 'K' } });
    expect(bad.data.code).toBe('bad_prefix');
  });

  it('never shows internals in a 5xx', async () => {
    const app = await buildApp({ host: t.host, exchange: t.services.exchange });
    app.get('/boom', async () => {
      throw new Error('secret stack detail at /srv/db');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    await app.close();
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).code).toBe('internal_error');
    expect(response.body).not.toContain('secret');
  });

  it('serves the OpenAPI document', async () => {
    const response = await t.call('GET', '/api/docs');
    expect(response.data.openapi).toMatch(/^3\./);
    expect(Object.keys(response.data.paths)).toContain('/{ib}/api/v1/data/{type}');
  });
});
