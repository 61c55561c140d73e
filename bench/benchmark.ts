import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { dropSchemas } from '../test/helpers/server-process.js';
import { type Api, closeApiConnections, createApi, type Job } from './api.js';
import {
  accountingObjects,
  crmObjects,
  type DatasetPlan,
  mappingCounterparties,
  planDataset,
  refOf,
} from './dataset.js';
import { generateHost, LOGIN, PASSWORD } from './generate.js';
import { buildHost, type HostProcess, startHostProcess } from './host-process.js';
import { measureRawLimit, type RawLimit } from './raw-limit.js';

export type BenchOptions = {
  objects: number;
  seed: number;
  /** Counterparties on each side of the mapping measurement (issue 4: 100,000). */
  mappingObjects: number;
  /** How many Synchronize runs per incremental case. */
  runs: { nothing: number; one: number; hundred: number; tenThousand: number };
  /** Synchronizes run before each case (but the 10,000) and not timed. */
  warmupRuns: number;
  pg?: string | undefined;
  /** Node flags for the two hosts, e.g. ['--cpu-prof', '--cpu-prof-dir=prof']. */
  hostFlags?: readonly string[];
  /** Run the hosts from another checkout (a baseline to compare with). */
  serverRoot?: string | undefined;
  /** `build` (default): the compiled host, as operators run it; `tsx`: from source, without a build. */
  hostMode?: 'build' | 'tsx';
  keepData?: boolean;
  /** Parts to leave out while investigating one (the results then hold zeros for them). */
  skip?: ReadonlySet<'incremental' | 'mapping' | 'raw'>;
  reporter?: Reporter;
};

/** Where the benchmark says what it does: progress bars on a terminal, nothing in tests. */
export type Reporter = {
  stage(name: string, total: number): { update(done: number, total?: number): void; stop(): void };
  note(text: string): void;
};

export type Percentiles = {
  runs: number;
  /** Synchronizes run first and not measured: a host's first runs of a path pay its compilation. */
  warmupRuns: number;
  changed: number;
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
  /**
   * CPU both hosts spent per Synchronize, the mean over the runs: steadier than wall time on a busy
   * machine. The OS counts CPU in 10 ms ticks, so a single run's figure says little.
   */
  cpuMeanMs: number;
};

export type BenchResult = {
  machine: { cpus: number; cpuModel: string; memoryMb: number; node: string; platform: string };
  dialect: 'sqlite' | 'postgres';
  objects: number;
  seed: number;
  plan: DatasetPlan;
  generationSeconds: number;
  initialSync: {
    objects: number;
    seconds: number;
    stages: { exportSeconds: number; transferSeconds: number; mapSeconds: number; loadSeconds: number };
    /** CPU seconds each process spent per stage. */
    cpuSeconds: Record<'export' | 'transfer' | 'map' | 'load', { crm: number; bp: number }>;
    /** The peer's own initial export and the first Synchronize, which acknowledges the initial data. */
    finishSeconds: number;
    wireMb: number;
    loadCounts: Record<string, Record<string, number>>;
  };
  objectsPerSecond: number;
  stages: { exportSeconds: number; transferSeconds: number; mapSeconds: number; loadSeconds: number };
  raw: RawLimit;
  ratioToLimit: number;
  incremental: { nothing: Percentiles; one: Percentiles; hundred: Percentiles; tenThousand: Percentiles };
  mappingSeconds: number;
  mapping: {
    counterparties: number;
    analysisSeconds: number;
    /** CPU the Accounting host spent on the analysis: steadier than wall time on a busy machine. */
    analysisCpuSeconds: number;
    loadSeconds: number;
    /** The two hosts of the mapping measurement, which hold nothing else. */
    peakRssMb: { crm: number; bp: number };
    summary: unknown;
  };
  peakRssMb: { crm: number; bp: number };
  rssByPhaseMb: Record<string, { crm: number; bp: number }>;
  /** Parts left out with --skip: their figures are zeros, and their targets are not judged. */
  skipped: ('incremental' | 'mapping' | 'raw')[];
  wallSeconds: number;
};

const silent: Reporter = {
  stage: () => ({ update() {}, stop() {} }),
  note() {},
};

export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const began = performance.now();
  const reporter = options.reporter ?? silent;
  const plan = planDataset(options.objects, options.seed);
  const workDir = mkdtempSync(join(tmpdir(), 'ibsync-bench-'));
  const pgRun = options.pg
    ? { url: options.pg, prefix: `ibsync_bench_${process.pid}_${Date.now().toString(36)}_` }
    : undefined;
  const pgFor = (host: string) =>
    pgRun ? { url: pgRun.url, schemaPrefix: `${pgRun.prefix}${host}_` } : undefined;
  const hosts: HostProcess[] = [];
  try {
    const generationStarted = performance.now();
    const mappingCount = options.mappingObjects;
    let bpObjects = 0;
    for (const _ of accountingObjects(plan)) bpObjects += 1;
    let bpMapObjects = 0;
    for (const _ of mappingCounterparties(plan, 'bp', mappingCount)) bpMapObjects += 1;
    const generation = reporter.stage('generate', options.objects + bpObjects + mappingCount + bpMapObjects);
    const generatedBy = new Map<string, number>();
    const generated = (infobase: string, done: number) => {
      generatedBy.set(infobase, done);
      generation.update([...generatedBy.values()].reduce((sum, count) => sum + count, 0));
    };
    const hostDir = (name: string) => {
      const dir = join(workDir, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    // The mapping measurement has its own two hosts, so each measurement's memory is its own.
    const infobases = {
      crm: {
        name: 'crm',
        application: 'crm',
        prefix: 'CR',
        objects: () => crmObjects(plan),
        count: options.objects,
      },
      bp: {
        name: 'bp',
        application: 'accounting',
        prefix: 'BP',
        objects: () => accountingObjects(plan),
        count: bpObjects,
      },
      crmmap: {
        name: 'crmmap',
        application: 'crm',
        prefix: 'CR',
        objects: () => mappingCounterparties(plan, 'crm', mappingCount),
        count: mappingCount,
      },
      bpmap: {
        name: 'bpmap',
        application: 'accounting',
        prefix: 'BP',
        objects: () => mappingCounterparties(plan, 'bp', mappingCount),
        count: bpMapObjects,
      },
    } as const;
    const skip = options.skip ?? new Set();
    for (const name of skip.has('mapping')
      ? (['crm', 'bp'] as const)
      : (['crm', 'bp', 'crmmap', 'bpmap'] as const)) {
      await generateHost({
        dataDir: hostDir(name),
        pg: pgFor(name),
        infobases: [infobases[name]],
        progress: generated,
      });
    }
    generation.stop();
    const generationSeconds = seconds(generationStarted);

    if ((options.hostMode ?? 'build') === 'build') buildHost(options.serverRoot);
    const startPair = async (crmName: string, bpName: string) => {
      const pair = await Promise.all(
        [crmName, bpName].map((name) =>
          startHostProcess({
            name,
            dataDir: join(workDir, name),
            pg: pgFor(name),
            root: options.serverRoot,
            nodeFlags: options.hostFlags ?? [],
            mode: options.hostMode ?? 'build',
          }),
        ),
      );
      hosts.push(...pair);
      return pair as [HostProcess, HostProcess];
    };
    const [crmHost, bpHost] = await startPair('crm', 'bp');
    const rssByPhaseMb: BenchResult['rssByPhaseMb'] = {};
    const notePhase = (phase: string) => {
      rssByPhaseMb[phase] = { crm: crmHost!.memory().peakRssMb, bp: bpHost!.memory().peakRssMb };
    };
    notePhase('started');

    const crm = createApi(crmHost!.url, 'crm', LOGIN, PASSWORD);
    const bp = createApi(bpHost!.url, 'bp', LOGIN, PASSWORD);
    const initialSync = await measureInitialSync(crm, bp, `${bpHost!.url}/bp`, reporter, () => ({
      crm: crmHost!.cpuSeconds(),
      bp: bpHost!.cpuSeconds(),
    }));
    notePhase('initial sync');

    const incremental = skip.has('incremental')
      ? skippedIncremental()
      : await measureIncremental(
          crm,
          initialSync.settingId,
          plan,
          options.runs,
          options.warmupRuns,
          reporter,
          () => crmHost!.cpuSeconds() + bpHost!.cpuSeconds(),
        );
    notePhase('incremental');

    const peakRssMb = { crm: crmHost!.memory().peakRssMb, bp: bpHost!.memory().peakRssMb };
    await Promise.all([crmHost.stop(), bpHost.stop()]);

    let mapping: BenchResult['mapping'] = {
      counterparties: 0,
      analysisSeconds: 0,
      analysisCpuSeconds: 0,
      loadSeconds: 0,
      peakRssMb: { crm: 0, bp: 0 },
      summary: [],
    };
    if (!skip.has('mapping')) {
      const [crmMapHost, bpMapHost] = await startPair('crmmap', 'bpmap');
      const measured = await measureMapping(
        createApi(crmMapHost.url, 'crmmap', LOGIN, PASSWORD),
        createApi(bpMapHost.url, 'bpmap', LOGIN, PASSWORD),
        `${bpMapHost.url}/bpmap`,
        mappingCount,
        reporter,
        () => bpMapHost.cpuSeconds(),
      );
      mapping = {
        ...measured,
        peakRssMb: { crm: crmMapHost.memory().peakRssMb, bp: bpMapHost.memory().peakRssMb },
      };
      await Promise.all([crmMapHost.stop(), bpMapHost.stop()]);
    }
    closeApiConnections();
    hosts.length = 0;

    const rawBar = reporter.stage('raw limit', options.objects);
    const raw = skip.has('raw')
      ? { seconds: 0, rows: 0, rowsPerSecond: 0 }
      : await measureRawLimit(() => crmObjects(plan), {
          pg: pgFor('raw'),
          progress: (done) => rawBar.update(done),
        });
    rawBar.stop();

    const stages = initialSync.stages;
    return {
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryMb: Math.round(totalmem() / 1024 / 1024),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
      },
      dialect: options.pg ? 'postgres' : 'sqlite',
      objects: options.objects,
      seed: options.seed,
      plan,
      generationSeconds,
      initialSync: {
        objects: initialSync.objects,
        seconds: initialSync.seconds,
        stages,
        cpuSeconds: initialSync.cpuSeconds,
        finishSeconds: initialSync.finishSeconds,
        wireMb: initialSync.wireBytes / 1024 / 1024,
        loadCounts: initialSync.loadCounts,
      },
      objectsPerSecond: initialSync.objects / initialSync.seconds,
      stages,
      raw,
      ratioToLimit: initialSync.seconds / raw.seconds,
      incremental,
      mappingSeconds: mapping.analysisSeconds,
      mapping,
      peakRssMb,
      rssByPhaseMb,
      skipped: [...skip],
      wallSeconds: seconds(began),
    };
  } finally {
    closeApiConnections();
    await Promise.allSettled(hosts.map((host) => host.stop()));
    if (pgRun) await dropSchemas(pgRun.prefix, pgRun.url);
    if (!options.keepData) rmSync(workDir, { recursive: true, force: true });
    else reporter.note(`data kept in ${workDir}`);
  }
}

const seconds = (since: number) => (performance.now() - since) / 1000;

type SettingView = { id: string; state: string };

/**
 * The seed's setup from the CRM to Accounting, timed by stage: the initial export (the CRM registers and
 * writes its message), its transfer (parts uploaded, checked and kept by Accounting), the mapping
 * analysis, and the load. Then Accounting's own initial export and a first Synchronize finish the setup.
 */
async function measureInitialSync(
  crm: Api,
  bp: Api,
  bpUrl: string,
  reporter: Reporter,
  cpu: () => { crm: number; bp: number },
) {
  const cpuMarks: { crm: number; bp: number }[] = [];
  const setting = await crm.call<SettingView>('POST', '/sync/settings', {
    peerApplication: 'accounting',
    peerUrl: bpUrl,
    peerLogin: LOGIN,
    peerPassword: PASSWORD,
    rules: { catalogs: 'used', documents: 'all' },
  });
  const started = performance.now();
  cpuMarks.push(cpu());
  let sendingAt: number | undefined;
  const exportBar = reporter.stage('export', 1);
  let transferBar: ReturnType<Reporter['stage']> | undefined;
  const exported = await crm.job(`/sync/settings/${setting.id}/initial-export`, (job: Job) => {
    if (job.progress.phase === 'exporting') exportBar.update(job.progress.done, job.progress.total);
    if (job.progress.phase === 'sending') {
      if (sendingAt === undefined) {
        sendingAt = performance.now();
        cpuMarks.push(cpu());
        exportBar.stop();
        transferBar = reporter.stage('transfer', job.progress.total);
      }
      transferBar?.update(job.progress.done, job.progress.total);
    }
  });
  const exportedAt = performance.now();
  if (cpuMarks.length === 1) cpuMarks.push(cpu());
  cpuMarks.push(cpu());
  exportBar.stop();
  transferBar?.stop();
  const entry = exported.result as { bytesSent: number };
  const peerSetting = (await bp.call<SettingView[]>('GET', '/sync/settings'))[0]!;
  await bp.call('PATCH', `/sync/settings/${peerSetting.id}/rules`, { catalogs: 'none', documents: 'none' });

  const mapStarted = performance.now();
  const mapBar = reporter.stage('map', 1);
  const analysis = await bp.call<{ types: { type: string; total: number }[] }>(
    'GET',
    `/sync/settings/${peerSetting.id}/mapping`,
  );
  mapBar.update(1);
  mapBar.stop();
  const mapSeconds = seconds(mapStarted);
  cpuMarks.push(cpu());
  const objects = analysis.types.reduce((sum, type) => sum + type.total, 0);

  const loadStarted = performance.now();
  const loadBar = reporter.stage('load', objects);
  const loaded = await bp.job(`/sync/settings/${peerSetting.id}/load`, (job) =>
    loadBar.update(job.progress.done, job.progress.total || objects),
  );
  loadBar.stop();
  const loadSeconds = seconds(loadStarted);
  cpuMarks.push(cpu());
  const spent = (stage: number) => ({
    crm: cpuMarks[stage + 1]!.crm - cpuMarks[stage]!.crm,
    bp: cpuMarks[stage + 1]!.bp - cpuMarks[stage]!.bp,
  });
  const cpuSeconds = { export: spent(0), transfer: spent(1), map: spent(2), load: spent(3) };

  const finishStarted = performance.now();
  await bp.job(`/sync/settings/${peerSetting.id}/initial-export`);
  await crm.call('POST', `/sync/settings/${setting.id}/run?wait=600`);
  const finishSeconds = seconds(finishStarted);

  const exportSeconds = ((sendingAt ?? exportedAt) - started) / 1000;
  const transferSeconds = (exportedAt - (sendingAt ?? exportedAt)) / 1000;
  const stages = { exportSeconds, transferSeconds, mapSeconds, loadSeconds };
  const counts = (loaded.result as { counts: Record<string, Record<string, number>> }).counts;
  return {
    settingId: setting.id,
    objects,
    seconds: exportSeconds + transferSeconds + mapSeconds + loadSeconds,
    stages,
    cpuSeconds,
    finishSeconds,
    wireBytes: entry.bytesSent,
    loadCounts: counts,
  };
}

/**
 * Synchronize from the CRM, timed as a client sees it (request to answer), after changing nothing, one,
 * 100 and 10,000 documents through the API. The changes are made before the clock starts. Each case
 * begins with a few runs that are not timed: V8 compiles a path after it has run it a few times, and a
 * host runs for days, so its first runs after a start say little about what a user waits for.
 */

async function measureIncremental(
  crm: Api,
  settingId: string,
  plan: DatasetPlan,
  runs: BenchOptions['runs'],
  warmupRuns: number,
  reporter: Reporter,
  cpuSeconds: () => number,
): Promise<BenchResult['incremental']> {
  let edits = 0;
  const change = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      const index = edits % plan.invoices;
      edits += 1;
      await crm.call('PATCH', `/data/customer-invoice/${refOf(plan, 'crm', 'customer-invoice', index)}`, {
        comment: `Изменение ${edits}`,
      });
    }
  };
  const measure = async (
    name: string,
    changed: number,
    count: number,
    warmup: number,
  ): Promise<Percentiles> => {
    const bar = reporter.stage(`sync, ${name}`, warmup + count);
    const times: number[] = [];
    let cpuMs = 0;
    for (let run = 0; run < warmup + count; run += 1) {
      await change(changed);
      const cpuBefore = cpuSeconds();
      const started = performance.now();
      const job = await crm.call<Job>('POST', `/sync/settings/${settingId}/run?wait=600`);
      if (run >= warmup) {
        times.push(performance.now() - started);
        cpuMs += (cpuSeconds() - cpuBefore) * 1000;
      }
      if (job.state !== 'done') throw new Error(`Synchronize ${job.state}: ${JSON.stringify(job.error)}`);
      const sent = (job.result as { sent: Record<string, number> }).sent['customer-invoice'] ?? 0;
      if (sent !== changed) throw new Error(`Synchronize sent ${sent} invoices, expected ${changed}`);
      bar.update(run + 1);
    }
    bar.stop();
    return { ...percentiles(times, changed), cpuMeanMs: cpuMs / Math.max(1, count), warmupRuns: warmup };
  };
  const tenThousand = Math.min(10_000, plan.invoices);
  return {
    nothing: await measure('nothing changed', 0, runs.nothing, warmupRuns),
    one: await measure('1 changed', 1, runs.one, warmupRuns),
    hundred: await measure('100 changed', Math.min(100, plan.invoices), runs.hundred, warmupRuns),
    tenThousand: await measure(`${tenThousand} changed`, tenThousand, runs.tenThousand, 0),
  };
}

function skippedIncremental(): BenchResult['incremental'] {
  const none = { ...percentiles([], 0), cpuMeanMs: 0, warmupRuns: 0 };
  return { nothing: none, one: none, hundred: none, tenThousand: none };
}

export function percentiles(
  times: readonly number[],
  changed: number,
): Omit<Percentiles, 'warmupRuns' | 'cpuMeanMs'> {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return {
    runs: sorted.length,
    changed,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    meanMs: sorted.reduce((sum, time) => sum + time, 0) / Math.max(1, sorted.length),
  };
}

/**
 * Issue 4: auto-mapping of `count` incoming counterparties against as many existing ones — the analysis
 * (every object identified, candidates for the rest), then the load that identifies them again.
 */
async function measureMapping(
  crm: Api,
  bp: Api,
  bpUrl: string,
  count: number,
  reporter: Reporter,
  bpCpu: () => number,
) {
  const setting = await crm.call<SettingView>('POST', '/sync/settings', {
    peerApplication: 'accounting',
    peerUrl: bpUrl,
    peerLogin: LOGIN,
    peerPassword: PASSWORD,
    rules: { catalogs: 'all', documents: 'none' },
  });
  const bar = reporter.stage('mapping', 3);
  await crm.job(`/sync/settings/${setting.id}/initial-export`);
  bar.update(1);
  const peerSetting = (await bp.call<SettingView[]>('GET', '/sync/settings'))[0]!;
  const started = performance.now();
  const cpuBefore = bpCpu();
  const analysis = await bp.call<{ types: unknown[] }>('GET', `/sync/settings/${peerSetting.id}/mapping`);
  const analysisSeconds = seconds(started);
  const analysisCpuSeconds = bpCpu() - cpuBefore;
  bar.update(2);
  const loadStarted = performance.now();
  await bp.job(`/sync/settings/${peerSetting.id}/load`);
  const loadSeconds = seconds(loadStarted);
  bar.update(3);
  bar.stop();
  return { counterparties: count, analysisSeconds, analysisCpuSeconds, loadSeconds, summary: analysis.types };
}
