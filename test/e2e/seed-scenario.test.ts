import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliResult, cli, cliProcess } from '../cli/cli-helpers.js';
import { describeEachDialect } from '../helpers/dialects.js';
import {
  createHostStore,
  type HostStore,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process.js';

/** The cloud account's login and password: the pass-through user of both infobases (S2). */
const LOGIN = 'sc12345';
const PASSWORD = 'Pass-word1';
const ROMASHKA = { inn: '7702345678', kpp: '770201001' };

type Env = Record<string, string>;

/** A command that must succeed; its output is in the failure message when it does not. */
async function ok(run: Promise<CliResult>): Promise<CliResult> {
  const result = await run;
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

describeEachDialect(
  'the seed scenario end to end: two hosts, the ibsync CLI, real HTTP (S1–S22)',
  (dialect) => {
    const stores: HostStore[] = [];
    let crmHost: ServerProcess;
    let bpHost: ServerProcess;
    /** Where each infobase is, and who logs in: the pass-through user unless a test says otherwise. */
    let crmEnv: Env;
    let bpEnv: Env;
    const crm = (...args: string[]) => cli(args, crmEnv);
    const bp = (...args: string[]) => cli(args, bpEnv);
    const as = (env: Env, login: string, password: string) => ({
      ...env,
      IBSYNC_USER: login,
      IBSYNC_PASSWORD: password,
    });
    /** The setting's id in each infobase: each side keeps its own. */
    let crmSetting: string;
    let bpSetting: string;
    let connectArgs: string[];

    beforeAll(async () => {
      const crmStore = createHostStore(dialect);
      const bpStore = createHostStore(dialect);
      stores.push(crmStore, bpStore);
      [crmHost, bpHost] = await Promise.all([
        startServerProcess({ store: crmStore }),
        startServerProcess({ store: bpStore }),
      ]);
      crmEnv = { IBSYNC_URL: crmHost.url, IBSYNC_IB: 'crm' };
      bpEnv = { IBSYNC_URL: bpHost.url, IBSYNC_IB: 'bp' };
      connectArgs = [
        '--peer-app',
        'accounting',
        '--peer-url',
        `${bpHost.url}/bp`,
        '--peer-login',
        LOGIN,
        '--peer-password',
        PASSWORD,
      ];
    });
    afterAll(async () => {
      await Promise.all([crmHost?.stop(), bpHost?.stop()]);
      for (const store of stores) await store.cleanup();
    });

    it('S2–S10: two infobases on two hosts, the pass-through user in each, synchronization enabled', async () => {
      expect(crmHost.port).not.toBe(bpHost.port);
      await ok(crm('ib', 'create', 'crm', '--app', 'crm'));
      await ok(bp('ib', 'create', 'bp', '--app', 'accounting'));
      for (const run of [crm, bp]) {
        const added = await ok(run('user', 'add', LOGIN, '--password', PASSWORD));
        expect(added.stdout).toBe(`Created user ${LOGIN} (admin)\n`);
      }
      // S5: from now on each infobase wants a login.
      expect((await crm('data', 'list', 'organization')).stderr).toContain('log in');
      crmEnv = as(crmEnv, LOGIN, PASSWORD);
      bpEnv = as(bpEnv, LOGIN, PASSWORD);
      // S7: the new user logs in to each infobase once.
      expect((await ok(crm('data', 'list', 'organization'))).stdout).toBe('No organizations found.\n');
      expect((await ok(bp('data', 'list', 'organization', '--json'))).json()).toEqual([]);

      // S8: a user with only the sync right, and a user without it.
      await ok(crm('user', 'add', 'operator', '--password', 'pw-operator', '--role', 'sync'));
      await ok(crm('user', 'add', 'clerk', '--password', 'pw-clerk', '--role', 'user'));

      // S9, S10: the CRM gets its prefix; Accounting leaves its own to the CRM's setup (S15).
      expect((await ok(crm('sync', 'enable', '--prefix', 'CR'))).stdout).toContain('infobase prefix CR');
      expect((await ok(bp('sync', 'enable', '--json'))).json()).toMatchObject({
        syncEnabled: true,
        prefix: '',
      });
    });

    it('given data in the CRM, and in Accounting a counterparty with the same INN/KPP spelled differently', async () => {
      const add = async (run: typeof crm, type: string, ...sets: string[]) =>
        (await ok(run('data', 'add', type, ...sets.flatMap((set) => ['--set', set]), '--json'))).json();
      await add(crm, 'currency', 'code=643', 'name=RUB');
      await add(crm, 'unit', 'code=796', 'name=pcs');
      const organization = await add(
        crm,
        'organization',
        'name=Vector LLC',
        'inn=7701234567',
        'kpp=770101001',
      );
      expect(organization.code).toBe('CR-00001');
      await add(crm, 'bank-account', 'organization=CR-00001', 'number=40702810900000000001', 'bic=044525225');
      const romashka = await add(
        crm,
        'counterparty',
        'name=Romashka LLC',
        `inn=${ROMASHKA.inn}`,
        `kpp=${ROMASHKA.kpp}`,
      );
      expect(romashka.code).toBe('CR-00001');
      await add(crm, 'counterparty', 'name=Used by nobody');
      await add(crm, 'product', 'name=Paper A4', 'sku=P-A4', 'unit=796');
      const parties = ['organization=CR-00001', 'counterparty=CR-00001', 'currency=643'];
      const invoice = await add(
        crm,
        'customer-invoice',
        'date=2026-11-02T10:00:00',
        ...parties,
        'bankAccount=CR-00001',
        'lines=[{"product":"CR-00001","quantity":"10","price":"350.00"}]',
      );
      expect(invoice).toMatchObject({ number: 'CR00-000001', amount: '3500.00' });
      await add(
        crm,
        'sale',
        'date=2026-11-03T10:00:00',
        ...parties,
        'basis=CR00-000001',
        'lines=[{"product":"CR-00001","quantity":"10","price":"350.00"}]',
      );
      await add(
        crm,
        'incoming-payment',
        'date=2026-11-04T10:00:00',
        ...parties,
        'bankAccount=CR-00001',
        'basis=CR00-000001',
        'amount=3500.00',
      );

      await add(bp, 'currency', 'code=643', 'name=руб.');
      await add(bp, 'counterparty', 'name=Ромашка ООО', `inn=${ROMASHKA.inn}`, `kpp=${ROMASHKA.kpp}`);
    });

    it('S12–S15: the connection test names the cause; connect creates both sides, and again changes nothing', async () => {
      const wrong = await crm('sync', 'test', ...connectArgs.slice(0, -1), ` ${PASSWORD}`);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('warning: The password starts or ends with a space');
      expect(wrong.stderr).toContain('error: wrong_password: ');

      const wrongApp = await crm('sync', 'test', ...connectArgs.slice(2), '--peer-app', 'crm', '--json');
      expect(wrongApp).toMatchObject({ code: 1, stderr: '' });
      expect(wrongApp.json()).toMatchObject({ ok: false, cause: 'wrong_application' });

      const test = await ok(crm('sync', 'test', ...connectArgs));
      expect(test.stdout).toMatch(/^OK: .*"bp", .*no prefix yet/);

      const noPrefix = await crm('sync', 'connect', ...connectArgs);
      expect(noPrefix).toMatchObject({ code: 1, stdout: '' });
      expect(noPrefix.stderr).toContain('error: peer_prefix_required: ');

      // As a script runs it: the real process, the id alone on stdout.
      const args = ['--peer-prefix', 'BP', '--catalogs', 'used', '--documents', 'all'];
      const connected = await cliProcess(['sync', 'connect', ...connectArgs, ...args], crmEnv);
      expect(connected.code, connected.stderr).toBe(0);
      expect(connected.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
      crmSetting = connected.stdout.trim();

      // Again, the password from the environment this time: nothing changes.
      const again = await ok(
        cli(['sync', 'connect', ...connectArgs.slice(0, -2), ...args, '--json'], {
          ...crmEnv,
          IBSYNC_PEER_PASSWORD: PASSWORD,
        }),
      );
      expect(again.json()).toMatchObject({
        id: crmSetting,
        state: 'pending',
        role: 'initiator',
        peer: { name: 'bp', application: 'accounting', prefix: 'BP' },
        rules: { catalogs: 'used', documents: 'all' },
      });
      expect((await ok(crm('sync', 'list', '--json'))).json()).toHaveLength(1);
      expect((await ok(bp('sync', 'enable', '--json'))).json().prefix).toBe('BP');
    });

    it('S17: the initial export from the CRM; S18: Accounting already lists the setting as pending', async () => {
      const early = await crm('sync', 'run', crmSetting);
      expect(early.code).toBe(1);
      expect(early.stderr).toContain('error: The setup is not finished');

      const exported = await ok(crm('sync', 'export', crmSetting));
      expect(exported.stdout).toContain(`Initial export for setting ${crmSetting} done`);

      const listed = (await ok(bp('sync', 'list', '--json'))).json();
      expect(listed).toEqual([
        expect.objectContaining({
          state: 'pending',
          role: 'responder',
          peer: expect.objectContaining({ name: 'crm' }),
        }),
      ]);
      bpSetting = listed[0].id;
      expect((await ok(bp('sync', 'list'))).stdout).toMatch(
        new RegExp(`${bpSetting}\\s+pending\\s+responder\\s+crm`),
      );

      // An unknown id is answered with the ids that exist.
      const unknown = await bp('sync', 'status', 'no-such-setting');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain(`its settings: ${bpSetting} (pending, with crm)`);
    });

    it('S19–S21 in Accounting: send nothing, map and load, its own initial export; the setup is ready', async () => {
      const rules = await ok(
        bp('sync', 'rules', bpSetting, '--send-catalogs', 'none', '--send-documents', 'none', '--json'),
      );
      expect(rules.json().rules).toMatchObject({ catalogs: 'none', documents: 'none' });

      // S20: the analysis before anything is written, then a dry run.
      const mapping = (await ok(bp('sync', 'map', bpSetting, '--json'))).json();
      const counterparties = mapping.types.find((t: { type: string }) => t.type === 'counterparty');
      expect(counterparties).toMatchObject({ bySearch: { 'inn+kpp': 1 }, ambiguous: 0 });
      const table = await ok(bp('sync', 'map', bpSetting));
      expect(table.stdout).toMatch(/counterparty\s+\d+\s+0\s+0\s+1 by inn\+kpp/);
      const dry = (await ok(bp('sync', 'load', bpSetting, '--dry-run', '--json'))).json();
      expect(dry).toMatchObject({
        operation: 'dry-run',
        counts: { counterparty: expect.objectContaining({ linked: 1 }) },
      });
      const badLink = await bp('sync', 'map', bpSetting, '--link', 'counterparty-no-equals');
      expect(badLink.code).toBe(1);
      expect(badLink.stderr).toContain('TYPE:PEER_REF=LOCAL_REF');

      const loaded = await ok(bp('sync', 'load', bpSetting, '--json'));
      expect(loaded.json()).toMatchObject({ operation: 'load', status: 'ok' });
      // S20: Accounting's own Romashka and rouble were matched, not created again.
      expect(loaded.json().counts).toMatchObject({
        counterparty: expect.objectContaining({ created: 0, updated: 1 }),
        'customer-invoice': expect.objectContaining({ created: 1 }),
        sale: expect.objectContaining({ created: 1 }),
        'incoming-payment': expect.objectContaining({ created: 1 }),
      });

      await ok(bp('sync', 'export', bpSetting));
      expect((await ok(bp('sync', 'list', '--json'))).json()).toEqual([
        expect.objectContaining({ state: 'ready' }),
      ]);
    });

    it('S22: Synchronize from the CRM; Accounting has its documents under their CRM numbers, nothing doubled', async () => {
      const run = await ok(crm('sync', 'run', crmSetting, '--json'));
      expect(run.json()).toMatchObject({ settingId: crmSetting, status: 'ok' });
      // The CRM learns at its first Synchronize that Accounting finished its part.
      expect((await ok(crm('sync', 'list', '--json'))).json()).toEqual([
        expect.objectContaining({ id: crmSetting, state: 'ready', lastSyncStatus: 'ok' }),
      ]);

      const invoices = (await ok(bp('data', 'list', 'customer-invoice', '--json'))).json();
      expect(invoices).toEqual([
        expect.objectContaining({ number: 'CR00-000001', amount: '3500.00', createdIn: 'CR' }),
      ]);
      expect((await ok(bp('data', 'list', 'sale', '--json'))).json()).toEqual([
        expect.objectContaining({ number: 'CR00-000001' }),
      ]);
      expect((await ok(bp('data', 'list', 'incoming-payment', '--json'))).json()).toEqual([
        expect.objectContaining({ number: 'CR00-000001', amount: '3500.00' }),
      ]);

      const romashka = (
        await ok(bp('data', 'list', 'counterparty', '--filter', `inn=${ROMASHKA.inn}`, '--json'))
      ).json();
      expect(romashka).toHaveLength(1);
      expect(invoices[0].counterparty).toBe(romashka[0].ref);
      expect((await ok(bp('data', 'list', 'currency', '--json'))).json()).toHaveLength(1);
      // Catalogs "only used in documents": the counterparty no document uses stayed in the CRM.
      const names = (await ok(bp('data', 'list', 'counterparty', '--json')))
        .json()
        .map((c: { name: string }) => c.name);
      expect(names).not.toContain('Used by nobody');
    });

    it('S22: a new invoice, a changed counterparty and an invoice marked for deletion all reach Accounting', async () => {
      await ok(
        crm(
          'data',
          'add',
          'customer-invoice',
          '--set',
          'date=2026-11-20T12:00:00',
          ...[
            'organization=CR-00001',
            'counterparty=CR-00001',
            'currency=643',
            'bankAccount=CR-00001',
          ].flatMap((set) => ['--set', set]),
          '--set',
          'lines=[{"product":"CR-00001","quantity":"2","price":"350.00"}]',
        ),
      );
      await ok(crm('data', 'update', 'counterparty', 'CR-00001', '--set', 'phone=+74950000001'));
      await ok(crm('data', 'delete', 'customer-invoice', 'CR00-000001'));

      const run = await ok(crm('sync', 'run', crmSetting));
      expect(run.stdout).toMatch(/customer-invoice\s+2\s+0\n/);
      expect(run.stdout).toMatch(/counterparty\s+1\s+0\n/);

      const invoices = (
        await ok(bp('data', 'list', 'customer-invoice', '--include-deleted', '--sort', 'number', '--json'))
      ).json();
      expect(invoices).toEqual([
        expect.objectContaining({ number: 'CR00-000001', deleted: true }),
        expect.objectContaining({ number: 'CR00-000002', amount: '700.00', deleted: false }),
      ]);
      const romashka = (
        await ok(bp('data', 'list', 'counterparty', '--filter', `inn=${ROMASHKA.inn}`, '--json'))
      ).json();
      expect(romashka).toEqual([expect.objectContaining({ phone: '+74950000001' })]);
    });

    it('S8: a sync-role user synchronizes, a user-role user may not; with nothing changed nothing travels', async () => {
      const clerk = await cli(['sync', 'run', crmSetting], as(crmEnv, 'clerk', 'pw-clerk'));
      expect(clerk.code).toBe(1);
      expect(clerk.stderr).toContain('error: The user role may not do this');

      const idle = await ok(
        cli(['sync', 'run', crmSetting, '--json'], as(crmEnv, 'operator', 'pw-operator')),
      );
      expect(idle.json()).toMatchObject({ settingId: crmSetting, status: 'ok', sent: {}, received: {} });
      expect(idle.json().journal.user).toBe('operator');
    });

    it('the journal shows the sessions on both sides, and one session in detail', async () => {
      // Newest first: the idle Synchronize, the one with the changes, the first one, the initial export.
      const journal = (await ok(crm('sync', 'journal', crmSetting, '--json')))
        .json()
        .filter((entry: { status: string }) => entry.status === 'ok');
      expect(
        journal.map((entry: { operation: string; user: string }) => `${entry.operation} ${entry.user}`),
      ).toEqual(['sync operator', `sync ${LOGIN}`, `sync ${LOGIN}`, `initial-export ${LOGIN}`]);
      const table = await ok(crm('sync', 'journal', '--limit', '2'));
      expect(table.stdout).toMatch(/^id\s+started\s+operation\s+status\s+duration\s+counts\s+user\n/);
      expect(table.stdout.trim().split('\n')).toHaveLength(3);

      const changes = journal[1];
      const entry = await ok(crm('sync', 'journal', '--entry', changes.id));
      expect(entry.stdout).toMatch(/operation:\s+sync\n/);
      expect(entry.stdout).toMatch(/customer-invoice\s+2\n/);

      const peer = (await ok(bp('sync', 'journal', '--json'))).json();
      expect(peer.map((e: { operation: string }) => e.operation)).toEqual(
        expect.arrayContaining(['import', 'load', 'initial-export']),
      );
    });

    it('changes the rules by INN, schedules Synchronize, and deletes the setting on both sides', async () => {
      const organization = (await ok(crm('data', 'get', 'organization', 'CR-00001', '--json'))).json();
      const rules = await ok(crm('sync', 'rules', crmSetting, '--organization', '7701234567', '--json'));
      expect(rules.json().rules.organizations).toEqual([organization.ref]);
      const unknownInn = await crm('sync', 'rules', crmSetting, '--organization', '7700000000');
      expect(unknownInn.code).toBe(1);
      expect(unknownInn.stderr).toContain('No organization has the INN 7700000000');
      await ok(crm('sync', 'rules', crmSetting, '--all-organizations'));

      const scheduled = await ok(crm('sync', 'schedule', crmSetting, '--every', '600', '--json'));
      expect(scheduled.json()).toMatchObject({ scheduleSeconds: 600 });
      expect((await ok(crm('sync', 'status', crmSetting))).stdout).toMatch(/schedule:\s+every 600 s/);
      expect(
        (await ok(crm('sync', 'schedule', crmSetting, '--every', 'off', '--json'))).json(),
      ).toMatchObject({
        scheduleSeconds: null,
      });
      // Synchronize, and so its schedule, belongs to the infobase where the setup was made.
      expect((await bp('sync', 'schedule', bpSetting, '--every', '600')).code).toBe(1);

      const deleted = await ok(crm('sync', 'delete', crmSetting, '--json'));
      expect(deleted.json()).toEqual({ id: crmSetting, deleted: true });
      expect((await ok(crm('sync', 'list', '--json'))).json()).toEqual([]);
      expect((await ok(bp('sync', 'list', '--json'))).json()).toEqual([]);
      expect((await crm('sync', 'run', crmSetting)).stderr).toContain('has no synchronization settings yet');
    });
  },
);
