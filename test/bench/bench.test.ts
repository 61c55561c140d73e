import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/server-process.js';

/** `npm run bench` at a small size: it works and its JSON has every field. Timings are not judged here. */
describe('the benchmark at a small size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ibsync-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('synchronizes 2,000 objects between two host processes and reports every measurement', async () => {
    const jsonFile = join(dir, 'bench.json');
    const args = [
      '--import',
      'tsx',
      'bench/run.ts',
      '--objects',
      '2000',
      '--mapping',
      '400',
      '--runs',
      '3',
      '--warmup',
      '1',
    ];
    const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [...args, '--tsx', '--no-progress', '--json', jsonFile], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.once('exit', (code) => resolve({ code, output }));
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('objects/s end to end');

    const result = JSON.parse(readFileSync(jsonFile, 'utf8'));
    const positive = expect.any(Number);
    expect(result).toMatchObject({
      dialect: 'sqlite',
      objects: 2000,
      objectsPerSecond: positive,
      ratioToLimit: positive,
      mappingSeconds: positive,
      peakRssMb: { crm: positive, bp: positive },
      stages: {
        exportSeconds: positive,
        transferSeconds: positive,
        mapSeconds: positive,
        loadSeconds: positive,
      },
      raw: { seconds: positive, rows: positive },
      initialSync: { objects: 2000, wireMb: positive },
      mapping: { counterparties: 400, peakRssMb: { crm: positive, bp: positive } },
      machine: { cpus: positive, node: expect.any(String) },
      skipped: [],
      targets: { objectsPerSecond: { target: 10_000, measured: positive, met: expect.any(Boolean) } },
    });
    // Every target of DESIGN.md section 9 is judged, none left out.
    expect(Object.keys(result.targets).sort()).toEqual(
      [
        'hundredP50Ms',
        'mappingPeakRssMb',
        'mappingSeconds',
        'nothingP50Ms',
        'objectsPerSecond',
        'oneP50Ms',
        'peakRssMb',
        'ratioToLimit',
      ].sort(),
    );
    for (const target of Object.values(result.targets)) expect(target).not.toHaveProperty('skipped');
    for (const name of ['nothing', 'one', 'hundred', 'tenThousand'] as const) {
      expect(result.incremental[name]).toMatchObject({ runs: 3, p50Ms: positive, p95Ms: positive });
      expect(result.incremental[name].cpuMeanMs).toBeGreaterThanOrEqual(0);
    }
    expect(result.incremental.one.warmupRuns).toBe(1);
    expect(result.incremental.tenThousand.warmupRuns).toBe(0);
    expect(result.incremental.one.changed).toBe(1);
    for (const value of [
      result.objectsPerSecond,
      result.ratioToLimit,
      result.peakRssMb.crm,
      result.mappingSeconds,
    ])
      expect(value).toBeGreaterThan(0);
    // Every object of the CRM reached Accounting: a catalog item one in ten mapped, the rest created.
    const created = Object.values(
      result.initialSync.loadCounts as Record<string, { created: number; linked: number }>,
    );
    expect(created.reduce((sum, counts) => sum + counts.created + counts.linked, 0)).toBe(2000);
  }, 240_000);
});
