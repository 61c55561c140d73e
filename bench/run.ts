import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { TEST_PG_URL } from '../test/helpers/test-config.js';
import { type BenchResult, type Reporter, runBenchmark } from './benchmark.js';
import { formatReport, targetsOf } from './report.js';

const HELP = `npm run bench -- [options]

Generates a CRM of --objects objects, synchronizes it to Accounting between two host processes
over HTTP on loopback, and measures the initial sync, incremental Synchronize, auto-mapping,
peak memory of each process and the raw insert limit of the storage. Prints a table.

  --objects N        objects in the CRM (default 100000)
  --seed N           the data set's seed (default 1)
  --mapping N        counterparties on each side of the mapping measurement (default 100000)
  --runs N           Synchronize runs per incremental case (default 30; 10,000 changed: N/6)
  --warmup N         untimed Synchronize runs before each case but the 10,000 (default 10)
  --json FILE        also write the results as JSON
  --pg               PostgreSQL instead of SQLite
  --pg-url URL       the PostgreSQL server (default IBSYNC_TEST_PG_URL or the local test server)
  --profile DIR      run both hosts with --cpu-prof, profiles written to DIR
  --host-flags=FLAGS more node flags for both hosts, e.g. --host-flags="--heapsnapshot-signal=SIGUSR2"
  --server-root DIR  run the hosts from another checkout (to compare with a baseline)
  --keep             keep the generated data (its folder is printed)
  --tsx              run the hosts from source with tsx instead of the compiled build
  --skip LIST        leave out parts while investigating: incremental, mapping, raw
  --no-progress      no progress bars
`;

function reporterFor(enabled: boolean): Reporter {
  if (!enabled || !process.stderr.isTTY) {
    return {
      stage(name) {
        const started = performance.now();
        return {
          update() {},
          stop() {
            if (enabled)
              process.stderr.write(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
          },
        };
      },
      note: (text) => process.stderr.write(`${text}\n`),
    };
  }
  return {
    stage(name, total) {
      const bar = new cliProgress.SingleBar(
        {
          format: `${name.padEnd(26)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(1, total), 0);
      let stopped = false;
      return {
        update(done, newTotal) {
          if (newTotal !== undefined && newTotal > 0) bar.setTotal(newTotal);
          bar.update(done);
        },
        stop() {
          if (stopped) return;
          stopped = true;
          bar.stop();
        },
      };
    },
    note: (text) => process.stderr.write(`${text}\n`),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      mapping: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '10' },
      json: { type: 'string' },
      pg: { type: 'boolean', default: false },
      'pg-url': { type: 'string' },
      profile: { type: 'string' },
      'host-flags': { type: 'string', default: '' },
      'server-root': { type: 'string' },
      keep: { type: 'boolean', default: false },
      tsx: { type: 'boolean', default: false },
      skip: { type: 'string', default: '' },
      'no-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const number = (name: string, text: string) => {
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
    return value;
  };
  const runs = number('runs', values.runs);
  const pgUrl = values.pg ? (values['pg-url'] ?? TEST_PG_URL) : undefined;
  // Its folder is made now: a long run must not end failing to write its result.
  if (values.json) mkdirSync(dirname(resolve(values.json)), { recursive: true });
  const result: BenchResult = await runBenchmark({
    objects: number('objects', values.objects),
    seed: number('seed', values.seed),
    mappingObjects: number('mapping', values.mapping),
    runs: {
      nothing: runs,
      one: runs,
      hundred: Math.max(3, Math.ceil(runs / 2)),
      tenThousand: Math.max(3, Math.ceil(runs / 6)),
    },
    warmupRuns: values.warmup === '0' ? 0 : number('warmup', values.warmup),
    pg: pgUrl,
    hostFlags: [
      ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`] : []),
      ...values['host-flags'].split(' ').filter(Boolean),
    ],
    serverRoot: values['server-root'] ? resolve(values['server-root']) : undefined,
    keepData: values.keep,
    hostMode: values.tsx ? 'tsx' : 'build',
    skip: new Set(
      values.skip
        .split(',')
        .filter(Boolean)
        .map((part) => {
          if (part !== 'incremental' && part !== 'mapping' && part !== 'raw')
            throw new Error(`--skip takes incremental, mapping, raw; got "${part}"`);
          return part;
        }),
    ),
    reporter: reporterFor(!values['no-progress']),
  });
  process.stdout.write(formatReport(result));
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify({ ...result, targets: targetsOf(result) }, null, 2)}\n`);
    process.stdout.write(`\nJSON written to ${values.json}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
