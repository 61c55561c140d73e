import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DialectName } from '../../src/platform/storage/index.js';
import { TEST_PG_URL, TEST_SCHEMA_PREFIX } from './test-config.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI from source, as a child process runs it: `node --import tsx src/cli/main.ts …`. */
export const CLI_COMMAND: readonly string[] = [process.execPath, '--import', 'tsx', 'src/cli/main.ts'];

/**
 * Where a host process keeps its data. It outlives the process, so that a killed host can be restarted
 * on the same data; `cleanup` removes it at the end of the test.
 */
export type HostStore = {
  dialect: DialectName;
  /** The host's folder (`--data`): its key file, and on SQLite its databases. */
  dataDir: string;
  /** PostgreSQL: the schema prefix (`ibsync_test_…`, so a crashed run's leftovers are dropped). */
  schemaPrefix?: string;
  cleanup(): Promise<void>;
};

let stores = 0;

export function createHostStore(dialect: DialectName): HostStore {
  const dataDir = mkdtempSync(join(tmpdir(), 'ibsync-host-'));
  const removeDir = async () => rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') return { dialect, dataDir, cleanup: removeDir };
  stores += 1;
  const schemaPrefix = `${TEST_SCHEMA_PREFIX}${process.pid}_proc${stores}_`;
  return {
    dialect,
    dataDir,
    schemaPrefix,
    cleanup: async () => {
      await dropSchemas(schemaPrefix);
      await removeDir();
    },
  };
}

/** Drops the PostgreSQL schemas of a test's (or a benchmark's) infobases, found by their prefix. */
export async function dropSchemas(prefix: string, url: string = TEST_PG_URL) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // starts_with, not LIKE: "_" is a LIKE wildcard, and prefix …_1_ would also match …_10_.
    const { rows } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where starts_with(nspname, $1)',
      [prefix],
    );
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
}

export type ServerProcessOptions = {
  /** Default: a new store of `dialect` (SQLite when neither is given). Pass an earlier one to restart on it. */
  store?: HostStore;
  dialect?: DialectName;
  /** Default 0: a free port. Pass an earlier process's port to restart on the same address. */
  port?: number;
  /** More `serve` arguments, e.g. ['--demo']. */
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  startTimeoutMs?: number;
};

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

export type ServerProcess = {
  url: string;
  port: number;
  store: HostStore;
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr: for failure messages. */
  output(): string;
  exited: Promise<ExitStatus>;
  /** SIGTERM (a graceful close), then SIGKILL if it does not exit within a few seconds. */
  stop(): Promise<ExitStatus>;
  /** Ends the process with a signal (SIGKILL by default: a crash) and waits for it to go. */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
};

const live = new Set<ChildProcess>();
// A test run that dies must not leave hosts listening.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts `ibsync serve` as a child process and resolves once it prints its "listening" line. */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const store = options.store ?? createHostStore(options.dialect ?? 'sqlite');
  const storeArgs = ['--data', store.dataDir, ...(store.dialect === 'postgres' ? ['--pg', TEST_PG_URL] : [])];
  const child = spawn(
    CLI_COMMAND[0] ?? process.execPath,
    [
      ...CLI_COMMAND.slice(1),
      'serve',
      '--port',
      String(options.port ?? 0),
      ...storeArgs,
      ...(options.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        IBSYNC_LOG_LEVEL: 'warn',
        ...(store.schemaPrefix ? { IBSYNC_PG_SCHEMA_PREFIX: store.schemaPrefix } : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  let output = '';
  // Read both pipes to the end, or a chatty host would block on a full pipe.
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`ibsync serve did not start within ${options.startTimeoutMs ?? 20_000} ms:\n${output}`),
      );
    }, options.startTimeoutMs ?? 20_000);
    const onData = () => {
      const match = /ibsync listening on (\S+)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    void exited.then((status) => {
      clearTimeout(timer);
      reject(new Error(`ibsync serve exited (${status.code ?? status.signal}) before listening:\n${output}`));
    });
  });

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    url,
    port: Number(new URL(url).port),
    store,
    child,
    output: () => output,
    exited,
    kill,
    async stop() {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const status = await kill('SIGTERM');
      clearTimeout(timer);
      return status;
    },
  };
}
