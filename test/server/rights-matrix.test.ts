import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Role } from '../../src/platform/rights.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

type Who = Role | 'anonymous';
const EVERYONE: Who[] = ['anonymous', 'admin', 'sync', 'user', 'readonly'];
const SIGNED_IN: Who[] = ['admin', 'sync', 'user', 'readonly'];
const REF = '6f1c2a44-0000-4000-8000-000000000001';

/**
 * The specification of who may call what, written out by hand: the test fails if the app disagrees, and
 * if a route exists that this table does not list.
 */
const MATRIX: [method: string, path: string, allowed: Who[], body?: unknown][] = [
  ['GET', '/{ib}/api/v1/auth/users', EVERYONE],
  ['POST', '/{ib}/api/v1/auth/login', EVERYONE, { login: 'nobody', password: 'x' }],
  ['POST', '/{ib}/api/v1/auth/logout', EVERYONE],
  ['GET', '/{ib}/api/v1/auth/me', SIGNED_IN],
  ['GET', '/{ib}/api/v1/users', ['admin']],
  ['POST', '/{ib}/api/v1/users', ['admin'], { login: 'newcomer', password: 'pw' }],
  ['PATCH', '/{ib}/api/v1/users/{login}', ['admin'], {}],
  ['DELETE', '/{ib}/api/v1/users/{login}', ['admin']],
  ['GET', '/{ib}/api/v1/settings', SIGNED_IN],
  ['GET', '/{ib}/api/v1/settings/prefix-preview', SIGNED_IN],
  ['PATCH', '/{ib}/api/v1/settings', ['admin'], {}],
  ['GET', '/{ib}/api/v1/metadata', SIGNED_IN],
  ['GET', '/{ib}/api/v1/data/{type}', ['admin', 'user', 'readonly']],
  ['POST', '/{ib}/api/v1/data/{type}', ['admin', 'user'], { name: 'X' }],
  ['GET', '/{ib}/api/v1/data/{type}/{ref}', ['admin', 'user', 'readonly']],
  ['PATCH', '/{ib}/api/v1/data/{type}/{ref}', ['admin', 'user'], {}],
  ['DELETE', '/{ib}/api/v1/data/{type}/{ref}', ['admin', 'user']],
  ['POST', '/{ib}/api/v1/data/{type}/{ref}/purge', ['admin']],
  ['GET', '/{ib}/api/v1/sync/settings', ['admin', 'sync']],
  ['POST', '/{ib}/api/v1/sync/settings', ['admin'], {}],
  ['GET', '/{ib}/api/v1/sync/settings/{id}', ['admin', 'sync']],
  ['DELETE', '/{ib}/api/v1/sync/settings/{id}', ['admin']],
  ['PATCH', '/{ib}/api/v1/sync/settings/{id}/rules', ['admin'], {}],
  ['PATCH', '/{ib}/api/v1/sync/settings/{id}/schedule', ['admin'], {}],
  ['POST', '/{ib}/api/v1/sync/settings/{id}/initial-export', ['admin']],
  ['POST', '/{ib}/api/v1/sync/settings/{id}/load', ['admin']],
  ['GET', '/{ib}/api/v1/sync/settings/{id}/mapping', ['admin']],
  ['GET', '/{ib}/api/v1/sync/settings/{id}/mapping/items', ['admin']],
  [
    'POST',
    '/{ib}/api/v1/sync/settings/{id}/mapping/decisions',
    ['admin'],
    { type: 'counterparty', peerRef: 'x', action: 'unlink' },
  ],
  ['POST', '/{ib}/api/v1/sync/settings/{id}/run', ['admin', 'sync']],
  ['POST', '/{ib}/api/v1/sync/connection-test', ['admin'], {}],
  ['GET', '/{ib}/api/v1/sync/jobs/{id}', ['admin', 'sync']],
  ['GET', '/{ib}/api/v1/sync/journal', ['admin', 'sync']],
  ['GET', '/{ib}/api/v1/sync/journal/{id}', ['admin', 'sync']],
  // The exchange protocol: only users with the sync right (the pass-through user is an administrator).
  ['GET', '/{ib}/exchange/v1/info', EVERYONE],
  ['POST', '/{ib}/exchange/v1/nodes', ['admin', 'sync'], {}],
  ['GET', '/{ib}/exchange/v1/nodes/{code}', ['admin', 'sync']],
  ['DELETE', '/{ib}/exchange/v1/nodes/{code}', ['admin', 'sync']],
  ['POST', '/{ib}/exchange/v1/nodes/{code}/outbox', ['admin', 'sync']],
  ['GET', '/{ib}/exchange/v1/nodes/{code}/outbox/{messageNo}/parts/{partNo}', ['admin', 'sync']],
  ['PUT', '/{ib}/exchange/v1/nodes/{code}/inbox/{messageNo}', ['admin', 'sync'], {}],
  ['GET', '/{ib}/exchange/v1/nodes/{code}/inbox/{messageNo}', ['admin', 'sync']],
  ['PUT', '/{ib}/exchange/v1/nodes/{code}/inbox/{messageNo}/parts/{partNo}', ['admin', 'sync'], {}],
  ['POST', '/{ib}/exchange/v1/nodes/{code}/inbox/{messageNo}/import', ['admin', 'sync']],
  ['POST', '/{ib}/exchange/v1/nodes/{code}/ack', ['admin', 'sync'], { receivedNo: 0 }],
];

const CREDENTIALS: Record<Role, [string, string]> = {
  admin: ['boss', 'pw-admin'],
  sync: ['syncer', 'pw-sync'],
  user: ['clerk', 'pw-user'],
  readonly: ['viewer', 'pw-readonly'],
};

describeEachDialect('rights: every role against every infobase route', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.host.create('crm', 'crm');
    for (const [role, [login, password]] of Object.entries(CREDENTIALS)) {
      await t.call('POST', '/crm/api/v1/users', { body: { login, password, role }, as: CREDENTIALS.admin });
    }
  });
  afterAll(() => t.cleanup());

  it('lists every infobase route of the API in the matrix', async () => {
    const { data } = await t.call('GET', '/api/docs');
    const documented = Object.entries(data.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/{ib}/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(MATRIX.map(([method, path]) => `${method} ${path}`).sort());
  });

  for (const [method, path, allowed, body] of MATRIX) {
    it(`${method} ${path}: ${allowed.join(', ')}`, async () => {
      const url = path
        .replace('{ib}', 'crm')
        .replace('{type}', 'counterparty')
        .replace('{ref}', REF)
        .replace('{login}', 'nobody')
        .replace('{id}', REF)
        .replace('{code}', REF)
        .replace('{messageNo}', '1')
        .replace('{partNo}', '1')
        .concat(path.endsWith('prefix-preview') ? '?prefix=ZZ' : '');
      for (const who of EVERYONE) {
        const response = await t.call(method as 'GET', url, {
          ...(body !== undefined ? { body } : {}),
          ...(who === 'anonymous' ? {} : { as: CREDENTIALS[who] }),
          // Remote, so that nothing is granted for being on the host computer.
          remote: true,
        });
        // Refused by the rights check, as opposed to failing for another reason (a wrong login, a missing ref).
        const refused = ['authentication_required', 'forbidden'].includes(response.data?.code);
        expect(refused, `${who}: ${response.statusCode} ${response.body}`).toBe(!allowed.includes(who));
        if (refused) {
          expect(response.data.code).toBe(who === 'anonymous' ? 'authentication_required' : 'forbidden');
        }
      }
    });
  }
});
