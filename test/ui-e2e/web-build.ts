import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/server-process.js';

const SOURCES = join(REPO_ROOT, 'src/web');
const BUILT = join(REPO_ROOT, 'dist/web/index.html');
const LOCK = join(REPO_ROOT, 'dist/.web-build.lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function fresh(): boolean {
  return existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource(SOURCES);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds the web UI when `dist/web` is missing or older than its sources. Test files run in parallel, so
 * one builds under a lock (a directory: creating it is atomic) while the others wait for it.
 */
export async function ensureWebBuild(): Promise<void> {
  for (let waited = 0; !fresh(); waited += 200) {
    mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
    let locked = false;
    try {
      mkdirSync(LOCK);
      locked = true;
    } catch {
      // A lock older than any build is left by a run that died: take it over.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 120_000) rmdirSync(LOCK);
      if (waited > 180_000) throw new Error('waited three minutes for another build of the web UI');
      await sleep(200);
      continue;
    }
    try {
      if (fresh()) return;
      const build = spawnSync(
        'npx',
        ['vite', 'build', '--config', 'src/web/vite.config.ts', '--logLevel', 'warn'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      );
      if (build.status !== 0) throw new Error(`the web UI did not build:\n${build.stdout}\n${build.stderr}`);
      return;
    } finally {
      if (locked) rmdirSync(LOCK);
    }
  }
}
