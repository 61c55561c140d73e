import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

/**
 * A host's memory stays within its budget (DESIGN.md section 9) only if the JavaScript heap does not run
 * far ahead of what is live. By default V8 lets the old generation grow to several times the live data
 * after each full collection, which for a process that streams millions of short-lived objects means
 * hundreds of megabytes of garbage held between collections. A growing factor of 1.6 keeps the heap
 * near its live size, at no measurable cost in time (docs/BENCHMARKS.md).
 */
export function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=60');
}

/** Environment variables and node flags a process is started with. */
export type LauncherSettings = { env: Record<string, string>; nodeFlags: string[] };

/**
 * What the package's command (`bin/ibsync.js` under `root`) starts Node with, from its
 * `#!/usr/bin/env -S …` line: variables first, then `node` and its flags. The memory settings that only a
 * process's start can set live there, and only there. A checkout whose line is a plain
 * `#!/usr/bin/env node` has none.
 */
export function launcherSettings(root: string): LauncherSettings {
  const first = readFileSync(join(root, 'bin', 'ibsync.js'), 'utf8').split('\n', 1)[0] ?? '';
  const words = first
    .replace(/^#!\/usr\/bin\/env( -S)?/, '')
    .trim()
    .split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0]?.includes('=')) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  if (words.shift() !== 'node') throw new Error(`${root}/bin/ibsync.js does not start node: ${first}`);
  return { env, nodeFlags: words };
}

/**
 * The settings a process was started without, as the command line would spell them: a host started with
 * `node dist/cli/main.js` instead of the package's command holds tens of megabytes more.
 */
export function missingLauncherSettings(
  wanted: LauncherSettings,
  started: { env: NodeJS.ProcessEnv; execArgv: readonly string[] },
): string[] {
  const flags = new Set([...started.execArgv, ...(started.env.NODE_OPTIONS ?? '').split(/\s+/)]);
  return [
    ...Object.entries(wanted.env)
      .filter(([name, value]) => started.env[name] !== value)
      .map(([name, value]) => `${name}=${value}`),
    ...wanted.nodeFlags.filter((flag) => !flags.has(flag)),
  ];
}
