import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exchangeTables } from '../../src/exchange/exchange-tables.js';
import { createJournal } from '../../src/exchange/journal.js';
import { withNodeLock } from '../../src/exchange/locks.js';
import { type Db, ensureTable, openStorage, type Storage } from '../../src/platform/storage/index.js';
import { describeEachDialect, testStorageConfig } from '../helpers/dialects.js';
import { CLI_COMMAND, REPO_ROOT } from '../helpers/server-process.js';

/** A host process in the middle of a Synchronize: it holds the node's lease and a running journal entry. */
async function startHolder(config: unknown): Promise<ChildProcess> {
  const child = spawn(
    CLI_COMMAND[0] ?? process.execPath,
    [
      CLI_COMMAND[1] ?? '--import',
      CLI_COMMAND[2] ?? 'tsx',
      'test/faults/hold-lease.ts',
      JSON.stringify(config),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('holding')) resolve();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before holding: ${output}`)));
  });
  return child;
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/**
 * Findings of the fault suite: after a host was killed in the middle of a Synchronize, every Synchronize
 * failed as "busy" until the dead process's lease ran out (a minute), and its session stayed "running" in
 * the journal for ever.
 */
describeEachDialect('a host killed while it holds a setting', (dialect) => {
  const { config, cleanup } = testStorageConfig(dialect);
  let storage: Storage;
  let db: Db;

  beforeAll(async () => {
    storage = openStorage(config);
    db = await storage.openInfobaseDb('ib');
    for (const table of exchangeTables) await ensureTable(db, storage.dialect, table);
  });
  afterAll(async () => {
    await storage?.close();
    await cleanup();
  });

  it('keeps a live holder: a second Synchronize is told the setting is busy', async () => {
    const holder = await startHolder(config);
    try {
      await expect(withNodeLock(db, 'node-1', 'synchronizing', async () => 'ran')).rejects.toMatchObject({
        code: 'sync_in_progress',
      });
      expect(await createJournal(db).closeInterrupted()).toBe(0);
    } finally {
      await killed(holder);
    }
  });

  it('frees the lease of a killed holder at once and closes its session in the journal with the cause', async () => {
    const journal = createJournal(db);
    await journal.closeInterrupted();
    const holder = await startHolder(config);
    await killed(holder);
    await expect(withNodeLock(db, 'node-1', 'synchronizing', async () => 'ran')).resolves.toBe('ran');
    expect(await journal.closeInterrupted()).toBe(1);
    const [entry] = await journal.list({ settingId: 'node-1', limit: 1 });
    expect(entry).toMatchObject({
      status: 'failed',
      error: { code: 'interrupted', message: expect.stringContaining('killed, crashed or restarted') },
    });
    expect(entry?.finishedAt).not.toBeNull();
  });
});
