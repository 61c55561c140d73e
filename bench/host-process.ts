import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launcherSettings } from '../src/platform/memory.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export type HostProcess = {
  name: string;
  url: string;
  pid: number;
  /** Peak and current resident set size from the OS (/proc/<pid>/status), in MB. */
  memory(): { peakRssMb: number; rssMb: number };
  /** CPU time the process has used so far (user + system), in seconds: steadier than wall time on a busy machine. */
  cpuSeconds(): number;
  output(): string;
  stop(): Promise<void>;
};

export type HostProcessOptions = {
  name: string;
  dataDir: string;
  pg?: { url: string; schemaPrefix: string } | undefined;
  /** Another checkout to run the host from (a baseline); this one by default. */
  root?: string | undefined;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: readonly string[];
  /** `build`: the compiled host (dist/), as `npm start` runs it; `tsx`: from source. */
  mode?: 'build' | 'tsx';
};

/** Compiles the host once (tsc to dist/), as `npm run build` does. */
export function buildHost(root: string = REPO_ROOT): void {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`the build failed:\n${result.stdout}${result.stderr}`);
}

/** `ibsync serve` as its own process, the way an operator runs it: its own port, data and memory. */
export async function startHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  const root = options.root ?? REPO_ROOT;
  // As the package's command starts a host (its memory settings), beside the benchmark's own flags:
  // on the command line, since Node refuses `--cpu-prof` in NODE_OPTIONS.
  const launcher = launcherSettings(root);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...launcher.nodeFlags,
      ...(options.nodeFlags ?? []),
      ...(options.mode === 'tsx' ? ['--import', 'tsx', 'src/cli/main.ts'] : ['bin/ibsync.js']),
      'serve',
      '--port',
      '0',
      '--data',
      options.dataDir,
      ...(options.pg ? ['--pg', options.pg.url] : []),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        ...launcher.env,
        IBSYNC_LOG_LEVEL: process.env.IBSYNC_BENCH_LOG_LEVEL ?? 'warn',
        ...(options.pg ? { IBSYNC_PG_SCHEMA_PREFIX: options.pg.schemaPrefix } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  // For investigating: the hosts' own output (logs, --trace-gc) beside the benchmark's.
  if (process.env.IBSYNC_BENCH_HOST_OUTPUT) {
    child.stderr?.on('data', (chunk: string) => process.stderr.write(`[${options.name}] ${chunk}`));
    child.stdout?.on('data', (chunk: string) => process.stderr.write(`[${options.name}] ${chunk}`));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.once('exit', () => child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} did not start:\n${output}`)), 60_000);
    const onData = () => {
      const match = /ibsync listening on (\S+)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited before listening:\n${output}`));
    });
  });
  const pid = child.pid!;
  return {
    name: options.name,
    url,
    pid,
    memory: () => processMemory(pid),
    cpuSeconds: () => processCpuSeconds(pid),
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

/** VmHWM is the peak resident set the kernel saw for the process: the memory it really took. */
export function processMemory(pid: number): { peakRssMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
