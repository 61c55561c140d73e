import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../helpers/dialects.js';
import {
  createHostStore,
  type HostStore,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process.js';
import { cli } from './cli-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ADMIN = ['--user', 'sc12345', '--password', 'Pass-word1'];

describeEachDialect('ibsync CLI against a host process', (dialect) => {
  let host: ServerProcess;
  let env: Record<string, string>;
  /** As the seed's administrator, in the CRM infobase. */
  const crm = (...args: string[]) => cli(['--ib', 'crm', ...ADMIN, ...args], env);
  /** The accounting infobase keeps no users: this computer is its administrator. */
  const bp = (...args: string[]) => cli(['--ib', 'bp', ...args], env);

  let store: HostStore | undefined;
  let files: string | undefined;

  beforeAll(async () => {
    // Kept apart from the host, so that they are cleaned up even when the host fails to start.
    store = createHostStore(dialect);
    files = mkdtempSync(join(tmpdir(), 'ibsync-cli-'));
    host = await startServerProcess({ store });
    env = { IBSYNC_URL: host.url };
  });
  afterAll(async () => {
    await host?.stop();
    await store?.cleanup();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('creates infobases and lists them with their publication URLs (S13)', async () => {
    const created = await cli(['ib', 'create', 'crm', '--app', 'crm', '--title', 'Our CRM'], env);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe(`Created infobase crm (CRM), published at ${host.url}/crm\n`);
    expect((await cli(['ib', 'create', 'bp', '--app', 'accounting'], env)).code).toBe(0);

    const table = await cli(['ib', 'list'], env);
    expect(table.stdout).toMatch(/^name\s+application\s+title\s+publication URL\n/);
    expect(table.stdout).toMatch(new RegExp(`crm\\s+crm\\s+Our CRM\\s+${host.url}/crm`));
    expect((await cli(['ib', 'list', '--json'], env)).json()).toEqual([
      expect.objectContaining({ name: 'bp', application: 'accounting', publicationUrl: `${host.url}/bp` }),
      expect.objectContaining({ name: 'crm', application: 'crm', publicationUrl: `${host.url}/crm` }),
    ]);

    const again = await cli(['ib', 'create', 'crm', '--app', 'crm'], env);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toBe('error: An infobase "crm" already exists on this host\n');
    expect((await cli(['ib', 'create', 'erp1', '--app', 'erp'], env)).stderr).toContain(
      '"erp" is not an application of this host',
    );
  });

  it('S2–S5: the first user becomes the administrator, and from then on every command logs in', async () => {
    const first = await cli(['user', 'add', 'sc12345', '--password', 'Pass-word1', '--ib', 'crm'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('Created user sc12345 (admin)\n');
    expect(first.stderr).toBe('warning: The first user of an infobase becomes its administrator\n');

    const anonymous = await cli(['user', 'list', '--ib', 'crm'], env);
    expect(anonymous).toMatchObject({ code: 1, stdout: '' });
    expect(anonymous.stderr).toContain('error: The infobase "crm" has users: log in');
    expect(anonymous.stderr).toContain('hint: pass --user LOGIN and --password PASSWORD');
    const anonymousJson = await cli(['user', 'list', '--ib', 'crm', '--json'], env);
    expect(JSON.parse(anonymousJson.stderr)).toMatchObject({ code: 'authentication_required' });

    const wrong = await cli(
      ['user', 'list', '--ib', 'crm', '--user', 'sc12345', '--password', 'pass-word1'],
      env,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('error: Wrong login or password for this infobase');

    const listed = await crm('user', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^login\s+role\s+password/);
    expect(listed.stdout).toMatch(/sc12345\s+admin\s+yes/);

    // S3: the mistakes that later break the exchange are pointed out at once.
    const careless = await crm('user', 'add', ' ivan', '--password', 'пароль');
    expect(careless.code).toBe(0);
    expect(careless.stderr).toContain('warning: The login starts or ends with a space');
    expect(careless.stderr).toContain(
      'warning: The password contains characters outside the Latin keyboard layout',
    );

    // S5: a second administrator without a password, for logging in on this computer.
    const local = await crm('user', 'add', 'local', '--role', 'admin');
    expect(local.stdout).toBe(
      'Created user local (admin, no password: may log in only on the host computer)\n',
    );
    const users = await cli(['user', 'list', '--ib', 'crm', '--user', 'local', '--json'], env);
    expect(users.code).toBe(0);
    expect(users.json()).toEqual([
      expect.objectContaining({ login: ' ivan', role: 'user' }),
      expect.objectContaining({ login: 'local', role: 'admin', hasPassword: false }),
      expect.objectContaining({ login: 'sc12345', role: 'admin', hasPassword: true }),
    ]);
    const fromEnv = await cli(['user', 'list', '--ib', 'crm', '--json'], {
      ...env,
      IBSYNC_USER: 'sc12345',
      IBSYNC_PASSWORD: 'Pass-word1',
    });
    expect(fromEnv.json()).toHaveLength(3);

    // After `add`, --password is the new user's; the caller's own credentials go before `add`.
    const clerk = await cli(['user', '--ib', 'crm', ...ADMIN, 'add', 'clerk', '--password', 'pw-clerk'], env);
    expect(clerk.stdout).toBe('Created user clerk (user)\n');
    const asClerk = await cli(
      ['data', 'list', 'unit', '--ib', 'crm', '--user', 'clerk', '--password', 'pw-clerk'],
      env,
    );
    expect(asClerk).toMatchObject({ code: 0, stdout: 'No units of measure found.\n' });
    const forbidden = await cli(
      ['user', 'list', '--ib', 'crm', '--user', 'clerk', '--password', 'pw-clerk'],
      env,
    );
    expect(forbidden.stderr).toContain('error: The user role may not do this');
  });

  it('S9–S11: enabling synchronization shows the next numbers, restarting or continuing', async () => {
    const enabled = await bp('sync', 'enable', '--prefix', 'BP');
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toContain(
      'Data synchronization is enabled in bp; infobase prefix BP (none before).',
    );
    expect(enabled.stdout).toMatch(/counterparty\s+BP-00001\n/);
    expect(enabled.stdout).toMatch(/sale\s+BP00-000001\n/);
    for (const name of ['Alpha', 'Beta']) await bp('data', 'add', 'counterparty', '--set', `name=${name}`);

    const restarted = await bp('sync', 'enable', '--prefix', 'KK');
    expect(restarted.stdout).toContain('Numbering restarts at 1 under the new prefix.');
    expect(restarted.stdout).toMatch(/counterparty\s+KK-00001\n/);
    expect(restarted.stdout).toContain('counterparty KK-00003');
    expect(restarted.stdout).toContain('ibsync sync enable --prefix KK --continue-numbering');

    const continued = await bp('sync', 'enable', '--prefix', 'NN', '--continue-numbering', '--json');
    expect(continued.json()).toMatchObject({
      name: 'bp',
      prefix: 'NN',
      syncEnabled: true,
      prefixChange: { previousPrefix: 'KK', continueNumbering: true },
    });
    expect(continued.json().prefixChange.nextNumbers).toContainEqual(
      expect.objectContaining({ type: 'counterparty', next: 'NN-00003' }),
    );
    expect((await bp('data', 'add', 'counterparty', '--set', 'name=Gamma')).stdout).toMatch(
      /^Created counterparty NN-00003 \(ref [0-9a-f-]{36}\)\n$/,
    );

    expect((await bp('sync', 'enable')).stdout).toBe(
      'Data synchronization is enabled in bp (infobase prefix NN).\n',
    );
    const bad = await bp('sync', 'enable', '--prefix', 'K');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('  prefix: must be exactly two letters or digits');
    expect((await bp('sync', 'disable')).stdout).toBe('Data synchronization is disabled in bp.\n');
  });

  it('creates, reads, lists, changes and marks catalog items; refs by code; --file under --set', async () => {
    expect((await crm('sync', 'enable', '--prefix', 'CR')).code).toBe(0);
    const organization = await crm(
      'data',
      'add',
      'organization',
      '--set',
      'name=Alpha Trading',
      '--set',
      'inn=7701234567',
      '--set',
      'prefix=01',
    );
    expect(organization.stdout).toMatch(/^Created organization CR-00001 \(ref [0-9a-f-]{36}\)\n$/);

    // An INN of digits, with a leading zero, stays text.
    const romashka = await crm(
      'data',
      'add',
      'counterparty',
      '--set',
      'name=Romashka',
      '--set',
      'inn=0012345678',
      '--json',
    );
    expect(romashka.json()).toMatchObject({ code: 'CR-00001', inn: '0012345678', kind: 'legal-entity' });
    expect(romashka.json().ref).toMatch(UUID);

    const file = join(files ?? '', 'beta.json');
    writeFileSync(
      file,
      JSON.stringify({ name: 'Beta Ltd', inn: '7702222222', kpp: '770201001', phone: '1' }),
    );
    const beta = await crm(
      'data',
      'add',
      'counterparty',
      '--file',
      file,
      '--set',
      'phone=+7 495 000-00-00',
      '--json',
    );
    expect(beta.json()).toMatchObject({
      code: 'CR-00002',
      name: 'Beta Ltd',
      kpp: '770201001',
      phone: '+7 495 000-00-00',
    });

    await crm('data', 'add', 'unit', '--set', 'code=796', '--set', 'name=pcs');
    await crm('data', 'add', 'currency', '--set', 'code=643', '--set', 'name=RUB');
    const unit = (await crm('data', 'get', 'unit', '796', '--json')).json();
    const product = await crm(
      'data',
      'add',
      'product',
      '--set',
      'name=Widget',
      '--set',
      'sku=W-1',
      '--set',
      'unit=796',
      '--json',
    );
    expect(product.json()).toMatchObject({ code: 'CR-00001', unit: unit.ref });
    const contract = await crm(
      'data',
      'add',
      'contract',
      '--set',
      'counterparty=CR-00002',
      '--set',
      'organization=CR-00001',
      '--set',
      'number=D-7',
      '--set',
      'date=2025-01-10',
      '--json',
    );
    expect(contract.json()).toMatchObject({
      counterparty: beta.json().ref,
      name: expect.stringContaining('D-7'),
    });

    const table = await crm('data', 'list', 'counterparty');
    expect(table.stdout.split('\n')[0]).toMatch(/^code\s+name\s+inn\s+kpp/);
    expect(table.stdout).toMatch(/CR-00001\s+Romashka\s+0012345678/);
    expect(table.stdout).toMatch(/CR-00002\s+Beta Ltd\s+7702222222\s+770201001/);
    const contracts = await crm('data', 'list', 'contract');
    expect(contracts.stdout).toMatch(/D-7.*\s+Beta Ltd\s+Alpha Trading/);

    const byInn = await crm('data', 'list', 'counterparty', '--filter', 'inn=0012345678', '--json');
    expect(byInn.json()).toEqual([expect.objectContaining({ code: 'CR-00001', inn: '0012345678' })]);
    expect((await crm('data', 'list', 'counterparty', '--search', 'beta', '--json')).json()).toHaveLength(1);
    const sorted = await crm(
      'data',
      'list',
      'counterparty',
      '--sort',
      'name',
      '--desc',
      '--limit',
      '1',
      '--json',
    );
    expect(sorted.json().map((item: { name: string }) => item.name)).toEqual(['Romashka']);
    expect((await crm('data', 'list', 'counterparty', '--limit', '1', '--offset', '1')).stdout).toContain(
      '2–2 of 2; --limit and --offset show the others',
    );
    expect((await crm('data', 'list', 'partner')).stdout).toBe('No partners found.\n');

    const shown = await crm('data', 'get', 'counterparty', 'CR-00002');
    expect(shown.stdout).toMatch(/^ref: +[0-9a-f-]{36}\ncode: +CR-00002\nname: +Beta Ltd\n/);
    expect(shown.stdout).toMatch(/\ninn: +7702222222\n/);
    const byRef = await crm('data', 'get', 'counterparty', beta.json().ref, '--json');
    expect(byRef.json()).toEqual(beta.json());

    const updated = await crm(
      'data',
      'update',
      'counterparty',
      'CR-00002',
      '--set',
      'phone=',
      '--set',
      'email=b@example.com',
    );
    expect(updated.stdout).toBe(`Updated counterparty CR-00002 (ref ${beta.json().ref}); version 2\n`);
    expect((await crm('data', 'get', 'counterparty', 'CR-00002', '--json')).json()).toMatchObject({
      phone: null,
      email: 'b@example.com',
      version: 2,
    });

    const marked = await crm('data', 'delete', 'counterparty', 'CR-00001');
    expect(marked.stdout).toMatch(/^Marked counterparty CR-00001 for deletion \(ref [0-9a-f-]{36}\)\n$/);
    const live = await crm('data', 'list', 'counterparty', '--json');
    expect(live.json().map((item: { code: string }) => item.code)).toEqual(['CR-00002']);
    const all = await crm('data', 'list', 'counterparty', '--include-deleted', '--json');
    expect(all.json()).toContainEqual(expect.objectContaining({ code: 'CR-00001', deleted: true }));
    // A marked item is still found by its code, and the mark can be taken back.
    expect((await crm('data', 'delete', 'counterparty', 'CR-00001', '--undo')).stdout).toContain(
      'Removed the deletion mark of counterparty CR-00001',
    );
  });

  it('creates documents with lines from JSON, with exact totals, and finds them by number', async () => {
    const lines = JSON.stringify([
      { product: 'CR-00001', quantity: 3, price: '333.33', vatRate: 'vat22' },
      { product: 'CR-00001', quantity: '0.5', price: 0.1, vatRate: 'vat10' },
    ]);
    const created = await crm(
      'data',
      'add',
      'customer-invoice',
      '--set',
      'organization=CR-00001',
      '--set',
      'counterparty=CR-00001',
      '--set',
      'currency=643',
      '--set',
      'date=2025-03-01',
      '--set',
      `lines=${lines}`,
    );
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(
      /^Created customer-invoice CR01-000001 of 2025-03-01 \(ref [0-9a-f-]{36}\), total 1000.04, VAT 180.33\n$/,
    );
    const invoice = (await crm('data', 'get', 'customer-invoice', 'CR01-000001', '--json')).json();
    expect(invoice).toMatchObject({
      number: 'CR01-000001',
      amount: '1000.04',
      vatAmount: '180.33',
      pricesIncludeVat: true,
    });
    expect(invoice.lines).toEqual([
      expect.objectContaining({ quantity: '3.000', price: '333.33', amount: '999.99', vatAmount: '180.33' }),
      expect.objectContaining({ quantity: '0.500', price: '0.10', amount: '0.05', vatAmount: '0.00' }),
    ]);

    const shown = (await crm('data', 'get', 'customer-invoice', 'CR01-000001')).stdout;
    expect(shown).toMatch(/\ncounterparty: +Romashka \([0-9a-f-]{36}\)\n/);
    expect(shown).toMatch(
      /\nlines:\n#\s+product\s+quantity\s+unit\s+price\s+amount\s+vatRate\s+vatAmount\n1\s+Widget\s+3.000\s+333.33\s+999.99\s+vat22\s+180.33\n/,
    );

    const sale = await crm(
      'data',
      'add',
      'sale',
      '--set',
      'basis=CR01-000001',
      '--set',
      'organization=CR-00001',
      '--set',
      'counterparty=CR-00001',
      '--set',
      'currency=643',
      '--set',
      'pricesIncludeVat=false',
      '--set',
      'date=2025-03-02T10:30:00',
      '--set',
      'lines=[{"product":"CR-00001","quantity":"2","price":"100.00","vatRate":"vat22"}]',
      '--json',
    );
    expect(sale.json()).toMatchObject({
      basis: invoice.ref,
      amount: '244.00',
      vatAmount: '44.00',
      date: '2025-03-02T10:30:00',
    });

    const listed = await crm('data', 'list', 'customer-invoice');
    expect(listed.stdout).toMatch(
      /^number\s+date\s+organization\s+counterparty\s+currency\s+amount\s+vatAmount\s+posted\n/,
    );
    expect(listed.stdout).toMatch(
      /CR01-000001\s+2025-03-01\s+Alpha Trading\s+Romashka\s+RUB\s+1000.04\s+180.33\s+no\n/,
    );
    const byCounterparty = await crm('data', 'list', 'sale', '--filter', 'counterparty=CR-00001', '--json');
    expect(byCounterparty.json()).toEqual([expect.objectContaining({ ref: sale.json().ref })]);

    const commented = await crm(
      'data',
      'update',
      'customer-invoice',
      'CR01-000001',
      '--set',
      'comment=Paid in cash',
    );
    expect(commented.stdout).toContain('Updated customer-invoice CR01-000001 of 2025-03-01');
    expect(commented.stdout).toContain('total 1000.04, VAT 180.33; version 2');
  });

  it('names the field of every bad input and exits with 1, writing nothing', async () => {
    const before = (await crm('data', 'list', 'counterparty', '--json')).json().length;
    const invoice = [
      '--set',
      'organization=CR-00001',
      '--set',
      'counterparty=CR-00001',
      '--set',
      'currency=643',
    ];
    const cases: [string[], string][] = [
      [
        ['data', 'add', 'spaceship', '--set', 'name=X'],
        'error: "spaceship" is not an object type of the CRM application',
      ],
      [
        ['data', 'add', 'counterparty', '--set', 'name=A', '--set', 'colour=red'],
        '\n  colour: is not a field of this object\n',
      ],
      [
        ['data', 'add', 'customer-invoice', ...invoice, '--set', 'pricesIncludeVat=maybe'],
        '\n  pricesIncludeVat: must be a boolean, got the text "maybe"\n',
      ],
      [
        ['data', 'add', 'counterparty', '--set', `name=${'x'.repeat(200)}`],
        '\n  name: must be at most 150 characters, got 200\n',
      ],
      [
        ['data', 'add', 'contract', '--set', 'counterparty=CR-09999', '--set', 'organization=CR-00001'],
        '\n  counterparty: no counterparty has the code "CR-09999"',
      ],
      [
        [
          'data',
          'add',
          'contract',
          '--set',
          'counterparty=11111111-1111-4111-8111-111111111111',
          '--set',
          'organization=CR-00001',
        ],
        '\n  counterparty: no counterparty with ref 11111111-1111-4111-8111-111111111111\n',
      ],
      [
        [
          'data',
          'add',
          'customer-invoice',
          ...invoice,
          '--set',
          'number=CR01-000001',
          '--set',
          'date=2025-06-01',
        ],
        '\n  number: CR01-000001 is already used by another customer-invoice of 2025\n',
      ],
      [['data', 'add', 'counterparty', '--set', 'fullName=Nameless'], '\n  name: is required\n'],
      [
        ['data', 'add', 'customer-invoice', ...invoice, '--set', 'lines=notjson'],
        '\n  lines: is not valid JSON',
      ],
      [
        [
          'data',
          'add',
          'customer-invoice',
          ...invoice,
          '--set',
          'lines=[{"product":"CR-00077","quantity":"1"}]',
        ],
        '\n  lines[0].product: no product has the code "CR-00077"',
      ],
      [
        ['data', 'add', 'counterparty', '--set', 'name'],
        'error: --set "name" must be written as field=value',
      ],
      [['data', 'get', 'counterparty', 'CR-09999'], 'error: No counterparty has the code "CR-09999"'],
      [
        ['data', 'list', 'counterparty', '--filter', 'colour=red'],
        '\n  colour: is not a field of counterparty\n',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await crm(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).toContain(message);
    }
    const asJson = await crm('data', 'add', 'counterparty', '--set', `name=${'x'.repeat(200)}`, '--json');
    expect(JSON.parse(asJson.stderr)).toMatchObject({
      code: 'validation_failed',
      fields: [{ field: 'name', code: 'too_long' }],
    });
    expect((await crm('data', 'list', 'counterparty', '--json')).json()).toHaveLength(before);

    const noInfobase = await cli(['data', 'list', 'counterparty', ...ADMIN], env);
    expect(noInfobase.code).toBe(1);
    expect(noInfobase.stderr).toContain(
      'error: this command works on one infobase: pass --ib NAME or set IBSYNC_IB',
    );
    const unknownInfobase = await cli(['data', 'list', 'counterparty', '--ib', 'nope'], env);
    expect(unknownInfobase.stderr).toContain('error: There is no infobase "nope" on this host');
  });

  it('keeps its data when the host is killed and restarted on the same store and port', async () => {
    const { port } = host;
    await host.kill('SIGKILL');
    host = await startServerProcess({ store: host.store, port });
    expect(host.url).toBe(env.IBSYNC_URL);
    const counterparties = await crm('data', 'list', 'counterparty', '--json');
    expect(counterparties.json().map((item: { code: string }) => item.code)).toEqual([
      'CR-00002',
      'CR-00001',
    ]);
  });
});
