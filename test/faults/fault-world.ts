import Database from 'better-sqlite3';
import pg from 'pg';
import type { DialectName } from '../../src/platform/storage/index.js';
import { type CliResult, cli } from '../cli/cli-helpers.js';
import {
  createHostStore,
  type HostStore,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process.js';
import { TEST_PG_URL } from '../helpers/test-config.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

/** The cloud account's login and password: the pass-through user of both infobases (seed S2). */
export const LOGIN = 'sc12345';
export const PASSWORD = 'Pass-word1';

export type Side = 'crm' | 'bp';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read loosely as the CLI's tests do
export type Loose = any;

export type Answer = { status: number; data: Loose };

export type WorldOptions = {
  dialect: DialectName;
  /** Catalogs the CRM sends: `used` (the seed's choice) or `all`. */
  catalogs: 'used' | 'all';
  /**
   * After the setup, Accounting sends its own documents too (and the catalog items they use), so that the
   * CRM's side of a Synchronize — download, apply — meets the faults as well. The seed's S19 sends nothing.
   */
  accountingSends: boolean;
  /** The CRM's timeout for one call to Accounting, lowered so that "past the timeout" is quick. */
  peerTimeoutMs: number;
  /** Small parts, so that one message travels in several and resuming is exercised. */
  partSize: number;
  log: (line: string) => void;
};

/** How one Synchronize ended, as the API reported it. */
export type SyncAttempt = {
  outcome: 'ok' | 'failed' | 'host-down';
  jobId?: string;
  alreadyRunning?: boolean;
  error?: { code: string; message: string };
  quiet?: boolean;
  result?: Loose;
};

/**
 * Two real host processes on loopback — the CRM and Accounting — set up as the seed does (S2–S21), with
 * the fault proxy between them: the CRM's setting points at the proxy, the proxy at Accounting's port.
 * A host killed with SIGKILL is restarted on the same data and port.
 */
export type FaultWorld = {
  readonly options: WorldOptions;
  readonly proxy: FaultProxy;
  crmSetting: string;
  bpSetting: string;
  url(side: Side): string;
  api(side: Side, method: string, path: string, body?: unknown, timeoutMs?: number): Promise<Answer>;
  cli(side: Side, args: readonly string[]): Promise<CliResult>;
  kill(side: Side): Promise<void>;
  restart(side: Side): Promise<void>;
  isUp(side: Side): boolean;
  /** Synchronize from the CRM, waiting for its job to end. */
  synchronize(): Promise<SyncAttempt>;
  /** One number from an infobase's own tables, read beside the running host (a check, never a write). */
  count(side: Side, sql: string): Promise<number>;
  /** Everything both hosts wrote, every incarnation: for failure messages. */
  logs(): string;
  close(): Promise<void>;
};

const IB: Record<Side, string> = { crm: 'crm', bp: 'bp' };
const APPLICATION: Record<Side, string> = { crm: 'crm', bp: 'accounting' };
const AUTH = `Basic ${Buffer.from(`${LOGIN}:${PASSWORD}`).toString('base64')}`;

async function request(
  base: string,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
  authenticated = true,
): Promise<Answer> {
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(authenticated ? { authorization: AUTH } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let data: Loose = text;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: kept as text for the failure message.
    }
    return { status: response.status, data };
  } catch (error) {
    return { status: 0, data: { code: 'host_down', message: (error as Error).message } };
  }
}

export async function createFaultWorld(options: WorldOptions): Promise<FaultWorld> {
  const stores: Record<Side, HostStore> = {
    crm: createHostStore(options.dialect),
    bp: createHostStore(options.dialect),
  };
  const env: Record<Side, Record<string, string>> = {
    crm: {
      IBSYNC_PEER_TIMEOUT_MS: String(options.peerTimeoutMs),
      IBSYNC_PART_SIZE: String(options.partSize),
    },
    bp: { IBSYNC_PART_SIZE: String(options.partSize) },
  };
  const hosts = {} as Record<Side, ServerProcess>;
  const down = new Set<Side>();
  const pastLogs: string[] = [];
  [hosts.crm, hosts.bp] = await Promise.all([
    startServerProcess({ store: stores.crm, env: env.crm }),
    startServerProcess({ store: stores.bp, env: env.bp }),
  ]);
  const proxy = await startFaultProxy({ targetPort: hosts.bp.port });

  const world: FaultWorld = {
    options,
    proxy,
    crmSetting: '',
    bpSetting: '',
    url: (side) => hosts[side].url,
    api: (side, method, path, body, timeoutMs = 120_000) =>
      request(hosts[side].url, method, `/${IB[side]}/api/v1${path}`, body, timeoutMs),
    cli: (side, args) =>
      cli(args, {
        IBSYNC_URL: hosts[side].url,
        IBSYNC_IB: IB[side],
        IBSYNC_USER: LOGIN,
        IBSYNC_PASSWORD: PASSWORD,
      }),
    async kill(side) {
      down.add(side);
      await hosts[side].kill('SIGKILL');
    },
    async restart(side) {
      pastLogs.push(`--- ${side} (killed) ---\n${hosts[side].output()}`);
      hosts[side] = await startServerProcess({ store: stores[side], port: hosts[side].port, env: env[side] });
      down.delete(side);
    },
    isUp: (side) => !down.has(side),
    async synchronize() {
      const started = await world.api('crm', 'POST', `/sync/settings/${world.crmSetting}/run?wait=60`);
      if (started.status === 0) return { outcome: 'host-down', error: started.data };
      if (started.status !== 202)
        return { outcome: 'failed', error: { code: started.data?.code, message: started.data?.message } };
      let job = started.data;
      while (job.state === 'running') {
        const polled = await world.api('crm', 'GET', `/sync/jobs/${job.id}?wait=60`);
        if (polled.status === 0) return { outcome: 'host-down', jobId: job.id, error: polled.data };
        job = polled.data;
      }
      const base = { jobId: job.id, alreadyRunning: started.data.alreadyRunning === true };
      if (job.state === 'failed') return { ...base, outcome: 'failed', error: job.error };
      const result = job.result;
      const quiet =
        Object.keys(result?.sent ?? {}).length === 0 && Object.keys(result?.received ?? {}).length === 0;
      return { ...base, outcome: 'ok', quiet, result };
    },
    async count(side, query) {
      if (options.dialect === 'sqlite') {
        const database = new Database(`${stores[side].dataDir}/${IB[side]}.sqlite`, { readonly: true });
        try {
          return Number(Object.values(database.prepare(query).get() as object)[0]);
        } finally {
          database.close();
        }
      }
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`set search_path to "${stores[side].schemaPrefix}ib_${IB[side]}"`);
        const { rows } = await client.query(query);
        return Number(Object.values(rows[0] as object)[0]);
      } finally {
        await client.end();
      }
    },
    logs: () =>
      [...pastLogs, `--- crm ---\n${hosts.crm.output()}`, `--- bp ---\n${hosts.bp.output()}`].join('\n'),
    async close() {
      await proxy.close();
      await Promise.all([hosts.crm.stop(), hosts.bp.stop()]);
      await Promise.all([stores.crm.cleanup(), stores.bp.cleanup()]);
    },
  };

  try {
    await setUp(world, options);
  } catch (error) {
    await world.close();
    throw error;
  }
  return world;
}

async function must(answer: Promise<Answer>, what: string): Promise<Loose> {
  const { status, data } = await answer;
  if (status < 200 || status >= 300)
    throw new Error(`setup: ${what} answered ${status}: ${JSON.stringify(data)}`);
  return data;
}

/** A job started through the API, followed to its end; it must succeed. */
async function job(world: FaultWorld, side: Side, path: string, what: string): Promise<Loose> {
  let state = await must(world.api(side, 'POST', `${path}?wait=60`), what);
  while (state.state === 'running')
    state = await must(world.api(side, 'GET', `/sync/jobs/${state.id}?wait=60`), what);
  if (state.state !== 'done') throw new Error(`setup: ${what} failed: ${JSON.stringify(state.error)}`);
  return state.result;
}

/** Seed S2–S22 through the API: users, prefixes, connect through the proxy, rules, initial export, map and load. */
async function setUp(world: FaultWorld, options: WorldOptions) {
  for (const side of ['crm', 'bp'] as const) {
    await must(
      request(
        world.url(side),
        'POST',
        '/api/v1/infobases',
        { name: IB[side], application: APPLICATION[side] },
        30_000,
        false,
      ),
      `creating ${side}`,
    );
    await must(
      request(
        world.url(side),
        'POST',
        `/${IB[side]}/api/v1/users`,
        { login: LOGIN, password: PASSWORD },
        30_000,
        false,
      ),
      `the user in ${side}`,
    );
  }
  await must(world.api('crm', 'PATCH', '/settings', { syncEnabled: true, prefix: 'CR' }), 'CRM prefix');
  await must(world.api('bp', 'PATCH', '/settings', { syncEnabled: true }), 'enabling sync in Accounting');
  options.log(`hosts: crm ${world.url('crm')}, bp ${world.url('bp')} behind the proxy ${world.proxy.url}`);
}

/** The connection (S12–S15) and the rest of the setup (S16–S21), once the base data exists on both sides. */
export async function connectAndLoad(world: FaultWorld) {
  const created = await must(
    world.api('crm', 'POST', '/sync/settings', {
      peerApplication: 'accounting',
      peerUrl: `${world.proxy.url}/bp`,
      peerLogin: LOGIN,
      peerPassword: PASSWORD,
      peerPrefix: 'BP',
      rules: { catalogs: world.options.catalogs, documents: 'all' },
    }),
    'connect',
  );
  world.crmSetting = created.id;
  await job(world, 'crm', `/sync/settings/${world.crmSetting}/initial-export`, 'the initial export');
  const [pending] = await must(world.api('bp', 'GET', '/sync/settings'), 'the pending setting');
  world.bpSetting = pending.id;
  await must(
    world.api('bp', 'PATCH', `/sync/settings/${world.bpSetting}/rules`, {
      catalogs: 'none',
      documents: 'none',
    }),
    'Accounting rules',
  );
  await job(world, 'bp', `/sync/settings/${world.bpSetting}/load`, 'map and load');
  await job(world, 'bp', `/sync/settings/${world.bpSetting}/initial-export`, "Accounting's initial export");
  const first = await world.synchronize();
  if (first.outcome !== 'ok')
    throw new Error(`setup: the first Synchronize failed: ${JSON.stringify(first)}`);
  if (world.options.accountingSends) {
    await must(
      world.api('bp', 'PATCH', `/sync/settings/${world.bpSetting}/rules`, {
        catalogs: 'used',
        documents: 'all',
      }),
      'Accounting sends its documents',
    );
  }
}
