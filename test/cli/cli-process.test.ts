import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHostStore,
  type HostStore,
  REPO_ROOT,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process.js';
import { cli, cliProcess } from './cli-helpers.js';

/** The exchange commands; scripts outside the project call them by these names. */
const SYNC_COMMANDS = [
  'test',
  'connect',
  'rules',
  'export',
  'load',
  'run',
  'list',
  'status',
  'schedule',
  'delete',
  'journal',
];

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function closedPortUrl(): Promise<string> {
  const server = await listen(() => undefined);
  const url = urlOf(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe('ibsync as a process: entry point, exit codes, stderr', () => {
  let host: ServerProcess;
  let store: HostStore | undefined;

  beforeAll(async () => {
    store = createHostStore('sqlite');
    host = await startServerProcess({ store });
    await cli(['ib', 'create', 'crm', '--app', 'crm'], { IBSYNC_URL: host.url });
  });
  afterAll(async () => {
    await host?.stop();
    await store?.cleanup();
  });

  it("warns when Node was started without the package's memory settings, and not when it has them", async () => {
    // The helper starts hosts through tsx, without bin/ibsync.js.
    expect(host.output()).toMatch(
      /started without MALLOC_ARENA_MAX=2 and --max-semi-space-size=8.*start it with bin\/ibsync\.js/,
    );
    const settled = await startServerProcess({
      env: { MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--max-semi-space-size=8' },
    });
    try {
      expect(settled.output()).not.toContain('memory budget');
    } finally {
      await settled.stop();
      await settled.store.cleanup();
    }
  });

  it('runs a command against the host and exits with 0', async () => {
    const result = await cliProcess(['ib', 'list', '--json'], { IBSYNC_URL: host.url });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.json()).toEqual([
      expect.objectContaining({ name: 'crm', publicationUrl: `${host.url}/crm` }),
    ]);
    const created = await cliProcess([
      'data',
      'add',
      'counterparty',
      '--ib',
      'crm',
      '--url',
      host.url,
      '--set',
      'name=Acme',
    ]);
    expect(created.stdout).toMatch(/^Created counterparty 00-00001 \(ref [0-9a-f-]{36}\)\n$/);
  });

  it('prints API errors with their fields on stderr and exits with 1', async () => {
    const env = { IBSYNC_URL: host.url, IBSYNC_IB: 'crm' };
    const text = await cliProcess(
      ['data', 'add', 'counterparty', '--set', 'name=A', '--set', 'colour=red'],
      env,
    );
    expect(text).toMatchObject({ code: 1, stdout: '' });
    expect(text.stderr).toBe(
      'error: The counterparty is not valid: colour: is not a field of this object\n  colour: is not a field of this object\n',
    );
    const json = await cliProcess(['--json', 'data', 'add', 'counterparty', '--set', 'fullName=x'], env);
    expect(json).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(json.stderr)).toEqual({
      code: 'validation_failed',
      message: 'The counterparty is not valid: name: is required',
      fields: [{ field: 'name', code: 'required', message: 'is required' }],
    });
  });

  it('reports usage errors with exit code 1', async () => {
    const noInfobase = await cliProcess(['user', 'list'], { IBSYNC_URL: host.url });
    expect(noInfobase.code).toBe(1);
    expect(noInfobase.stderr).toContain(
      'error: this command works on one infobase: pass --ib NAME or set IBSYNC_IB',
    );
    const unknown = await cliProcess(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");
    const missing = await cliProcess(['ib', 'create', 'x1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error: required option '--app <application>' not specified");
  });

  it('names the URL and the cause when no host answers, and suggests ibsync serve', async () => {
    const url = await closedPortUrl();
    const result = await cliProcess(['ib', 'list', '--url', url]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      `error: cannot reach an ibsync host at ${url}: connection refused: nothing listens at that address and port\n` +
        'hint: start one with `ibsync serve`, or point --url (IBSYNC_URL) at a running host\n',
    );
    const json = await cli(['ib', 'list', '--url', url, '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ code: 'host_unreachable' });

    const dns = await cli(['ib', 'list', '--url', 'http://no-such-host.invalid:8080']);
    expect(dns.stderr).toContain('error: cannot reach an ibsync host at http://no-such-host.invalid:8080: ');
    expect(dns.stderr).toMatch(/cannot be resolved \(DNS\)|timeout/);

    const silent = await listen(() => undefined);
    try {
      const timeout = await cli(['ib', 'list', '--url', urlOf(silent)], { IBSYNC_TIMEOUT_MS: '300' });
      expect(timeout.stderr).toContain(
        `cannot reach an ibsync host at ${urlOf(silent)}: no answer within 0.3 s`,
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    const badUrl = await cli(['ib', 'list', '--url', 'localhost:8080']);
    expect(badUrl.stderr).toContain('error: --url: "localhost:8080" must start with http:// or https://');
  });

  it('tells a web server that is not an ibsync host from one', async () => {
    const other = await listen((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>');
    });
    try {
      const result = await cliProcess(['--ib', 'crm', 'data', 'list', 'counterparty', '--url', urlOf(other)]);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toContain(
        `error: ${urlOf(other)} is not an ibsync host: GET /crm/api/v1/metadata answered 404 Not Found (text/html) instead of the ibsync API`,
      );
      expect(result.stderr).toContain('hint: check --url (IBSYNC_URL)');
    } finally {
      other.close();
    }
  });

  it('has --help with a description for every command, and examples where needed', async () => {
    const commands = [
      [],
      ['serve'],
      ['ib'],
      ['ib', 'list'],
      ['ib', 'create'],
      ['user'],
      ['user', 'add'],
      ['user', 'list'],
      ['data'],
      ['data', 'add'],
      ['data', 'get'],
      ['data', 'list'],
      ['data', 'update'],
      ['data', 'delete'],
      ['sync'],
      ['sync', 'enable'],
      ['sync', 'disable'],
      ...SYNC_COMMANDS.map((name) => ['sync', name]),
    ];
    const withExamples = [
      '',
      'serve',
      'ib create',
      'user add',
      'data add',
      'data get',
      'data list',
      'data update',
      'data delete',
      'sync enable',
      ...SYNC_COMMANDS.map((name) => `sync ${name}`),
    ];
    for (const path of commands) {
      const result = await cli([...path, '--help']);
      const name = path.join(' ');
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toContain(`Usage: ibsync${name ? ` ${name}` : ''} `);
      expect(result.stdout.split('\n')[2], name).toMatch(/^\S.{10,}/);
      if (withExamples.includes(name)) expect(result.stdout, name).toContain('Examples:\n  $ ibsync');
    }
    const helped = await cliProcess(['data', 'add', '--help']);
    expect(helped.code).toBe(0);
    expect(helped.stdout).toContain('--set <field=value>');
    expect((await cliProcess(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('ships bin/ibsync.js: an executable ESM file that runs the compiled CLI', () => {
    const bin = join(REPO_ROOT, 'bin', 'ibsync.js');
    accessSync(bin, constants.X_OK);
    const text = readFileSync(bin, 'utf8');
    expect(text).toContain("import '../dist/cli/main.js';");
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.start).toBe(
      'bin/ibsync.js serve --demo',
    );
  });

  it("starts Node with the host's memory settings, as the system runs its first line", () => {
    const shebang = readFileSync(join(REPO_ROOT, 'bin', 'ibsync.js'), 'utf8').split('\n', 1)[0]!;
    // The kernel hands env everything after the interpreter as one argument, then the script.
    const [interpreter, ...rest] = shebang.slice(2).split(' ');
    const dir = mkdtempSync(join(tmpdir(), 'ibsync-launcher-'));
    const probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      'console.log(JSON.stringify({ arenas: process.env.MALLOC_ARENA_MAX, flags: process.execArgv }));\n',
    );
    const run = spawnSync(interpreter!, [rest.join(' '), probe], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ arenas: '2', flags: ['--max-semi-space-size=8'] });
  });
});
