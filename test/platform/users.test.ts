import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Infobase } from '../../src/platform/infobase.js';
import { credentialWarnings, FREE_FAILURES, lockSeconds } from '../../src/platform/users.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

describeEachDialect('users and rights (S2–S8)', (dialect) => {
  let test: TestHost;
  let ib: Infobase;
  let clock = new Date('2026-11-28T10:00:00Z');

  beforeAll(async () => {
    test = await createTestHost(dialect, () => clock);
    ib = await test.host.create('users', 'crm');
  });
  afterAll(() => test.cleanup());

  it('makes the first user an administrator whatever role was asked, with a warning', async () => {
    const { user, warnings } = await ib.users.add({ login: 'sc12345', password: 'Secret-1', role: 'user' });
    expect(user.role).toBe('admin');
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'first_user_admin' }));
    const second = await ib.users.add({ login: 'clerk', password: 'pw', role: 'user' });
    expect(second.user.role).toBe('user');
  });

  it('refuses a second user with the same login in another case', async () => {
    await expect(ib.users.add({ login: 'SC12345', password: 'x' })).rejects.toMatchObject({
      code: 'user_exists',
    });
  });

  it('checks passwords with scrypt and never stores them', async () => {
    const user = await ib.users.authenticate('sc12345', 'Secret-1', { loopback: false });
    expect(user.login).toBe('sc12345');
    const stored = await ib.db
      .selectFrom('users')
      .select('password_hash')
      .where('login', '=', 'sc12345')
      .executeTakeFirst();
    expect(String(stored?.password_hash)).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(String(stored?.password_hash)).not.toContain('Secret-1');
    await expect(ib.users.authenticate('sc12345', 'secret-1', { loopback: false })).rejects.toMatchObject({
      code: 'bad_credentials',
    });
    await expect(ib.users.authenticate('nobody', 'x', { loopback: false })).rejects.toMatchObject({
      code: 'bad_credentials',
    });
  });

  it('admits a passwordless administrator only from loopback (S5)', async () => {
    await ib.users.add({ login: 'local-admin', role: 'admin' });
    expect((await ib.users.authenticate('local-admin', '', { loopback: true })).role).toBe('admin');
    await expect(ib.users.authenticate('local-admin', '', { loopback: false })).rejects.toMatchObject({
      code: 'passwordless_remote',
    });
  });

  it('locks an account after repeated failures, longer each time, even for the right password', async () => {
    await ib.users.add({ login: 'victim', password: 'right' });
    for (let attempt = 1; attempt < FREE_FAILURES; attempt += 1) {
      await expect(ib.users.authenticate('victim', 'wrong', { loopback: false })).rejects.toMatchObject({
        code: 'bad_credentials',
      });
    }
    await expect(ib.users.authenticate('victim', 'wrong', { loopback: false })).rejects.toMatchObject({
      details: { lockedForSeconds: 30 },
    });
    await expect(ib.users.authenticate('victim', 'right', { loopback: false })).rejects.toMatchObject({
      code: 'account_locked',
      status: 429,
    });
    clock = new Date(clock.getTime() + 31_000);
    await expect(ib.users.authenticate('victim', 'wrong', { loopback: false })).rejects.toMatchObject({
      details: { lockedForSeconds: 60 },
    });
    clock = new Date(clock.getTime() + 61_000);
    expect((await ib.users.authenticate('victim', 'right', { loopback: false })).login).toBe('victim');
    // Success clears the count: the next failure is a free one again.
    await expect(ib.users.authenticate('victim', 'wrong', { loopback: false })).rejects.not.toHaveProperty(
      'details.lockedForSeconds',
    );
  });

  it('keeps at least one administrator', async () => {
    await expect(ib.users.update('sc12345', { role: 'user' })).resolves.toBeDefined();
    await expect(ib.users.update('local-admin', { role: 'user' })).rejects.toMatchObject({
      code: 'last_admin',
    });
  });

  it('creates, resolves and ends sessions, storing only a hash of the token', async () => {
    const token = await ib.users.createSession('clerk');
    expect((await ib.users.resolveSession(token))?.login).toBe('clerk');
    const rows = await ib.db.selectFrom('sessions').select('token_hash').execute();
    expect(rows.map((row) => row.token_hash)).not.toContain(token);
    await ib.users.endSession(token);
    expect(await ib.users.resolveSession(token)).toBeUndefined();
  });
});

it('warns about spaces at the ends and characters outside the Latin layout (S3)', () => {
  expect(credentialWarnings('sc12345', 'Secret')).toEqual([]);
  expect(credentialWarnings(' sc12345', 'Secret ').map((w) => `${w.field}:${w.code}`)).toEqual([
    'login:surrounding_spaces',
    'password:surrounding_spaces',
  ]);
  expect(credentialWarnings('sc12345', 'Пароль').map((w) => `${w.field}:${w.code}`)).toEqual([
    'password:non_latin',
  ]);
  expect(credentialWarnings('ыс12345', 'x')[0]?.message).toContain('ы');
});

it('grows the lock from 30 s, doubling, up to 15 minutes', () => {
  expect([4, 5, 6, 7, 20].map(lockSeconds)).toEqual([0, 30, 60, 120, 900]);
});
