import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry, SyncJob, SyncResult } from '../../src/cli/api-types.js';
import { runCli } from '../../src/cli/program.js';

/**
 * How the CLI follows a job, against a scripted API: the real exchange finishes a small job before the
 * first answer, so progress, joining, failures and lost jobs are played here step by step.
 */
type Script = { start: SyncJob; polls: (SyncJob | 'lost')[] };

const SETTING = 'setting-1';

function job(kind: SyncJob['kind'], change: Partial<SyncJob> = {}): SyncJob {
  return {
    id: `job-${kind}`,
    kind,
    infobase: 'crm',
    settingId: SETTING,
    state: 'running',
    progress: { phase: 'starting', done: 0, total: 0 },
    startedAt: '2026-11-28T10:00:00.000Z',
    finishedAt: null,
    result: null,
    error: null,
    ...change,
  };
}

const running = (kind: SyncJob['kind'], phase: string, done = 0, total = 0) =>
  job(kind, { progress: { phase, done, total } });

function entry(change: Partial<JournalEntry>): JournalEntry {
  return {
    id: 'journal-1',
    settingId: SETTING,
    operation: 'load',
    status: 'ok',
    startedAt: '2026-11-28T10:00:00.000Z',
    finishedAt: '2026-11-28T10:00:01.000Z',
    durationMs: 1000,
    sentMessageNo: null,
    receivedMessageNo: 1,
    bytesSent: 0,
    bytesReceived: 100,
    counts: {},
    error: null,
    user: 'sc12345',
    items: [],
    ...change,
  };
}

const syncResult: SyncResult = {
  settingId: SETTING,
  status: 'ok',
  sent: { 'customer-invoice': 2, counterparty: 1 },
  received: {},
  journalId: 'journal-2',
  journal: entry({ id: 'journal-2', operation: 'sync' }),
};

const done = (kind: SyncJob['kind'], result: unknown) =>
  job(kind, { state: 'done', progress: { phase: 'done', done: 0, total: 0 }, result });

const counts = (change: Partial<Record<string, number>>) => ({
  sent: 0,
  created: 0,
  linked: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  skipped: 0,
  heldBack: 0,
  ...change,
});

describe('ibsync sync run/load/export follow their job to the end', () => {
  let server: Server;
  let url: string;
  let script: Script;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      const send = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const path = (request.url ?? '').split('?')[0] ?? '';
      if (request.method === 'POST' && path.startsWith(`/crm/api/v1/sync/settings/${SETTING}/`)) {
        return send(202, script.start);
      }
      if (request.method === 'GET' && path.startsWith('/crm/api/v1/sync/jobs/')) {
        const next = script.polls.shift();
        if (next === undefined || next === 'lost') {
          return send(404, { code: 'unknown_job', message: 'There is no job' });
        }
        // A little later each time, as a real job moves on between answers.
        setTimeout(() => send(200, next), 30);
        return;
      }
      send(404, { code: 'not_found', message: `no ${path}` });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function run(args: string[], options: { tty?: boolean } = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli([...args, '--ib', 'crm', '--url', url], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: {
        write: (text: string) => (stderr += text),
        ...(options.tty ? { isTTY: true, columns: 100 } : {}),
      },
      env: {},
    });
    return { code, stdout, stderr };
  }

  it('prints progress lines on a pipe, then the per-type counts sent and received', async () => {
    requests.length = 0;
    script = {
      start: job('sync'),
      polls: [
        running('sync', 'receiving'),
        running('sync', 'sending', 1, 3),
        running('sync', 'sending', 3, 3),
        done('sync', syncResult),
      ],
    };
    const result = await run(['sync', 'run', SETTING]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      'Synchronize: receiving\nSynchronize: sending 1/3\nSynchronize: sending 3/3\n',
    );
    expect(result.stdout).toMatch(/^Synchronized setting setting-1: ok\n\ntype\s+sent\s+received\n/);
    expect(result.stdout).toMatch(/counterparty\s+1\s+0\n/);
    expect(result.stdout).toMatch(/customer-invoice\s+2\s+0\n/);
    // Each request waits for the job, so a short job costs one request and a long one no busy loop.
    expect(requests[0]).toBe(`POST /crm/api/v1/sync/settings/${SETTING}/run?wait=1`);
    expect(requests.slice(1)).toEqual(Array(4).fill('GET /crm/api/v1/sync/jobs/job-sync?wait=1'));
  });

  it('draws a bar on a terminal, and prints only the result with --json', async () => {
    script = {
      start: job('sync'),
      polls: [running('sync', 'sending', 1, 4), running('sync', 'sending', 2, 4), done('sync', syncResult)],
    };
    const tty = await run(['sync', 'run', SETTING], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('Synchronize: starting…');
    expect(tty.stderr).toContain('\u001b[');
    expect(tty.stdout).toContain('Synchronized setting setting-1: ok');

    script = { start: job('sync'), polls: [running('sync', 'sending', 1, 4), done('sync', syncResult)] };
    const json = await run(['sync', 'run', SETTING, '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual(syncResult);
  });

  it('says when it joined a Synchronize that was already running', async () => {
    script = { start: { ...job('sync'), alreadyRunning: true }, polls: [done('sync', syncResult)] };
    const result = await run(['sync', 'run', SETTING]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'note: joined the Synchronize already running for this setting (since 2026-11-28T10:00:00.000Z)\n',
    );
  });

  it('ends with the job error and exit code 1 when the job fails, or is lost, or another job runs', async () => {
    const failed = job('sync', {
      state: 'failed',
      error: { code: 'import_failed', message: 'The other infobase could not apply our message: boom' },
    });
    script = { start: job('sync'), polls: [running('sync', 'sending', 1, 2), failed] };
    const result = await run(['sync', 'run', SETTING]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      'Synchronize: sending 1/2\nerror: The other infobase could not apply our message: boom\n',
    );
    script = { start: job('sync'), polls: [failed] };
    const json = await run(['sync', 'run', SETTING, '--json']);
    expect(json).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(json.stderr)).toEqual({ code: 'import_failed', message: failed.error?.message });

    script = { start: job('sync'), polls: ['lost'] };
    const lost = await run(['sync', 'run', SETTING]);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain('error: the host no longer knows job job-sync: was it restarted?');

    script = { start: { ...job('initial-export'), alreadyRunning: true }, polls: [] };
    const busy = await run(['sync', 'run', SETTING]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('error: the initial export of this setting is running');
  });

  it('prints what map and load created, updated and held back, with the reasons', async () => {
    const loaded = entry({
      status: 'warnings',
      counts: {
        counterparty: counts({ created: 2, updated: 1 }),
        'customer-invoice': counts({ created: 1, heldBack: 1 }),
      },
      items: [
        {
          level: 'error',
          type: 'customer-invoice',
          ref: 'ref-9',
          code: 'unresolved_reference',
          message: 'its counterparty cannot be mapped',
        },
      ],
    });
    script = { start: job('load'), polls: [running('load', 'loading', 2, 5), done('load', loaded)] };
    const result = await run(['sync', 'load', SETTING]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('map and load: loading 2/5\n');
    expect(result.stdout).toContain('Mapped and loaded the data received for setting setting-1: warnings');
    expect(result.stdout).toMatch(/type\s+created\s+updated\s+held back\n/);
    expect(result.stdout).toMatch(/customer-invoice\s+1\s+0\s+1\n/);
    expect(result.stdout).toContain(
      'Held back (not loaded):\n  error: customer-invoice ref-9: its counterparty cannot be mapped (unresolved_reference)',
    );

    const exported = entry({ operation: 'initial-export', sentMessageNo: 1, bytesSent: 2048, counts: {} });
    script = { start: done('initial-export', exported), polls: [] };
    const exportResult = await run(['sync', 'export', SETTING]);
    expect(exportResult).toMatchObject({ code: 0, stderr: '' });
    expect(exportResult.stdout).toBe(
      'Initial export for setting setting-1 done, message 1 (2048 bytes sent)\n',
    );
  });
});
