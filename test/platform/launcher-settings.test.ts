import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launcherSettings, missingLauncherSettings } from '../../src/platform/memory.js';
import { REPO_ROOT } from '../helpers/server-process.js';

describe("what the package's command starts Node with", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ibsync-launcher-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const checkout = (firstLine: string) => {
    const root = join(dir, String(Math.random()).slice(2));
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'bin', 'ibsync.js'), `${firstLine}\nimport '../dist/cli/main.js';\n`);
    return root;
  };

  it("takes the variables and node flags of bin/ibsync.js's first line", () => {
    expect(launcherSettings(REPO_ROOT)).toEqual({
      env: { MALLOC_ARENA_MAX: '2' },
      nodeFlags: ['--max-semi-space-size=8'],
    });
    expect(launcherSettings(checkout('#!/usr/bin/env -S A=1 B=x=y node --one --two=2'))).toEqual({
      env: { A: '1', B: 'x=y' },
      nodeFlags: ['--one', '--two=2'],
    });
  });

  it('gives an older checkout, whose command is plain node, no settings', () => {
    expect(launcherSettings(checkout('#!/usr/bin/env node'))).toEqual({ env: {}, nodeFlags: [] });
  });

  it('refuses a first line that does not start node', () => {
    expect(() => launcherSettings(checkout('#!/bin/sh'))).toThrow(/does not start node/);
  });

  it('names what a process was started without, finding flags on its command line or in NODE_OPTIONS', () => {
    const wanted = { env: { MALLOC_ARENA_MAX: '2' }, nodeFlags: ['--max-semi-space-size=8'] };
    expect(missingLauncherSettings(wanted, { env: {}, execArgv: ['--import', 'tsx'] })).toEqual([
      'MALLOC_ARENA_MAX=2',
      '--max-semi-space-size=8',
    ]);
    expect(
      missingLauncherSettings(wanted, {
        env: { MALLOC_ARENA_MAX: '4' },
        execArgv: ['--max-semi-space-size=8'],
      }),
    ).toEqual(['MALLOC_ARENA_MAX=2']);
    expect(
      missingLauncherSettings(wanted, {
        env: { MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=8' },
        execArgv: [],
      }),
    ).toEqual([]);
  });
});
