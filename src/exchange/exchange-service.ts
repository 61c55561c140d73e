import { AppError } from '../platform/errors.js';
import type { Host } from '../platform/host.js';
import type { Infobase } from '../platform/infobase.js';
import type { ApplicationName } from '../platform/metadata.js';
import type { SecretBox } from '../platform/secret-box.js';
import { ensureTable } from '../platform/storage/index.js';
import { createChangeLogHook } from './change-log.js';
import type { ConversionRules } from './conversion.js';
import { createExchangeContext, type ExchangeContext } from './exchange-context.js';
import { exchangeTables, retiredTables } from './exchange-tables.js';
import type { ExportRules } from './export-rules.js';
import { identificationWriteHook } from './identification.js';
import { createJobRunner, type JobRunner } from './jobs.js';
import { createJournal, type Journal, type JournalOperation, SessionRecord } from './journal.js';
import { withNodeLock } from './locks.js';
import { analyzeMapping, type Decision, decide, mappingItems } from './mapping.js';
import type { ExchangeNode } from './nodes.js';
import { createPeerService, type PeerService } from './peer-service.js';
import { synchronize } from './session.js';
import {
  type ConnectionParameters,
  connect,
  initialExport,
  load,
  refreshState,
  removeSetting,
  type SetupDeps,
  setRules,
  testConnection,
} from './setup.js';
import type { TransportFactory } from './transport.js';

export type ExchangeOptions = {
  rulesFor(application: ApplicationName): ConversionRules | undefined;
  secrets: SecretBox;
  transport: TransportFactory;
  /** Size of a message part in bytes (tests make it small to exercise resuming). */
  partSize?: number;
  /** The entry of the thread that reads large incoming messages (message-reader.ts); without it, in place. */
  readerThread?: URL;
  /** From what size (bytes) a message goes to that thread; tests lower it to send small ones. */
  readerThreadFrom?: number;
};

/** Everything the API needs of one infobase's exchange. */
export type InfobaseExchange = ReturnType<typeof createInfobaseExchange>;

function createInfobaseExchange(context: ExchangeContext, deps: SetupDeps, jobs: JobRunner) {
  const infobaseName = context.infobase.name;
  const peer: PeerService = createPeerService(context);
  const journal: Journal = createJournal(context.infobase.db);
  /** Runs a setup step with a journal entry of its own, failed or not. */
  async function journaled(
    id: string,
    operation: JournalOperation,
    user: string | null,
    work: () => Promise<SessionRecord>,
  ) {
    await context.nodes.require(id);
    const started = await journal.start(id, operation, user);
    try {
      const record = await work();
      return await journal.finish(started, record, null);
    } catch (error) {
      const failure =
        error instanceof AppError
          ? { code: error.code, message: error.message }
          : { code: 'internal_error', message: 'failed; see the host log' };
      await journal.finish(started, new SessionRecord(), failure);
      throw error;
    }
  }

  const startJob = (
    kind: 'sync' | 'initial-export' | 'load',
    settingId: string,
    work: Parameters<JobRunner['start']>[3],
  ) => jobs.start(kind, infobaseName, settingId, work);

  return {
    context,
    peer,
    journal,
    listSettings: async (): Promise<ExchangeNode[]> =>
      Promise.all((await context.nodes.list()).map((node) => refreshState(deps, node))),
    getSetting: async (id: string) => refreshState(deps, await context.nodes.require(id)),
    testConnection: (parameters: ConnectionParameters) => testConnection(deps, parameters),
    connect: (parameters: Parameters<typeof connect>[1]) => connect(deps, parameters),
    setRules: (id: string, rules: Partial<ExportRules>) => setRules(deps, id, rules),
    async setSchedule(id: string, seconds: number | null) {
      const node = await context.nodes.require(id);
      if (seconds !== null && node.role !== 'initiator') {
        throw new AppError(
          'not_initiator',
          'A schedule runs Synchronize, which starts from the infobase where the setup was made',
          {
            status: 409,
          },
        );
      }
      return context.nodes.update(id, {
        scheduleSeconds: seconds,
        nextRunAt: seconds === null ? null : new Date(Date.now() + seconds * 1000).toISOString(),
      });
    },
    removeSetting: (id: string) => removeSetting(deps, id),
    async analyzeMapping(id: string) {
      const node = await context.nodes.require(id);
      return withNodeLock(
        context.infobase.db,
        node.id,
        'mapping analysis',
        () => analyzeMapping(context, node),
        { waitMs: 30_000 },
      );
    },
    mappingItems: async (id: string, query: Parameters<typeof mappingItems>[2]) =>
      mappingItems(context, await context.nodes.require(id), query),
    decide: async (id: string, decision: Decision, user: string | null) =>
      decide(context, await context.nodes.require(id), decision, user),
    startInitialExport: (id: string, user: string | null) =>
      startJob('initial-export', id, (progress) =>
        journaled(id, 'initial-export', user, () => initialExport(deps, id, progress)),
      ),
    startLoad: (id: string, user: string | null, options: { dryRun?: boolean } = {}) =>
      startJob('load', id, (progress) =>
        journaled(id, options.dryRun ? 'dry-run' : 'load', user, () =>
          load(deps, id, {
            progress: (done, total) => progress('loading', done, total),
            dryRun: options.dryRun ?? false,
          }),
        ),
      ),
    startSync: (id: string, user: string | null) =>
      startJob('sync', id, (progress) => synchronize(deps, id, { user, progress, waitMs: 60_000 })),
  };
}

/**
 * Wires the exchange into every infobase the host opens: its tables, its change-log hook, its peer
 * service. Also runs scheduled synchronizations.
 */
export function createExchangeHub(host: Host, options: ExchangeOptions) {
  const jobs = createJobRunner();
  const exchanges = new Map<string, InfobaseExchange>();
  let timer: NodeJS.Timeout | undefined;

  host.onOpen(async (infobase: Infobase) => {
    const rules = options.rulesFor(infobase.app.name);
    if (!rules) return;
    for (const table of exchangeTables) await ensureTable(infobase.db, infobase.dialect, table);
    for (const table of retiredTables) await infobase.db.schema.dropTable(table).ifExists().execute();
    await createJournal(infobase.db).closeInterrupted();
    const context = createExchangeContext(infobase, rules, {
      partSize: options.partSize,
      readerThread: options.readerThread,
      readerThreadFrom: options.readerThreadFrom,
    });
    // Known before any work asks for it: asked first inside a transaction, it would wait on SQLite for
    // the very connection that transaction holds.
    await context.ownCode();
    infobase.addWriteHook(
      createChangeLogHook({
        nodes: context.nodes,
        sql: infobase.sql,
        exchanged: (localType) => context.exchanged.get(localType)?.formatType,
      }),
    );
    infobase.addWriteHook(identificationWriteHook);
    exchanges.set(
      infobase.name,
      createInfobaseExchange(
        context,
        { context, transport: options.transport, secrets: options.secrets },
        jobs,
      ),
    );
  });

  async function of(name: string): Promise<InfobaseExchange> {
    await host.get(name);
    const exchange = exchanges.get(name);
    if (!exchange) {
      throw new AppError('no_exchange', `The infobase "${name}" has no data synchronization`, {
        status: 404,
      });
    }
    return exchange;
  }

  /** Starts the Synchronize of every ready setting whose time has come. */
  async function runDue(now = new Date()) {
    for (const exchange of exchanges.values()) {
      for (const node of await exchange.context.nodes.list()) {
        if (node.role !== 'initiator' || node.state !== 'ready' || !node.scheduleSeconds) continue;
        if (node.nextRunAt && new Date(node.nextRunAt) > now) continue;
        await exchange.context.nodes.update(node.id, {
          nextRunAt: new Date(now.getTime() + node.scheduleSeconds * 1000).toISOString(),
        });
        exchange.startSync(node.id, 'schedule');
      }
    }
  }

  return {
    jobs,
    of,
    runDue,
    startScheduler(tickMs = 1000) {
      timer ??= setInterval(() => {
        runDue().catch((error) => console.error('scheduled synchronization failed to start', error));
      }, tickMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await jobs.drain();
    },
  };
}

export type ExchangeHub = ReturnType<typeof createExchangeHub>;
