import type { BenchResult } from './benchmark.js';

/** DESIGN.md section 9 and issue 7, as numbers. */
export const TARGETS = {
  objectsPerSecond: 10_000,
  ratioToLimit: 2.5,
  peakRssMb: 300,
  nothingP50Ms: 10,
  oneP50Ms: 15,
  hundredP50Ms: 50,
  mappingSeconds: 3,
  mappingPeakRssMb: 300,
} as const;

export type Target = { target: number; measured: number; met: boolean; skipped?: true };
export type Targets = Record<keyof typeof TARGETS, Target>;

export function targetsOf(result: BenchResult): Targets {
  const skipped = new Set<string>(result.skipped);
  const judged = (part: string | null, target: number, measured: number, met: boolean): Target =>
    part !== null && skipped.has(part)
      ? { target, measured, met: false, skipped: true }
      : { target, measured, met };
  const atLeast = (target: number, measured: number, part: string | null = null) =>
    judged(part, target, measured, measured >= target);
  const atMost = (target: number, measured: number, part: string | null = null) =>
    judged(part, target, measured, measured <= target);
  return {
    objectsPerSecond: atLeast(TARGETS.objectsPerSecond, result.objectsPerSecond),
    ratioToLimit: atMost(TARGETS.ratioToLimit, result.ratioToLimit, 'raw'),
    peakRssMb: atMost(TARGETS.peakRssMb, Math.max(result.peakRssMb.crm, result.peakRssMb.bp)),
    nothingP50Ms: atMost(TARGETS.nothingP50Ms, result.incremental.nothing.p50Ms, 'incremental'),
    oneP50Ms: atMost(TARGETS.oneP50Ms, result.incremental.one.p50Ms, 'incremental'),
    hundredP50Ms: atMost(TARGETS.hundredP50Ms, result.incremental.hundred.p50Ms, 'incremental'),
    mappingSeconds: atMost(TARGETS.mappingSeconds, result.mappingSeconds, 'mapping'),
    mappingPeakRssMb: atMost(
      TARGETS.mappingPeakRssMb,
      Math.max(result.mapping.peakRssMb.crm, result.mapping.peakRssMb.bp),
      'mapping',
    ),
  };
}

const f = (value: number, digits = 1) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function formatReport(result: BenchResult): string {
  const { stages, incremental: inc, initialSync } = result;
  const targets = targetsOf(result);
  const mark = (target: Target) => (target.skipped ? 'skipped' : target.met ? 'met' : 'NOT MET');
  const cpu = (stage: keyof BenchResult['initialSync']['cpuSeconds']) => {
    const spent = initialSync.cpuSeconds[stage];
    return `CPU: CRM ${f(spent.crm)} s, Accounting ${f(spent.bp)} s`;
  };
  const rows: [string, string, string][] = [
    ['objects in the initial sync', f(initialSync.objects, 0), ''],
    ['initial sync (export+transfer+map+load)', `${f(initialSync.seconds)} s`, ''],
    ['  export', `${f(stages.exportSeconds)} s`, cpu('export')],
    ['  transfer', `${f(stages.transferSeconds)} s`, cpu('transfer')],
    ['  map (analysis)', `${f(stages.mapSeconds)} s`, cpu('map')],
    ['  load', `${f(stages.loadSeconds)} s`, cpu('load')],
    ['  then: peer export + first Synchronize', `${f(initialSync.finishSeconds)} s`, ''],
    ['objects/s end to end', f(result.objectsPerSecond, 0), `≥ 10,000: ${mark(targets.objectsPerSecond)}`],
    ['on the wire', `${f(initialSync.wireMb)} MB`, ''],
    [
      'raw limit (same rows, one transaction)',
      `${f(result.raw.seconds)} s (${f(result.raw.rows, 0)} rows)`,
      '',
    ],
    ['ratio to the raw limit', f(result.ratioToLimit, 2), `≤ 2.5: ${mark(targets.ratioToLimit)}`],
    [`Synchronize: each case after ${inc.nothing.warmupRuns} untimed runs`, '', ''],
    [
      'Synchronize, nothing changed p50/p95',
      `${f(inc.nothing.p50Ms)} / ${f(inc.nothing.p95Ms)} ms (CPU ${f(inc.nothing.cpuMeanMs)})`,
      `p50 ≤ 10 ms: ${mark(targets.nothingP50Ms)}`,
    ],
    [
      'Synchronize, 1 document p50/p95',
      `${f(inc.one.p50Ms)} / ${f(inc.one.p95Ms)} ms (CPU ${f(inc.one.cpuMeanMs)})`,
      `p50 ≤ 15 ms: ${mark(targets.oneP50Ms)}`,
    ],
    [
      `Synchronize, ${inc.hundred.changed} documents p50/p95`,
      `${f(inc.hundred.p50Ms)} / ${f(inc.hundred.p95Ms)} ms (CPU ${f(inc.hundred.cpuMeanMs)})`,
      `p50 ≤ 50 ms: ${mark(targets.hundredP50Ms)}`,
    ],
    [
      `Synchronize, ${f(inc.tenThousand.changed, 0)} documents p50/p95`,
      `${f(inc.tenThousand.p50Ms, 0)} / ${f(inc.tenThousand.p95Ms, 0)} ms (CPU ${f(inc.tenThousand.cpuMeanMs, 0)})`,
      '',
    ],
    [
      `mapping ${f(result.mapping.counterparties, 0)} × ${f(result.mapping.counterparties, 0)} counterparties`,
      `${f(result.mappingSeconds, 2)} s (CPU ${f(result.mapping.analysisCpuSeconds, 2)} s; load ${f(result.mapping.loadSeconds)} s)`,
      `≤ 3 s: ${mark(targets.mappingSeconds)}`,
    ],
    [
      'peak RSS CRM / Accounting',
      `${f(result.peakRssMb.crm, 0)} / ${f(result.peakRssMb.bp, 0)} MB`,
      `≤ 300 MB: ${mark(targets.peakRssMb)}`,
    ],
    [
      '  the mapping hosts',
      `${f(result.mapping.peakRssMb.crm, 0)} / ${f(result.mapping.peakRssMb.bp, 0)} MB`,
      `≤ 300 MB: ${mark(targets.mappingPeakRssMb)}`,
    ],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  const valueWidth = Math.max(...rows.map((row) => row[1].length));
  const lines = rows.map(([name, value, target]) =>
    `${name.padEnd(width)}  ${value.padStart(valueWidth)}  ${target}`.trimEnd(),
  );
  const { machine } = result;
  return [
    `ibsync benchmark: ${f(result.objects, 0)} objects, ${result.dialect}, seed ${result.seed}`,
    `${machine.cpus} × ${machine.cpuModel}, ${f(machine.memoryMb / 1024, 0)} GB, Node ${machine.node}`,
    '',
    ...lines,
    '',
  ].join('\n');
}
