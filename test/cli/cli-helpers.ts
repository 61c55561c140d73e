import { spawn } from 'node:child_process';
import { runCli } from '../../src/cli/program.js';
import { CLI_COMMAND, REPO_ROOT } from '../helpers/server-process.js';

export type CliResult = {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read the API's JSON loosely
  json(): any;
};

type Env = Record<string, string | undefined>;

function result(code: number, stdout: string, stderr: string): CliResult {
  return {
    code,
    stdout,
    stderr,
    json: () => {
      try {
        return JSON.parse(stdout);
      } catch {
        throw new Error(`not JSON (exit ${code}):\n${stdout}\n${stderr}`);
      }
    },
  };
}

/** Runs a command in this process through `runCli`, against a real host over HTTP. */
export async function cli(args: readonly string[], env: Env = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
  });
  return result(code, stdout, stderr);
}

/** Runs the real entry point as a child process, so exit codes and streams are the process's own. */
export function cliProcess(args: readonly string[], env: Env = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI_COMMAND[0] ?? process.execPath, [...CLI_COMMAND.slice(1), ...args], {
      cwd: REPO_ROOT,
      // Only what the test gives: the developer's own IBSYNC_* variables must not leak in.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve(result(code ?? -1, stdout, stderr)));
  });
}
